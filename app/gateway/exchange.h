#pragma once
// One gateway request from admission to its usage record, shared by the non-stream path
// (proxy.cpp) and the stream relay (stream_relay.cpp), which finishes it after the handler has
// returned. Internal to the gateway.
#include <memory>
#include <nlohmann/json.hpp>

#include "gateway/service.h"
#include "store/catalog_repo.h"

namespace airlock::gateway {

struct Exchange {
  Gateway& gw;
  const Endpoint& ep;
  core::Clock::SteadyTime start;
  store::GatewayKeyRow key;
  Reservation reservation;
  UsageRecord record;
  Admission admission;  // for x-ratelimit-* headers
  bool strip_usage_chunk = false;  // we asked for stream usage; the client did not
  std::int64_t total_timeout_ms = 600000;

  // Settles the reservation and queues the usage record (once).
  void finish(int status, const Usage& usage, const std::string& error_code, std::int64_t response_bytes);
  bool finished = false;

  // A stream whose body was never produced (the client left before it started) still settles.
  ~Exchange() {
    if (!finished && reservation.active) finish(200, {}, "client_disconnected", 0);
  }
};

// Adds x-ratelimit-* headers (OpenAI's names) for the limits the key has.
void add_ratelimit_headers(http::Response& r, const Admission& a);

// The SSE relay for an upstream stream that answered 200. Takes over the exchange.
http::Response relay_stream(std::shared_ptr<Exchange> ex, std::unique_ptr<UpstreamStream> upstream);

}  // namespace airlock::gateway
