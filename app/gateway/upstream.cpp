#include "gateway/upstream.h"

#include <cstring>
#include <thread>
#include <nlohmann/json.hpp>

#include "core/build_info.h"
#include "egress/address.h"
#include "http/response_head.h"

namespace airlock::gateway {
namespace {

void header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

const char* failure_name(Failure f) {
  switch (f) {
    case Failure::kNone: return "none";
    case Failure::kConnect: return "connect";
    case Failure::kTimeout: return "timeout";
    case Failure::kTls: return "tls";
    case Failure::kRead: return "read";
    case Failure::kBusy: return "busy";
    case Failure::kConfig: return "config";
    case Failure::kOpen: return "circuit_open";
    case Failure::kRefused: return "egress_refused";
    case Failure::kProxy: return "egress_proxy";
  }
  return "unknown";
}

Failure failure_of(net::ClientError e) {
  switch (e) {
    case net::ClientError::kConnect: return Failure::kConnect;
    case net::ClientError::kTimeout: return Failure::kTimeout;
    case net::ClientError::kTls: return Failure::kTls;
    case net::ClientError::kProxy: return Failure::kProxy;
    default: return Failure::kRead;
  }
}

Provider::Provider(const store::ProviderRow& row, egress::Url url, std::shared_ptr<egress::Destination> destination,
                   crypto::FieldCipher& fields, std::string system_ca_file, const core::Clock& clock)
    : row_(row),
      url_(std::move(url)),
      destination_(std::move(destination)),
      fields_(fields),
      system_ca_file_(std::move(system_ca_file)),
      breaker_(clock, {}) {
  auto extra = nlohmann::json::parse(row_.extra_headers_json, nullptr, false);
  if (extra.is_object())
    for (auto it = extra.begin(); it != extra.end(); ++it)
      if (it->is_string()) extra_headers_.emplace_back(it.key(), it->get<std::string>());
}

Provider::~Provider() {
  // The last holder may be on any thread (a resolver's, another loop's): each pool, with the idle
  // sockets registered on its loop, is destroyed on that loop. A loop that has ended runs nothing
  // any more, so there it is destroyed here.
  for (auto& [loop, pool] : pools_) {
    auto* raw = pool.release();
    if (!loop->post([raw] { delete raw; })) delete raw;
  }
}

std::optional<Slot> Provider::take_slot() {
  int now = in_flight_.fetch_add(1) + 1;
  if (now > row_.max_concurrent) {
    in_flight_.fetch_sub(1);
    return std::nullopt;
  }
  return Slot(in_flight_);
}

net::ClientTimeouts Provider::timeouts(bool reasoning) const {
  net::ClientTimeouts t;
  t.connect = std::chrono::milliseconds(row_.connect_timeout_ms);
  t.first_byte = std::chrono::milliseconds(reasoning ? std::max<std::int64_t>(row_.first_byte_timeout_ms, 120000)
                                                     : row_.first_byte_timeout_ms);
  t.idle = std::chrono::milliseconds(row_.idle_timeout_ms);
  return t;
}

std::optional<std::string> Provider::build_request(std::string_view method, std::string_view path,
                                                   const HeaderList& forwarded, std::string_view body, bool stream) {
  std::string out;
  out.reserve(512 + body.size());
  std::string target = url_.base_path + std::string(path);
  if (!http::header_value_ok(target) || target.find(' ') != std::string::npos) return std::nullopt;
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  header(out, "Host", url_.authority());
  header(out, "User-Agent", std::string("airlock/") + core::kVersion);
  if (method != "GET") {
    header(out, "Content-Type", "application/json");
    header(out, "Content-Length", std::to_string(body.size()));
  }
  if (stream) header(out, "Accept", "text/event-stream");
  for (const HeaderList* list : {static_cast<const HeaderList*>(&extra_headers_), &forwarded})
    for (const auto& [k, v] : *list) {
      if (!http::header_name_ok(k) || !http::header_value_ok(v)) return std::nullopt;
      header(out, k, v);
    }
  if (row_.api_key_sealed) {
    auto key = fields_.open("vendor-key", {"providers", "api_key", row_.id.value}, *row_.api_key_sealed);
    if (!key) return std::nullopt;
    std::string_view k(reinterpret_cast<const char*>(key->bytes().data()), key->size());
    if (!http::header_value_ok(k)) return std::nullopt;
    if (row_.type == "anthropic") header(out, "x-api-key", k);
    else out.append("Authorization: Bearer ").append(k).append("\r\n");
  }
  out.append("\r\n").append(body);
  return out;
}

void Provider::dial(net::EventLoop& loop, Dialled done) {
  // An answer already known arrives on this (the loop's) thread; one that needed a lookup arrives
  // on the resolver's thread and is posted over.
  auto loop_thread = std::this_thread::get_id();
  destination_->pick([self = shared_from_this(), &loop, loop_thread, done = std::move(done)](const egress::Pick& pick) {
    auto deliver = [self, &loop, pick, done] {
      if (!pick.address) return done(nullptr, pick);
      auto* pool = self->pool_for(loop, *pick.address);
      if (!pool) return done(nullptr, egress::Pick{std::nullopt, "tls_config", "the provider's TLS settings cannot be used"});
      done(pool, pick);
    };
    if (std::this_thread::get_id() == loop_thread) deliver();
    else loop.post(std::move(deliver));  // refused only once the loop has ended, and its requests with it
  });
}

net::ClientPool* Provider::pool_for(net::EventLoop& loop, const core::IpAddress& address) {
  std::lock_guard<std::mutex> lock(mu_);
  if (url_.scheme == "https" && !tls_) {
    auto made = net::TlsClientConfig::create(row_.ca_pem.value_or(""), system_ca_file_);
    if (!made) return nullptr;
    tls_ = std::move(*made);
  }
  sockaddr_storage addr{};
  socklen_t addr_len = egress::to_sockaddr(address, static_cast<std::uint16_t>(destination_->dial_port()), &addr);
  auto it = pools_.find(&loop);
  // The usual case on every request: the same address, the pool and its idle connections as they are.
  if (it != pools_.end() && it->second->aimed_at(addr, addr_len)) return it->second.get();
  auto target = std::make_shared<net::ClientTarget>();
  target->addr = addr;
  target->addr_len = addr_len;
  target->tunnel = destination_->tunnel_head();  // through the egress proxy: CONNECT first
  target->host = url_.host;  // SNI and the certificate check: the name, never the address
  if (url_.scheme == "https") target->tls = tls_;
  if (it != pools_.end()) {
    // Another address (a new answer after the TTL, or the next one after a refusal): connections
    // to the old address are not reused.
    it->second->retarget(std::move(target));
    return it->second.get();
  }
  auto max_idle = static_cast<std::size_t>(std::clamp<std::int64_t>(row_.max_concurrent, 1, 256));
  auto pool = std::make_unique<net::ClientPool>(loop, std::move(target), max_idle, made_);
  auto* raw = pool.get();
  pools_.emplace(&loop, std::move(pool));
  // Called on the loop thread: the pool's sockets and timers live on that loop and go with it.
  std::weak_ptr<Provider> weak = weak_from_this();
  loop.at_end([weak, &loop] {
    if (auto self = weak.lock()) self->drop_pool(loop);
  });
  return raw;
}

void Provider::drop_pool(net::EventLoop& loop) {
  std::unique_ptr<net::ClientPool> gone;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = pools_.find(&loop); it != pools_.end()) {
      gone = std::move(it->second);
      pools_.erase(it);
    }
  }
}

