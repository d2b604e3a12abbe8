#!/usr/bin/env bash
# Builds node_modules/faiss-node (installed with its install script disabled: that script downloads
# a prebuilt binary or clones faiss from GitHub) from the package's own src/ against the system
# libfaiss, together with facesift's similarity addon (scripts/faiss/). Nothing is downloaded:
# node-gyp comes with npm and the Node headers from the running node's prefix.
# Idempotent: does nothing when both addons exist, load, and were built from the current sources.
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

node_prefix="$(node -p 'require("path").resolve(process.execPath, "..", "..")')"
[[ -f "$node_prefix/include/node/node_api.h" ]] ||
  fail "no Node headers under $node_prefix/include/node (the running node's prefix); install the headers that match $(node -v)"

if [[ -n "${npm_config_node_gyp:-}" && -f "${npm_config_node_gyp}" ]]; then
  node_gyp="$npm_config_node_gyp"
else
  npm_cli="$(readlink -f "$(command -v npm)")" || fail "npm not found"
  node_gyp="$(dirname "$(dirname "$npm_cli")")/node_modules/node-gyp/bin/node-gyp.js"
fi
[[ -f "$node_gyp" ]] || fail "node-gyp not found (looked for the copy bundled with npm at $node_gyp)"

release="$pkg/build/Release"
stamp="$pkg/build/facesift.stamp"
wanted="$(cat "$src"/binding.gyp "$src"/*.cc "$src"/*.h "$pkg/package.json" <(node -p process.versions.modules) | sha256sum | cut -d' ' -f1)"

loads() {
  (cd "$root" && node -e '
    require("faiss-node");
    require("faiss-node/build/Release/facesift_similarity.node");
  ') >/dev/null 2>&1
}

exec 9>"$pkg/.facesift-build.lock"
flock 9

if [[ -f "$release/faiss-node.node" && -f "$release/facesift_similarity.node" && -f "$stamp" ]] &&
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
mkdir -p "$pkg/facesift"
cp "$src"/*.cc "$src"/*.h "$pkg/facesift/"

log="$pkg/build-faiss.log"
echo "build-faiss: compiling faiss-node and facesift_similarity (log: ${log#"$root"/})"
started=$SECONDS
if ! (cd "$pkg" && node "$node_gyp" rebuild --nodedir="$node_prefix" --jobs=max) >"$log" 2>&1; then
  grep -E 'error|Error' "$log" | head -20 >&2 || true
  fail "compilation failed; see $log"
fi
loads || fail "the built addons do not load; try: node -e \"require('faiss-node')\" in $root"
echo "$wanted" >"$stamp"
echo "build-faiss: built in $((SECONDS - started)) s"
