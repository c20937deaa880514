#pragma once
// Internal to the listener (server.cpp, connection.cpp): what every connection shares.
#include <atomic>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/random.h"
#include "http/peer_limit.h"
#include "http/router.h"
#include "net/http1.h"
#include "net/tls_stream.h"
#include "net/worker_pool.h"

namespace airlock::http {

inline std::int64_t steady_ns(core::Clock::SteadyTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

struct Front {
  const core::Config& config;
  core::Logger& log;
  const core::Clock& clock;
  core::Random& random;
  const Router& router;
  std::unique_ptr<net::TlsServerConfig> tls;  // null: plain HTTP
  net::WorkerPool workers;
  net::http1::Limits limits;
  std::atomic<int> open{0};
  PeerLimit peers;
  std::atomic<bool> draining{false};
  std::atomic<std::int64_t> drain_deadline_ns{0};

  Front(const core::Config& c, core::Logger& l, const core::Clock& k, core::Random& r, const Router& ro)
      : config(c), log(l), clock(k), random(r), router(ro), workers(c.max_connections, 256 * 1024),
        peers(c.max_connections_per_ip, c.trusted_proxies) {
    limits.max_head_bytes = static_cast<std::size_t>(c.max_header_bytes);
    limits.max_headers = static_cast<std::size_t>(c.max_header_count);
  }
  std::string new_request_id() const;
  bool cors_allowed(std::string_view path, std::string_view origin) const;
};

}  // namespace airlock::http
