#pragma once
// The first owner. There is never an open setup page: either an operator on the host runs
// `airlock user create-owner`, or the first start prints a one-time setup link (256-bit token,
// stored hashed, 1 h, single use) and the setup page accepts nothing without it.
#include <optional>
#include <string>

#include "core/ids.h"
#include "core/result.h"
#include "identity/service.h"

namespace airlock::identity {

// A new setup token when no user exists yet; any older unused setup token stops working.
// nullopt once a user exists.
core::Result<std::optional<std::string>> issue_setup_token(Deps& deps);

// True when `token` is a usable setup token right now (for showing the form).
bool setup_token_usable(Deps& deps, std::string_view token);

// Creates the owner from the setup form. Errors: "setup_token_invalid" (unknown, used or
// expired), "setup_done" (a user exists), "email_invalid", and the password policy's codes.
// Two concurrent submissions produce exactly one owner.
core::Result<core::UserId> complete_setup(Deps& deps, std::string_view token, std::string_view email,
                                          std::string_view password, const Origin& origin);

// `airlock user create-owner`: refuses ("owner_exists") when an owner exists.
core::Result<core::UserId> create_owner(Deps& deps, std::string_view email, std::string_view password);

}  // namespace airlock::identity
