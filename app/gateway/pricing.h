#pragma once
// Spend in money (issue 15, item 4; the first part: the arithmetic). A model's price is a list of
// versions, each effective from a moment on, so a price change never rewrites the cost of what was
// used before it: the cost of a usage record is computed with the version in force at its time.
//
// Prices are integer micro-dollars per million tokens (USD 2.50 / 1M tokens = 2'500'000), read
// from decimal USD without floating-point rounding surprises; a cost is integer micro-dollars,
// rounded up (a budget never undercounts), computed in 128 bits and saturated, so no count an
// upstream reports can wrap it.
//
// Token kinds are priced apart: fresh input, cache reads, cache writes (Anthropic's 5-minute and
// 1-hour), output, and reasoning (a part of output; at the output price unless it has its own).
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace airlock::gateway {

inline constexpr std::int64_t kMaxPricePerMillion = 1'000'000'000'000;  // USD 1,000,000 per 1M tokens

struct ModelPrice {
  std::int64_t effective_from = 0;  // Unix seconds
  std::int64_t input = 0;           // micro-dollars per 1M tokens
  std::int64_t cached_input = 0;
  std::int64_t cache_write_5m = 0;
  std::int64_t cache_write_1h = 0;
  std::int64_t output = 0;
  std::optional<std::int64_t> reasoning;  // unset: reasoning tokens cost what output does
};

// What one request used, by kind. `input` excludes cache reads and writes; `reasoning` is part of
// `output`.
struct TokenCounts {
  std::int64_t input = 0;
  std::int64_t cached_input = 0;
  std::int64_t cache_write_5m = 0;
  std::int64_t cache_write_1h = 0;
  std::int64_t output = 0;
  std::int64_t reasoning = 0;
};

// Micro-dollars, rounded up; saturates at INT64_MAX. Negative counts count as 0.
std::int64_t cost_micro_usd(const TokenCounts& tokens, const ModelPrice& price);

// "2.50", 2.5 or 3 (USD per 1M tokens, at most 6 decimals, 0 ≤ v ≤ 1,000,000) → micro-dollars.
std::optional<std::int64_t> usd_per_million(const nlohmann::json& v);

// Every model's price versions. at() is the version in force at `unix_s`: the latest whose
// effective_from is not after it (nullopt before the first, or for a model without a price).
class PriceBook {
 public:
  // False when the model already has a version effective at the same moment.
  bool add(const std::string& model, const ModelPrice& price);
  std::optional<ModelPrice> at(const std::string& model, std::int64_t unix_s) const;
  const std::map<std::string, std::vector<ModelPrice>>& all() const { return prices_; }

 private:
  std::map<std::string, std::vector<ModelPrice>> prices_;  // each sorted by effective_from
};

}  // namespace airlock::gateway
