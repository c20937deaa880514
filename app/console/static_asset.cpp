#include "console/console.h"
#include "console/embedded.h"
#include "http/errors.h"

namespace airlock::console {

http::Response static_asset(http::Request& req) {
  const auto& name = req.path_params.find("name")->second;
  for (const auto& a : embedded::assets()) {
    if (a.hashed_name != name) continue;
    http::Response r;
    r.content_type = std::string(a.content_type);
    r.body = std::string(a.body);
    // The name changes with the content, so the file can be cached for a year.
    r.set_header("Cache-Control", "public, max-age=31536000, immutable");
    r.set_header("Cross-Origin-Resource-Policy", "same-origin");
    return r;
  }
  return http::error_response(404, "not_found", http::default_error_message(404), req.request_id);
}

}  // namespace airlock::console
