#!/usr/bin/env bash
# Airlock's one entry point for building, running and testing on Debian 12.
#   ./build.sh run     build the release binary and start `airlock serve` on the embedded default
#   ./build.sh test    build release + ASan/UBSan configurations and run every test in both
#   ./build.sh build   build the release binary only (build/airlock)
#   ./build.sh package build it and make build/package/airlock-<version>-linux-<arch>.tar.gz (binary + SBOM)
# Missing Debian packages are installed when running as root; otherwise the script says which.
set -euo pipefail
cd "$(dirname "$0")"

packages=(g++ cmake ninja-build make tcl dpkg-dev patch xz-utils bzip2 file openssl libssl-dev
          ca-certificates debian-archive-keyring john-data
          chromium fonts-dejavu-core) # the last two for the browser test, tests/e2e
# tests/e2e also needs node (>= 20) and npm: Debian's only where none is on PATH, never over another.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

say() { echo "build.sh: $*" >&2; }

ensure_packages() {
  local missing=() p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" -ne 0 ]; then
    say "missing Debian packages: ${missing[*]}"
    say "run this script as root to install them, or: sudo apt-get install ${missing[*]}"
    exit 1
  fi
  say "installing Debian packages: ${missing[*]}"
  apt-get -q update >&2
  DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends "${missing[@]}" >&2
}

configure_and_build() { # DIR extra-cmake-args...
  local dir=$1; shift
  local prefix
  prefix=$(third_party/deps.sh)
  cmake -S . -B "$dir" -G Ninja -DAIRLOCK_DEPS_PREFIX="$prefix" "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}

cmd=${1:-}
case "$cmd" in
  build)
    ensure_packages
    configure_and_build build -DCMAKE_BUILD_TYPE=Release
    ;;
  package)
    ensure_packages
    configure_and_build build -DCMAKE_BUILD_TYPE=Release
    cpack --config build/CPackConfig.cmake
    ;;
  run)
    ensure_packages
    configure_and_build build -DCMAKE_BUILD_TYPE=Release
    shift
    exec ./build/airlock serve "$@"
    ;;
  test)
    ensure_packages
    t0=$SECONDS
    configure_and_build build -DCMAKE_BUILD_TYPE=Release
    ctest --test-dir build --output-on-failure
    configure_and_build build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIRLOCK_SANITIZE=ON
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
      ctest --test-dir build-asan --output-on-failure
    say "all tests passed in both configurations ($((SECONDS - t0)) s)"
    ;;
  *)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
