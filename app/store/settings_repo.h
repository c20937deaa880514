#pragma once
// settings: small named values the console and the provisioning file change (the guardrail policy,
// whether it came from the provisioning file). Plain text values; the caller owns their format.
#include <optional>
#include <string>
#include <string_view>

#include "store/tx.h"

namespace airlock::store::settings {

std::optional<std::string> get(Tx& tx, std::string_view key);
// Inserts or replaces; `updated_at` is the audit clock's text.
void put(Tx& tx, std::string_view key, const std::string& value, const std::string& updated_at);
void remove(Tx& tx, std::string_view key);

}  // namespace airlock::store::settings
