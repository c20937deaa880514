#!/usr/bin/env bash
# The SDK compatibility test (sdk.mjs): installs the pinned openai and @anthropic-ai/sdk packages from
# package-lock.json when node_modules is missing or older than the lockfile, then drives both SDKs
# against the real binary and the mock upstream. Needs node >= 20 and npm (./build.sh installs them).
#   AIRLOCK_BIN=build/airlock MOCK_BIN=build/mock_upstream tests/sdk/run.sh
#   (defaults: build/airlock and build/mock_upstream of this checkout; SDK_DEBUG=1 echoes their output)
set -euo pipefail
for var in AIRLOCK_BIN MOCK_BIN; do
  if [ -n "${!var:-}" ]; then
    export "$var=$(realpath -- "${!var}")"
  fi
done
cd "$(dirname "$0")"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "sdk: node and npm are needed (./build.sh installs them as root)" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "sdk: node $(node --version) is too old; the SDKs need node 20 or newer" >&2
  exit 1
fi

# npm writes node_modules/.package-lock.json on every install; older than the lockfile means stale.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi

exec node --test-reporter=spec sdk.mjs "$@"
