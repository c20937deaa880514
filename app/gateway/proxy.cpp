// Gateway::prepare: admission for POST /v1/chat/completions, /v1/completions, /v1/embeddings and
// /v1/messages (key, body, model, limits), and the answer once the upstream phase
// (proxy_call.cpp) is over. Runs on the event loop: no statement here unless a cache is stale.
#include "gateway/exchange.h"
#include "gateway/guard_request.h"
#include "gateway/key_auth.h"
#include "audit/denials.h"
#include "gateway/request_fields.h"
#include "gateway/request_plan.h"
#include "http/json_body.h"
#include "translate/answer.h"
#include "translate/request.h"

namespace airlock::gateway {
namespace {

std::int64_t unix_ms(const core::Clock& c) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(c.system_now().time_since_epoch()).count();
}

bool header_safe(std::string_view v) {
  if (v.empty() || v.size() > 1024) return false;
  for (unsigned char c : v)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

}  // namespace

// Client headers that mean something to the vendor; everything else (the client's key, cookies,
// forwarding headers) stays here.
HeaderList forwarded_headers(const http::Request& req, Dialect d) {
  HeaderList out;
  auto pass = [&](const char* name) {
    if (auto* v = req.header(name); v && header_safe(*v)) out.emplace_back(name, std::string(*v));
  };
  if (d == Dialect::kAnthropic) {
    if (auto* v = req.header("anthropic-version"); v && header_safe(*v)) out.emplace_back("anthropic-version", std::string(*v));
    else out.emplace_back("anthropic-version", "2023-06-01");
    pass("anthropic-beta");
  } else {
    pass("openai-beta");
  }
  return out;
}

translate::ResponseEcho response_echo(Gateway& gw, const Prepared& p) {
  auto bytes = gw.deps().random.bytes(12);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "resp_";
  for (auto b : bytes) id += {kHex[b >> 4], kHex[b & 15]};
  auto request = nlohmann::json::parse(p.body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace), nullptr, false);
  return {std::move(id), unix_ms(gw.deps().clock) / 1000, std::move(request)};
}

void Exchange::finish(int status, const Usage& usage, const std::string& error_code, std::int64_t response_bytes) {
  if (finished) return;
  finished = true;
  bool reached = !record.upstream_model.empty() && status < 500 && error_code != "upstream_unreachable";
  bool ok = status >= 200 && status < 300 && (error_code.empty() || error_code == "client_disconnected");
  // Unknown usage from an upstream that answered: the estimate stands, so budgets err on the safe side.
  std::int64_t actual = !ep.metered ? 0 : usage.known ? usage.total() : (reached ? reservation.estimate : 0);
  gw.limits().settle(reservation, actual, /*refund_request=*/!ok);
  record.status = status;
  record.prompt_tokens = usage.known ? usage.prompt_tokens : 0;
  record.completion_tokens = usage.known ? usage.completion_tokens : 0;
  record.error_code = error_code;
  record.response_bytes = response_bytes;
  record.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(gw.deps().clock.steady_now() - start).count();
  gw.usage().record(std::move(record));
}

static std::int32_t sat_add32(std::int32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(std::min<std::int64_t>(std::int64_t{a} + b, INT32_MAX));
}

void Exchange::count(const guardrails::Tally& tally) {
  for (std::size_t i = 0; i < guardrails::kBuiltinCount; ++i)
    record.guard_found[i] = sat_add32(record.guard_found[i], tally.found[i]);
  std::uint32_t rules = 0;
  for (auto n : tally.rule_found) rules += n;
  record.guard_found[guardrails::kBuiltinCount] = sat_add32(record.guard_found[guardrails::kBuiltinCount], rules);
  record.guard_masked = sat_add32(record.guard_masked, tally.masked);
  if (tally.blocked_by && record.guard_blocked.empty()) record.guard_blocked = *tally.blocked_by;
  // A block is a refusal of what the key sent or received: audited like the key's other denials
  // (authz.denied, reason content_policy_violation:<detector or rule>; never the text).
  if (tally.blocked_by && !block_audited && gw.deps().denials) {
    block_audited = true;
    block_audit.reason = "content_policy_violation:" + *tally.blocked_by;
    gw.deps().denials->record(block_audit);
  }
  auto& counts = gw.guard_counts();
  for (std::size_t d = 0; d < tally.by_action.size(); ++d)
    for (std::size_t a = 0; a < 4; ++a)
      if (tally.by_action[d][a]) counts[d][a].fetch_add(tally.by_action[d][a], std::memory_order_relaxed);
}

