# Writes the CycloneDX 1.5 JSON SBOM of the airlock binary (OWASP ASVS V15.1.2) and a C++ source that
# embeds it for `airlock version --sbom`. Run in script mode by the build (cmake/sbom.cmake sets it up):
#   cmake -DSRC=<source dir> -DPREFIX=<deps prefix> -DAIRLOCK_VERSION=<x.y.z> -DLINKAGE=static|dynamic
#         -DARCHIVES=<a.a|b.a|...> -DPASSWORDS=<password.lst>
#         -DOUT_JSON=<airlock.cdx.json> -DOUT_CPP=<generated .cpp> -P sbom_generate.cmake
#
# What it lists:
# - every pin of third_party/pins.txt, each with the SHA-256 of every file pins.sha256 holds for it, a
#   purl for the Debian source package (pkg:deb/debian/<source>@<version>?arch=source) and, as
#   pedigree, the patches applied on top (SQLite's Debian CVE patches in SQLCipher, ours under
#   third_party/patches/);
# - what is linked but not pinned (ARCHIVES: OpenSSL's libcrypto.a, glibc's libc.a, GCC's libstdc++.a
#   and libgcc), identified through dpkg as the build host's Debian packages, with the SHA-256 of the
#   archive actually linked;
# - the embedded common-password list (john-data).
#
# Reproducible on purpose: no timestamp and no serialNumber. CycloneDX asks that a serial number be new
# for every generated BOM, even an identical one, which would make two builds of the same inputs
# differ; a deterministic one would break that rule instead. The BOM is identified by its
# metadata.component (airlock and its version) and by the binary it is embedded in.
cmake_minimum_required(VERSION 3.25)

foreach(v SRC PREFIX AIRLOCK_VERSION LINKAGE PASSWORDS OUT_JSON OUT_CPP)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "sbom_generate.cmake: -D${v}= is required")
  endif()
endforeach()

# Debian source package of each binary package pinned as `deb` (pins.txt). A new deb pin must be
# added here: the SBOM names source packages, and a .deb's Source field is not read at build time.
set(deb_source_libargon2-dev argon2)
set(deb_source_libkainjow-mustache-dev libkainjow-mustache)

# What each pin is, for people reading the SBOM. A pin missing here still gets listed. No semicolons:
# CMake would split the text as a list.
set(desc_sqlcipher "SQLCipher: SQLite with page-level encryption. The database engine.")
set(desc_sqlite3 "SQLite's Debian source package. Not linked as a library: its CVE patches (see sqlcipher's pedigree) are applied to SQLCipher, whose core is this SQLite version. Listed so advisories against SQLite match.")
set(desc_mbedtls "Mbed TLS: TLS 1.2/1.3 for the listener and upstream clients, X.509, ECDSA, SHA-256, AES-GCM, HKDF, CTR-DRBG.")
set(desc_cpp-httplib "cpp-httplib (header only): the HTTP client of `airlock healthcheck` and the test tools. Not used by the listener.")
set(desc_catch2 "Catch2: the test framework. Linked into test programs only, not into airlock.")
set(desc_nlohmann-json3 "nlohmann/json (header only, upstream 3.11.3): JSON parsing and writing.")
set(desc_sqlitecpp "SQLiteCpp: C++ wrapper around the SQLCipher API.")
set(desc_qrencode "libqrencode: QR codes for TOTP enrolment.")
set(desc_argon2 "libargon2 (reference implementation): argon2id password hashing.")
set(desc_libkainjow-mustache "kainjow mustache (header only): console templates.")
# Pins that are not part of the shipped binary.
set(scope_catch2 excluded)

set(airlock_patches_dir "${SRC}/third_party/patches")

function(json_str out value)
  if(value MATCHES "[\t\r\n]")
    message(FATAL_ERROR "sbom_generate.cmake: control character in '${value}'")
  endif()
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  set(${out} "\"${value}\"" PARENT_SCOPE)
endfunction()

