#pragma once
// The gateway surface (/v1/…): what the official OpenAI and Anthropic SDKs call. A request goes
//   key auth → scope → strict JSON parse → model lookup and allow-list → limits (reserve) →
//   upstream with fallback (stream relayed event by event) → settle → usage record (queued).
// Every refusal is an error in the caller's dialect. The client's key never goes upstream; the
// vendor key never comes back.
#include <array>
#include <functional>
#include <optional>
#include <atomic>
#include <memory>
#include <string>
#include <variant>

#include "core/log.h"
#include "gateway/deps.h"
#include "gateway/catalog_cache.h"
#include "gateway/dialect.h"
#include "gateway/endpoint.h"
#include "gateway/guardrails_cache.h"
#include "gateway/key_auth.h"
#include "gateway/limits.h"
#include "gateway/response_ids.h"
#include "gateway/upstream.h"
#include "gateway/waf.h"
#include "gateway/usage.h"
#include "http/message.h"
#include "http/responder.h"
#include "http/router.h"

namespace airlock::gateway {

struct Prepared;  // exchange.h

class Gateway {
 public:
  Gateway(Deps& deps, core::Logger& log, UsageRecorder& usage, std::string system_ca_file);

  // The request path, on the event loop: admission, then the upstream exchange (proxy_call.cpp).
  void proxy(const KeyCtx& caller, const Endpoint& ep, http::Request& req, std::shared_ptr<http::Responder> out);
  // Admission alone: the body, the model, the limits. A Response is a refusal.
  std::variant<Prepared, http::Response> prepare(const KeyCtx& caller, const Endpoint& ep, http::Request& req);
  // GET/DELETE /v1/responses/{id}, POST …/cancel, GET …/input_items: to the provider holding the
  // response, for the key that created it only (another key gets 404, as for an unknown id).
  void response_by_id(const KeyCtx& caller, const Endpoint& ep, http::Request& req, std::shared_ptr<http::Responder> out);
  http::Response list_models(const KeyCtx& caller, http::Request& req);
  http::Response get_model(const KeyCtx& caller, http::Request& req);

  Deps& deps() { return deps_; }
  Upstreams& upstreams() { return upstreams_; }
  const egress::Policy& egress_policy() const { return deps_.egress ? *deps_.egress : egress::default_policy(); }
  KeyLimits& limits() { return limits_; }
  UsageRecorder& usage() { return usage_; }
  core::Logger& log() { return log_; }
  GuardrailsCache& guardrails() { return guardrails_; }
  // Guardrail detections since start, by [detector (custom rules last)][action], for /metrics.
  using GuardCounts = std::array<std::array<std::atomic<std::uint64_t>, 4>, guardrails::kBuiltinCount + 1>;
  GuardCounts& guard_counts() { return guard_counts_; }
  Waf& waf() { return waf_; }
  ResponseIds& responses() { return responses_; }
  // A refused request the client could have avoided: counted by the WAF for the key (when known)
  // and the address; a block it starts is audited ("waf.block") and logged, once.
  void note_violation(const store::GatewayKeyRow* key, const http::Request& req, std::string_view why);
  // 429 in the dialect when the caller's address (or, with `key`, the key) is blocked by the WAF.
  std::optional<http::Response> waf_refusal(Dialect d, const http::Request& req, const store::GatewayKeyRow* key);

 private:
  Deps& deps_;
  core::Logger& log_;
  UsageRecorder& usage_;
  Upstreams upstreams_;
  KeyLimits limits_;
  CatalogCache catalog_;
  GuardrailsCache guardrails_;
  GuardCounts guard_counts_{};
  Waf waf_;
  ResponseIds responses_;
  std::function<void(audit::Event, std::string)> audit_;  // off the loop: the writer queue, no wait
};

// Registers /v1/… on `router` (access level kGatewayKey: the handlers authenticate the key).
void add_gateway_routes(http::Router& router, Gateway& gateway);

}  // namespace airlock::gateway
