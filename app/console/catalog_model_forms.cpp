// POST /models, POST /models/{model_id}/toggle, POST /models/{model_id}/delete: the /models page's
// forms for editors. Each turns its inputs into the API's JSON shape and goes through
// catalog_service, so a form accepts exactly what the API accepts.
#include "console/catalog_service.h"

namespace airlock::console {
namespace {

std::string trimmed(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// One target per line, "provider:upstream-model", first line first. Provider names have no ':'
// (see gateway/provision.cpp), so the first one splits and upstream names may contain more.
nlohmann::json target_lines(const std::string& text, std::vector<std::string>& problems) {
  auto targets = nlohmann::json::array();
  std::size_t line_no = 0, at = 0;
  while (at <= text.size()) {
    auto end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    auto line = trimmed(text.substr(at, end - at));
    at = end + 1;
    ++line_no;
    if (line.empty()) continue;
    auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == line.size()) {
      problems.push_back("Targets: line " + std::to_string(line_no) + " is not provider:upstream-model");
      continue;
    }
    targets.push_back({{"provider", trimmed(line.substr(0, colon))}, {"model", trimmed(line.substr(colon + 1))}});
  }
  if (targets.empty() && problems.empty()) problems.push_back("Targets: give at least one provider:upstream-model line");
  if (targets.size() > 16) problems.push_back("Targets: at most 16 lines");
  return targets;
}

// A refusal of a row action: the page again with the reason, or "no such model".
http::Response refused(Deps& d, const guard::Principal& who, const http::Request& req, const core::Status& s) {
  if (s.code() == "not_found")
    return d.render.message(404, "No such model", "It may have been deleted already.", {.title = "Models", .who = &who},
                            req.request_id, "/models", "Back to the models");
  if (s.code() == "provisioned" || s.code() == "name_taken") return catalog_page(d, who, 409, {.problems = {s.message()}}, "");
  return d.render.message(500, "Something went wrong", "Nothing was changed.", {.title = "Error", .who = &who}, req.request_id);
}

}  // namespace

http::Response models_create(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto name = trimmed(req.form_field("name"));
  auto lines = req.form_field("targets");
  bool reasoning = req.form_field("reasoning") == "on";
  CatalogForm form;
  form.model = {{"name", name}, {"targets", lines}, {"reasoning", reasoning}};
  auto targets = target_lines(lines, form.problems);
  if (!form.problems.empty()) return catalog_page(d, ctx.who(), 422, form, "");
  auto in = catalog::model_input(d, {{"name", name}, {"targets", targets}, {"reasoning", reasoning}});
  form.problems = in.errors;
  if (!form.problems.empty()) return catalog_page(d, ctx.who(), 422, form, "");
  auto s = catalog::write_model(d, in, std::nullopt, actor_of(ctx.who(), req));
  if (s.code() == "name_taken") {
    form.problems.push_back("Name: " + s.message());
    return catalog_page(d, ctx.who(), 422, form, "");
  }
  if (!s) return refused(d, ctx.who(), req, s);
  return redirect("/models?done=model_added");
}

http::Response models_toggle(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::ModelId>(req, "model_id");
  if (!id) return refused(d, ctx.who(), req, core::Status::error("not_found", ""));
  // The state asked for, not a flip: a form sent twice leaves the model as the user wanted.
  bool enable = req.form_field("enabled") == "1";
  if (auto s = catalog::set_model_enabled(d, *id, enable, actor_of(ctx.who(), req)); !s) return refused(d, ctx.who(), req, s);
  return redirect(enable ? "/models?done=model_enabled" : "/models?done=model_disabled");
}

http::Response models_delete(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::ModelId>(req, "model_id");
  if (!id) return refused(d, ctx.who(), req, core::Status::error("not_found", ""));
  if (auto s = catalog::delete_model(d, *id, actor_of(ctx.who(), req)); !s) return refused(d, ctx.who(), req, s);
  return redirect("/models?done=model_deleted");
}

}  // namespace airlock::console
