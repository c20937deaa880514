#include "identity/breached_passwords.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "core/bytes.h"
#include "crypto/hash.h"

namespace airlock::identity {
namespace {

constexpr std::size_t kPrefixLen = 5;
constexpr std::size_t kSuffixLen = 35;
// Real lines are 36 characters plus a count of a few digits; anything much longer is not one.
constexpr std::size_t kMaxLine = 64;

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }
char upper(char c) { return (c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c; }
char lower(char c) { return (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_range_file_name(const std::string& name) {
  if (name.size() != kPrefixLen + 4 || name.compare(kPrefixLen, 4, ".txt") != 0) return false;
  for (std::size_t i = 0; i < kPrefixLen; ++i)
    if (!is_hex(name[i])) return false;
  return true;
}

// `suffix` is upper-case hex. A line that is not "35 hex digits:decimal count" never matches.
bool line_lists(std::string_view line, std::string_view suffix) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() < kSuffixLen + 2 || line[kSuffixLen] != ':') return false;
  for (std::size_t i = 0; i < kSuffixLen; ++i)
    if (!is_hex(line[i]) || upper(line[i]) != suffix[i]) return false;
  bool nonzero = false;
  for (char c : line.substr(kSuffixLen + 1)) {
    if (c < '0' || c > '9') return false;
    nonzero = nonzero || c != '0';
  }
  return nonzero;
}

enum class Lookup { kListed, kNotListed, kIoError };

// Streams the open range file; `*err` is set on a read error.
Lookup scan(int fd, std::string_view suffix, int* err) {
  char buf[16 * 1024];
  char line[kMaxLine];
  std::size_t len = 0;
  bool overlong = false;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = errno;
      return Lookup::kIoError;
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      char c = buf[i];
      if (c == '\n') {
        if (!overlong && line_lists({line, len}, suffix)) return Lookup::kListed;
        len = 0;
        overlong = false;
      } else if (len < kMaxLine) {
        line[len++] = c;
      } else {
        overlong = true;
      }
    }
  }
  return !overlong && line_lists({line, len}, suffix) ? Lookup::kListed : Lookup::kNotListed;
}

}  // namespace

BreachedPasswords::BreachedPasswords(std::string dir, core::LogLevel log_level, int log_fd)
    : dir_(std::move(dir)), log_(clock_, log_level, log_fd) {
  std::error_code ec;
  bool any = false;
  for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (is_range_file_name(it->path().filename().string())) {
      any = true;
      break;
    }
  }
  if (ec) {
    log_.error("cannot list AIRLOCK_BREACHED_PASSWORDS_DIR", {{"dir", dir_}, {"error", ec.message()}});
  } else if (!any) {
    log_.warn("AIRLOCK_BREACHED_PASSWORDS_DIR holds no Have I Been Pwned range files (XXXXX.txt): no password "
              "will be found in it until they are downloaded",
              {{"dir", dir_}});
  }
}

bool BreachedPasswords::contains(std::string_view password) const {
  auto digest = crypto::sha1(password);
  char hex[2 * 20];
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (std::size_t i = 0; i < digest.size(); ++i) {
    hex[2 * i] = kDigits[digest[i] >> 4];
    hex[2 * i + 1] = kDigits[digest[i] & 0x0F];
  }
  std::string path = dir_ + "/" + std::string(hex, kPrefixLen) + ".txt";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    for (std::size_t i = 0; i < kPrefixLen; ++i) path[dir_.size() + 1 + i] = lower(hex[i]);
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  int err = fd < 0 ? errno : 0;
  core::secure_zero(path.data(), path.size());
  Lookup result = Lookup::kNotListed;
  if (fd >= 0) {
    result = scan(fd, std::string_view(hex + kPrefixLen, kSuffixLen), &err);
    ::close(fd);
  } else if (err != ENOENT) {
    result = Lookup::kIoError;
  }
  core::secure_zero(hex, sizeof hex);
  core::secure_zero(digest.data(), digest.size());
  if (result == Lookup::kIoError) {
    // Fails open, with an error for the operator: refusing every new password while the disk is
    // broken would also stop a user from replacing a password they believe compromised, and the
    // length and common-password rules still apply. The file name would reveal 20 bits of the
    // password's hash, so only the directory is named.
    log_.error("cannot read a breached-password range file; the password was not checked against the list",
               {{"dir", dir_}, {"error", std::system_category().message(err)}});
  }
  return result == Lookup::kListed;
}

}  // namespace airlock::identity
