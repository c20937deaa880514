#include "gateway/guardrails_cache.h"

#include "store/settings_repo.h"

namespace airlock::gateway {

GuardrailsCache::GuardrailsCache(store::Database& db, core::Logger& log) : db_(db), log_(log) {
  current_ = std::get<std::shared_ptr<const guardrails::Engine>>(guardrails::Engine::build({}));
}

std::shared_ptr<const guardrails::Engine> GuardrailsCache::get() {
  auto version = db_.changes().get(store::Family::kSettings);  // before the query: see change_counters.h
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (version_ == version || loading_) return current_;
    loading_ = true;
  }
  std::optional<std::string> text;
  auto s = db_.view([&](store::Tx& tx) {
    text = store::settings::get(tx, kGuardrailsSetting);
    return core::Status::ok();
  });
  std::shared_ptr<const guardrails::Engine> next;
  if (s && !text) {
    next = std::get<std::shared_ptr<const guardrails::Engine>>(guardrails::Engine::build({}));
  } else if (s) {
    auto j = nlohmann::json::parse(*text, nullptr, false);
    auto policy = guardrails::read_policy(j);
    if (auto* p = std::get_if<guardrails::Policy>(&policy)) {
      auto built = guardrails::Engine::build(std::move(*p));
      if (auto* e = std::get_if<std::shared_ptr<const guardrails::Engine>>(&built)) next = std::move(*e);
    }
    if (!next) log_.warn("guardrails_policy_unreadable", {{"detail", "the stored policy does not compile; the previous one stays"}});
  }
  std::lock_guard<std::mutex> lock(mu_);
  loading_ = false;
  if (next) current_ = std::move(next);
  if (s) version_ = version;
  return current_;
}

}  // namespace airlock::gateway
