#include "gateway/pricing.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace airlock::gateway {
namespace {

// 128 bits for the sum of products (GCC and clang; __extension__ keeps -Wpedantic quiet about it).
__extension__ typedef unsigned __int128 u128;

}  // namespace

std::int64_t cost_micro_usd(const TokenCounts& t, const ModelPrice& p) {
  auto n = [](std::int64_t v) { return static_cast<u128>(std::max<std::int64_t>(v, 0)); };
  auto price = [](std::int64_t v) { return static_cast<u128>(std::clamp<std::int64_t>(v, 0, kMaxPricePerMillion)); };
  std::int64_t reasoning = std::min(std::max<std::int64_t>(t.reasoning, 0), std::max<std::int64_t>(t.output, 0));
  u128 total = n(t.input) * price(p.input) + n(t.cached_input) * price(p.cached_input) +
                            n(t.cache_write_5m) * price(p.cache_write_5m) + n(t.cache_write_1h) * price(p.cache_write_1h) +
                            n(t.output - reasoning) * price(p.output) + n(reasoning) * price(p.reasoning.value_or(p.output));
  // Price per million tokens: divide, rounding up. Every term is below 2^31 × 10^12 × 6 < 2^83.
  u128 micro = (total + 999'999) / 1'000'000;
  constexpr auto kMax = static_cast<u128>(std::numeric_limits<std::int64_t>::max());
  return micro > kMax ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(micro);
}

std::optional<std::int64_t> usd_per_million(const nlohmann::json& v) {
  std::string text;
  if (v.is_number_unsigned() || v.is_number_integer()) {
    if (v.is_number_integer() && v.get<std::int64_t>() < 0) return std::nullopt;
    text = v.dump();
  } else if (v.is_number_float()) {
    // 2.5 or 0.075 as JSON numbers: whole micro-dollars once scaled, or it had more than 6 decimals.
    double d = v.get<double>();
    if (!(d >= 0) || d > static_cast<double>(kMaxPricePerMillion) / 1e6) return std::nullopt;
    double scaled = d * 1e6;
    double rounded = std::round(scaled);
    if (std::abs(scaled - rounded) > 1e-6 * std::max(1.0, scaled)) return std::nullopt;
    return static_cast<std::int64_t>(rounded);
  } else if (v.is_string()) {
    text = v.get<std::string>();
  } else {
    return std::nullopt;
  }
  if (text.empty() || text.size() > 24) return std::nullopt;
  std::size_t dot = text.find('.');
  std::string whole = text.substr(0, dot), frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  auto digits = [](const std::string& s) { return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }); };
  if (whole.empty() || !digits(whole) || !digits(frac) || frac.size() > 6 || whole.size() > 7) return std::nullopt;
  if (dot != std::string::npos && frac.empty()) return std::nullopt;
  frac.resize(6, '0');
  std::int64_t micro = std::stoll(whole) * 1'000'000 + std::stoll(frac);
  if (micro > kMaxPricePerMillion) return std::nullopt;
  return micro;
}

bool PriceBook::add(const std::string& model, const ModelPrice& price) {
  auto& versions = prices_[model];
  auto at = std::lower_bound(versions.begin(), versions.end(), price.effective_from,
                             [](const ModelPrice& p, std::int64_t t) { return p.effective_from < t; });
  if (at != versions.end() && at->effective_from == price.effective_from) return false;
  versions.insert(at, price);
  return true;
}

std::optional<ModelPrice> PriceBook::at(const std::string& model, std::int64_t unix_s) const {
  auto it = prices_.find(model);
  if (it == prices_.end()) return std::nullopt;
  const auto& versions = it->second;
  auto after = std::upper_bound(versions.begin(), versions.end(), unix_s,
                                [](std::int64_t t, const ModelPrice& p) { return t < p.effective_from; });
  if (after == versions.begin()) return std::nullopt;
  return *(after - 1);
}

}  // namespace airlock::gateway
