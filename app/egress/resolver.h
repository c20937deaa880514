#pragma once
// Name resolution off the event loops. The system resolver is c-ares on its own event thread: it
// reads /etc/resolv.conf and /etc/hosts (and re-reads them when they change), so no loop thread
// ever waits for DNS. Tests inject their own Resolver.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/cidr.h"

namespace airlock::egress {

struct Answer {
  std::vector<core::IpAddress> addresses;  // in the resolver's preference order
  std::chrono::seconds ttl{0};             // the smallest TTL in the answer (0 for /etc/hosts)
  std::string error;                       // empty on success: "not_found", "timeout", "refused", …
};

class Resolver {
 public:
  virtual ~Resolver() = default;
  // Looks up A and AAAA for `host` (a DNS name, never an IP literal). `done` runs exactly once, on
  // a resolver thread, possibly before resolve() returns.
  virtual void resolve(const std::string& host, std::function<void(Answer)> done) = 0;
};

// Per attempt and in all: a lookup gives up after about 2 × timeout_ms per server.
struct ResolverOptions {
  int timeout_ms = 2500;
  int tries = 2;
};

// Answers every lookup with the error "no_resolver" (tools and tests that dial only IP literals).
Resolver& no_resolver();

// nullptr and `*error` when c-ares cannot start (no thread support, unreadable configuration).
std::unique_ptr<Resolver> make_system_resolver(const ResolverOptions& options, std::string* error);

}  // namespace airlock::egress