static bool any_anthropic_target(const Catalog& catalog, const store::ModelRow& model) {
  for (const auto& t : model.targets)
    if (auto it = catalog.providers.find(t.provider.value); it != catalog.providers.end())
      if (it->second.enabled && it->second.type == "anthropic") return true;
  return false;
}

void add_ratelimit_headers(http::Response& r, const Admission& a) {
  if (a.limit_requests >= 0) {
    r.set_header("x-ratelimit-limit-requests", std::to_string(a.limit_requests));
    r.set_header("x-ratelimit-remaining-requests", std::to_string(a.remaining_requests));
    r.set_header("x-ratelimit-reset-requests", std::to_string(a.reset_requests_s) + "s");
  }
  if (a.limit_tokens >= 0) {
    r.set_header("x-ratelimit-limit-tokens", std::to_string(a.limit_tokens));
    r.set_header("x-ratelimit-remaining-tokens", std::to_string(a.remaining_tokens));
    r.set_header("x-ratelimit-reset-tokens", std::to_string(a.reset_tokens_s) + "s");
  }
}

Gateway::Gateway(Deps& deps, core::Logger& log, UsageRecorder& usage, std::string system_ca_file)
    : deps_(deps), log_(log), usage_(usage), upstreams_(deps, std::move(system_ca_file), log),
      limits_(deps.clock, [&db = deps.db](std::int64_t key, std::int64_t start_ms) {
        return UsageRecorder::month_usage(db, key, start_ms);
      }),
      catalog_(deps.db),
      guardrails_(deps.db, log),
      waf_(deps.clock),
      responses_(deps),
      audit_(audit::DenialRecorder::store_sink(deps.db, log, deps.clock)) {}

void Gateway::note_violation(const store::GatewayKeyRow* key, const http::Request& req, std::string_view why) {
  auto engine = guardrails_.get();  // held: the settings live in it
  const auto& settings = engine->policy().waf;
  auto started = waf_.violation(key ? std::optional<std::int64_t>(key->id.value) : std::nullopt, req.client_ip, settings);
  for (const auto& b : started) {
    audit::Event e;
    e.action = "waf.block";
    e.outcome = "denied";
    e.actor = key ? "key:" + key->name : "anonymous";
    e.target = b.subject;
    e.ip = req.client_ip;
    e.request_id = req.request_id;
    e.details_json = nlohmann::json{{"violations", b.violations}, {"block_seconds", settings.block_seconds},
                                    {"last_violation", std::string(why)}}
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    audit_(std::move(e), core::format_time_utc(deps_.clock.system_now()));
    log_.warn("waf_block", {{"subject", b.subject}, {"seconds", std::to_string(settings.block_seconds)}});
  }
}

std::optional<http::Response> Gateway::waf_refusal(Dialect d, const http::Request& req, const store::GatewayKeyRow* key) {
  std::int64_t wait = waf_.retry_after(Waf::ip_subject(req.client_ip));
  if (key) wait = std::max(wait, waf_.retry_after(Waf::key_subject(key->id.value)));
  if (wait <= 0) return std::nullopt;
  return dialect_error(d, "temporarily_blocked",
                       "Too many refused requests from this key or address; try again after the block ends.", req, wait, false);
}

