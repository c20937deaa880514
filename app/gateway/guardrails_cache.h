#pragma once
// The organisation's guardrail policy as the request path reads it: settings 'guardrails' (JSON,
// guardrails/policy.h), compiled once into an Engine and reloaded only after a commit touched the
// settings table (store/change_counters.h). Nothing stored means the default: monitor both ways.
// A stored policy that no longer compiles (it was checked when saved, so only a damaged or
// hand-edited database) keeps the previous engine and is logged, never a request failure.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

#include "core/log.h"
#include "guardrails/engine.h"
#include "store/database.h"

namespace airlock::gateway {

inline constexpr std::string_view kGuardrailsSetting = "guardrails";
// "true" while the provisioning file holds the policy: the console and the API show it read-only.
inline constexpr std::string_view kGuardrailsProvisionedSetting = "guardrails_provisioned";

class GuardrailsCache {
 public:
  GuardrailsCache(store::Database& db, core::Logger& log);
  std::shared_ptr<const guardrails::Engine> get();  // never null

 private:
  store::Database& db_;
  core::Logger& log_;
  std::mutex mu_;
  std::shared_ptr<const guardrails::Engine> current_;
  std::uint64_t version_ = ~std::uint64_t{0};
  bool loading_ = false;
};

}  // namespace airlock::gateway
