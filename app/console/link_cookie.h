#pragma once
// One-time links (setup, invite, password reset) bring their token in the URL. The first GET moves
// it into a cookie for this host alone and redirects to the bare path, so the token leaves the
// address bar and the history at once, never reaches a Referer or a form field, and the access
// log holds only the route. The forms read it from the cookie; success clears it.
//
// SameSite=Lax, not Strict: links are opened from another app (a top-level cross-site
// navigation), and a Strict cookie set then is not sent on the redirect that follows.
#include <string>
#include <string_view>

#include "http/message.h"

namespace airlock::console::link {

// The token of link `kind` ("setup", "invite", "reset") from the request's cookie, or "".
std::string token(const http::Request& req, std::string_view kind);
// 303 to `path` with the cookie holding `token` for at most an hour.
http::Response hand_over(std::string_view kind, const std::string& token, const std::string& path);
// Adds an expired cookie for `kind` to `r`.
void forget(http::Response& r, std::string_view kind);

}  // namespace airlock::console::link
