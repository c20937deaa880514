#!/usr/bin/env bash
# The end-to-end browser test (run.mjs): installs playwright-core from package-lock.json when
# node_modules is missing or older than the lockfile, then drives Debian's Chromium against the real
# binary. Needs node >= 20 and npm, and /usr/bin/chromium (./build.sh installs it).
#   AIRLOCK_BIN=build/airlock tests/e2e/run.sh      (default: build/airlock of this checkout)
# Screenshots and the server's logs land in tests/e2e/artifacts/ (git-ignored).
set -euo pipefail
if [ -n "${AIRLOCK_BIN:-}" ]; then
  AIRLOCK_BIN=$(realpath -- "$AIRLOCK_BIN")
  export AIRLOCK_BIN
fi
cd "$(dirname "$0")"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "e2e: node and npm are needed (./build.sh installs them as root)" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "e2e: node $(node --version) is too old; playwright-core needs node 20 or newer" >&2
  exit 1
fi

# npm writes node_modules/.package-lock.json on every install; older than the lockfile means stale.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi

exec node --test-reporter=spec run.mjs "$@"
