#include "audit/denials.h"

#include <catch2/catch_test_macros.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/audit_query.h"
#include "core/log.h"
#include "store/database.h"
#include "support/temp_dir.h"
#include "support/identity_fixture.h"

using namespace airlock;
using namespace std::chrono_literals;
using audit::Denial;
using audit::DenialRecorder;

namespace {

struct Captured {
  std::vector<audit::Event> events;
  DenialRecorder::Sink sink() {
    return [this](audit::Event e, std::string) { events.push_back(std::move(e)); };
  }
  int count(const std::string& action) const {
    int n = 0;
    for (const auto& e : events) n += e.action == action;
    return n;
  }
};

Denial editor_denial(const std::string& id = "7") {
  return {.actor_kind = "user",
          .actor_id = id,
          .user = core::UserId{7},
          .actor_display = "ed@example.com",
          .method = "POST",
          .route = "/api/v1/users/{user_id}/role",
          .reason = "forbidden",
          .request_id = "req-1",
          .ip = "192.0.2.7",
          .user_agent = std::string(2000, 'u')};
}

}  // namespace

TEST_CASE("a denial is an authz.denied event with actor, route pattern and reason", "[audit][denials][V16.3.2]") {
  core::FakeClock clock;
  Captured c;
  DenialRecorder r(c.sink(), clock);
  r.record(editor_denial());
  REQUIRE(c.events.size() == 1);
  const auto& e = c.events[0];
  CHECK(e.action == "authz.denied");
  CHECK(e.outcome == "denied");
  CHECK(e.actor == "ed@example.com");
  CHECK(e.actor_user == core::UserId{7});
  CHECK(e.target == "/api/v1/users/{user_id}/role");
  CHECK(e.ip == "192.0.2.7");
  CHECK(e.request_id == "req-1");
  CHECK(e.user_agent.size() == 256);
  auto d = nlohmann::json::parse(e.details_json);
  CHECK(d["reason"] == "forbidden");
  CHECK(d["method"] == "POST");
  CHECK(d["route"] == "/api/v1/users/{user_id}/role");
  CHECK(d["actor_kind"] == "user");
  CHECK(d["actor_id"] == "7");
}

TEST_CASE("an unknown caller is recorded as anonymous, keyed by its IP", "[audit][denials][V16.3.3]") {
  core::FakeClock clock;
  Captured c;
  DenialRecorder r(c.sink(), clock);
  r.record({.actor_kind = "anonymous", .actor_id = "198.51.100.1", .method = "POST", .route = "/login",
            .reason = "csrf_failed", .ip = "198.51.100.1"});
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].actor == "anonymous");
  CHECK(!c.events[0].actor_user);
  CHECK(nlohmann::json::parse(c.events[0].details_json)["reason"] == "csrf_failed");
}

TEST_CASE("per actor, 10 denials are written in a window and the rest are counted", "[audit][denials][V16.3.2]") {
  core::FakeClock clock;
  Captured c;
  DenialRecorder r(c.sink(), clock);
  for (int i = 0; i < 30; ++i) {
    r.record(editor_denial());
    clock.advance(1s);  // 30 s in all: one window
  }
  CHECK(c.count("authz.denied") == 10);
  CHECK(c.count("authz.denied_suppressed") == 0);

  SECTION("the first denial after the window writes one summary with the exact count, then the denial") {
    clock.advance(30s);
    r.record(editor_denial());
    REQUIRE(c.events.size() == 12);
    CHECK(c.events[10].action == "authz.denied_suppressed");
    CHECK(c.events[10].actor == "ed@example.com");
    auto d = nlohmann::json::parse(c.events[10].details_json);
    CHECK(d["suppressed"] == 20);
    CHECK(d["window_seconds"] == 60);
    CHECK(c.events[11].action == "authz.denied");
    // A fresh window: 9 more are written, the 11th is counted again.
    for (int i = 0; i < 10; ++i) r.record(editor_denial());
    CHECK(c.count("authz.denied") == 20);
    CHECK(c.count("authz.denied_suppressed") == 1);
  }
  SECTION("another actor's denial after the window also brings the summary out (sweep)") {
    clock.advance(30s);
    r.record(editor_denial("8"));
    REQUIRE(c.events.size() == 12);
    CHECK(c.events[10].action == "authz.denied_suppressed");
    CHECK(nlohmann::json::parse(c.events[10].details_json)["suppressed"] == 20);
    CHECK(nlohmann::json::parse(c.events[11].details_json)["actor_id"] == "8");
  }
  SECTION("flush_all writes the summary of a window still open (shutdown)") {
    r.flush_all();
    REQUIRE(c.count("authz.denied_suppressed") == 1);
    CHECK(nlohmann::json::parse(c.events.back().details_json)["suppressed"] == 20);
    r.flush_all();
    CHECK(c.count("authz.denied_suppressed") == 1);
  }
}

