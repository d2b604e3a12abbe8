#!/usr/bin/env bash
# Builds node_modules/faiss-node (installed with its install script disabled: that script downloads
# a prebuilt binary or clones faiss from GitHub) from the package's own src/ against the system
# libfaiss (recipe: scripts/faiss/binding.gyp). faiss-node is the reference the tests and benchmarks
# compare facesift's own addon (native/, scripts/build-native.sh) with. Nothing is downloaded:
# node-gyp comes with npm and the Node headers from the running node's prefix.
# Idempotent: does nothing when the addon exists, loads, and was built from the current recipe.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pkg="$root/node_modules/faiss-node"
src="$root/scripts/faiss"

fail() {
  echo "build-faiss: $*" >&2
  exit 1
}

[[ -f "$pkg/src/faiss.cc" ]] || fail "node_modules/faiss-node is missing; run npm ci first"

lib_present() { [[ "$(gcc -print-file-name="$1")" == /* ]]; }
if [[ ! -f /usr/include/faiss/IndexFlat.h ]] || ! lib_present libfaiss.a; then
  fail "libfaiss-dev is not installed (headers and libfaiss.a). Install it with:
  sudo apt-get install -y libfaiss-dev libopenblas-dev"
fi
if ! lib_present libblas.so || ! lib_present liblapack.so; then
  fail "BLAS/LAPACK development libraries are missing. Install them with:
  sudo apt-get install -y libopenblas-dev"
fi

source "$root/scripts/node-gyp-env.sh"

release="$pkg/build/Release"
stamp="$pkg/build/facesift.stamp"
wanted="$(cat "$src"/binding.gyp "$pkg/package.json" <(node -p process.versions.modules) | sha256sum | cut -d' ' -f1)"

loads() {
  (cd "$root" && node -e 'require("faiss-node")') >/dev/null 2>&1
}

exec 9>"$pkg/.facesift-build.lock"
flock 9

if [[ -f "$release/faiss-node.node" && -f "$stamp" ]] &&
  [[ "$(cat "$stamp")" == "$wanted" ]] && loads; then
  echo "build-faiss: up to date"
  exit 0
fi

# faiss-node 0.5.1 is written against faiss >= 1.7.4, where idx_t moved to namespace level;
# Debian's 1.7.3 only has it as Index::idx_t.
if ! grep -q 'using idx_t' /usr/include/faiss/MetricType.h; then
  sed -i 's/^using idx_t = faiss::idx_t;$/using idx_t = faiss::Index::idx_t;/' "$pkg/src/faiss.cc"
fi

cp "$src/binding.gyp" "$pkg/binding.gyp"
rm -rf "$pkg/facesift"

log="$pkg/build-faiss.log"
echo "build-faiss: compiling faiss-node (log: ${log#"$root"/})"
started=$SECONDS
if ! (cd "$pkg" && node "$node_gyp" rebuild --nodedir="$node_prefix" --jobs=max) >"$log" 2>&1; then
  grep -E 'error|Error' "$log" | head -20 >&2 || true
  fail "compilation failed; see $log"
fi
loads || fail "the built addon does not load; try: node -e \"require('faiss-node')\" in $root"
echo "$wanted" >"$stamp"
echo "build-faiss: built in $((SECONDS - started)) s"
