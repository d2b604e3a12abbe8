#!/usr/bin/env bash
# Builds facesift's own native addon (native/: the similarity kernels) from source with node-gyp
# into native/build/Release/facesift_similarity.node, where lib/similarity/native.ts loads it.
# Idempotent: does nothing when the addon exists, loads, and was built from the current sources.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/native"
addon="$dir/build/Release/facesift_similarity.node"

fail() {
  echo "build-native: $*" >&2
  exit 1
}

command -v g++ >/dev/null || fail "no C++ compiler; install one with: sudo apt-get install -y g++ make"
[[ -f "$root/node_modules/node-addon-api/napi.h" ]] || fail "node_modules/node-addon-api is missing; run npm ci first"
source "$root/scripts/node-gyp-env.sh"

stamp="$dir/build/facesift.stamp"
wanted="$(cat "$dir/binding.gyp" "$dir"/src/* <(node -p process.versions.modules) | sha256sum | cut -d' ' -f1)"
loads() {
  node -e 'process.dlopen({ exports: {} }, process.argv[1])' "$addon" >/dev/null 2>&1
}

mkdir -p "$dir/build"
exec 9>"$dir/build/.lock"
flock 9

if [[ -f "$addon" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]] && loads; then
  echo "build-native: up to date"
  exit 0
fi

log="$dir/build/build.log"
echo "build-native: compiling the similarity addon (log: ${log#"$root"/})"
started=$SECONDS
# `configure` + `build` rather than `rebuild`: rebuild's clean step would delete the lock file held above.
if ! (cd "$dir" && node "$node_gyp" configure --nodedir="$node_prefix" && node "$node_gyp" build --jobs=max) >"$log" 2>&1; then
  grep -E 'error|Error' "$log" | head -20 >&2 || true
  fail "compilation failed; see $log"
fi
loads || fail "the built addon does not load: $addon"
echo "$wanted" >"$stamp"
echo "build-native: built in $((SECONDS - started)) s"