std::shared_ptr<Provider> Upstreams::make(const store::ProviderRow& row) {
  std::string err;
  auto url = egress::parse_url(row.base_url, &err);
  if (!url) return nullptr;
  // Only the operator's provisioning file can mark a provider internal (an admin's "internal"
  // from before that rule counts for nothing).
  auto destination = std::make_shared<egress::Destination>(
      *url, row.internal && row.provisioned, deps_.egress ? *deps_.egress : egress::default_policy(),
      deps_.resolver ? *deps_.resolver : egress::no_resolver(), deps_.clock, &log_, deps_.proxy);
  return std::make_shared<Provider>(row, std::move(*url), std::move(destination), deps_.fields, system_ca_file_, deps_.clock);
}

std::shared_ptr<Provider> Upstreams::get(const store::ProviderRow& row) {
  std::string fp = row.name + "\n" + row.type + "\n" + row.base_url + "\n" + row.api_key_sealed.value_or("") + "\n" +
                   row.extra_headers_json + "\n" + row.ca_pem.value_or("") + "\n" + std::to_string(row.connect_timeout_ms) +
                   "/" + std::to_string(row.first_byte_timeout_ms) + "/" + std::to_string(row.idle_timeout_ms) + "/" +
                   std::to_string(row.total_timeout_ms) + "/" + std::to_string(row.max_concurrent) + (row.internal ? "i" : "") +
                   (row.provisioned ? "p" : "");
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, e] : by_id_)
    if (id == row.id.value) {
      if (e.fingerprint == fp) return e.provider;
      auto made = make(row);
      if (!made) return nullptr;
      e = {fp, std::move(made)};
      return e.provider;
    }
  auto made = make(row);
  if (!made) return nullptr;
  by_id_.push_back({row.id.value, {fp, std::move(made)}});
  return by_id_.back().second.provider;
}

std::vector<Upstreams::ProviderStats> Upstreams::stats() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ProviderStats> out;
  for (auto& [id, e] : by_id_)
    out.push_back({id, e.provider->row().name, e.provider->breaker().state(), e.provider->in_flight(),
                   e.provider->connections_made()});
  return out;
}

std::vector<std::pair<std::int64_t, CircuitBreaker::State>> Upstreams::breaker_states() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::int64_t, CircuitBreaker::State>> out;
  for (auto& [id, e] : by_id_) out.emplace_back(id, e.provider->breaker().state());
  return out;
}

}  // namespace airlock::gateway
