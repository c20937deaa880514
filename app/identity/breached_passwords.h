#pragma once
// Offline lookup in Have I Been Pwned's Pwned Passwords (OWASP ASVS 5.0 V6.2.12, NIST SP 800-63B
// §3.1.1.2 "passwords obtained from previous breach corpuses"), for operators who set
// AIRLOCK_BREACHED_PASSWORDS_DIR. The directory is what `haveibeenpwned-downloader` writes with
// per-prefix output: about a million files, one per 5-hex-digit SHA-1 prefix, named XXXXX.txt
// (upper or lower case), each line "SUFFIX:COUNT" with the other 35 hex digits of the SHA-1.
// A lookup opens and streams the one file for the password's prefix, so memory use does not grow
// with the list and no index has to be built.
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"

namespace airlock::identity {

class BreachedPasswords {
 public:
  // Logs a warning when `dir` holds no range file: a download that did not run would otherwise
  // pass every password without a word. Logs to its own logger on `log_fd` because it is built
  // from the configuration alone (identity::policies_from), before anything could hand it one.
  explicit BreachedPasswords(std::string dir, core::LogLevel log_level = core::LogLevel::kInfo, int log_fd = 2);
  BreachedPasswords(const BreachedPasswords&) = delete;
  BreachedPasswords& operator=(const BreachedPasswords&) = delete;

  // True when the password's SHA-1 is listed with a count above 0 (a count of 0 is the padding
  // the HIBP API can add, not a breached password). A missing prefix file means not listed; a
  // malformed line is skipped. Thread-safe. Neither the password nor any part of its hash is
  // logged, kept or left in a buffer of ours after the call.
  bool contains(std::string_view password) const;


 private:
  std::string dir_;
  core::RealClock clock_;
  mutable core::Logger log_;
};

}  // namespace airlock::identity