# purl versions are percent-encoded; of the characters a Debian version may hold (alphanumerics and
# . + - ~ :), only + needs it (purl-spec; ':' stays, as other deb purl producers write it).
function(purl_of out source version)
  if(NOT version MATCHES "^[A-Za-z0-9.+~:-]+$")
    message(FATAL_ERROR "sbom_generate.cmake: unexpected characters in Debian version '${version}'")
  endif()
  string(REPLACE "+" "%2B" v "${version}")
  set(${out} "pkg:deb/debian/${source}@${v}?arch=source" PARENT_SCOPE)
endfunction()

# Debian pool directory of a source package: pool/main/<l>/<name>/, <l> = "libX" for lib* names.
function(pool_dir out source)
  if(source MATCHES "^lib.")
    string(SUBSTRING "${source}" 0 4 initial)
  else()
    string(SUBSTRING "${source}" 0 1 initial)
  endif()
  set(${out} "pool/main/${initial}/${source}" PARENT_SCOPE)
endfunction()

function(hash_item out sha)
  if(NOT sha MATCHES "^[0-9a-f]+$")
    message(FATAL_ERROR "sbom_generate.cmake: '${sha}' is not a lower-case hex SHA-256")
  endif()
  string(LENGTH "${sha}" n)
  if(NOT n EQUAL 64)
    message(FATAL_ERROR "sbom_generate.cmake: '${sha}' is not a SHA-256")
  endif()
  set(${out} "{\"alg\": \"SHA-256\", \"content\": \"${sha}\"}" PARENT_SCOPE)
endfunction()

function(property out name value)
  json_str(n "${name}")
  json_str(v "${value}")
  set(${out} "{\"name\": ${n}, \"value\": ${v}}" PARENT_SCOPE)
endfunction()

# An array of already-serialised items, one per line at the given indentation.
function(json_array out indent)
  list(LENGTH ARGN n)
  if(n EQUAL 0)
    set(${out} "[]" PARENT_SCOPE)
    return()
  endif()
  list(JOIN ARGN ",\n${indent}  " body)
  set(${out} "[\n${indent}  ${body}\n${indent}]" PARENT_SCOPE)
endfunction()

# One component object. Keyword arguments; HASHES, REFS, PATCHES, PROPS are serialised items.
function(component out)
  cmake_parse_arguments(C "" "TYPE;NAME;VERSION;DESCRIPTION;PURL;SCOPE" "HASHES;REFS;PATCHES;PROPS" ${ARGN})
  set(i "    ")
  set(lines "")
  json_str(t "${C_TYPE}")
  list(APPEND lines "\"type\": ${t}")
  if(C_PURL)
    json_str(r "${C_PURL}")
    list(APPEND lines "\"bom-ref\": ${r}")
  endif()
  json_str(s "${C_NAME}")
  list(APPEND lines "\"name\": ${s}")
  json_str(s "${C_VERSION}")
  list(APPEND lines "\"version\": ${s}")
  if(C_DESCRIPTION)
    json_str(s "${C_DESCRIPTION}")
    list(APPEND lines "\"description\": ${s}")
  endif()
  if(C_SCOPE)
    json_str(s "${C_SCOPE}")
    list(APPEND lines "\"scope\": ${s}")
  endif()
  if(C_HASHES)
    json_array(a "${i}  " ${C_HASHES})
    list(APPEND lines "\"hashes\": ${a}")
  endif()
  if(C_PURL)
    json_str(s "${C_PURL}")
    list(APPEND lines "\"purl\": ${s}")
  endif()
  if(C_PATCHES)
    json_array(a "${i}  " ${C_PATCHES})
    list(APPEND lines "\"pedigree\": {\"patches\": ${a}}")
  endif()
  if(C_REFS)
    json_array(a "${i}  " ${C_REFS})
    list(APPEND lines "\"externalReferences\": ${a}")
  endif()
  if(C_PROPS)
    json_array(a "${i}  " ${C_PROPS})
    list(APPEND lines "\"properties\": ${a}")
  endif()
  list(JOIN lines ",\n${i}  " body)
  set(${out} "{\n${i}  ${body}\n${i}}" PARENT_SCOPE)
