#!/usr/bin/env bash
# Brings a fresh clone (or an updated one) to a runnable state; every step is skipped when done.
# Used by `npm run demo` and `npm test`. Downloads only from the npm registry and Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

# System packages: Chromium for browser tests, libfaiss + OpenBLAS for faiss-node, a C++ toolchain for
# node-gyp (faiss-node and facesift's own addon in native/ are both compiled here).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/include/faiss/Index.h ] || missing+=(libfaiss-dev)
ls /usr/lib/x86_64-linux-gnu/libopenblas* >/dev/null 2>&1 || ls /usr/lib/*/libopenblas* >/dev/null 2>&1 || missing+=(libopenblas-dev)
command -v g++ >/dev/null || missing+=(g++)
command -v make >/dev/null || missing+=(make)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} (apt-get)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  else
    say "missing system packages: ${missing[*]}"
    say "install them with: sudo apt-get install -y ${missing[*]}   (then run this again)"
    exit 1
  fi
fi

# npm packages, again whenever package-lock.json changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund >&2
fi

bash scripts/build-faiss.sh
bash scripts/build-native.sh
node scripts/fetch-model.mjs

# Prisma's CLI insists on a query-engine library path even for the engine-less client it generates;
# pointing it at any existing file stops it from trying to download one.
if [ ! -f lib/generated/prisma/client.ts ] || [ prisma/schema.prisma -nt lib/generated/prisma/client.ts ]; then
  say "generating the Prisma client"
  PRISMA_QUERY_ENGINE_LIBRARY="$PWD/package.json" npx --no-install prisma generate >&2
fi
say "ready"
