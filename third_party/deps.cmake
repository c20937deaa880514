# Imports the static archives that third_party/deps.sh built into AIRLOCK_DEPS_PREFIX.
if(NOT AIRLOCK_DEPS_PREFIX OR NOT EXISTS "${AIRLOCK_DEPS_PREFIX}/.complete")
  message(FATAL_ERROR "AIRLOCK_DEPS_PREFIX is not a finished deps prefix. "
    "Run ./build.sh (or pass -DAIRLOCK_DEPS_PREFIX=$(third_party/deps.sh)).")
endif()

set(_p "${AIRLOCK_DEPS_PREFIX}")
foreach(lib SQLiteCpp sqlcipher mbedtls mbedx509 mbedcrypto argon2 qrencode cares re2 Catch2 Catch2Main)
  if(NOT EXISTS "${_p}/lib/lib${lib}.a")
    message(FATAL_ERROR "deps prefix is missing lib${lib}.a: rebuild it with third_party/deps.sh")
  endif()
endforeach()

# SQLCipher uses OpenSSL's libcrypto; it is linked statically from the distribution's libssl-dev
# (its version is part of the deps cache key).
find_file(AIRLOCK_LIBCRYPTO_A libcrypto.a PATHS /usr/lib/x86_64-linux-gnu /usr/lib NO_DEFAULT_PATH REQUIRED)
find_package(Threads REQUIRED)

# The common-password list (ASVS V6.2.4) is Openwall's, shipped by Debian's john-data.
find_file(AIRLOCK_COMMON_PASSWORD_LIST password.lst PATHS /usr/share/john NO_DEFAULT_PATH)
if(NOT AIRLOCK_COMMON_PASSWORD_LIST)
  message(FATAL_ERROR "/usr/share/john/password.lst is missing: install the Debian package john-data "
    "(./build.sh installs it when run as root).")
endif()

# Order matters for static linking: SQLiteCpp → sqlcipher → libcrypto, then mbedTLS's three layers.
add_library(airlock_deps INTERFACE)
target_include_directories(airlock_deps SYSTEM INTERFACE "${_p}/include" "${_p}/include/sqlcipher")
target_compile_definitions(airlock_deps INTERFACE SQLITE_HAS_CODEC CARES_STATICLIB)
target_link_libraries(airlock_deps INTERFACE
  "${_p}/lib/libSQLiteCpp.a" "${_p}/lib/libsqlcipher.a" "${AIRLOCK_LIBCRYPTO_A}"
  "${_p}/lib/libmbedtls.a" "${_p}/lib/libmbedx509.a" "${_p}/lib/libmbedcrypto.a"
  "${_p}/lib/libargon2.a" "${_p}/lib/libqrencode.a" "${_p}/lib/libcares.a" "${_p}/lib/libre2.a" Threads::Threads)

add_library(airlock_catch2 INTERFACE)
target_link_libraries(airlock_catch2 INTERFACE "${_p}/lib/libCatch2Main.a" "${_p}/lib/libCatch2.a")

# cpp-httplib is header-only: every TU that includes it must see the same settings (ODR).
# Values follow ../shared/PERFORMANCE.md: Nagle off, a real listen backlog, a cheap keep-alive
# poll, a 4 KB receive buffer.
set(AIRLOCK_HTTPLIB_DEFINITIONS
  CPPHTTPLIB_MBEDTLS_SUPPORT
  CPPHTTPLIB_TCP_NODELAY=true
  CPPHTTPLIB_LISTEN_BACKLOG=4096
  CPPHTTPLIB_KEEPALIVE_TIMEOUT_CHECK_INTERVAL_USECOND=200000
  CPPHTTPLIB_RECV_BUFSIZ=size_t\(4096u\)
  CPPHTTPLIB_HEADER_MAX_COUNT=200
  CPPHTTPLIB_HEADER_MAX_LENGTH=65536
  CPPHTTPLIB_REQUEST_URI_MAX_LENGTH=8192)