endfunction()

# --- Pins -------------------------------------------------------------------------------------------

file(STRINGS "${SRC}/third_party/pins.txt" pin_lines REGEX "^[ \t]*[^# \t]")
file(STRINGS "${SRC}/third_party/pins.sha256" sha_lines)
if(NOT pin_lines)
  message(FATAL_ERROR "sbom_generate.cmake: no pins in ${SRC}/third_party/pins.txt")
endif()

# The deps prefix records the pins it was built from; a prefix from other pins would make this SBOM lie.
file(STRINGS "${PREFIX}/PINS" built_pins)
set(expected_pins "")
foreach(line ${pin_lines})
  string(REGEX REPLACE "[ \t]+" " " line "${line}")
  string(STRIP "${line}" line)
  string(REGEX MATCH "^[^ ]+ (.*)$" _ "${line}")
  list(APPEND expected_pins "${CMAKE_MATCH_1}")
endforeach()
if(NOT "${expected_pins}" STREQUAL "${built_pins}")
  message(FATAL_ERROR "sbom_generate.cmake: ${PREFIX}/PINS does not match third_party/pins.txt. "
    "Rebuild the deps prefix with third_party/deps.sh and reconfigure with its path.")
endif()

# SQLite's Debian patches that deps.sh applies to SQLCipher (its sqlite_patches array).
file(READ "${SRC}/third_party/deps.sh" deps_sh)
string(REGEX MATCH "sqlite_patches=\\(([^)]*)\\)" _ "${deps_sh}")
string(REGEX REPLACE "[ \t\r\n]+" ";" sqlite_patches "${CMAKE_MATCH_1}")
list(FILTER sqlite_patches EXCLUDE REGEX "^$")
if(NOT sqlite_patches)
  message(FATAL_ERROR "sbom_generate.cmake: no sqlite_patches=(...) list found in third_party/deps.sh")
endif()

# Where the patches come from: debian/patches/ inside the pinned sqlite3 debian tarball.
set(sqlite_debian_tarball "")
foreach(s ${sha_lines})
  if(s MATCHES "^[0-9a-f]+  (sqlite3_.*\\.debian\\.tar\\.xz)$")
    set(sqlite_debian_tarball "${CMAKE_MATCH_1}")
  endif()
endforeach()
if(NOT sqlite_debian_tarball)
  message(FATAL_ERROR "sbom_generate.cmake: no sqlite3 debian tarball in third_party/pins.sha256")
endif()

function(sqlite_patch_items out)
  pool_dir(pool sqlite3)
  set(items "")
  foreach(p ${sqlite_patches})
    string(REGEX MATCHALL "CVE-[0-9]+-[0-9]+" cves "${p}")
    set(resolves "")
    foreach(cve ${cves})
      list(APPEND resolves "{\"type\": \"security\", \"id\": \"${cve}\"}")
    endforeach()
    if(resolves)
      list(JOIN resolves ", " r)
      set(r ", \"resolves\": [${r}]")
    else()
      set(r ", \"resolves\": [{\"type\": \"defect\", \"name\": \"${p}\"}]")
    endif()
    list(APPEND items "{\"type\": \"backport\", \"diff\": {\"url\": \"${pool}/${sqlite_debian_tarball}#debian/patches/${p}\"}${r}}")
  endforeach()
  set(${out} "${items}" PARENT_SCOPE)
endfunction()

