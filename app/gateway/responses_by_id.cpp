// GET /v1/responses/{id}, DELETE /v1/responses/{id}, POST /v1/responses/{id}/cancel and
// GET /v1/responses/{id}/input_items: a stored response is reached only by the key that created
// it, at the provider that holds it. Another key, an unknown id and an expired one get the same
// 404, so a key learns nothing about responses it does not own. Rate limited like any request,
// never charged tokens; a retrieved response's text goes through the answer guardrails.
#include "gateway/exchange.h"
#include "http/form.h"

namespace airlock::gateway {
namespace {

// The query parameters the list call takes, passed on only when they are plain values.
std::string list_query(const http::Request& req) {
  std::string out;
  for (const char* name : {"after", "before", "limit", "order"}) {
    auto v = req.query_param(name);
    if (v.empty() || v.size() > 128) continue;
    if (!std::all_of(v.begin(), v.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }))
      continue;
    out += (out.empty() ? "?" : "&") + std::string(name) + "=" + v;
  }
  return out;
}

}  // namespace

void Gateway::response_by_id(const KeyCtx& caller, const Endpoint& ep, http::Request& req,
                             std::shared_ptr<http::Responder> out) {
  auto t0 = deps_.clock.steady_now();
  const auto& key = caller.key();
  std::string id;
  if (auto it = req.path_params.find("response_id"); it != req.path_params.end()) id = it->second;
  auto owner = ResponseIds::valid_id(id) ? responses_.find(id) : std::nullopt;
  if (!owner || owner->key_id != key.id.value)
    return out->send(dialect_error(ep.dialect, "not_found", "No response with this id.", req));

  auto ex = std::make_shared<Exchange>(Exchange{*this, ep, t0, key});
  ex->guard = guardrails_.get();
  if (auto o = guardrails::read_key_override(key.guardrails); auto* k = std::get_if<guardrails::KeyOverride>(&o))
    ex->guard_key = *k;
  auto& rec = ex->record;
  rec.at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deps_.clock.system_now().time_since_epoch()).count();
  rec.key_id = key.id.value;
  if (key.owner) rec.user_id = key.owner->value;
  rec.model = owner->model;
  rec.endpoint = ep.name;
  rec.request_id = req.request_id;
  ex->admission = limits_.admit(key, 0, &ex->reservation);
  if (!ex->admission.ok) {
    auto r = dialect_error(ep.dialect, ex->admission.code, ex->admission.message, req, ex->admission.retry_after_s);
    add_ratelimit_headers(r, ex->admission);
    ex->finish(r.status, {}, ex->admission.code, 0);
    return out->send(std::move(r));
  }

  auto catalog = catalog_.get();
  if (!catalog) return out->send(dialect_error(ep.dialect, "unavailable", "The response could not be looked up; try again.", req, 1));
  auto model = std::make_shared<store::ModelRow>();
  model->name = owner->model;
  model->targets.push_back({core::ProviderId(owner->provider_id), owner->upstream_model});
  Prepared p;
  p.ex = std::move(ex);
  p.model_name = owner->model;
  p.catalog = std::move(catalog);
  p.own_model = model;
  p.model = model.get();
  p.headers = forwarded_headers(req, ep.dialect);
  p.no_body = true;
  p.response_id = id;
  p.path = "/responses/" + id;
  if (&ep == &kResponseCancel) p.path += "/cancel";
  if (&ep == &kResponseInputItems) p.path += "/input_items" + list_query(req);
  run_upstream(*this, std::move(p), req, std::move(out));
}

}  // namespace airlock::gateway
