#pragma once
// A user's own account: password change and their sessions.
#include <vector>

#include "core/result.h"
#include "identity/service.h"
#include "identity/sessions.h"

namespace airlock::identity {

// Needs the current password. On success every session of the user ends (this one too) and a
// fresh one is returned for the browser that asked, session `from`. Errors: "password_wrong",
// the policy's codes, "session_ended" (`from` ended meanwhile; nothing changed).
core::Result<NewSession> change_password(Deps& deps, const store::UserRow& user, core::SessionId from,
                                         std::string_view current,
                                         std::string_view fresh, const Origin& origin);

core::Result<std::vector<store::SessionRow>> open_sessions(Deps& deps, core::UserId user);

// Ends one of the user's own sessions; "not_found" when it is not theirs or already over.
core::Status end_own_session(Deps& deps, const store::UserRow& user, core::SessionId id, const Origin& origin);

}  // namespace airlock::identity
