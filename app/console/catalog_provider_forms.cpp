// POST /providers, POST /providers/{provider_id}/toggle, POST /providers/{provider_id}/key: the
// /models page's forms for admins. Inputs become the API's JSON fields and go through
// catalog_service (gateway::parse_api_provider, gateway::save_provider). A vendor key typed into
// a form is used once and never rendered again, not even when the form is refused.
#include <charconv>

#include "console/catalog_service.h"
#include "core/bytes.h"

namespace airlock::console {
namespace {

std::string trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Browsers send a textarea's lines with CRLF; a PEM reads the same with LF.
std::string unix_lines(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != '\r') out += c;
  return trimmed(out);
}

// A whole number as JSON, else the text as typed, so the API's own check names the problem.
nlohmann::json number_or_text(const std::string& text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && end == text.data() + text.size()) return v;
  return text;
}

void forget_key(nlohmann::json& fields, std::string& typed) {
  if (auto it = fields.find("api_key"); it != fields.end() && it->is_string()) {
    auto& k = it->get_ref<std::string&>();
    core::secure_zero(k.data(), k.size());
  }
  core::secure_zero(typed.data(), typed.size());
}

http::Response refused(Deps& d, const guard::Principal& who, const http::Request& req, const core::Status& s) {
  if (s.code() == "not_found")
    return d.render.message(404, "No such provider", "", {.title = "Providers", .who = &who}, req.request_id, "/models",
                            "Back to the models");
  if (s.code() == "provisioned" || s.code() == "name_taken") return catalog_page(d, who, 409, {.problems = {s.message()}}, "");
  return d.render.message(500, "Something went wrong", "Nothing was changed.", {.title = "Error", .who = &who}, req.request_id);
}

// Saves `fields` over the stored provider `id` (a toggle, a new key); the page again on a refusal.
http::Response update(Deps& d, const guard::AdminCtx& ctx, http::Request& req, core::ProviderId id, nlohmann::json fields,
                      bool replace_key, std::string& typed_key, const char* done) {
  std::vector<std::string> problems;
  auto saved = catalog::save_provider(d, fields, replace_key, id, actor_of(ctx.who(), req), problems);
  forget_key(fields, typed_key);
  if (!problems.empty()) return catalog_page(d, ctx.who(), 422, {.problems = problems}, "");
  if (!saved) return refused(d, ctx.who(), req, saved.status());
  return redirect(std::string("/models?done=") + done);
}

}  // namespace

http::Response providers_create(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  CatalogForm form;
  form.provider = {{"name", trimmed(req.form_field("name"))}, {"type", req.form_field("type")},
                   {"base_url", trimmed(req.form_field("base_url"))},
                   {"max_concurrent", trimmed(req.form_field("max_concurrent"))}, {"ca_pem", unix_lines(req.form_field("ca_pem"))}};
  nlohmann::json fields = form.provider;
  // Empty optional inputs mean "not given": the API's defaults apply (64 at once, the system CAs).
  if (form.provider["max_concurrent"] == "") fields.erase("max_concurrent");
  else fields["max_concurrent"] = number_or_text(form.provider["max_concurrent"].get<std::string>());
  if (form.provider["ca_pem"] == "") fields.erase("ca_pem");
  // A server with Chat Completions only: the Responses API reaches it translated.
  form.provider["chat_only"] = req.form_field("chat_only") == "on";
  fields.erase("chat_only");
  if (form.provider["chat_only"] == true && form.provider["type"] == "openai") fields["responses"] = false;
  // No key is a provider without one (a local server); the API does the same without "api_key".
  std::string key = req.form_field("api_key");
  if (!key.empty()) fields["api_key"] = key;
  auto saved = catalog::save_provider(d, fields, true, std::nullopt, actor_of(ctx.who(), req), form.problems);
  forget_key(fields, key);
  if (saved.status().code() == "name_taken") form.problems.push_back("Name: " + saved.status().message());
  if (!form.problems.empty()) return catalog_page(d, ctx.who(), 422, form, "");
  if (!saved) return refused(d, ctx.who(), req, saved.status());
  return redirect("/models?done=provider_added");
}

http::Response providers_toggle(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::ProviderId>(req, "provider_id");
  auto row = id ? catalog::find_provider(d, *id) : std::nullopt;
  if (!row) return refused(d, ctx.who(), req, core::Status::error("not_found", "No such provider."));
  // The state asked for, not a flip: a form sent twice leaves the provider as the user wanted.
  bool enable = req.form_field("enabled") == "1";
  auto fields = catalog::provider_fields(*row);
  fields["enabled"] = enable;
  std::string no_key;
  return update(d, ctx, req, *id, fields, false, no_key, enable ? "provider_enabled" : "provider_disabled");
}

http::Response providers_replace_key(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::ProviderId>(req, "provider_id");
  auto row = id ? catalog::find_provider(d, *id) : std::nullopt;
  if (!row) return refused(d, ctx.who(), req, core::Status::error("not_found", "No such provider."));
  // An empty key is refused by the API's check, so a stray click cannot remove the key.
  std::string key = req.form_field("api_key");
  auto fields = catalog::provider_fields(*row);
  fields["api_key"] = key;
  return update(d, ctx, req, *id, fields, true, key, "key_replaced");
}

}  // namespace airlock::console