TEST_CASE("the window ends at exactly 60 s", "[audit][denials][V16.3.2]") {
  core::FakeClock clock;
  Captured c;
  DenialRecorder r(c.sink(), clock);
  for (int i = 0; i < 11; ++i) r.record(editor_denial());
  CHECK(c.count("authz.denied") == 10);
  clock.advance(59999ms);
  r.record(editor_denial());
  CHECK(c.count("authz.denied") == 10);
  CHECK(c.count("authz.denied_suppressed") == 0);
  clock.advance(1ms);
  r.record(editor_denial());
  CHECK(c.count("authz.denied") == 11);
  REQUIRE(c.count("authz.denied_suppressed") == 1);
  CHECK(nlohmann::json::parse(c.events[10].details_json)["suppressed"] == 2);
}

TEST_CASE("actors are limited independently", "[audit][denials][V16.3.2]") {
  core::FakeClock clock;
  Captured c;
  DenialRecorder r(c.sink(), clock);
  for (int i = 0; i < 15; ++i) r.record(editor_denial("1"));
  for (int i = 0; i < 15; ++i) r.record(editor_denial("2"));
  auto key = editor_denial("1");
  key.actor_kind = "key";  // same id, other kind: another actor
  for (int i = 0; i < 15; ++i) r.record(key);
  CHECK(c.count("authz.denied") == 30);
}

TEST_CASE("tracked actors are bounded; the oldest is evicted with its summary", "[audit][denials][V16.3.2]") {
  core::FakeClock clock;
  Captured c;
  DenialRecorder r(c.sink(), clock, {.per_window = 2, .window = 60s, .max_actors = 100});
  for (int i = 0; i < 5; ++i) r.record(editor_denial("first"));
  clock.advance(1s);
  for (int i = 0; i < 99; ++i) r.record(editor_denial(std::to_string(i)));
  CHECK(r.tracked() == 100);
  CHECK(c.count("authz.denied_suppressed") == 0);
  r.record(editor_denial("one-too-many"));
  CHECK(r.tracked() == 100);
  REQUIRE(c.count("authz.denied_suppressed") == 1);
  CHECK(nlohmann::json::parse(c.events[c.events.size() - 2].details_json)["suppressed"] == 3);
  // The evicted actor starts fresh: its next denial is written again.
  auto before = c.count("authz.denied");
  r.record(editor_denial("first"));
  CHECK(c.count("authz.denied") == before + 1);
  CHECK(r.tracked() == 100);
  for (int i = 0; i < 20000; ++i) r.record(editor_denial("many-" + std::to_string(i)));
  CHECK(r.tracked() == 100);
}

TEST_CASE("the store sink appends the event without the caller waiting", "[audit][denials][V16.3.2]") {
  testing::IdentityFixture f;
  core::Logger log(f.clock, core::LogLevel::kError);
  DenialRecorder r(DenialRecorder::store_sink(*f.db, log, f.clock), f.clock);
  r.record(editor_denial());
  // An empty write job queued behind it: once it has committed, so has the event.
  REQUIRE(f.db->write([](store::Tx&) { return core::Status::ok(); }));
  std::vector<audit::Row> rows;
  REQUIRE(f.db->view([&](store::Tx& tx) {
    rows = audit::query(tx, {.action = "authz.denied"});
    return core::Status::ok();
  }));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].outcome == "denied");
  CHECK(rows[0].actor == "ed@example.com");
  CHECK(rows[0].target == "/api/v1/users/{user_id}/role");
}