set(components "")
set(required_refs "")
foreach(line ${pin_lines})
  string(REGEX REPLACE "[ \t]+" ";" fields "${line}")
  list(FILTER fields EXCLUDE REGEX "^$")
  list(LENGTH fields nf)
  if(NOT nf EQUAL 3)
    message(FATAL_ERROR "sbom_generate.cmake: pins.txt line '${line}' is not 'kind name version'")
  endif()
  list(GET fields 0 kind)
  list(GET fields 1 name)
  list(GET fields 2 version)

  if(kind STREQUAL "src")
    set(source "${name}")
    set(source_version "${version}")
  elseif(kind STREQUAL "deb")
    if(NOT DEFINED deb_source_${name})
      message(FATAL_ERROR "sbom_generate.cmake: deb pin '${name}' has no source package in this script "
        "(add set(deb_source_${name} <source>))")
    endif()
    set(source "${deb_source_${name}}")
    string(REGEX REPLACE "\\+b[0-9]+$" "" source_version "${version}")  # binNMU suffix
  else()
    message(FATAL_ERROR "sbom_generate.cmake: unknown pin kind '${kind}' in '${line}'")
  endif()
  purl_of(purl "${source}" "${source_version}")
  pool_dir(pool "${source}")

  set(hashes "")
  set(refs "")
  foreach(s ${sha_lines})
    if(s MATCHES "^([0-9a-f]+)  (.+)$")
      set(sha "${CMAKE_MATCH_1}")
      set(file "${CMAKE_MATCH_2}")
      string(FIND "${file}" "${name}_" at)
      if(at EQUAL 0)
        hash_item(h "${sha}")
        list(APPEND hashes "${h}")
        json_str(u "${pool}/${file}")
        list(APPEND refs "{\"type\": \"distribution\", \"url\": ${u}, \"comment\": \"Debian archive path, relative to a mirror root. SHA-256 checked by third_party/deps.sh before use.\", \"hashes\": [${h}]}")
      endif()
    endif()
  endforeach()
  if(NOT hashes)
    message(FATAL_ERROR "sbom_generate.cmake: pin '${name}' has no files in third_party/pins.sha256")
  endif()

  set(patches "")
  if(name STREQUAL "sqlcipher")
    sqlite_patch_items(patches)
  endif()
  file(GLOB ours "${airlock_patches_dir}/${name}/*.patch")
  list(SORT ours)
  foreach(p ${ours})
    file(RELATIVE_PATH rel "${SRC}" "${p}")
    file(SHA256 "${p}" psha)
    list(APPEND patches "{\"type\": \"unofficial\", \"diff\": {\"url\": \"${rel}\"}, \"resolves\": [{\"type\": \"defect\", \"description\": \"Airlock's patch (sha256 ${psha}); see third_party/README.md\"}]}")
  endforeach()

  set(props "")
  property(p "airlock:pin" "${kind} ${name} ${version}")
  list(APPEND props "${p}")
  if(kind STREQUAL "deb")
    property(p "airlock:debian:binary-package" "${name} ${version} (unpacked as shipped, not rebuilt)")
    list(APPEND props "${p}")
  endif()

  set(desc "${desc_${source}}")
  set(scope "${scope_${name}}")
  component(c TYPE library NAME "${source}" VERSION "${source_version}" DESCRIPTION "${desc}" PURL "${purl}"
    SCOPE "${scope}" HASHES ${hashes} REFS ${refs} PATCHES ${patches} PROPS ${props})
  list(APPEND components "${c}")
  if(NOT scope STREQUAL "excluded")
    list(APPEND required_refs "${purl}")
  endif()
endforeach()

# --- Linked from the build host, not pinned ------------------------------------------------------------

