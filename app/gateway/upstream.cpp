#include "gateway/upstream.h"

#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "core/build_info.h"

namespace airlock::gateway {
namespace {


void set_timeout(httplib::Client& c, void (httplib::Client::*setter)(time_t, time_t), std::int64_t ms) {
  (c.*setter)(static_cast<time_t>(ms / 1000), static_cast<time_t>((ms % 1000) * 1000));
}

Failure classify(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection:
    case httplib::Error::ProxyConnection:
      return Failure::kConnect;
    case httplib::Error::ConnectionTimeout:
    case httplib::Error::Timeout:
      return Failure::kTimeout;
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLLoadingCerts:
    case httplib::Error::SSLServerVerification:
    case httplib::Error::SSLServerHostnameVerification:
      return Failure::kTls;
    default:
      return Failure::kRead;
  }
}

// A read that timed out surfaces as Error::Read; tell it apart by the time it took.
Failure classify_read(httplib::Error e, std::chrono::steady_clock::time_point start, std::chrono::milliseconds limit) {
  auto f = classify(e);
  if (f == Failure::kRead && std::chrono::steady_clock::now() - start >= limit - std::chrono::milliseconds(50))
    return Failure::kTimeout;
  return f;
}

httplib::Headers to_headers(const HeaderList& list) {
  httplib::Headers h;
  for (const auto& [k, v] : list) h.emplace(k, v);
  return h;
}

HeaderList from_headers(const httplib::Headers& h) {
  HeaderList out;
  for (const auto& [k, v] : h) {
    std::string lower = k;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    out.emplace_back(std::move(lower), v);
  }
  return out;
}

// Holds a concurrency slot for as long as it lives.
struct Slot {
  std::atomic<int>* counter = nullptr;
  Slot() = default;
  explicit Slot(std::atomic<int>& c) : counter(&c) {}
  Slot(Slot&& o) noexcept : counter(std::exchange(o.counter, nullptr)) {}
  Slot& operator=(Slot&&) = delete;
  ~Slot() {
    if (counter) counter->fetch_sub(1);
  }
};

std::optional<Slot> take_slot(std::atomic<int>& counter, std::int64_t max) {
  int now = counter.fetch_add(1) + 1;
  if (now > max) {
    counter.fetch_sub(1);
    return std::nullopt;
  }
  return Slot(counter);
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
  }
  return "unknown";
}

std::string UpstreamReply::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

struct Provider::Client {
  explicit Client(const std::string& origin) : http(origin) {}
  httplib::Client http;
};

class StreamImpl final : public UpstreamStream {
 public:
  StreamImpl(Provider& owner, std::unique_ptr<Provider::Client> client, httplib::ClientImpl::StreamHandle handle, Slot slot)
      : owner_(owner), client_(std::move(client)), handle_(std::move(handle)), slot_(std::move(slot)),
        headers_(from_headers(handle_.response->headers)) {}
  ~StreamImpl() override {
    // The stream took the connection; the client (and its TLS context) goes back for the next one.
    handle_ = {};
    owner_.give_back(std::move(client_));
  }
  int status() const override { return handle_.response->status; }
  std::string header(std::string_view name) const override {
    for (const auto& [k, v] : headers_)
      if (k == name) return v;
    return {};
  }
  long read(char* buf, std::size_t len) override { return static_cast<long>(handle_.read(buf, len)); }

 private:
  Provider& owner_;
  std::unique_ptr<Provider::Client> client_;
  httplib::ClientImpl::StreamHandle handle_;
  Slot slot_;
  HeaderList headers_;
};

Provider::Provider(const store::ProviderRow& row, UpstreamUrl url, crypto::FieldCipher& fields, std::string system_ca_file,
                   const core::Clock& clock)
    : row_(row), url_(std::move(url)), fields_(fields), system_ca_file_(std::move(system_ca_file)), breaker_(clock, {}) {}

Provider::~Provider() = default;

std::unique_ptr<Provider::Client> Provider::checkout() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  made_.fetch_add(1);
  auto c = std::make_unique<Client>(url_.origin());
  auto& h = c->http;
  set_timeout(h, &httplib::Client::set_connection_timeout, row_.connect_timeout_ms);
  set_timeout(h, &httplib::Client::set_read_timeout, row_.first_byte_timeout_ms);
  set_timeout(h, &httplib::Client::set_write_timeout, row_.connect_timeout_ms);
  h.set_keep_alive(true);
  h.set_tcp_nodelay(true);
  h.set_follow_location(false);
  if (url_.scheme == "https") {
    h.enable_server_certificate_verification(true);
    h.enable_server_hostname_verification(true);
    if (row_.ca_pem) h.load_ca_cert_store(row_.ca_pem->data(), row_.ca_pem->size());
    else h.set_ca_cert_path(system_ca_file_);
    // Always set: it puts mbedTLS in OPTIONAL mode and reports the library's own verdict, which
    // is what makes chain verification happen for IP-literal hosts too.
    h.set_server_certificate_verifier([](const httplib::tls::VerifyContext& v) { return v.preverify_ok; });
  }
  return c;
}

void Provider::give_back(std::unique_ptr<Client> c) {
  if (!c) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < static_cast<std::size_t>(std::min<std::int64_t>(row_.max_concurrent, 256))) idle_.push_back(std::move(c));
}

