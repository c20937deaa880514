#pragma once
// Lockout a remote attacker cannot turn against the owner (ASVS V6.1.1, V6.3.1). Knowing the
// owner's e-mail must not be enough to keep them out:
//  - per account *and* source address (an IPv6 address counts by its /64, which one host usually
//    holds whole): `lockout_failures` password or MFA failures within
//    `lockout_window` from one address lock that address out of that account (the same generic
//    error, no password check) until the oldest of them leaves the window;
//  - per account across all addresses: each failure beyond `lockout_failures` in the window
//    doubles a delay added to every answer about the account, 1 s up to a cap of 30 s. It slows
//    guessing without blocking anyone: the owner signing in from their own address waits at most
//    the cap, however many other addresses are failing;
//  - `airlock user unlock` on the host, and an admin's unlock, clear both (they forget the
//    window's failures).
// Failures are counted by the name typed at sign-in (subject_of), account or not: an unknown
// e-mail is locked out and slowed down exactly like a real one, so neither says which exists.
// users.locked_until is kept as the console's "locked" hint: set when some address got locked out.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "identity/service.h"
#include "store/tx.h"

namespace airlock::identity {

inline constexpr std::chrono::seconds kMaxLoginDelay{30};

struct Throttle {
  bool address_locked = false;          // this address is locked out of the account
  std::chrono::milliseconds delay{0};   // to add before answering about the account
};

// The key failures are counted under: hex SHA-256 of the normalised e-mail (or of the text as
// typed, lower-cased, when it is not an e-mail).
std::string subject_of(std::string_view email);

Throttle throttle_for(Deps& deps, store::Tx& tx, const std::string& subject, const std::string& ip);

// Records a failed attempt of `kind` ("password" or "mfa") under `subject`. Returns true if this
// failure locked the address out. Runs inside the caller's transaction.
bool record_auth_failure(Deps& deps, store::Tx& tx, std::optional<core::UserId> user, const std::string& subject,
                         const std::string& kind, const Origin& origin);

// Failures on the account from any address after `since_s` (the MFA step caps a pending session's
// tries with it, whichever addresses they come from).
std::int64_t account_failures_since(store::Tx& tx, const std::string& subject, std::int64_t since_s);

// Forgets the window's failures for the account's e-mail and the locked hint; returns how many
// failures were cleared.
int clear_lockout(Deps& deps, store::Tx& tx, core::UserId user, std::string_view email);

}  // namespace airlock::identity
