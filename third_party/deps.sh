#!/usr/bin/env bash
# Builds Airlock's pinned third-party libraries (pins.txt, pins.sha256) from Debian source packages
# into a cache outside the work tree and prints the install prefix on stdout. Everything else goes
# to stderr. A missing pin or a hash mismatch stops the build with the file's name: it never takes
# another version. The mirror is read from this machine's apt configuration at run time.
#
#   AIRLOCK_DEPS_CACHE   cache root (default /var/cache/airlock-deps)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${AIRLOCK_DEPS_CACHE:-/var/cache/airlock-deps}
jobs=$(nproc)
suites_src_main="trixie trixie-updates trixie-backports forky sid bookworm"
suites_src_security="trixie-security"
suites_bin_main="bookworm bookworm-updates"
suites_bin_security="bookworm-security"
sqlite_patches=(
  41-fix_a_bug_in_the_NOT_NULL-IS_NULL_optimization
  50-CVE-2025-29087
  51-CVE-2025-29088
  52-CVE-2025-6965
  53-CVE-2025-7709
  54-CVE-2026-11822_CVE-2026-11824
)

log() { echo "deps: $*" >&2; }
die() { echo "deps: ERROR: $*" >&2; exit 1; }

pins() { grep -vE '^\s*(#|$)' "$here/pins.txt"; }
files_of() { awk -v p="$1_" 'index($2, p) == 1 {print $2}' "$here/pins.sha256"; }

# The cache key covers every input that changes the built archives: pins, hashes, this recipe,
# the compiler, cmake, and the libssl/libc the static link uses (those move with security updates).
cache_key() {
  {
    cat "$here/pins.txt" "$here/pins.sha256" "$here/deps.sh"
    find "$here/patches" -type f -name '*.patch' | sort | xargs -r cat
    g++ --version | head -1
    cmake --version | head -1
    dpkg-query -W -f='${Package} ${Version}\n' libssl-dev libc6-dev unicode-data
  } | sha256sum | cut -c1-16
}

pin_ok() {
  local name=$1 f
  local files
  files=$(files_of "$name")
  [ -n "$files" ] || die "pin '$name' has no files in pins.sha256"
  for f in $files; do
    [ -f "$dl/$f" ] || return 1
    grep -F "  $f" "$here/pins.sha256" | (cd "$dl" && sha256sum --quiet -c - >/dev/null 2>&1) || return 1
  done
}

