#include "gateway/service.h"

namespace airlock::gateway {
namespace {

constexpr Endpoint kChat{"chat.completions", "chat", Dialect::kOpenAI, "/chat/completions", true};
constexpr Endpoint kCompletions{"completions", "completions", Dialect::kOpenAI, "/completions", true};
constexpr Endpoint kEmbeddings{"embeddings", "embeddings", Dialect::kOpenAI, "/embeddings", false};
// Anthropic base URLs are the host (https://api.anthropic.com), as in Anthropic's SDKs.
constexpr Endpoint kMessages{"messages", "chat", Dialect::kAnthropic, "/v1/messages", true};

http::Response openai_500(const http::Request& r) {
  return dialect_error(Dialect::kOpenAI, 500, "internal_error", "Airlock failed to handle the request.", r);
}
http::Response anthropic_500(const http::Request& r) {
  return dialect_error(Dialect::kAnthropic, 500, "internal_error", "Airlock failed to handle the request.", r);
}

}  // namespace

void add_gateway_routes(http::Router& router, Gateway& g) {
  using http::Access;
  // OpenAI-compatible.
  router.add({"POST", "/v1/chat/completions", Access::kGatewayKey, nullptr,
              [&g](http::Request& r, std::shared_ptr<http::Responder> out) { g.proxy(kChat, r, std::move(out)); }, openai_500});
  router.add({"POST", "/v1/completions", Access::kGatewayKey, nullptr,
              [&g](http::Request& r, std::shared_ptr<http::Responder> out) { g.proxy(kCompletions, r, std::move(out)); }, openai_500});
  router.add({"POST", "/v1/embeddings", Access::kGatewayKey, nullptr,
              [&g](http::Request& r, std::shared_ptr<http::Responder> out) { g.proxy(kEmbeddings, r, std::move(out)); }, openai_500});
  router.add({"GET", "/v1/models", Access::kGatewayKey, [&g](http::Request& r) { return g.list_models(r); }, {}, openai_500});
  router.add({"GET", "/v1/models/{model_id...}", Access::kGatewayKey, [&g](http::Request& r) { return g.get_model(r); }, {}, openai_500});
  // Anthropic-compatible.
  router.add({"POST", "/v1/messages", Access::kGatewayKey, nullptr,
              [&g](http::Request& r, std::shared_ptr<http::Responder> out) { g.proxy(kMessages, r, std::move(out)); }, anthropic_500});
}

}  // namespace airlock::gateway
