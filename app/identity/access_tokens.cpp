#include "identity/access_tokens.h"

#include "crypto/hash.h"
#include "identity/audit_events.h"

namespace airlock::identity {
namespace {

constexpr std::string_view kPrefix = "alk_pat_";
constexpr std::size_t kPublicIdLength = 8;
constexpr std::size_t kSecretLength = kSecretChars;

std::string keyed_hash(const Deps& deps, std::string_view token) {
  auto d = crypto::hmac_sha256(deps.token_pepper.bytes(), token);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

bool base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Splits "alk_pat_<id>_<secret>" strictly; nullopt for anything else.
std::optional<std::string> public_id_of(std::string_view token) {
  if (token.size() != kPrefix.size() + kPublicIdLength + 1 + kSecretLength || token.substr(0, kPrefix.size()) != kPrefix)
    return std::nullopt;
  auto id = token.substr(kPrefix.size(), kPublicIdLength);
  if (token[kPrefix.size() + kPublicIdLength] != '_') return std::nullopt;
  for (char c : token.substr(kPrefix.size())) {
    if (!base64url_char(c)) return std::nullopt;
  }
  for (char c : id) {
    // The id is lower-case alphanumeric so it reads well in lists and never contains the separator.
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return std::nullopt;
  }
  return std::string(id);
}

std::string new_public_id(core::Random& random) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id;
  auto bytes = random.bytes(kPublicIdLength);
  for (auto b : bytes) id.push_back(kAlphabet[b % 36]);  // bias is irrelevant: the id is not secret
  return id;
}

}  // namespace

core::Result<CreatedToken> create_access_token(Deps& deps, const store::UserRow& user, std::string_view name,
                                               std::string_view scope, int expires_in_days, const Origin& origin) {
  if (name.empty() || name.size() > 100)
    return core::Status::error("token_name_invalid", "Give the token a name of up to 100 characters.");
  if (scope != "read" && scope != "read_write")
    return core::Status::error("token_scope_invalid", "The scope is read or read_write.");
  if (expires_in_days < 0 || expires_in_days > 3650)
    return core::Status::error("token_expiry_invalid", "Expiry is between 1 and 3650 days, or never.");
  if (deps.token_pepper.empty()) return core::Status::error("internal_error", "Access tokens are not available.");
  auto secret = new_secret(deps.random);
  std::string public_id = new_public_id(deps.random);
  std::string token = std::string(kPrefix) + public_id + "_" + secret.token;
  auto now = deps.now_s();
  std::optional<std::int64_t> expires;
  if (expires_in_days > 0) expires = now + std::int64_t{expires_in_days} * 86400;
  CreatedToken out;
  auto s = deps.db.write([&](store::Tx& tx) {
    out.id = store::access_tokens::insert(tx, user.id, public_id, keyed_hash(deps, token), std::string(name),
                                          std::string(scope), now, expires);
    auto e = user_event("token.create", user.id, user.email, origin);
    e.target = "token:" + out.id.str();
    e.details_json = std::string(R"({"scope":")") + std::string(scope) + R"(","expires_in_days":)" +
                     std::to_string(expires_in_days) + "}";
    audit::append(tx, e, audit_time(deps));
    return core::Status::ok();
  });
  if (!s) return s;
  out.token = std::move(token);
  return out;
}

std::optional<TokenPrincipal> resolve_access_token(Deps& deps, std::string_view bearer, bool* unreadable) {
  auto public_id = public_id_of(bearer);
  if (!public_id || deps.token_pepper.empty()) return std::nullopt;
  std::optional<TokenPrincipal> found;
  auto now = deps.now_s();
  auto read = deps.db.view([&](store::Tx& tx) {
    auto row = store::access_tokens::find_live_by_public_id(tx, *public_id);
    if (!row || !core::ct_equal(row->token_hash, keyed_hash(deps, bearer))) return core::Status::ok();
    if (row->expires_at && *row->expires_at <= now) return core::Status::ok();
    auto user = store::users::find_by_id(tx, row->user_id);
    if (!user || !user->active) return core::Status::ok();
    found = TokenPrincipal{*user, *row};
    return core::Status::ok();
  });
  if (!read && unreadable) *unreadable = true;
  if (found && (!found->token.last_used_at || now - *found->token.last_used_at >= 60)) {
    auto id = found->token.id;
    (void)deps.db.write([&](store::Tx& tx) {
      store::access_tokens::touch(tx, id, now);
      return core::Status::ok();
    });
  }
  return found;
}

core::Result<std::vector<store::AccessTokenRow>> list_access_tokens(Deps& deps, core::UserId user) {
  return deps.db.fetch([&](store::Tx& tx) { return store::access_tokens::list_live_for_user(tx, user); });
}

core::Status revoke_access_token(Deps& deps, const store::UserRow& user, core::TokenId id, const Origin& origin) {
  return deps.db.write([&](store::Tx& tx) {
    if (!store::access_tokens::revoke_for_user(tx, user.id, id, deps.now_s()))
      return core::Status::error("not_found", "No such token.");
    auto e = user_event("token.revoke", user.id, user.email, origin);
    e.target = "token:" + id.str();
    audit::append(tx, e, audit_time(deps));
    return core::Status::ok();
  });
}

}  // namespace airlock::identity
