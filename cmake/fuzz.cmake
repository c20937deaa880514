# libFuzzer targets (tests/fuzz/*.cpp, one binary each: build-fuzz/fuzz_<name>), in a configuration
# of their own: ./build.sh fuzz-smoke / fuzz configure build-fuzz with clang and AIRLOCK_FUZZ=ON and
# build only the `fuzz` target. The release and ASan configurations stay g++ and never see this.
# The pinned static archives from third_party/deps.sh are built with g++; clang links them as they
# are (same libstdc++), uninstrumented.
option(AIRLOCK_FUZZ "Build the libFuzzer targets in tests/fuzz (clang only, never shipped)" OFF)
if(NOT AIRLOCK_FUZZ)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "AIRLOCK_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang): "
    "libFuzzer is part of clang. ./build.sh fuzz-smoke sets this up.")
endif()

# Only the parsers the targets reach, instrumented, rather than the whole app: about a minute's
# build on two cores. A target that needs another file fails to link and names the missing symbol.
set(AIRLOCK_FUZZ_APP_SOURCES
  app/core/bytes.cpp app/core/cidr.cpp app/core/config.cpp app/core/files.cpp app/core/text.cpp
  app/net/http1.cpp app/net/http1_chunked.cpp
  app/http/client_ip.cpp app/http/error_catalogue.cpp app/http/errors.cpp app/http/form.cpp app/http/json_body.cpp app/http/json_read.cpp
  app/http/message.cpp
  app/gateway/dialect.cpp app/gateway/guard_request.cpp app/gateway/json_leaves.cpp app/gateway/limits.cpp app/gateway/provision.cpp app/gateway/request_fields.cpp
  app/gateway/request_plan.cpp app/gateway/sse.cpp app/gateway/stream_guard.cpp app/gateway/stream_usage.cpp
  app/egress/address.cpp app/egress/policy.cpp app/egress/proxy.cpp app/egress/url.cpp
  app/guardrails/detect.cpp app/guardrails/engine.cpp app/guardrails/policy.cpp app/guardrails/stream_text.cpp
  app/translate/answer.cpp app/translate/request.cpp app/translate/responses.cpp app/translate/stream.cpp)
set(AIRLOCK_FUZZ_TARGETS http1_request http1_response sse json form cookie_ip config provision admission relay
  json_body egress guardrails translate)

# -O1 and frame pointers for readable reports; assertions stay on (no NDEBUG) along with libstdc++'s.
set(AIRLOCK_FUZZ_FLAGS -O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=all -D_GLIBCXX_ASSERTIONS)

add_library(airlock_fuzz_app STATIC ${AIRLOCK_FUZZ_APP_SOURCES})
target_include_directories(airlock_fuzz_app PUBLIC app)
# The release build's warnings, as errors; clang 14 needs no exception to them.
target_compile_options(airlock_fuzz_app PUBLIC ${AIRLOCK_WARNINGS} ${AIRLOCK_FUZZ_FLAGS}
  -ffunction-sections -fdata-sections)
target_compile_options(airlock_fuzz_app PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
target_link_libraries(airlock_fuzz_app PUBLIC airlock_deps)

add_custom_target(fuzz)
foreach(name ${AIRLOCK_FUZZ_TARGETS})
  add_executable(fuzz_${name} tests/fuzz/${name}.cpp)
  target_include_directories(fuzz_${name} PRIVATE tests/fuzz)
  target_compile_options(fuzz_${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  # provision.cpp also holds apply_provision and save_provider, which write to the store; the
  # targets never call them, and dropping unused sections drops their store and audit references.
  # lld, not GNU ld: with coverage instrumentation GNU ld 2.40 keeps those functions anyway (the
  # __sancov_pcs tables point at every function) and fails on the missing store symbols.
  target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer,address,undefined -fuse-ld=lld -Wl,--gc-sections)
  target_link_libraries(fuzz_${name} PRIVATE airlock_fuzz_app)
  set_target_properties(fuzz_${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
  add_dependencies(fuzz fuzz_${name})
endforeach()

# build.sh reads the list from here (fuzz-smoke runs every target, fuzz runs one or all).
file(WRITE ${CMAKE_BINARY_DIR}/fuzz_targets.txt "${AIRLOCK_FUZZ_TARGETS}\n")
