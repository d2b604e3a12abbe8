# Sourced by the addon build scripts: finds node-gyp (the copy that comes with npm) and the Node
# headers of the running node, so nothing is downloaded. Sets node_gyp and node_prefix; needs fail().
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
