// libFuzzer target: the management API's JSON bodies (http/json_body.h): JsonBody::read and the
// typed getters every /api/v1 handler takes its fields with, then refusal(). The first input byte
// is a control byte: bits 0-1 pick the Content-Type, bits 2-3 the string limit, bits 4-5 the
// integer range (negative ranges included), bit 6 whether "name" is also marked missing. The rest
// is the body.
// Properties: read() answers 415 or 400 with a code of its own, or a body; each getter returns only
// what its limits allow and exactly what was sent; refusal() is empty exactly when every field was
// asked for and well-typed, and otherwise a 422 whose "fields" names each bad one; every answer is
// JSON that reads back.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <set>
#include <string>

#include "fuzz_check.h"
#include "http/json_body.h"

using airlock::http::JsonBody;
using airlock::http::Request;
using airlock::http::Response;

namespace {

constexpr const char* kTypes[] = {"application/json", "application/json; charset=utf-8", "Application/JSON  ",
                                  "text/plain"};
constexpr std::size_t kStringLimits[] = {0, 1, 8, 1024};
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kRanges[][2] = {{1, 100}, {0, kMax}, {kMin, -1}, {kMin, kMax}};

nlohmann::json answer_json(const Response& r) {
  auto j = airlock::http::parse_json_strict(r.body);
  FUZZ_CHECK(j && j->is_object() && j->contains("error"));
  return *j;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [ctrl, body] = airlock::fuzz::take_control_byte(data, size);
  Request req;
  req.method = "POST";
  req.path = "/api/v1/things";
  req.request_id = "req_fuzz";
  req.headers.emplace_back("Content-Type", kTypes[ctrl & 3]);
  req.body = body;

  auto read = JsonBody::read(req);
  if (auto* r = std::get_if<Response>(&read)) {
    FUZZ_CHECK(r->status == 415 || r->status == 400);
    FUZZ_CHECK((r->status == 415) == (std::string_view(kTypes[ctrl & 3]) == "text/plain" && !body.empty()));
    answer_json(*r);
    return 0;
  }
  JsonBody& b = std::get<JsonBody>(read);
  const nlohmann::json sent = b.raw();  // a copy: the getters must not change what was read
  FUZZ_CHECK(sent.is_object());

  const std::size_t max_bytes = kStringLimits[(ctrl >> 2) & 3];
  const auto [lo, hi] = kRanges[(ctrl >> 4) & 3];
  std::set<std::string> bad;  // what refusal() must name

  if (auto s = b.string("name", max_bytes)) {
    FUZZ_CHECK(s->size() <= max_bytes && sent["name"] == *s);
  } else if (sent.contains("name")) {
    bad.insert("name");
  }
  if (auto on = b.boolean("enabled")) {
    FUZZ_CHECK(sent["enabled"] == *on);
  } else if (sent.contains("enabled")) {
    bad.insert("enabled");
  }
  if (auto n = b.integer("limit", lo, hi)) {
    FUZZ_CHECK(*n >= lo && *n <= hi);
    FUZZ_CHECK(sent["limit"].is_number_integer());
    if (sent["limit"].is_number_unsigned()) {
      FUZZ_CHECK(sent["limit"].get<std::uint64_t>() == static_cast<std::uint64_t>(*n));
    } else {
      FUZZ_CHECK(sent["limit"].get<std::int64_t>() == *n);
    }
  } else if (sent.contains("limit")) {
    bad.insert("limit");
  }
  if (auto list = b.string_list("models", 3, max_bytes)) {
    FUZZ_CHECK(list->size() <= 3 && sent["models"].size() == list->size());
    for (std::size_t i = 0; i < list->size(); ++i)
      FUZZ_CHECK((*list)[i].size() <= max_bytes && sent["models"][i] == (*list)[i]);
  } else if (sent.contains("models")) {
    bad.insert("models");
  }
  if (ctrl & 0x40) {
    b.missing("name");
    bad.insert("name");
  }
  for (auto it = sent.begin(); it != sent.end(); ++it)
    if (it.key() != "name" && it.key() != "enabled" && it.key() != "limit" && it.key() != "models") bad.insert(it.key());

  FUZZ_CHECK(b.raw() == sent);
  auto refused = b.refusal(req);
  FUZZ_CHECK(refused.has_value() == !bad.empty());
  if (refused) {
    FUZZ_CHECK(refused->status == 422);
    auto j = answer_json(*refused);
    const auto& fields = j["error"]["fields"];
    FUZZ_CHECK(fields.is_object() && fields.size() == bad.size());
    for (const auto& k : bad) FUZZ_CHECK(fields.contains(k));
  }
  return 0;
}