std::variant<Prepared, http::Response> Gateway::prepare(const KeyCtx& caller, const Endpoint& ep, http::Request& req) {
  auto t0 = deps_.clock.steady_now();
  auto err = [&](std::string_view code, std::string_view message, std::int64_t retry_after = 0, bool retry = true) {
    return dialect_error(ep.dialect, code, message, req, retry_after, retry);
  };
  const auto* key = &caller.key();

  // What is asked: parsed strictly, so what goes upstream is exactly what was checked here.
  std::string perr;
  auto body = http::parse_json_strict_ordered(req.body, &perr);
  if (!body) {
    note_violation(key, req, perr);
    return err(perr, http::json_error_message(perr));
  }
  if (!body->is_object()) return err("invalid_request", "The body must be a JSON object.");
  auto read = read_request_fields(ep, *body);
  if (auto* bad = std::get_if<FieldProblem>(&read))
    return dialect_error(ep.dialect, bad->code, bad->message, req, 0, true, bad->param);
  auto& fields = std::get<RequestFields>(read);
  const std::string& model_name = fields.model;
  auto catalog = catalog_.get();
  if (!catalog) return err("unavailable", "The model could not be looked up; try again.", 1);
  const store::ModelRow* model = nullptr;
  if (auto it = catalog->models.find(model_name); it != catalog->models.end()) model = &it->second;
  if (!model || !model->enabled)
    return err("model_not_found", "The model '" + model_name.substr(0, 100) + "' does not exist.");
  if (!key->allowed_models.empty() &&
      std::find(key->allowed_models.begin(), key->allowed_models.end(), model_name) == key->allowed_models.end()) {
    record_key_denial(deps_, req, key->public_id, key->name, "model_not_allowed");
    return err("model_not_allowed", "This key may not use the model '" + model_name.substr(0, 100) + "'.");
  }

  // The Responses API: a stored response becomes the key's; previous_response_id must be the key's
  // own and goes to the provider that holds it.
  std::optional<std::int64_t> only_provider;
  if (&ep == &kResponses) {
    if (auto prev = body->find("previous_response_id"); prev != body->end() && !prev->is_null()) {
      auto owner = prev->is_string() ? responses_.find(prev->get<std::string>()) : std::nullopt;
      if (!owner || owner->key_id != key->id.value)
        return dialect_error(ep.dialect, "previous_response_not_found", "The previous response does not exist or is not this key's.",
                             req, 0, true, "previous_response_id");
      only_provider = owner->provider_id;
    }
  }

  // count_tokens exists only where the vendor counts: a model without an Anthropic-type target is a
  // clear refusal, not a guess (README: count_tokens).
  if (&ep == &kCountTokens && !any_anthropic_target(*catalog, *model))
    return err("count_tokens_unsupported",
               "The model '" + model_name.substr(0, 100) + "' is not served by an Anthropic-type provider, which alone counts tokens.");

  // Per-request cap on generated tokens: every field that can ask for more is held to it.
  if (auto bad = hold_to_key_cap(ep, key->limits, fields, *body))
    return dialect_error(ep.dialect, bad->code, bad->message, req, 0, true, bad->param);

  bool stream = fields.stream;
  auto ex = std::make_shared<Exchange>(Exchange{*this, ep, t0, *key});
  ex->include_usage = fields.include_usage;
  if (&ep == &kResponses) {
    auto store = body->find("store");
    ex->wants_store = store == body->end() || !store->is_boolean() || store->get<bool>();  // the vendor's default: stored
  }
  ex->strip_usage_chunk = ask_for_stream_usage(ep, fields, *body);

  // Guardrails on what goes upstream: masked in place, or refused naming what was found (never
  // quoting it). A key's override was checked when it was saved; one that no longer reads follows
  // the organisation's policy.
  ex->guard = guardrails_.get();
  if (auto o = guardrails::read_key_override(key->guardrails); auto* k = std::get_if<guardrails::KeyOverride>(&o))
    ex->guard_key = *k;
  if (ex->guard->blocks(guardrails::Direction::kRequest, ex->guard_key) ||
      ex->guard->blocks(guardrails::Direction::kResponse, ex->guard_key))
    ex->block_audit = key_denial(req, key->public_id, key->name, "");
  guardrails::Tally tally;
  bool guard_ok = guard_request(ep, *body, *ex->guard, ex->guard_key, tally);
  ex->count(tally);

  auto& rec = ex->record;
  rec.at_ms = unix_ms(deps_.clock);
  rec.key_id = key->id.value;
  if (key->owner) rec.user_id = key->owner->value;
  rec.model = model_name;
  rec.endpoint = ep.name;
  rec.stream = stream;
  rec.request_bytes = static_cast<std::int64_t>(req.body.size());
  rec.request_id = req.request_id;
  if (!guard_ok) {  // before the limits: a blocked request reserves nothing
    http::Response r;
    if (tally.over_cap) {
      const auto& c = *tally.over_cap;
      const char* code = c == "max_chars" ? "input_too_long" : c == "max_urls" ? "too_many_urls" : "too_many_phone_numbers";
      r = err(code, c == "max_chars"  ? "The request's text is longer than this key may send."
                    : c == "max_urls" ? "The request carries more URLs than this key may send."
                                      : "The request carries more phone numbers than this key may send.",
              0, false);
    } else {
      r = err("content_policy_violation",
              "The request was blocked by the guardrail policy: " + *tally.blocked_by + " detected.", 0, false);
    }
    note_violation(key, req, tally.over_cap ? *tally.over_cap : "content_policy_violation");
    ex->finish(r.status, {}, tally.over_cap ? "input_cap" : "content_policy_violation", 0);
    return r;
  }

  // Burst detection: this key far above its own recent rate is audited (and, if the policy says
  // so, blocked from this request on).
  {
    std::optional<Waf::Block> blocked;
    if (auto burst = waf_.request(key->id.value, ex->guard->policy().waf, &blocked)) {
      audit::Event e;
      e.action = "waf.burst";
      e.outcome = blocked ? "denied" : "success";
      e.actor = "key:" + key->name;
      e.target = Waf::key_subject(key->id.value);
      e.ip = req.client_ip;
      e.request_id = req.request_id;
      e.details_json = nlohmann::json{{"requests_this_minute", burst->this_minute},
                                      {"baseline_per_minute", static_cast<std::int64_t>(burst->baseline)},
                                      {"blocked", blocked.has_value()}}
                           .dump();
      audit_(std::move(e), core::format_time_utc(deps_.clock.system_now()));
      log_.warn("waf_burst", {{"subject", Waf::key_subject(key->id.value)}, {"blocked", blocked ? "true" : "false"}});
      if (blocked) {
        auto r = *waf_refusal(ep.dialect, req, key);
        ex->finish(r.status, {}, "temporarily_blocked", 0);
        return r;
      }
    }
  }

  // Targets whose provider speaks the other dialect get the request translated (after the
  // guardrails: what is masked stays masked). One that cannot be is refused, naming the field, only
  // when no target speaks the caller's dialect; otherwise those targets are skipped.
  std::optional<nlohmann::ordered_json> translated;
  if (ep.translated_path) {
    bool responses = &ep == &kResponses;
    bool same = false, other = false;
    for (const auto& t : model->targets)
      if (auto it = catalog->providers.find(t.provider.value); it != catalog->providers.end() && it->second.enabled) {
        const auto& row = it->second;
        if (responses && row.type == "anthropic") continue;  // not yet: Responses reach OpenAI-type providers only
        bool speaks = responses ? row.serves_responses : (row.type == "anthropic") == (ep.dialect == Dialect::kAnthropic);
        (speaks ? same : other) = true;
      }
    if (other) {
      auto t = responses                      ? translate::responses_to_chat(*body, {.reasoning_model = model->reasoning})
               : ep.dialect == Dialect::kOpenAI ? translate::chat_to_messages(*body)
                                              : translate::messages_to_chat(*body, {.reasoning_model = model->reasoning});
      if (auto* bad = std::get_if<translate::Problem>(&t)) {
        if (!same) {
          auto r = dialect_error(ep.dialect, "field_not_translatable", bad->message, req, 0, false, bad->param);
          ex->finish(r.status, {}, "field_not_translatable", 0);
          return r;
        }
      } else {
        translated = std::move(std::get<translate::Json>(t));
      }
    }
  }

  // Limits: reserve before anything goes upstream.
  std::int64_t estimate = token_estimate(ep, fields, req.body.size());
  ex->admission = limits_.admit(*key, estimate, &ex->reservation);
  if (!ex->admission.ok) {
    bool quota = ex->admission.code == "insufficient_quota";
    auto r = err(ex->admission.code, ex->admission.message, quota ? 0 : ex->admission.retry_after_s, !quota);
    add_ratelimit_headers(r, ex->admission);
    ex->finish(r.status, {}, ex->admission.code, 0);  // nothing was reserved, so nothing is settled
    return r;
  }

  Prepared p;
  p.ex = std::move(ex);
  p.body = std::move(*body);
  p.model_name = model_name;
  p.catalog = std::move(catalog);
  p.model = model;
  p.stream = stream;
  p.headers = forwarded_headers(req, ep.dialect);
  p.only_provider = only_provider;
  if (translated) {
    p.translated = std::move(translated);
    p.translated_headers = forwarded_headers(req, ep.dialect == Dialect::kOpenAI ? Dialect::kAnthropic : Dialect::kOpenAI);
  }
  return p;
}