bool Provider::auth_headers(HeaderList& out) {
  out.emplace_back("User-Agent", std::string("airlock/") + core::kVersion);
  auto extra = nlohmann::json::parse(row_.extra_headers_json, nullptr, false);
  if (extra.is_object())
    for (auto it = extra.begin(); it != extra.end(); ++it)
      if (it->is_string()) out.emplace_back(it.key(), it->get<std::string>());
  if (!row_.api_key_sealed) return true;
  auto key = fields_.open("vendor-key", {"providers", "api_key", row_.id.value}, *row_.api_key_sealed);
  if (!key) return false;
  std::string k(reinterpret_cast<const char*>(key->bytes().data()), key->size());
  if (row_.type == "anthropic") out.emplace_back("x-api-key", k);
  else out.emplace_back("Authorization", "Bearer " + k);
  core::secure_zero(k.data(), k.size());
  return true;
}

UpstreamReply Provider::send(const UpstreamRequest& req) {
  UpstreamReply out;
  auto slot = take_slot(in_flight_, row_.max_concurrent);
  if (!slot) {
    out.failure = Failure::kBusy;
    return out;
  }
  HeaderList headers = req.headers;
  if (!auth_headers(headers)) {
    out.failure = Failure::kConfig;
    return out;
  }
  auto client = checkout();
  auto limit = std::chrono::milliseconds(req.first_byte_timeout.count() ? req.first_byte_timeout.count() : row_.first_byte_timeout_ms);
  set_timeout(client->http, &httplib::Client::set_read_timeout, limit.count());
  auto start = std::chrono::steady_clock::now();
  auto h = to_headers(headers);
  auto res = client->http.Post(url_.base_path + req.path, h, req.body, "application/json");
  for (auto& [k, v] : h)
    if (k == "Authorization" || k == "x-api-key") core::secure_zero(v.data(), v.size());
  for (auto& [k, v] : headers) core::secure_zero(v.data(), v.size());
  if (!res) {
    out.failure = classify_read(res.error(), start, limit);
    return out;  // the client is dropped: its connection state is unknown
  }
  out.status = res->status;
  out.content_type = res->get_header_value("Content-Type");
  out.body = std::move(res->body);
  out.headers = from_headers(res->headers);
  give_back(std::move(client));
  return out;
}

std::unique_ptr<UpstreamStream> Provider::open_stream(const UpstreamRequest& req, Failure* failure) {
  *failure = Failure::kNone;
  auto slot = take_slot(in_flight_, row_.max_concurrent);
  if (!slot) {
    *failure = Failure::kBusy;
    return nullptr;
  }
  HeaderList headers = req.headers;
  if (!auth_headers(headers)) {
    *failure = Failure::kConfig;
    return nullptr;
  }
  headers.emplace_back("Accept", "text/event-stream");
  auto client = checkout();
  auto limit = std::chrono::milliseconds(req.first_byte_timeout.count() ? req.first_byte_timeout.count() : row_.first_byte_timeout_ms);
  // One read timeout serves the head and the gaps between events: the larger of the two.
  set_timeout(client->http, &httplib::Client::set_read_timeout, std::max<std::int64_t>(limit.count(), row_.idle_timeout_ms));
  auto start = std::chrono::steady_clock::now();
  auto h = to_headers(headers);
  auto handle = client->http.open_stream("POST", url_.base_path + req.path, {}, h, req.body, "application/json");
  for (auto& [k, v] : h) core::secure_zero(v.data(), v.size());
  for (auto& [k, v] : headers) core::secure_zero(v.data(), v.size());
  if (!handle.is_valid()) {
    *failure = classify_read(handle.error, start, limit);
    return nullptr;
  }
  return std::make_unique<StreamImpl>(*this, std::move(client), std::move(handle), std::move(*slot));
}

std::shared_ptr<Provider> Upstreams::get(const store::ProviderRow& row) {
  std::string fp = row.name + "\n" + row.type + "\n" + row.base_url + "\n" + row.api_key_sealed.value_or("") + "\n" +
                   row.extra_headers_json + "\n" + row.ca_pem.value_or("") + "\n" + std::to_string(row.connect_timeout_ms) +
                   "/" + std::to_string(row.first_byte_timeout_ms) + "/" + std::to_string(row.idle_timeout_ms) + "/" +
                   std::to_string(row.total_timeout_ms) + "/" + std::to_string(row.max_concurrent) + (row.internal ? "i" : "");
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, e] : by_id_)
    if (id == row.id.value) {
      if (e.fingerprint == fp) return e.provider;
      std::string err;
      auto url = parse_upstream_url(row.base_url, &err);
      if (!url) return nullptr;
      e = {fp, std::make_shared<Provider>(row, *url, fields_, system_ca_file_, clock_)};
      return e.provider;
    }
  std::string err;
  auto url = parse_upstream_url(row.base_url, &err);
  if (!url) return nullptr;
  by_id_.push_back({row.id.value, {fp, std::make_shared<Provider>(row, *url, fields_, system_ca_file_, clock_)}});
  return by_id_.back().second.provider;
}

std::vector<std::pair<std::int64_t, CircuitBreaker::State>> Upstreams::breaker_states() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::int64_t, CircuitBreaker::State>> out;
  for (auto& [id, e] : by_id_) out.emplace_back(id, e.provider->breaker().state());
  return out;
}

}  // namespace airlock::gateway
