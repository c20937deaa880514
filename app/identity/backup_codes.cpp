#include "identity/backup_codes.h"
#include "identity/password.h"

#include <argon2.h>

#include <algorithm>
#include <cassert>

namespace airlock::identity {
namespace {

// Crockford base32: 32 symbols, so one random byte masked to 5 bits picks one without bias.
constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
static_assert(kAlphabet.size() == 32);

// OWASP Password Storage Cheat Sheet, argon2id option 2: m = 19 MiB, t = 2, p = 1.
constexpr std::uint32_t kMemoryKiB = 19456;
constexpr std::uint32_t kIterations = 2;
constexpr std::uint32_t kLanes = 1;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
// Anything longer than a code with generous separators is not a code; stop before doing work.
constexpr std::size_t kMaxTypedLength = 64;
// Our own PHC strings are about 100 characters; a longer one is not ours.
constexpr std::size_t kMaxPhcLength = 256;

bool in_alphabet(char c) { return kAlphabet.find(c) != std::string_view::npos; }

bool is_normalized(std::string_view code) {
  return code.size() == kBackupCodeSymbols && std::all_of(code.begin(), code.end(), in_alphabet);
}

std::string display_form(const std::string& symbols) {
  return symbols.substr(0, 4) + "-" + symbols.substr(4, 4) + "-" + symbols.substr(8, 4);
}

}  // namespace

std::vector<std::string> generate_backup_codes(core::Random& random, int n) {
  assert(n >= 0 && "a negative count is a caller bug");
  std::vector<std::string> codes;
  codes.reserve(static_cast<std::size_t>(n));
  while (codes.size() < static_cast<std::size_t>(n)) {
    core::SecretBytes raw = random.secret(kBackupCodeSymbols);
    std::string symbols(kBackupCodeSymbols, '0');
    for (std::size_t i = 0; i < kBackupCodeSymbols; ++i) symbols[i] = kAlphabet[raw.data()[i] & 0x1f];
    std::string code = display_form(symbols);
    // A repeat within one set (2^-60 odds) would leave the user one code short; draw again.
    if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(std::move(code));
  }
  return codes;
}

std::string normalize_backup_code(std::string_view typed) {
  if (typed.size() > kMaxTypedLength) return {};
  std::string out;
  out.reserve(kBackupCodeSymbols);
  for (char c : typed) {
    if (c == ' ' || c == '-') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    if (!in_alphabet(c)) return {};
    out.push_back(c);
  }
  if (out.size() != kBackupCodeSymbols) return {};
  return out;
}

core::Result<std::string> hash_backup_code(std::string_view normalized, core::Random& random) {
  if (!is_normalized(normalized)) {
    return core::Status::error("invalid_backup_code", "That is not a valid backup code.");
  }
  core::Bytes salt = random.bytes(kSaltBytes);
  std::size_t len = argon2_encodedlen(kIterations, kMemoryKiB, kLanes, kSaltBytes, kHashBytes, Argon2_id);
  std::string encoded(len, '\0');
  auto slot = argon2_gate().enter();
  int rc = argon2id_hash_encoded(kIterations, kMemoryKiB, kLanes, normalized.data(), normalized.size(),
                                 salt.data(), salt.size(), kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return core::Status::error("backup_code_hash_failed", "Could not store the backup codes.",
                               argon2_error_message(rc));
  }
  if (auto end = encoded.find('\0'); end != std::string::npos) encoded.resize(end);
  return encoded;
}

bool verify_backup_code(std::string_view normalized, std::string_view phc) {
  if (!is_normalized(normalized) || phc.empty() || phc.size() > kMaxPhcLength) return false;
  if (phc.find('\0') != std::string_view::npos) return false;
  std::string encoded(phc);  // argon2 wants a NUL-terminated string
  auto slot = argon2_gate().enter();
  return argon2id_verify(encoded.c_str(), normalized.data(), normalized.size()) == ARGON2_OK;
}

}  // namespace airlock::identity
