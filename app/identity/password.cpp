#include "identity/password.h"

#include <argon2.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace airlock::identity {
namespace {

// OWASP Password Storage Cheat Sheet, Argon2id minimum: m=19 MiB, t=2, p=1.
constexpr std::uint32_t kMinMemoryKib = 19456;
constexpr std::uint32_t kMinIterations = 2;
constexpr std::uint32_t kMinParallelism = 1;
// Beyond these a single login would tie up the box for seconds or exhaust its memory.
constexpr std::uint32_t kMaxMemoryKib = 4u * 1024 * 1024;  // 4 GiB
constexpr std::uint32_t kMaxIterations = 100;
constexpr std::uint32_t kMaxParallelism = 16;

// RFC 9106 §3.1: 128-bit salt; a 256-bit tag.
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

struct PhcInfo {
  std::string_view variant;
  std::uint32_t version;
  Argon2Params params;
};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

// "<key>=<decimal uint32>"; digits only, so no sign, space or overflow slips through.
std::optional<std::uint32_t> parse_field(std::string_view field, std::string_view key) {
  if (field.size() <= key.size() + 1 || field.substr(0, key.size()) != key || field[key.size()] != '=') {
    return std::nullopt;
  }
  auto digits = field.substr(key.size() + 1);
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

bool is_b64(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// Reads the header of "$<variant>[$v=<n>]$m=<n>,t=<n>,p=<n>$<salt>$<hash>"; libargon2 decodes the
// rest. Without "v=" the string predates version 1.3 (0x13 = 19) and means 0x10.
std::optional<PhcInfo> parse_phc(std::string_view phc) {
  auto parts = split(phc, '$');
  if (parts.size() != 5 && parts.size() != 6) return std::nullopt;
  if (!parts[0].empty()) return std::nullopt;
  PhcInfo info{parts[1], 0x10, {}};
  std::size_t next = 2;
  if (parts.size() == 6) {
    auto v = parse_field(parts[next++], "v");
    if (!v) return std::nullopt;
    info.version = *v;
  }
  auto fields = split(parts[next++], ',');
  if (fields.size() != 3) return std::nullopt;
  auto m = parse_field(fields[0], "m");
  auto t = parse_field(fields[1], "t");
  auto p = parse_field(fields[2], "p");
  if (!m || !t || !p) return std::nullopt;
  info.params = {*m, *t, *p};
  if (!is_b64(parts[next]) || !is_b64(parts[next + 1])) return std::nullopt;
  return info;
}

std::string range_problem(const char* what, std::uint32_t value, std::uint32_t min, std::uint32_t max,
                          const char* unit) {
  return std::string("Argon2 ") + what + " must be between " + std::to_string(min) + " and " +
         std::to_string(max) + unit + " (got " + std::to_string(value) + ")";
}

// The reference hash dummy_verify checks against, for the parameters it was last called with.
struct DummyCache {
  std::mutex mu;
  std::optional<Argon2Params> params;
  std::string phc;
};

DummyCache& dummy_cache() {
  static DummyCache cache;
  return cache;
}

// Fixed salt and password: this hash only has to exist and cost what a real one costs.
std::string make_dummy_hash(const Argon2Params& p) {
  static constexpr std::array<std::uint8_t, kSaltBytes> kSalt{'a', 'i', 'r', 'l', 'o', 'c', 'k', '-',
                                                              'd', 'u', 'm', 'm', 'y', 's', 'l', 't'};
  static constexpr std::string_view kPassword = "no user has this password";
  std::string out(argon2_encodedlen(p.iterations, p.memory_kib, p.parallelism, kSaltBytes, kHashBytes, Argon2_id),
                  '\0');
  auto slot = argon2_gate().enter();
  int rc = argon2id_hash_encoded(p.iterations, p.memory_kib, p.parallelism, kPassword.data(), kPassword.size(),
                                 kSalt.data(), kSalt.size(), kHashBytes, out.data(), out.size());
  if (rc != ARGON2_OK) return {};
  out.resize(std::strlen(out.c_str()));
  return out;
}

}  // namespace

// Measured 2026-11-23 on the 2-core machine (bookworm's libargon2 reference build, no SSE),
// median of 15 hashes, p=1:
//   m=19456 KiB  t=2   17 ms  (OWASP floor)
//   m=32768 KiB  t=3   65 ms
//   m=47104 KiB  t=2   68 ms
//   m=65536 KiB  t=2  100 ms  <- default
//   m=65536 KiB  t=3  134 ms
//   m=131072 KiB t=1  129 ms  (t=1 is below the floor)
// Memory rather than iterations carries the extra cost because it is what GPU and ASIC
// attackers pay for (RFC 9106 §4). Each login in flight holds these 64 MiB while it hashes.
Argon2Params default_argon2_params() { return {65536, 2, 1}; }

core::Status validate_argon2_params(const Argon2Params& params) {
  std::string problems;
  auto add = [&](std::string problem) {
    if (!problems.empty()) problems += "; ";
    problems += problem;
  };
  if (params.memory_kib < kMinMemoryKib || params.memory_kib > kMaxMemoryKib) {
    add(range_problem("memory", params.memory_kib, kMinMemoryKib, kMaxMemoryKib, " KiB"));
  }
  if (params.iterations < kMinIterations || params.iterations > kMaxIterations) {
    add(range_problem("iterations", params.iterations, kMinIterations, kMaxIterations, ""));
  }
  if (params.parallelism < kMinParallelism || params.parallelism > kMaxParallelism) {
    add(range_problem("parallelism", params.parallelism, kMinParallelism, kMaxParallelism, ""));
  }
  if (problems.empty()) return core::Status::ok();
  return core::Status::error("argon2_params_invalid", problems + ".");
}

core::WorkGate& argon2_gate() {
  static core::WorkGate gate(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  return gate;
}

core::Result<std::string> hash_password(std::string_view password, const Argon2Params& params,
                                        core::Random& random) {
  auto salt = random.bytes(kSaltBytes);
  std::string out(argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism, kSaltBytes,
                                    kHashBytes, Argon2_id),
                  '\0');
  auto slot = argon2_gate().enter();
  int rc = argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism, password.data(),
                                 password.size(), salt.data(), salt.size(), kHashBytes, out.data(), out.size());
  if (rc != ARGON2_OK) {
    return core::Status::error("password_hash_failed", "The password could not be stored.",
                               std::string("argon2id: ") + argon2_error_message(rc));
  }
  out.resize(std::strlen(out.c_str()));
  return out;
}

PasswordCheck verify_password(std::string_view password, std::string_view phc, const Argon2Params& current) {
  auto info = parse_phc(phc);
  if (!info || info->variant != "argon2id") return {false, false};
  const auto& p = info->params;
  if (p.memory_kib > kMaxMemoryKib || p.iterations > kMaxIterations || p.parallelism > kMaxParallelism) {
    return {false, false};
  }
  const std::string encoded(phc);  // libargon2 wants it NUL-terminated; it holds no secret
  auto slot = argon2_gate().enter();
  bool ok = argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
  bool outdated = info->version != ARGON2_VERSION_13 || p != current;
  return {ok, ok && outdated};
}

void dummy_verify(std::string_view password, const Argon2Params& params) {
  auto& cache = dummy_cache();
  std::string phc;
  {
    std::lock_guard lock(cache.mu);
    if (cache.params == params) phc = cache.phc;
  }
  if (phc.empty()) {
    // Making the reference hash is one Argon2 run, the same work a verification does.
    phc = make_dummy_hash(params);
    std::lock_guard lock(cache.mu);
    cache.params = params;
    cache.phc = phc;
    return;
  }
  verify_password(password, phc, params);
}

}  // namespace airlock::identity