http::Response answer_from(Prepared& p, const http::Request& req, bool any_target, Attempt& last,
                           const std::string& last_error) {
  auto& ex = p.ex;
  const auto& ep = ex->ep;
  const auto& model_name = p.model_name;
  auto& rec = ex->record;
  auto err = [&](std::string_view code, std::string_view message, std::int64_t retry_after = 0, bool retry = true) {
    return dialect_error(ep.dialect, code, message, req, retry_after, retry);
  };
  if (!any_target) {
    auto r = err("no_upstream", "No enabled provider serves '" + model_name.substr(0, 100) + "' on this endpoint.", 5);
    ex->finish(r.status, {}, "no_upstream", 0);
    return r;
  }
  if (last.failure != Failure::kNone) {
    bool busy = last.failure == Failure::kBusy || last.failure == Failure::kOpen;
    const char* code = last.failure == Failure::kTimeout ? "upstream_timeout"
                       : last.failure == Failure::kOpen  ? "upstream_unavailable"
                       : last.failure == Failure::kBusy  ? "upstream_busy"
                       : last.failure == Failure::kTls   ? "upstream_tls_error"
                       : last.failure == Failure::kRefused ? "upstream_egress_refused"
                                                         : "upstream_unreachable";
    auto r = err(code,
                 last.failure == Failure::kRefused ? "Airlock's egress policy does not allow the provider's destination."
                                                   : "The upstream provider could not be reached.",
                 busy ? 1 : 0);
    ex->finish(r.status, {}, code, 0);
    return r;
  }
  if (last.status == 401 || last.status == 403) {
    // The vendor refused our vendor key: an operator problem, and its text may quote the key.
    auto refused = err("upstream_auth_error", "The upstream provider refused Airlock's credentials.");
    ex->finish(refused.status, {}, "upstream_auth_error", 0);
    return refused;
  }
  if (last.status == 429 || last.status >= 500) {
    http::Response failed;
    if (last.status == 429) {
      const auto& ra = last.retry_after;
      std::int64_t secs = 1;
      if (!ra.empty() && ra.size() < 6 && ra.find_first_not_of("0123456789") == std::string::npos) secs = std::max(1, std::stoi(ra));
      failed = err("upstream_rate_limited", "The upstream provider is rate limiting; try again later.", secs);
    } else {
      failed = err("upstream_error", "The upstream provider failed (HTTP " + std::to_string(last.status) + ").");
    }
    ex->finish(failed.status, {}, last_error, 0);
    return failed;
  }

  // The upstream's answer, as it sent it (in the caller's dialect when the provider spoke the other).
  http::Response r;
  r.status = last.status;
  r.content_type = last.content_type.empty() ? "application/json" : last.content_type;
  bool responses = &ep == &kResponses;
  Dialect spoken = !last.translated || responses ? ep.dialect
                   : ep.dialect == Dialect::kOpenAI ? Dialect::kAnthropic
                                                    : Dialect::kOpenAI;
  if (last.translated && (last.status < 200 || last.status >= 300)) {
    auto parsed = http::parse_json_strict(last.body);
    std::string message = parsed ? translate::error_message(*parsed) : "";
    if (message.empty()) message = "The upstream provider refused the request (HTTP " + std::to_string(last.status) + ").";
    last.body = ep.dialect == Dialect::kOpenAI ? translate::openai_error_body(last.status, message)
                                               : translate::anthropic_error_body(last.status, message);
    r.content_type = "application/json";
  }
  Usage usage;
  if (last.status >= 200 && last.status < 300) {
    std::string perr;
    auto parsed = http::parse_json_strict(last.body, &perr);
    // A broken upstream must not take us down either: a body too deep or too wide to read safely is
    // not passed on. Plain invalid JSON goes on as it came (the client sees what the vendor sent),
    // with the estimate standing in for the usage it did not report.
    if (!parsed && (perr == "json_too_deep" || perr == "json_too_many_members")) {
      auto unread = err("upstream_error", "The upstream provider sent an answer that could not be read.");
      ex->finish(unread.status, {}, "upstream_error", 0);
      return unread;
    }
    if (parsed) usage = usage_from_body(spoken, *parsed);
    if (parsed && ex->store_response && parsed->is_object())
      if (auto id = parsed->find("id"); id != parsed->end() && id->is_string())
        ex->gw.responses().remember({id->get<std::string>(), ex->key.id.value, rec.provider_id.value_or(0), rec.model, rec.upstream_model});
    if (&ep == &kResponseDelete) ex->gw.responses().forget(p.response_id);
    if (last.translated) {
      if (!parsed || !parsed->is_object()) {
        auto unread = err("upstream_error", "The upstream provider sent an answer that could not be read.");
        ex->finish(unread.status, usage, "upstream_error", 0);
        return unread;
      }
      *parsed = responses ? translate::completion_to_response(*parsed, response_echo(ex->gw, p))
                : ep.dialect == Dialect::kOpenAI ? translate::message_to_completion(*parsed, unix_ms(ex->gw.deps().clock) / 1000)
                                                 : translate::completion_to_message(*parsed);
      last.body = parsed->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      r.content_type = "application/json";
    }
    // Guardrails on the answer. Rewritten only when something was masked; an answer that is not
    // JSON is checked as plain text, so it cannot carry what a JSON one could not.
    if (ex->guard && !ex->guard->idle(guardrails::Direction::kResponse, ex->guard_key)) {
      guardrails::Tally tally;
      bool ok = parsed ? guard_response(ep.dialect, *parsed, *ex->guard, ex->guard_key, tally)
                       : ex->guard->apply(last.body, guardrails::Direction::kResponse, ex->guard_key, tally);
      ex->count(tally);
      if (!ok) {
        auto blocked = err("content_policy_violation",
                           "The answer was blocked by the guardrail policy: " + *tally.blocked_by + " detected.", 0, false);
        ex->finish(blocked.status, usage, "content_policy_violation", 0);
        return blocked;
      }
      if (parsed && tally.masked > 0) last.body = parsed->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
  std::int64_t bytes = static_cast<std::int64_t>(last.body.size());
  r.body = std::move(last.body);
  add_ratelimit_headers(r, ex->admission);
  if (ep.dialect == Dialect::kAnthropic) r.set_header("request-id", req.request_id);
  rec.ttft_us = std::chrono::duration_cast<std::chrono::microseconds>(ex->gw.deps().clock.steady_now() - ex->start).count();
  ex->finish(r.status, usage, r.status < 300 ? "" : "upstream_" + std::to_string(r.status), bytes);
  return r;
}

}  // namespace airlock::gateway
