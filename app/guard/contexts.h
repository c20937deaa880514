#pragma once
// What a handler receives instead of a bare request: proof that the guard let the caller in at a
// given level. The constructors are private and only Guard can call them, so a handler that takes
// an AdminCtx cannot run for a viewer, and a route's level is visible in its handler's signature.
#include <optional>
#include <string>

#include "identity/role.h"
#include "store/sessions_repo.h"
#include "store/users_repo.h"

namespace airlock::guard {

class Guard;

struct Principal {
  store::UserRow user;
  store::SessionRow session;               // empty for a bearer token
  std::optional<std::string> token_scope;  // "read" | "read_write" when authenticated by token
  std::string token_public_id;             // the token's public id, when authenticated by token
};

// Password accepted, second factor still owed.
class MfaPendingCtx {
 public:
  const Principal& who() const { return p_; }

 private:
  friend class Guard;
  explicit MfaPendingCtx(Principal p) : p_(std::move(p)) {}
  Principal p_;
};

template <identity::Role R>
class RoleCtx {
 public:
  static constexpr identity::Role kRole = R;
  const Principal& who() const { return p_; }

 private:
  friend class Guard;
  explicit RoleCtx(Principal p) : p_(std::move(p)) {}
  Principal p_;
};

using ViewerCtx = RoleCtx<identity::Role::kViewer>;
using EditorCtx = RoleCtx<identity::Role::kEditor>;
using AdminCtx = RoleCtx<identity::Role::kAdmin>;
using OwnerCtx = RoleCtx<identity::Role::kOwner>;

}  // namespace airlock::guard
