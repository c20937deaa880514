#pragma once
// The listener: one epoll loop per core (net/event_loop.h) accepting from one socket, each
// connection parsed strictly (net/http1.h) and served by http/connection.cpp; everything around a
// handler is the same for every route: limits, request id, client IP, the JSON error shape,
// security headers, the access log line, the connection cap and the drain on stop. Handlers run
// on a worker pool, or on the loop itself when the route is asynchronous (the /v1 surface).
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/random.h"
#include "core/result.h"
#include "http/router.h"

namespace airlock::http {

struct TlsMaterial {
  std::string cert_pem;
  std::string key_pem;  // wiped by the server once loaded into mbedTLS
};

class Server {
 public:
  // `tls` empty means plain HTTP (only when the config allows it). Router must outlive the server.
  Server(const core::Config& config, core::Logger& log, const core::Clock& clock, core::Random& random,
         const Router& router, std::optional<TlsMaterial> tls);
  ~Server();

  // Binds the configured address; returns the bound port (useful with port 0).
  core::Result<int> bind();
  // Serves until stop(); returns after in-flight requests have drained (or the drain timed out).
  core::Status run();
  // Safe from another thread (the signal thread).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace airlock::http
