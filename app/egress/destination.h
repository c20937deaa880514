#pragma once
// One outbound destination (a provider's base URL): its host resolved off the loops, every
// address in the answer checked against the policy, one of them handed out to dial. An answer is
// kept for its TTL clamped to 30 s – 1 h and then asked for again, so a dialled address is always
// one that was checked, and a name that starts resolving inward (DNS rebinding) is refused at the
// next lookup. An answer with any refused address is refused whole and logged.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "egress/policy.h"
#include "egress/proxy.h"
#include "egress/resolver.h"
#include "egress/url.h"

namespace airlock::egress {

constexpr std::chrono::seconds kMinTtl{30};
constexpr std::chrono::seconds kMaxTtl{3600};

struct Pick {
  std::optional<core::IpAddress> address;  // set: dial this
  std::string error;                       // else "egress_refused" or "dns_failed"
  std::string reason;                      // a sentence for logs and the console
  std::vector<core::IpAddress> others;     // the answer's other checked addresses, to try if it will not connect
  bool via_proxy = false;                  // `address` is the egress proxy's: open a CONNECT tunnel first
};

class Destination : public std::enable_shared_from_this<Destination> {
 public:
  // `operator_internal`: the operator's provisioning file marked it internal; the policy is skipped.
  // `proxy` (may be null): when it routes `url`, connections go to the proxy (its name resolved, its
  // address not judged: the operator chose it). The URL is judged as always, and so is what
  // Airlock's own DNS says of the name; a name it cannot resolve is left to the proxy.
  Destination(Url url, bool operator_internal, const Policy& policy, Resolver& resolver, const core::Clock& clock,
              core::Logger* log, const ProxySettings* proxy = nullptr);
  ~Destination();
  Destination(const Destination&) = delete;
  Destination& operator=(const Destination&) = delete;

  // `done` gets where to connect: at once on this thread when the answer is known and fresh, else
  // on a resolver thread when it comes (concurrent callers share one lookup). Hold it in a
  // shared_ptr: an outstanding lookup keeps it alive.
  void pick(std::function<void(const Pick&)> done);
  // `a` refused the connection: later picks offer it last (until the next lookup). Any thread.
  void demote(const core::IpAddress& a);
  const Url& url() const { return url_; }
  // Through the proxy: the port to dial on its address and the CONNECT head; else the URL's port and "".
  int dial_port() const { return routed_ ? proxy_->proxy->port : url_.port; }
  std::string tunnel_head() const { return routed_ ? proxy_->connect_head(url_) : std::string(); }

 private:
  void answered(const Answer& a);
  void via_proxy(std::function<void(const Pick&)> done);

  Url url_;
  bool internal_;
  const Policy& policy_;
  Resolver& resolver_;
  const core::Clock& clock_;
  core::Logger* log_;
  const ProxySettings* proxy_;
  bool routed_;
  std::shared_ptr<Destination> proxy_dest_;  // routed: where the tunnel starts
  mutable std::mutex mu_;
  std::optional<Pick> known_;  // the last verdict on an answer
  core::Clock::SteadyTime expires_{};
  bool resolving_ = false;
  std::atomic<bool> refusal_logged_{false};
  std::vector<std::function<void(const Pick&)>> waiting_;
};

// For threads that may block (never a loop): waits up to `timeout` for d.pick()'s answer; after
// it, a Pick with error "dns_failed" ("timeout").
Pick pick_blocking(Destination& d, std::chrono::milliseconds timeout);

}  // namespace airlock::egress
