#include "console/render.h"

#include <kainjow/mustache.hpp>
#include <map>
#include <stdexcept>

#include "console/embedded.h"
#include "core/build_info.h"

namespace airlock::console {
namespace mu = kainjow::mustache;

namespace {

mu::data to_data(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      mu::data d{mu::data::type::object};
      for (const auto& [k, v] : j.items()) d.set(k, to_data(v));
      return d;
    }
    case nlohmann::json::value_t::array: {
      mu::data d{mu::data::type::list};
      for (const auto& v : j) d.push_back(to_data(v));
      return d;
    }
    case nlohmann::json::value_t::string: return mu::data(j.get<std::string>());
    case nlohmann::json::value_t::boolean: return j.get<bool>() ? mu::data(mu::data::type::bool_true)
                                                                : mu::data(mu::data::type::bool_false);
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return mu::data(std::to_string(j.get<std::int64_t>()));
    case nlohmann::json::value_t::number_float: return mu::data(j.dump());
    default: return mu::data(mu::data::type::bool_false);
  }
}

}  // namespace

struct Renderer::Impl {
  std::map<std::string, mu::mustache> templates;
};

Renderer::Renderer(core::Random& random) : impl_(std::make_shared<Impl>()), random_(random) {
  for (const auto& t : embedded::templates()) {
    mu::mustache m{std::string(t.body)};
    if (!m.is_valid()) throw std::runtime_error("template " + std::string(t.name) + ": " + m.error_message());
    impl_->templates.emplace(std::string(t.name), std::move(m));
  }
}

std::string Renderer::asset_name(std::string_view name) {
  for (const auto& a : embedded::assets())
    if (a.name == name) return std::string(a.hashed_name);
  return std::string(name);
}

void set_html_headers(http::Response& r, const std::string& nonce) {
  r.set_header("Content-Security-Policy",
               "default-src 'none'; script-src 'nonce-" + nonce + "' 'self'; style-src 'nonce-" + nonce +
                   "' 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
                   "report-uri /csp-report");
  r.set_header("X-Frame-Options", "DENY");
  r.set_header("Permissions-Policy",
               "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
               "payment=(), usb=(), interest-cohort=()");
  r.set_header("Cross-Origin-Opener-Policy", "same-origin");
  r.set_header("Cross-Origin-Resource-Policy", "same-origin");
  r.set_header("Cache-Control", "no-store");
}

http::Response Renderer::page(int status, const std::string& template_name, nlohmann::json data,
                              const Frame& frame) {
  auto it = impl_->templates.find(template_name);
  auto layout = impl_->templates.find("layout");
  if (it == impl_->templates.end() || layout == impl_->templates.end())
    throw std::logic_error("missing template " + template_name);  // a build defect, not input
  auto nonce_bytes = random_.bytes(16);
  std::string nonce = core::to_base64url(nonce_bytes);

  nlohmann::json frame_data = {{"title", frame.title},
                               {"nonce", nonce},
                               {"css", asset_name("app.css")},
                               {"js", asset_name("app.js")},
                               {"version", core::kVersion},
                               {"notice", frame.notice},
                               {"main_class", frame.who ? "" : "plain"}};
  if (frame.who) {
    frame_data["user"] = {{"email", frame.who->user.email},
                          {"role", std::string(identity::role_name(frame.who->user.role))},
                          {"csrf", frame.who->session.csrf_token},
                          {"is_admin", identity::role_at_least(frame.who->user.role, identity::Role::kAdmin)},
                          {"nav_" + (frame.active_nav.empty() ? std::string("none") : frame.active_nav), true}};
    if (!self_signed_fingerprint_.empty()) frame_data["self_signed"] = {{"fingerprint", self_signed_fingerprint_}};
  }
  if (frame.notice.empty()) frame_data.erase("notice");
  frame_data["content"] = it->second.render(to_data(data));

  http::Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = layout->second.render(to_data(frame_data));
  set_html_headers(r, nonce);
  return r;
}

http::Response Renderer::message(int status, const std::string& heading, const std::string& text,
                                 const Frame& frame, const std::string& request_id, const std::string& link_href,
                                 const std::string& link_label) {
  nlohmann::json d = {{"heading", heading}, {"text", text}};
  if (!request_id.empty()) d["request_id"] = request_id;
  if (!link_href.empty()) d["link"] = {{"href", link_href}, {"label", link_label}};
  return page(status, "message", d, frame);
}

}  // namespace airlock::console