apt_uri() {
  # $1 = main|security. deb822 first, then one-line sources.list.
  local want=$1 uris
  uris=$( { awk '/^URIs:/{for (i = 2; i <= NF; i++) print $i}' /etc/apt/sources.list.d/*.sources 2>/dev/null
            awk '/^deb(-src)? /{for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; break}}' \
                /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null; } | awk '!seen[$0]++')
  if [ "$want" = security ]; then
    echo "$uris" | grep -m1 -- '-security' || true
  else
    echo "$uris" | grep -v -- '-security' | head -1
  fi
}

fetch() {
  local missing=("$@")
  local main sec
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  main=$(apt_uri main)
  sec=$(apt_uri security)
  [ -n "$main" ] || die "no Debian archive URI found in this machine's apt configuration"
  mkdir -p "$tmp/etc/sources.list.d" "$tmp/etc/preferences.d" "$tmp/state/lists/partial" "$tmp/cache/archives/partial"
  cat >"$tmp/apt.conf" <<EOF
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$tmp/etc/sources.list.d";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "$tmp/etc/preferences.d";
Dir::State "$tmp/state";
Dir::State::status "/dev/null";
Dir::Cache "$tmp/cache";
APT::Sandbox::User "root";
Acquire::Languages "none";
EOF
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  {
    printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n\n' "$main" "$suites_src_main" "$keyring"
    printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nArchitectures: amd64\nSigned-By: %s\n\n' "$main" "$suites_bin_main" "$keyring"
    if [ -n "$sec" ]; then
      printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n\n' "$sec" "$suites_src_security" "$keyring"
      printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nArchitectures: amd64\nSigned-By: %s\n\n' "$sec" "$suites_bin_security" "$keyring"
    fi
  } >"$tmp/etc/sources.list.d/pins.sources"
  export APT_CONFIG="$tmp/apt.conf"
  log "reading package indexes (private apt state; the system's apt is not touched)"
  # A suite the mirror does not carry makes update exit non-zero; the pinned lookups below are what count.
  apt-get -q update >"$tmp/update.log" 2>&1 || log "some suites are not on this mirror (continuing; see below if a pin fails)"
  local line kind name version
  for line in "${missing[@]}"; do
    read -r kind name version <<<"$line"
    log "downloading $name=$version"
    local rc=0
    if [ "$kind" = src ]; then
      (cd "$dl" && apt-get -q source --download-only "$name=$version") >"$tmp/get.log" 2>&1 || rc=$?
    else
      (cd "$dl" && apt-get -q download "$name=$version") >"$tmp/get.log" 2>&1 || rc=$?
    fi
    if [ $rc -ne 0 ]; then
      sed 's/^/  /' "$tmp/update.log" "$tmp/get.log" | sed -E 's#https?://[^ ]+#<mirror>#g' >&2
      die "pin $kind $name=$version could not be downloaded from any suite (exit $rc). See README 'Re-pinning'."
    fi
    # apt-get download percent-escapes '~' and ':' in file names.
    for f in "$dl"/*%7e* "$dl"/*%3a*; do
      [ -e "$f" ] && mv -f "$f" "$(echo "$f" | sed 's/%7e/~/g; s/%3a/:/g')"
    done
    local f
    for f in $(files_of "$name"); do
      [ -f "$dl/$f" ] || die "pin $name=$version: expected file $f was not downloaded"
      grep -F "  $f" "$here/pins.sha256" | (cd "$dl" && sha256sum -c - >&2) \
        || { rm -f "$dl/$f"; die "SHA-256 mismatch for $f (pin $name=$version); the file was removed"; }
    done
  done
  unset APT_CONFIG
}

run() { # run LOGNAME cmd...: quiet on success, the log tail on failure
  local name=$1; shift
  if ! "$@" >>"$build/$name.log" 2>&1; then
    tail -40 "$build/$name.log" >&2
    die "building $name failed (log: $build/$name.log)"
  fi
}

cmake_build() { # cmake_build NAME SRC_DIR extra cmake args...
  local name=$1 src=$2; shift 2
  run "$name" cmake -S "$src" -B "$build/$name-build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DBUILD_SHARED_LIBS=OFF -DCMAKE_INSTALL_PREFIX="$stage" -DCMAKE_PREFIX_PATH="$stage" \
    -DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_CXX_STANDARD=20 "$@"
  run "$name" cmake --build "$build/$name-build" -j "$jobs"
  run "$name" cmake --install "$build/$name-build"
}

edit_config() { # edit_config FILE SED_EXPR EXPECTED_LINE_REGEX
  sed -i -E "$2" "$1"
  grep -qE "$3" "$1" || die "mbedTLS config edit did not apply: $2"
}

build_all() {
  rm -rf "$build" "$stage"
  mkdir -p "$build" "$stage/include" "$stage/lib"
  cd "$build"
  local p name version
  while read -r _ name version; do
    [ "$name" = sqlite3 ] && continue
    local dsc
    dsc=$(files_of "$name" | grep '\.dsc$' || true)
    [ -n "$dsc" ] || continue
    # dpkg-source verifies the .dsc's own checksums; "cannot verify inline signature" is expected,
    # pins.sha256 has already covered the .dsc itself.
    run unpack dpkg-source -x "$dl/$dsc" "$build/$name"
    # Our own fixes to a pinned package (third_party/patches/<name>/), applied in order.
    local pf
    for pf in "$here/patches/$name"/*.patch; do
      [ -e "$pf" ] || continue
      (cd "$build/$name" && patch -p1 --no-backup-if-mismatch -F0 -s <"$pf") >>"$build/unpack.log" 2>&1 \
        || die "patch $(basename "$pf") does not apply cleanly to $name=$version"
      log "applied $name patch $(basename "$pf")"
    done
  done < <(pins | awk '$1 == "src"')
  mkdir -p "$build/sqlite3-debian"
  run unpack tar -C "$build/sqlite3-debian" -xJf "$dl/$(files_of sqlite3 | grep 'debian\.tar\.xz$')"

  log "building mbedTLS"
  local cfg="$build/mbedtls/include/mbedtls/mbedtls_config.h"
  edit_config "$cfg" 's|^//#define MBEDTLS_THREADING_C$|#define MBEDTLS_THREADING_C|' '^#define MBEDTLS_THREADING_C$'
  edit_config "$cfg" 's|^//#define MBEDTLS_THREADING_PTHREAD$|#define MBEDTLS_THREADING_PTHREAD|' '^#define MBEDTLS_THREADING_PTHREAD$'
  # Release hardening: no debug hooks, no TLS 1.2 renegotiation compiled in at all.
  edit_config "$cfg" 's|^#define MBEDTLS_DEBUG_C$|//#define MBEDTLS_DEBUG_C|' '^//#define MBEDTLS_DEBUG_C$'
  edit_config "$cfg" 's|^#define MBEDTLS_SSL_RENEGOTIATION$|//#define MBEDTLS_SSL_RENEGOTIATION|' '^//#define MBEDTLS_SSL_RENEGOTIATION$'
  cmake_build mbedtls "$build/mbedtls" \
    -DUSE_STATIC_MBEDTLS_LIBRARY=ON -DUSE_SHARED_MBEDTLS_LIBRARY=OFF -DENABLE_PROGRAMS=OFF -DENABLE_TESTING=OFF \
    -DGEN_FILES=OFF -DMBEDTLS_FATAL_WARNINGS=OFF \
    -DCMAKE_C_FLAGS="-DMBEDTLS_ALIGNMENT_DISABLE_EFFICENT_UNALIGNED_ACCESS -fstack-protector-strong -D_FORTIFY_SOURCE=2"

  log "building SQLCipher (with SQLite's Debian CVE patches)"
  local sc="$build/sqlcipher"
  for p in "${sqlite_patches[@]}"; do
    [ -f "$build/sqlite3-debian/debian/patches/$p.patch" ] || [ -f "$build/sqlite3-debian/debian/patches/$p" ] \
      || die "sqlite3 patch $p not found in the pinned sqlite3 debian tarball"
    local pf="$build/sqlite3-debian/debian/patches/$p.patch"
    [ -f "$pf" ] || pf="$build/sqlite3-debian/debian/patches/$p"
    (cd "$sc" && patch -p1 --no-backup-if-mismatch -F0 -s <"$pf") >>"$build/sqlcipher.log" 2>&1 \
      || die "sqlite3 patch $p does not apply cleanly to SQLCipher"
  done
  (cd "$sc" && run sqlcipher ./configure --prefix="$stage" --disable-shared --enable-static --enable-tempstore=yes \
    --disable-tcl --disable-load-extension --enable-fts5 --disable-readline --disable-editline \
    CFLAGS="-O2 -DSQLITE_HAS_CODEC -DSQLITE_DQS=0 -DSQLITE_DEFAULT_FOREIGN_KEYS=1 -DSQLCIPHER_OMIT_DEFAULT_LOGGING \
-DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_SECURE_DELETE -fstack-protector-strong -D_FORTIFY_SOURCE=2")
  (cd "$sc" && run sqlcipher make sqlite3.c && run sqlcipher make -j"$jobs" libsqlcipher.la && run sqlcipher make lib_install)
  mkdir -p "$stage/include/sqlcipher"
  cp "$sc/sqlite3.h" "$sc/src/sqlite3ext.h" "$stage/include/sqlcipher/"

  log "building SQLiteCpp"
  cmake_build sqlitecpp "$build/sqlitecpp" -DSQLITECPP_INTERNAL_SQLITE=OFF -DSQLITE_HAS_CODEC=ON \
    -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON -DSQLITE_OMIT_LOAD_EXTENSION=ON -DSQLITE_ENABLE_COLUMN_METADATA=ON \
    -DSQLITECPP_RUN_CPPLINT=OFF -DSQLITECPP_RUN_CPPCHECK=OFF -DSQLITECPP_BUILD_TESTS=OFF -DSQLITECPP_BUILD_EXAMPLES=OFF

  log "building Catch2"
  cmake_build catch2 "$build/catch2" -DBUILD_TESTING=OFF -DCATCH_BUILD_TESTING=OFF -DCATCH_INSTALL_DOCS=OFF \
    -DCATCH_INSTALL_EXTRAS=ON

  log "installing nlohmann/json, cpp-httplib"
  cmake_build nlohmann "$build/nlohmann-json3" -DJSON_BuildTests=OFF -DJSON_Install=ON
  cp "$build/cpp-httplib/httplib.h" "$stage/include/httplib.h"

  log "building libqrencode"
  cmake_build qrencode "$build/qrencode" -DWITH_TOOLS=OFF -DWITH_TESTS=OFF

  # Asynchronous DNS for egress (app/egress/resolver.cpp): its own event thread, so no lookup ever
  # runs on one of our loops. Reads /etc/resolv.conf and /etc/hosts itself (no NSS in a static binary).
  log "building c-ares"
  cmake_build c-ares "$build/c-ares" -DCARES_STATIC=ON -DCARES_SHARED=OFF -DCARES_BUILD_TOOLS=OFF \
    -DCARES_BUILD_TESTS=OFF -DCARES_BUILD_CONTAINER_TESTS=OFF -DCARES_THREADS=ON -DCARES_SYMBOL_HIDING=ON \
    -DCMAKE_C_FLAGS="-fstack-protector-strong -D_FORTIFY_SOURCE=2"

  # Linear-time regular expressions for custom guardrail rules (app/guardrails/). The 2022 release
  # needs no Abseil. Debian's dfsg tarball drops the generated Unicode and Perl tables; they are made
  # again, as Debian's own build does, from the machine's unicode-data (its version is in the key).
  log "building RE2"
  local r="$build/re2"
  (cd "$r" && run re2 sh -c 'perl re2/make_perl_groups.pl >re2/perl_groups.cc')
  (cd "$r" && run re2 sh -c 'python3 re2/make_unicode_casefold.py >re2/unicode_casefold.cc')
  (cd "$r" && run re2 sh -c 'python3 re2/make_unicode_groups.py >re2/unicode_groups.cc')
  cmake_build re2 "$r" -DRE2_BUILD_TESTING=OFF -DUSEPCRE=OFF \
    -DCMAKE_CXX_FLAGS="-fstack-protector-strong -D_FORTIFY_SOURCE=2"

  log "unpacking argon2 and mustache binary packages"
  local deb
  for deb in libargon2-dev libkainjow-mustache-dev; do
    run debs dpkg-deb -x "$dl/$(files_of "$deb")" "$build/debs"
  done
  cp "$build/debs/usr/include/argon2.h" "$stage/include/"
  cp "$build/debs/usr/lib/x86_64-linux-gnu/libargon2.a" "$stage/lib/"
  mkdir -p "$stage/include/kainjow"
  cp "$build/debs/usr/include/kainjow/mustache.hpp" "$stage/include/kainjow/"

  # What the binary links, recorded for `airlock version` and, later, the SBOM.
  pins | awk '{print $2 " " $3}' >"$stage/PINS"
}

main() {
  command -v dpkg-source >/dev/null || die "dpkg-source missing (install dpkg-dev); run ./build.sh, which installs build packages"
  mkdir -p "$cache" || die "cannot create cache dir $cache (set AIRLOCK_DEPS_CACHE)"
  dl="$cache/downloads"
  local key
  key=$(cache_key)
  local prefix="$cache/prefix-$key"
  if [ -f "$prefix/.complete" ]; then
    echo "$prefix"
    return
  fi
  mkdir -p "$dl"
  local missing=() line name
  while read -r line; do
    read -r _ name _ <<<"$line"
    pin_ok "$name" || missing+=("$line")
  done < <(pins)
  if [ ${#missing[@]} -gt 0 ]; then
    fetch "${missing[@]}"
  else
    log "all pinned files present in $dl, hashes verified"
  fi
  build="$cache/build-$key"
  stage="$cache/stage-$key"
  local t0=$SECONDS
  build_all
  touch "$stage/.complete"
  rm -rf "$prefix"
  mv "$stage" "$prefix"
  rm -rf "$build"
  log "dependencies built in $((SECONDS - t0)) s into $prefix"
  echo "$prefix"
}

main "$@"
