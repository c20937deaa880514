#include "http/router.h"

#include <cassert>

namespace airlock::http {
namespace {

std::vector<std::string> split_pattern(std::string_view p) {
  std::vector<std::string> out;
  std::size_t i = 1;  // patterns start with '/'
  while (i <= p.size()) {
    auto slash = p.find('/', i);
    if (slash == std::string_view::npos) slash = p.size();
    out.emplace_back(p.substr(i, slash - i));
    i = slash + 1;
  }
  return out;
}

bool is_param(const std::string& seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }
// "{name...}" as the last segment takes the rest of the path, slashes included (model ids such as
// "meta-llama/Llama-3.1-8B").
bool is_rest(const std::string& seg) { return is_param(seg) && seg.size() > 5 && seg.compare(seg.size() - 4, 4, "...}") == 0; }

bool match_path(const std::vector<std::string>& pattern, std::string_view path,
                std::vector<std::pair<std::string, std::string>>* params) {
  if (path.empty() || path.front() != '/') return false;
  std::size_t i = 1;
  for (std::size_t s = 0; s < pattern.size(); ++s) {
    if (i > path.size()) return false;
    auto slash = path.find('/', i);
    if (slash == std::string_view::npos) slash = path.size();
    auto seg = path.substr(i, slash - i);
    if (s + 1 == pattern.size() && is_rest(pattern[s])) {
      auto rest = path.substr(i);
      if (rest.empty()) return false;
      params->emplace_back(pattern[s].substr(1, pattern[s].size() - 5), std::string(rest));
      return true;
    }
    if (is_param(pattern[s])) {
      if (seg.empty()) return false;
      params->emplace_back(pattern[s].substr(1, pattern[s].size() - 2), std::string(seg));
    } else if (seg != pattern[s]) {
      return false;
    }
    i = slash + 1;
  }
  return i == path.size() + 1;
}

}  // namespace

std::string_view access_name(Access a) {
  switch (a) {
    case Access::kPublic: return "public";
    case Access::kMfaPending: return "mfa_pending";
    case Access::kViewer: return "viewer";
    case Access::kEditor: return "editor";
    case Access::kAdmin: return "admin";
    case Access::kOwner: return "owner";
    case Access::kGatewayKey: return "gateway_key";
  }
  return "unknown";
}

void Router::add(Route route) {
  assert(!route.pattern.empty() && route.pattern.front() == '/' && "route patterns start with '/'");
  segments_.push_back(split_pattern(route.pattern));
  routes_.push_back(std::move(route));
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch m;
  std::string_view want = method == "HEAD" ? std::string_view("GET") : method;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    std::vector<std::pair<std::string, std::string>> params;
    if (!match_path(segments_[i], path, &params)) continue;
    if (routes_[i].method == want) {
      m.route = &routes_[i];
      m.params = std::move(params);
      return m;
    }
    if (!m.allowed.empty()) m.allowed += ", ";
    m.allowed += routes_[i].method;
    if (routes_[i].method == "GET") m.allowed += ", HEAD";
  }
  return m;
}

}  // namespace airlock::http
