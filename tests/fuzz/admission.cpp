// libFuzzer target: the gateway's request preparation as Gateway::prepare runs it, with a fake key
// and clock: the strict body reader, read_request_fields, the key's token cap, the stream-usage
// request and the token estimate (gateway/request_plan.h), then KeyLimits admitting and settling
// the same request several times against the key's budgets. Before it goes upstream the body is
// masked by every built-in guardrail detector (gateway/guard_request.h), as a masking policy would.
// Input: byte 0 bits 0-1 the endpoint (chat, completions, embeddings, messages; "completions" is
// the Responses API when the body has no "prompt"), bit 2 "the store cannot say what the key used this month"
// on the first ask, bits 3-7 which limits the key has (rpm, tpm, monthly requests, monthly
// tokens, max_tokens cap); bytes 1-10 those limits (16-bit little-endian; as the store holds them,
// 1..10^12: 0 reads as 1 and 0xFFFF as 10^12);
// byte 11 bits 0-2 the rounds (1..8), bits 3-7 the seconds between rounds; byte 12 which rounds
// settle at once (the rest stay in flight until the end); byte 13 which settle at their full
// estimate (the rest at a third); bytes 14-16 what the key used this month before (tokens,
// requests). The rest is the body.
// Properties: refusals are 400s (by the error catalogue) with a known code naming the field; every value read is in range;
// the cap holds; the body that would go upstream still reads back as the same request; the
// estimate is never negative; and however requests interleave, what the key has spent never passes
// its monthly budgets (every settle here is at most its estimate).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "gateway/guard_request.h"
#include "gateway/limits.h"
#include "gateway/request_plan.h"
#include "http/error_catalogue.h"
#include "http/json_read.h"

using namespace airlock;
using namespace airlock::gateway;