TEST_CASE("while the writer is stuck, denials return at once and a full queue drops them with one warning",
          "[audit][denials][V16.3.3]") {
  testing::TempDir dir;
  std::string k = "x'" + std::string(64, 'b') + "'";
  store::DatabaseOptions options;
  options.writer.capacity = 3;
  auto db = store::Database::open(dir / "d.db", core::SecretBytes(reinterpret_cast<const std::uint8_t*>(k.data()), k.size()), options);
  REQUIRE(db);
  core::FakeClock clock;
  auto log_path = dir / "log";
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(log_fd >= 0);
  core::Logger log(clock, core::LogLevel::kWarn, log_fd);
  DenialRecorder r(DenialRecorder::store_sink(**db, log, clock), clock);

  // The writer thread takes this job and waits inside it until the test opens the gate.
  std::promise<void> gate;
  auto gate_open = gate.get_future().share();
  std::promise<void> taken;
  auto stuck = (*db)->writer().submit([&taken, gate_open](SQLite::Database&) {
    taken.set_value();
    gate_open.wait();
    return core::Status::ok();
  });
  taken.get_future().wait();

  // Had the sink waited for its commit, these calls would never return while the gate is shut:
  // run them aside so that a wait fails the check instead of hanging the suite.
  auto recorded = std::async(std::launch::async, [&] {
    for (int i = 0; i < 5; ++i) r.record(editor_denial("actor-" + std::to_string(i)));
  });
  bool returned = recorded.wait_for(30s) == std::future_status::ready;
  CHECK(returned);
  gate.set_value();
  recorded.wait();
  REQUIRE(stuck.get());
  REQUIRE((*db)->write([](store::Tx&) { return core::Status::ok(); }));

  // Three fitted in the queue; two were dropped, and said so once.
  std::size_t stored = 0;
  REQUIRE((*db)->view([&](store::Tx& tx) {
    stored = audit::query(tx, {.action = "authz.denied"}).size();
    return core::Status::ok();
  }));
  CHECK(stored == 3);
  ::close(log_fd);
  std::ifstream in(log_path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t warnings = 0;
  for (auto at = text.find("denial events dropped"); at != std::string::npos; at = text.find("denial events dropped", at + 1))
    ++warnings;
  CHECK(warnings == 1);
  CHECK(text.find("\"dropped_total\":1") != std::string::npos);
}

TEST_CASE("callers known only by address are keyed by it, IPv6 by its /64", "[audit][denials][V16.3.2]") {
  CHECK(audit::anonymous_actor_key("192.0.2.7") == "192.0.2.7");
  CHECK(audit::anonymous_actor_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64");
  CHECK(audit::anonymous_actor_key("2001:db8:1:2:ffff:ffff:ffff:ffff") == "2001:db8:1:2::/64");
  CHECK(audit::anonymous_actor_key("2001:db8:1:3::1") == "2001:db8:1:3::/64");
  CHECK(audit::anonymous_actor_key("::ffff:192.0.2.7") == "192.0.2.7");  // a v4 client on a v6 socket
  CHECK(audit::anonymous_actor_key("not an address") == "not an address");
  // One /64 shares one budget: rotating through it writes no more than one address would.
  core::FakeClock clock;
  Captured c;
  DenialRecorder r(c.sink(), clock);
  for (int i = 0; i < 50; ++i) {
    Denial d = editor_denial();
    d.actor_kind = "anonymous";
    d.actor_id = audit::anonymous_actor_key("2001:db8:1:2::" + std::to_string(i + 1));
    r.record(d);
  }
  CHECK(c.count("authz.denied") == 10);
}

TEST_CASE("over all actors at most all_per_window events a window; the overflow is one summary",
          "[audit][denials][V16.3.2]") {
  core::FakeClock clock;
  Captured c;
  DenialRecorder r(c.sink(), clock, {.per_window = 10, .window = 60s, .max_actors = 10000, .all_per_window = 25});
  for (int i = 0; i < 40; ++i) r.record(editor_denial(std::to_string(i)));  // 40 actors, one each
  CHECK(c.count("authz.denied") == 25);
  CHECK(c.count("authz.denied_suppressed") == 0);
  clock.advance(60s);
  r.record(editor_denial("x"));
  CHECK(c.count("authz.denied") == 26);
  REQUIRE(c.count("authz.denied_suppressed") == 1);
  const audit::Event* many = nullptr;
  for (const auto& e : c.events)
    if (e.action == "authz.denied_suppressed") many = &e;
  CHECK(many->actor == "(many)");
  CHECK(nlohmann::json::parse(many->details_json)["suppressed"] == 15);
  // Shutdown writes an open window's overflow too.
  for (int i = 0; i < 30; ++i) r.record(editor_denial("y" + std::to_string(i)));
  r.flush_all();
  CHECK(c.count("authz.denied_suppressed") == 2);
}
