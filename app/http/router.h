#pragma once
// A route table read top to bottom, deny by default. Each route names its access guard; "public"
// is a guard you name, never a missing one. Patterns are literal segments and {name} parameters;
// a last segment {name...} takes the rest of the path, slashes included.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"
#include "http/responder.h"

namespace airlock::http {

// Who may call a route. Identity (sessions, roles) adds its guards here.
enum class Access {
  kPublic,      // no authentication: health probes, static assets, login, setup
  kMfaPending,  // signed in with a password, second factor still owed (the MFA step only)
  kViewer,      // the roles, lowest first (identity/role.h)
  kEditor,
  kAdmin,
  kOwner,
  kGatewayKey,  // the /v1 surface: a gateway key, checked by the gateway's own handlers
};
std::string_view access_name(Access a);

using Handler = std::function<Response(Request&)>;
// Runs on the event loop and must not block: it answers through the Responder, now or later.
using AsyncHandler = std::function<void(Request&, std::shared_ptr<Responder>)>;

struct Route {
  std::string method;   // GET, POST, PUT, PATCH, DELETE
  std::string pattern;  // e.g. /api/v1/keys/{key_id}
  Access access;
  Handler handler;        // on a worker thread: may block (SQL, argon2)
  AsyncHandler async = {};  // when set, used instead of `handler`, on the loop thread
  // The 500 for an exception a barrier caught while this route ran (the caller's dialect on /v1);
  // unset: the router's default.
  std::function<Response(const Request&)> internal_error = {};
  // What the guard enforces before the handler runs, as declared where the route is registered
  // (guard/routes.h): kept here so the route table can be read and tested as a whole.
  bool session_only = false;   // a console session; access tokens are refused
  bool step_up = false;        // a recent step-up (password and code again)
  std::string rate_class = {};  // the per-client rate limit it counts against ("" none)
  bool costly = false;         // runs argon2id: waits for a slot of the process-wide gate
};

struct RouteMatch {
  const Route* route = nullptr;          // set when method and path match
  std::string allowed;                   // "GET, HEAD" when only the path matched (→ 405)
  std::vector<std::pair<std::string, std::string>> params;
};

class Router {
 public:
  void add(Route route);
  // HEAD is answered by GET routes.
  RouteMatch match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }
  // The 500 for routes that name none (the console's error page on HTML routes, JSON on the API).
  void set_internal_error(std::function<Response(const Request&)> fn) { internal_error_ = std::move(fn); }
  const std::function<Response(const Request&)>& internal_error() const { return internal_error_; }

 private:
  std::function<Response(const Request&)> internal_error_;
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> segments_;
};

}  // namespace airlock::http