namespace {

constexpr std::array<const Endpoint*, 4> kEndpoints = {&kChat, &kCompletions, &kEmbeddings, &kMessages};
constexpr std::size_t kHeader = 17;

std::int64_t u16(const std::uint8_t* p) {
  const std::int64_t v = p[0] | (p[1] << 8);
  return v == 0 ? 1 : v == 0xFFFF ? 1'000'000'000'000 : v;
}

void check_fields(const RequestFields& f) {
  FUZZ_CHECK(!f.model.empty() && f.model.size() <= 200);
  FUZZ_CHECK(f.choices >= 1 && f.choices <= kMaxChoices);
  for (auto v : {f.max_tokens, f.max_completion_tokens, f.max_output_tokens}) FUZZ_CHECK(!v || (*v >= 1 && *v <= kMaxTokensLimit));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kHeader) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + kHeader), size - kHeader);
  const Endpoint& ep = (data[0] & 3) == 1 && text.find("\"prompt\"") == std::string_view::npos ? kResponses : *kEndpoints[data[0] & 3];

  store::GatewayKeyRow key;
  key.id = core::KeyId(1);
  auto& l = key.limits;
  std::optional<std::int64_t>* slots[] = {&l.rpm, &l.tpm, &l.monthly_requests, &l.monthly_tokens, &l.max_tokens_cap};
  for (int i = 0; i < 5; ++i)
    if (data[0] & (8 << i)) *slots[i] = u16(data + 1 + 2 * i);

  // Admission as Gateway::prepare does it.
  auto body = http::parse_json_strict_ordered(text);
  if (!body || !body->is_object()) return 0;
  auto read = read_request_fields(ep, *body);
  if (auto* bad = std::get_if<FieldProblem>(&read)) {
    FUZZ_CHECK(http::status_for_code(bad->code) == 400 && !bad->param.empty() && !bad->message.empty());
    FUZZ_CHECK(bad->code == "invalid_request" || bad->code == "model_required");
    return 0;
  }
  auto& fields = std::get<RequestFields>(read);
  check_fields(fields);
  if (auto bad = hold_to_key_cap(ep, l, fields, *body)) {
    FUZZ_CHECK(bad->code == "max_tokens_too_large" && l.max_tokens_cap);
    auto asked = bad->param == "max_tokens"              ? fields.max_tokens
                 : bad->param == "max_completion_tokens" ? fields.max_completion_tokens
                                                         : fields.max_output_tokens;
    FUZZ_CHECK(asked && *asked > *l.max_tokens_cap);
    return 0;
  }
  if (l.max_tokens_cap) FUZZ_CHECK(fields.generation_cap() && *fields.generation_cap() <= *l.max_tokens_cap);
  const bool strip = ask_for_stream_usage(ep, fields, *body);
  if (strip) FUZZ_CHECK(fields.stream && (*body)["stream_options"]["include_usage"] == true);
  const std::int64_t estimate = token_estimate(ep, fields, text.size());
  FUZZ_CHECK(estimate >= static_cast<std::int64_t>(text.size() / 4));

  // Guardrails mask in place; a masking policy never refuses, and the masked text stays UTF-8
  // (the dump below throws on anything else).
  static const auto engine = [] {
    guardrails::Policy p;
    p.requests.base = guardrails::Action::kMask;
    return std::get<std::shared_ptr<const guardrails::Engine>>(guardrails::Engine::build(p));
  }();
  guardrails::Tally tally;
  FUZZ_CHECK(guard_request(ep, *body, *engine, {}, tally));
  FUZZ_CHECK(!tally.blocked_by && tally.masked == tally.total());

  // What goes upstream is what was checked: it reads back as the same request.
  auto sent = http::parse_json_strict_ordered(body->dump());
  FUZZ_CHECK(sent);
  auto again = read_request_fields(ep, *sent);
  auto* same = std::get_if<RequestFields>(&again);
  FUZZ_CHECK(same && same->model == fields.model && same->generation_cap() == fields.generation_cap() &&
             same->choices == fields.choices && same->stream == fields.stream);
  if (strip) FUZZ_CHECK(same->include_usage);

  // The same request, several times, against the key's limits.
  const MonthUsage before{data[16], data[14] | (data[15] << 8)};
  bool fail_first = data[0] & 4;
  core::FakeClock clock;
  KeyLimits limits(clock, [&](std::int64_t, std::int64_t) -> std::optional<MonthUsage> {
    if (fail_first) {
      fail_first = false;
      return std::nullopt;
    }
    return before;
  });
  const int rounds = 1 + (data[11] & 7);
  const std::int64_t step = data[11] >> 3;
  std::vector<std::pair<Reservation, std::int64_t>> in_flight;
  std::int64_t spent = before.tokens, requests = before.requests, admitted = 0;
  for (int i = 0; i < rounds; ++i) {
    Reservation r;
    auto a = limits.admit(key, estimate, &r);
    if (!a.ok) {
      FUZZ_CHECK(!r.active);
      FUZZ_CHECK(a.code == "rate_limit_exceeded" || a.code == "insufficient_quota" || a.code == "unavailable");
      FUZZ_CHECK(a.retry_after_s >= 0 && a.retry_after_s <= 60);
      if (a.code == "unavailable") FUZZ_CHECK(l.monthly_requests || l.monthly_tokens);
    } else {
      FUZZ_CHECK(r.active && r.estimate == estimate);
      ++admitted;
      FUZZ_CHECK(a.remaining_requests >= -1 && a.remaining_tokens >= -1);
      const std::int64_t actual = (data[13] >> i) & 1 ? estimate : estimate / 3;
      in_flight.emplace_back(r, actual);
      if ((data[12] >> i) & 1) {
        limits.settle(in_flight.back().first, actual);
        FUZZ_CHECK(!in_flight.back().first.active);
        spent = core::sat_add(spent, actual);
        in_flight.pop_back();
      }
    }
    clock.advance(std::chrono::seconds(step));
  }
  for (auto& [r, actual] : in_flight) {
    limits.settle(r, actual);
    limits.settle(r, actual);  // a second settle is a no-op
    spent = core::sat_add(spent, actual);
  }
  // Budgets: nothing beyond them was admitted (the store's figure counts as spent already).
  if (l.monthly_tokens && before.tokens <= *l.monthly_tokens && admitted > 0) FUZZ_CHECK(spent <= *l.monthly_tokens);
  if (l.monthly_requests) FUZZ_CHECK(admitted == 0 || requests + admitted <= std::max(*l.monthly_requests, requests));
  if (l.rpm && step == 0) FUZZ_CHECK(admitted <= std::max<std::int64_t>(*l.rpm, 0));
  return 0;
}
