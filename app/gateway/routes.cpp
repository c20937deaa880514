#include "gateway/service.h"

namespace airlock::gateway {
namespace {

http::Response openai_500(const http::Request& r) {
  return dialect_error(Dialect::kOpenAI, "internal_error", "Airlock failed to handle the request.", r);
}
http::Response anthropic_500(const http::Request& r) {
  return dialect_error(Dialect::kAnthropic, "internal_error", "Airlock failed to handle the request.", r);
}

// The /v1 surface's guard: the caller's key, in the endpoint's dialect and scope, before anything
// else; the handler takes the KeyCtx that proves it.
http::AsyncHandler keyed(Gateway& g, const Endpoint& ep) {
  return [&g, &ep](http::Request& r, std::shared_ptr<http::Responder> out) {
    // A blocked address is refused before its key is even looked at; a blocked key once it is known.
    if (auto no = g.waf_refusal(ep.dialect, r, nullptr)) return out->send(std::move(*no));
    auto caller = authorize_key(g.deps(), r, ep.dialect, ep.scope);
    if (auto* stop = std::get_if<http::Response>(&caller)) return out->send(std::move(*stop));
    if (auto no = g.waf_refusal(ep.dialect, r, &std::get<KeyCtx>(caller).key())) return out->send(std::move(*no));
    g.proxy(std::get<KeyCtx>(caller), ep, r, std::move(out));
  };
}

// A stored response by id: the key (scope responses) first, then whose it is.
http::AsyncHandler keyed_by_id(Gateway& g, const Endpoint& ep) {
  return [&g, &ep](http::Request& r, std::shared_ptr<http::Responder> out) {
    if (auto no = g.waf_refusal(ep.dialect, r, nullptr)) return out->send(std::move(*no));
    auto caller = authorize_key(g.deps(), r, ep.dialect, ep.scope);
    if (auto* stop = std::get_if<http::Response>(&caller)) return out->send(std::move(*stop));
    if (auto no = g.waf_refusal(ep.dialect, r, &std::get<KeyCtx>(caller).key())) return out->send(std::move(*no));
    g.response_by_id(std::get<KeyCtx>(caller), ep, r, std::move(out));
  };
}

http::Handler keyed(Gateway& g, http::Response (Gateway::*handler)(const KeyCtx&, http::Request&)) {
  return [&g, handler](http::Request& r) {
    auto caller = authorize_key(g.deps(), r, Dialect::kOpenAI, "models");
    if (auto* stop = std::get_if<http::Response>(&caller)) return std::move(*stop);
    return (g.*handler)(std::get<KeyCtx>(caller), r);
  };
}

}  // namespace

void add_gateway_routes(http::Router& router, Gateway& g) {
  using http::Access;
  // OpenAI-compatible.
  router.add({"POST", "/v1/chat/completions", Access::kGatewayKey, nullptr, keyed(g, kChat), openai_500});
  router.add({"POST", "/v1/completions", Access::kGatewayKey, nullptr, keyed(g, kCompletions), openai_500});
  router.add({"POST", "/v1/embeddings", Access::kGatewayKey, nullptr, keyed(g, kEmbeddings), openai_500});
  router.add({"POST", "/v1/responses", Access::kGatewayKey, nullptr, keyed(g, kResponses), openai_500});
  router.add({"POST", "/v1/responses/input_tokens", Access::kGatewayKey, nullptr, keyed(g, kResponseInputTokens), openai_500});
  router.add({"GET", "/v1/responses/{response_id}", Access::kGatewayKey, nullptr, keyed_by_id(g, kResponseGet), openai_500});
  router.add({"DELETE", "/v1/responses/{response_id}", Access::kGatewayKey, nullptr, keyed_by_id(g, kResponseDelete), openai_500});
  router.add({"POST", "/v1/responses/{response_id}/cancel", Access::kGatewayKey, nullptr, keyed_by_id(g, kResponseCancel), openai_500});
  router.add({"GET", "/v1/responses/{response_id}/input_items", Access::kGatewayKey, nullptr, keyed_by_id(g, kResponseInputItems),
              openai_500});
  router.add({"GET", "/v1/models", Access::kGatewayKey, keyed(g, &Gateway::list_models), {}, openai_500});
  router.add({"GET", "/v1/models/{model_id...}", Access::kGatewayKey, keyed(g, &Gateway::get_model), {}, openai_500});
  // Anthropic-compatible.
  router.add({"POST", "/v1/messages", Access::kGatewayKey, nullptr, keyed(g, kMessages), anthropic_500});
  router.add({"POST", "/v1/messages/count_tokens", Access::kGatewayKey, nullptr, keyed(g, kCountTokens), anthropic_500});
}

}  // namespace airlock::gateway
