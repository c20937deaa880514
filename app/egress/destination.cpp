#include "egress/destination.h"

#include <algorithm>
#include <condition_variable>

#include "egress/address.h"

namespace airlock::egress {

Destination::Destination(Url url, bool operator_internal, const Policy& policy, Resolver& resolver,
                         const core::Clock& clock, core::Logger* log, const ProxySettings* proxy)
    : url_(std::move(url)),
      internal_(operator_internal),
      policy_(policy),
      resolver_(resolver),
      clock_(clock),
      log_(log),
      proxy_(proxy),
      routed_(proxy && proxy->routes(url_)) {
  // The proxy is the operator's choice: its name is resolved like any other, its address not judged.
  if (routed_) proxy_dest_ = std::make_shared<Destination>(*proxy->proxy, true, policy, resolver, clock, log, nullptr);
}

Destination::~Destination() = default;

void Destination::pick(std::function<void(const Pick&)> done) {
  // The URL itself is judged on every pick, so a provider saved under an older policy (or by an
  // older version) is refused now, not only when it was written.
  if (!internal_) {
    auto why = policy_.check_url(url_);
    if (!why && url_.ip) why = policy_.check_address(url_, *url_.ip);
    if (why) {
      // Said once per destination (it is rebuilt when the provider changes), not once per request.
      if (log_ && !refusal_logged_.exchange(true)) log_->warn("egress_refused", {{"host", url_.host}, {"reason", *why}});
      return done(Pick{std::nullopt, "egress_refused", *why});
    }
  }
  if (url_.ip) return routed_ ? via_proxy(std::move(done)) : done(Pick{url_.ip, "", "", {}, false});
  std::unique_lock<std::mutex> lock(mu_);
  if (known_ && clock_.steady_now() < expires_) {
    Pick p = *known_;
    lock.unlock();
    if (routed_ && p.error != "egress_refused") return via_proxy(std::move(done));
    return done(p);
  }
  waiting_.push_back(std::move(done));
  if (resolving_) return;
  resolving_ = true;
  lock.unlock();
  resolver_.resolve(url_.host, [self = shared_from_this()](Answer a) { self->answered(a); });
}

void Destination::via_proxy(std::function<void(const Pick&)> done) {
  proxy_dest_->pick([done = std::move(done)](const Pick& p) {
    Pick q = p;
    q.via_proxy = q.address.has_value();
    done(q);
  });
}

void Destination::demote(const core::IpAddress& a) {
  if (routed_) return proxy_dest_->demote(a);  // the addresses dialled are the proxy's
  std::lock_guard<std::mutex> lock(mu_);
  if (!known_ || !known_->address || known_->address->bytes != a.bytes || known_->address->v4 != a.v4 ||
      known_->others.empty())
    return;
  known_->others.push_back(*known_->address);
  known_->address = known_->others.front();
  known_->others.erase(known_->others.begin());
}

void Destination::answered(const Answer& a) {
  Pick verdict;
  if (!a.error.empty() || a.addresses.empty()) {
    verdict = {std::nullopt, "dns_failed", url_.host + " did not resolve (" + (a.error.empty() ? "no address" : a.error) + ")"};
  } else {
    for (const auto& ip : a.addresses)
      if (auto why = internal_ ? std::nullopt : policy_.check_address(url_, ip)) {
        verdict = {std::nullopt, "egress_refused", *why};
        break;
      }
    if (verdict.error.empty()) {
      verdict.address = a.addresses.front();
      verdict.others.assign(a.addresses.begin() + 1, a.addresses.end());
    }
  }
  // Through the proxy, Airlock's own DNS may know nothing of public names (that is why there is a
  // proxy): a failed lookup then leaves the name to the proxy, and is kept like an answer so the
  // next requests do not wait for it again. A name it does resolve is judged by its addresses.
  bool keep = verdict.error != "dns_failed" || routed_;
  if (log_ && !verdict.address && !(routed_ && verdict.error == "dns_failed"))
    log_->warn(verdict.error == "egress_refused" ? "egress_refused" : "egress_dns_failed",
               {{"host", url_.host}, {"reason", verdict.reason}});
  std::vector<std::function<void(const Pick&)>> waiting;
  {
    std::lock_guard<std::mutex> lock(mu_);
    resolving_ = false;
    // A failed direct lookup is not kept: the next request asks again (another target serves meanwhile).
    if (keep) {
      known_ = verdict;
      expires_ = clock_.steady_now() + std::clamp(a.ttl, kMinTtl, kMaxTtl);
    }
    waiting.swap(waiting_);
  }
  for (auto& w : waiting) {
    if (routed_ && verdict.error != "egress_refused") via_proxy(std::move(w));
    else w(verdict);
  }
}

Pick pick_blocking(Destination& d, std::chrono::milliseconds timeout) {
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<Pick> pick;
  };
  auto shared = std::make_shared<Shared>();  // the answer may come after we stopped waiting
  d.pick([shared](const Pick& p) {
    std::lock_guard<std::mutex> lock(shared->mu);
    shared->pick = p;
    shared->cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(shared->mu);
  if (!shared->cv.wait_for(lock, timeout, [&] { return shared->pick.has_value(); }))
    return Pick{std::nullopt, "dns_failed", d.url().host + " did not resolve (timeout)"};
  return std::move(*shared->pick);
}

}  // namespace airlock::egress
