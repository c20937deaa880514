#!/usr/bin/env bash
# Airlock's one entry point for building, running and testing on Debian 12.
#   ./build.sh run     build the release binary and start `airlock serve` on the embedded default
#   ./build.sh test    build release + ASan/UBSan configurations and run every test in both
#   ./build.sh build   build the release binary only (build/airlock)
#   ./build.sh package build it and make build/package/airlock-<version>-linux-<arch>.tar.gz (binary + SBOM)
#   ./build.sh fuzz-smoke  build the libFuzzer targets (tests/fuzz, clang, build-fuzz) and run each 15 s
#   ./build.sh fuzz [TARGET|all] [SECONDS]  run one or every target longer (1800 s each), corpus kept in build-fuzz/corpus
# Missing Debian packages are installed when running as root; otherwise the script says which.
set -euo pipefail
cd "$(dirname "$0")"

packages=(g++ cmake ninja-build make tcl dpkg-dev patch xz-utils bzip2 file openssl libssl-dev
          ca-certificates debian-archive-keyring john-data
          chromium fonts-dejavu-core # these two for the browser test, tests/e2e
          clang lld libfuzzer-14-dev ccache # the fuzz targets, tests/fuzz (cmake/fuzz.cmake)
          unicode-data python3 python3-six perl # RE2 regenerates its Unicode tables (third_party/deps.sh)
          tinyproxy strace util-linux iproute2) # egress tests: a CONNECT proxy, a connect() log, namespaces
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

# The libFuzzer targets (cmake/fuzz.cmake): clang, a build dir of their own, only the `fuzz` target.
fuzz_build() {
  local prefix launcher=()
  prefix=$(third_party/deps.sh)
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  cmake -S . -B build-fuzz -G Ninja -DAIRLOCK_DEPS_PREFIX="$prefix" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DAIRLOCK_FUZZ=ON "${launcher[@]}" >/dev/null
  cmake --build build-fuzz --target fuzz -j "$(nproc)"
}

fuzz_targets() { tr ';' ' ' <build-fuzz/fuzz_targets.txt; }

fuzz_run() { # NAME SECONDS CORPUS-DIR...: new inputs go to the first dir; a crash fails
  local name=$1 seconds=$2
  shift 2
  local log=build-fuzz/logs/$name.log dict=()
  mkdir -p build-fuzz/logs "build-fuzz/artifacts/$name"
  [ -f "tests/fuzz/dict/$name.dict" ] && dict=("-dict=tests/fuzz/dict/$name.dict")
  if ! UBSAN_OPTIONS=print_stacktrace=1 "build-fuzz/fuzz_$name" -max_total_time="$seconds" -rss_limit_mb=2048 \
      -timeout=30 -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$name/" "${dict[@]}" "$@" \
      >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    say "fuzz target $name failed: its input is in build-fuzz/artifacts/$name/, the whole log in $log"
    return 1
  fi
  fuzz_summary "$name"
}

# libFuzzer's last status line: "#<runs> DONE cov: <edges> ft: <features> corp: ... exec/s: ...".
fuzz_summary() { say "$1: $(grep -m1 -E '^#[0-9]+[[:space:]]+DONE' "build-fuzz/logs/$1.log" | tr -s '[:space:]' ' ')"; }

# Every target for 15 s on a copy of its seeds (tests/fuzz/corpus/<target>), so the tree stays clean.
fuzz_smoke() {
  local t0=$SECONDS scratch name
  scratch=$(mktemp -d "$PWD/build-fuzz/smoke.XXXXXX")
  for name in $(fuzz_targets); do
    cp -r "tests/fuzz/corpus/$name" "$scratch/$name"
    fuzz_run "$name" 15 "$scratch/$name" || { rm -rf "$scratch"; return 1; }
  done
  rm -rf "$scratch"
  say "fuzz smoke: every target ran clean ($((SECONDS - t0)) s)"
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
    fuzz_build
    fuzz_smoke
    say "all tests passed in both configurations, fuzz smoke clean ($((SECONDS - t0)) s)"
    ;;
  fuzz-smoke)
    ensure_packages
    fuzz_build
    fuzz_smoke
    ;;
  fuzz)
    ensure_packages
    fuzz_build
    target=${2:-all}
    seconds=${3:-1800}
    names=$(fuzz_targets)
    if [ "$target" != all ]; then
      grep -qw -- "$target" <<<"$names" || { say "no fuzz target '$target' (targets: $names)"; exit 2; }
      names=$target
    fi
    for name in $names; do
      mkdir -p "build-fuzz/corpus/$name"
      fuzz_run "$name" "$seconds" "build-fuzz/corpus/$name" "tests/fuzz/corpus/$name"
    done
    for name in $names; do fuzz_summary "$name"; done
    ;;
  *)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
