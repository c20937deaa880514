#include "console/link_cookie.h"

#include "http/form.h"

namespace airlock::console::link {
namespace {

std::string name(std::string_view kind) { return "__Host-airlock_" + std::string(kind); }

std::string cookie(std::string_view kind, const std::string& value, int max_age) {
  return name(kind) + "=" + value + "; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age);
}

}  // namespace

std::string token(const http::Request& req, std::string_view kind) {
  auto* header = req.header("Cookie");
  if (!header) return {};
  auto v = http::cookie_value(*header, name(kind));
  return v ? std::string(*v) : std::string();
}

http::Response hand_over(std::string_view kind, const std::string& token, const std::string& path) {
  auto r = http::redirect(path);
  r.set_header("Set-Cookie", cookie(kind, token, 3600));
  return r;
}

void forget(http::Response& r, std::string_view kind) { r.set_header("Set-Cookie", cookie(kind, "", 0)); }

}  // namespace airlock::console::link