find_program(DPKG_QUERY dpkg-query)
string(REPLACE "|" ";" archives "${ARCHIVES}")
set(host_sources "")
foreach(a ${archives})
  if(NOT EXISTS "${a}")
    message(FATAL_ERROR "sbom_generate.cmake: linked archive ${a} does not exist")
  endif()
  set(pkg "")
  if(DPKG_QUERY)
    execute_process(COMMAND "${DPKG_QUERY}" -S "${a}" OUTPUT_VARIABLE owner RESULT_VARIABLE rc ERROR_QUIET
      OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(rc EQUAL 0 AND owner MATCHES "^([^:, ]+(:[a-z0-9]+)?): ")
      set(pkg "${CMAKE_MATCH_1}")
    endif()
  endif()
  if(pkg STREQUAL "")
    message(FATAL_ERROR "sbom_generate.cmake: no Debian package owns ${a} (dpkg-query -S); "
      "the SBOM would miss a linked library")
  endif()
  execute_process(COMMAND "${DPKG_QUERY}" -W "-f=\${Package}\t\${Version}\t\${source:Package}\t\${source:Version}" "${pkg}"
    OUTPUT_VARIABLE info RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0 OR NOT info MATCHES "^([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)$")
    message(FATAL_ERROR "sbom_generate.cmake: dpkg-query -W ${pkg} failed")
  endif()
  set(bin "${CMAKE_MATCH_1}")
  set(bin_version "${CMAKE_MATCH_2}")
  set(src "${CMAKE_MATCH_3}")
  set(src_version "${CMAKE_MATCH_4}")
  if(NOT src IN_LIST host_sources)
    list(APPEND host_sources "${src}")
    set(host_version_${src} "${src_version}")
    set(host_hashes_${src} "")
    set(host_props_${src} "")
  endif()
  file(SHA256 "${a}" sha)
  hash_item(h "${sha}")
  list(APPEND host_hashes_${src} "${h}")
  property(p "airlock:linked-archive" "${a} (${bin} ${bin_version}, sha256 ${sha})")
  list(APPEND host_props_${src} "${p}")
endforeach()

set(hostdesc_openssl "OpenSSL libcrypto: SQLCipher's crypto provider (page encryption, its KDF). Not used for TLS.")
set(hostdesc_glibc "GNU C library.")
foreach(src ${host_sources})
  purl_of(purl "${src}" "${host_version_${src}}")
  set(desc "${hostdesc_${src}}")
  if(src MATCHES "^gcc-[0-9]+$")
    set(desc "GCC's C++ standard library and runtime support (libstdc++, libgcc).")
  endif()
  if(LINKAGE STREQUAL "static")
    string(APPEND desc " Linked statically from the build host's Debian package: not a pin, it moves with the host's updates.")
  else()
    string(APPEND desc " This is a sanitizer test build, linked dynamically: the shipped binary links it statically.")
  endif()
  property(p "airlock:origin" "build-host")
  component(c TYPE library NAME "${src}" VERSION "${host_version_${src}}" DESCRIPTION "${desc}" PURL "${purl}"
    HASHES ${host_hashes_${src}} PROPS "${p}" ${host_props_${src}})
  list(APPEND components "${c}")
  list(APPEND required_refs "${purl}")
endforeach()

# --- Embedded data ------------------------------------------------------------------------------------

execute_process(COMMAND "${DPKG_QUERY}" -S "${PASSWORDS}" OUTPUT_VARIABLE owner RESULT_VARIABLE rc
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT rc EQUAL 0 OR NOT owner MATCHES "^([^:, ]+(:[a-z0-9]+)?): ")
  message(FATAL_ERROR "sbom_generate.cmake: no Debian package owns ${PASSWORDS}")
endif()
execute_process(COMMAND "${DPKG_QUERY}" -W "-f=\${Package}\t\${Version}\t\${source:Package}\t\${source:Version}" "${CMAKE_MATCH_1}"
  OUTPUT_VARIABLE info RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0 OR NOT info MATCHES "^([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)$")
  message(FATAL_ERROR "sbom_generate.cmake: dpkg-query -W for ${PASSWORDS} failed")
endif()
set(pw_bin "${CMAKE_MATCH_1}")
set(pw_bin_version "${CMAKE_MATCH_2}")
set(pw_src "${CMAKE_MATCH_3}")
set(pw_src_version "${CMAKE_MATCH_4}")
purl_of(purl "${pw_src}" "${pw_src_version}")
file(SHA256 "${PASSWORDS}" sha)
hash_item(h "${sha}")
property(p1 "airlock:origin" "build-host")
property(p2 "airlock:embedded-file" "${PASSWORDS} (${pw_bin} ${pw_bin_version})")
component(c TYPE file NAME "password.lst" VERSION "${pw_src_version}"
  DESCRIPTION "Openwall's common-password list (password.lst), embedded lower-cased for the password policy."
  PURL "${purl}" HASHES "${h}" PROPS "${p1}" "${p2}")
list(APPEND components "${c}")
list(APPEND required_refs "${purl}")

# --- The document -------------------------------------------------------------------------------------

set(airlock_ref "airlock@${AIRLOCK_VERSION}")
json_str(airlock_ref_json "${airlock_ref}")
json_str(airlock_version_json "${AIRLOCK_VERSION}")
json_str(cmake_version_json "${CMAKE_VERSION}")
if(LINKAGE STREQUAL "static")
  property(linkage "airlock:linkage" "static (release build: -static)")
else()
  property(linkage "airlock:linkage" "dynamic (AIRLOCK_SANITIZE test build, not for shipping)")
endif()
set(refs_json "")
foreach(r ${required_refs})
  json_str(j "${r}")
  list(APPEND refs_json "${j}")
endforeach()
json_array(depends "      " ${refs_json})
json_array(components_json "  " ${components})

set(json "{
  \"bomFormat\": \"CycloneDX\",
  \"specVersion\": \"1.5\",
  \"version\": 1,
  \"metadata\": {
    \"tools\": {
      \"components\": [
        {\"type\": \"application\", \"name\": \"cmake\", \"version\": ${cmake_version_json}, \"description\": \"Runs Airlock's cmake/sbom_generate.cmake at build time.\"}
      ]
    },
    \"component\": {
      \"type\": \"application\",
      \"bom-ref\": ${airlock_ref_json},
      \"name\": \"airlock\",
      \"version\": ${airlock_version_json},
      \"description\": \"Airlock, a security-first LLM API gateway: one binary. Every component below is compiled or linked into it, except those with scope excluded.\",
      \"properties\": [
        ${linkage}
      ]
    },
    \"properties\": [
      {\"name\": \"airlock:sbom:reproducible\", \"value\": \"No timestamp and no serialNumber, so the same inputs give the same bytes.\"}
    ]
  },
  \"components\": ${components_json},
  \"dependencies\": [
    {
      \"ref\": ${airlock_ref_json},
      \"dependsOn\": ${depends}
    }
  ]
}
")

# Fail the build rather than embed something that is not JSON.
string(JSON bom_format ERROR_VARIABLE json_error GET "${json}" bomFormat)
if(json_error)
  message(FATAL_ERROR "sbom_generate.cmake: generated SBOM is not valid JSON: ${json_error}")
endif()

set(delim "AIRLOCK_SBOM")
string(FIND "${json}" ")${delim}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "sbom_generate.cmake: the SBOM contains the embedding delimiter")
endif()
set(code "// Generated by cmake/sbom_generate.cmake from third_party/pins.txt and pins.sha256. Do not edit.
#include \"cli/sbom.h\"

namespace airlock::cli {

const std::string_view kSbomJson = R\"${delim}(${json})${delim}\";

}  // namespace airlock::cli
")

# Write only on change so dependants don't rebuild needlessly.
foreach(pair "OUT_JSON;json" "OUT_CPP;code")
  list(GET pair 0 path_var)
  list(GET pair 1 content_var)
  set(old "")
  if(EXISTS "${${path_var}}")
    file(READ "${${path_var}}" old)
  endif()
  if(NOT old STREQUAL "${${content_var}}")
    file(WRITE "${${path_var}}" "${${content_var}}")
  endif()
endforeach()
