#include "audit/denials.h"

#include "core/cidr.h"

#include <SQLiteCpp/Database.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <atomic>
#include <cstring>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "store/database.h"

namespace airlock::audit {
namespace {

constexpr std::size_t kMaxUserAgent = 256;

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

Event denial_event(const Denial& d) {
  Event e;
  e.action = "authz.denied";
  e.outcome = "denied";
  e.actor_user = d.user;
  if (!d.actor_display.empty()) e.actor = d.actor_display;
  else if (d.actor_kind != "anonymous") e.actor = d.actor_kind + ":" + d.actor_id;
  e.target = d.route;
  e.ip = d.ip;
  e.user_agent = d.user_agent.substr(0, kMaxUserAgent);
  e.request_id = d.request_id;
  e.details_json = dump({{"reason", d.reason},
                         {"method", d.method},
                         {"route", d.route},
                         {"actor_kind", d.actor_kind},
                         {"actor_id", d.actor_id}});
  return e;
}

}  // namespace

std::string anonymous_actor_key(const std::string& ip) { return core::client_network_key(ip); }

DenialRecorder::DenialRecorder(Sink sink, const core::Clock& clock, Options options)
    : sink_(std::move(sink)), clock_(clock), options_(options) {}

void DenialRecorder::close_all_window(Pending& out) {
  if (all_suppressed_ > 0) {
    Event s;
    s.action = "authz.denied_suppressed";
    s.outcome = "denied";
    s.actor = "(many)";
    s.details_json =
        dump({{"suppressed", all_suppressed_}, {"window_seconds", options_.window.count()}, {"limit", "all actors"}});
    out.push_back(std::move(s));
  }
  all_written_ = 0;
  all_suppressed_ = 0;
}

void DenialRecorder::summarise(Actor& a, Pending& out) const {
  if (a.suppressed == 0) return;
  Event s = a.last;
  s.action = "authz.denied_suppressed";
  s.request_id.clear();  // it stands for many requests
  s.details_json = dump({{"suppressed", a.suppressed}, {"window_seconds", options_.window.count()}});
  out.push_back(std::move(s));
  a.suppressed = 0;
}

// order_ is sorted by window start (new windows go to the back), so the ended windows are a prefix
// and a sweep costs only what it removes.
void DenialRecorder::sweep(std::chrono::steady_clock::time_point now, Pending& out) {
  while (!order_.empty()) {
    auto it = actors_.find(order_.front());
    if (now - it->second.window_start < options_.window) break;
    summarise(it->second, out);
    actors_.erase(it);
    order_.pop_front();
  }
}

bool DenialRecorder::count(const std::string& key, const Event& e, std::chrono::steady_clock::time_point now,
                           Pending& out) {
  sweep(now, out);
  if (now - all_window_start_ >= options_.window) {
    close_all_window(out);
    all_window_start_ = now;
  }
  // Past the overall budget nothing is tracked per actor, so no per-actor summaries pile up either.
  if (all_written_ >= options_.all_per_window) {
    ++all_suppressed_;
    return false;
  }
  auto it = actors_.find(key);
  if (it == actors_.end()) {
    if (actors_.size() >= options_.max_actors) {
      auto oldest = actors_.find(order_.front());
      summarise(oldest->second, out);
      actors_.erase(oldest);
      order_.pop_front();
    }
    order_.push_back(key);
    it = actors_.emplace(key, Actor{now, 0, 0, {}}).first;
  }
  auto& a = it->second;
  a.last = e;
  if (a.written < options_.per_window) {
    ++a.written;
    ++all_written_;
    return true;
  }
  ++a.suppressed;
  return false;
}

void DenialRecorder::record(const Denial& d) {
  auto now = clock_.steady_now();
  auto e = denial_event(d);
  Pending out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (count(d.actor_kind + ":" + d.actor_id, e, now, out)) out.push_back(std::move(e));
  }
  emit(out);
}

bool DenialRecorder::admit(const std::string& actor_key, const Event& who) {
  auto now = clock_.steady_now();
  Pending out;
  bool ok = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ok = count(actor_key, who, now, out);
  }
  emit(out);
  return ok;
}

void DenialRecorder::flush_all() {
  Pending out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& entry : actors_) summarise(entry.second, out);
    close_all_window(out);
  }
  emit(out);
}

std::size_t DenialRecorder::tracked() const {
  std::lock_guard<std::mutex> lock(mu_);
  return actors_.size();
}

void DenialRecorder::emit(Pending& out) {
  if (out.empty()) return;
  auto at = core::format_time_utc(clock_.system_now());
  for (auto& e : out) sink_(std::move(e), at);
}

DenialRecorder::Sink DenialRecorder::store_sink(store::Database& db, core::Logger& log, const core::Clock& clock) {
  // "Never" rather than 0: a steady clock may start near 0 (a fresh boot, a fake clock), and the
  // first drop must still be said.
  constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::min();
  auto last_drop_log_s = std::make_shared<std::atomic<std::int64_t>>(kNever);
  auto dropped = std::make_shared<std::atomic<std::int64_t>>(0);
  return [&db, &log, &clock, last_drop_log_s, dropped](Event event, std::string when) {
    auto job = [e = std::move(event), at = std::move(when)](SQLite::Database& c) {
      store::Tx tx(c);
      append(tx, e, at);
      return core::Status::ok();
    };
    // The future is dropped: waiting for the commit would stall the event loop.
    if (db.writer().try_submit(std::move(job))) return;
    auto n = dropped->fetch_add(1) + 1;
    auto now_s = std::chrono::duration_cast<std::chrono::seconds>(clock.steady_now().time_since_epoch()).count();
    auto last = last_drop_log_s->load();
    if ((last == kNever || now_s >= last + 60) && last_drop_log_s->compare_exchange_strong(last, now_s))
      log.warn("writer queue full: authorization denial events dropped", {{"dropped_total", n}});
  };
}

}  // namespace airlock::audit
