#include "http/server.h"

#include <httplib.h>

#include <typeinfo>

#include "http/client_ip.h"
#include "http/connection_pool.h"
#include "http/errors.h"
#include "http/tls_policy.h"

namespace airlock::http {
namespace {

// What the pipeline knows about the request being served on this worker thread. Set in
// pre-routing, read by the handler, error handler and logger (all on the same thread), reset after
// the access line.
struct InFlight {
  bool active = false;
  core::Clock::SteadyTime start{};
  std::string request_id;
  std::string client_ip;
  std::string route = "-";
};
thread_local InFlight t_req;

class PoolQueue final : public httplib::TaskQueue {
 public:
  explicit PoolQueue(ConnectionPool& pool) : pool_(pool) {}
  bool enqueue(std::function<void()> fn) override { return pool_.enqueue(std::move(fn)); }
  void shutdown() override { pool_.shutdown(); }

 private:
  ConnectionPool& pool_;
};

std::size_t header_bytes(const httplib::Request& req) {
  std::size_t n = req.method.size() + req.target.size() + 12;
  for (const auto& [k, v] : req.headers) n += k.size() + v.size() + 4;
  return n;
}

}  // namespace

struct Server::Impl {
  const core::Config& config;
  core::Logger& log;
  const core::Clock& clock;
  core::Random& random;
  const Router& router;
  bool tls = false;
  std::unique_ptr<httplib::Server> svr;
  std::unique_ptr<ConnectionPool> pool;

  std::string new_request_id() {
    auto b = random.bytes(12);
    return core::to_base64url(b);
  }

  void begin(const httplib::Request& req, httplib::Response&) {
    ConnectionPool::request_head_received();
    t_req.active = true;
    t_req.start = clock.steady_now();
    t_req.route = "-";
    auto xff = req.get_header_value("X-Forwarded-For");
    t_req.client_ip = resolve_client_ip(req.remote_addr, xff, config.trusted_proxies);
    auto id = req.get_header_value("X-Request-Id");
    t_req.request_id = valid_request_id(id) ? id : new_request_id();
  }

  void write(httplib::Response& res, const Response& r) {
    res.status = r.status;
    for (const auto& [k, v] : r.headers) res.set_header(k, v);
    if (r.status == 204 || r.status == 304) return;  // no content, so no Content-Type either (RFC 9110 §15.3.5)
    if (r.stream) {
      auto produce = r.stream;
      res.set_chunked_content_provider(r.content_type.empty() ? "text/event-stream" : r.content_type,
                                       [produce](std::size_t, httplib::DataSink& sink) {
                                         produce([&sink](std::string_view piece) {
                                           return piece.empty() || sink.write(piece.data(), piece.size());
                                         });
                                         sink.done();
                                         return true;
                                       });
      return;
    }
    res.set_content(r.body, r.content_type.empty() ? "text/plain; charset=utf-8" : r.content_type);
  }

  httplib::Server::HandlerResponse pre_routing(const httplib::Request& req, httplib::Response& res) {
    begin(req, res);
    // A CORS preflight from an allowed origin; any other OPTIONS goes on to routing (405).
    if (req.method == "OPTIONS" && !req.get_header_value("Access-Control-Request-Method").empty() &&
        cors_allowed(req, req.get_header_value("Origin"))) {
      res.status = 204;
      res.set_header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE");
      res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id");
      res.set_header("Access-Control-Max-Age", "600");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.headers.size() > static_cast<std::size_t>(config.max_header_count) ||
        header_bytes(req) > config.max_header_bytes) {
      write(res, error_response(431, "headers_too_large", default_error_message(431), t_req.request_id));
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  }

  void dispatch(const httplib::Request& req, httplib::Response& res) {
    Request r;
    r.method = req.method;
    r.path = req.path;
    r.target = req.target;
    r.body = req.body;
    r.client_ip = t_req.client_ip;
    r.request_id = t_req.request_id;
    r.headers.reserve(req.headers.size());
    for (const auto& [k, v] : req.headers) r.headers.emplace_back(k, v);
    auto m = router.match(req.method, req.path);
    if (!m.route) {
      if (!m.allowed.empty()) {
        auto e = error_response(405, "method_not_allowed", default_error_message(405), r.request_id);
        e.set_header("Allow", m.allowed);
        write(res, e);
      } else {
        write(res, error_response(404, "not_found", default_error_message(404), r.request_id));
      }
      return;
    }
    t_req.route = m.route->pattern;
    for (auto& [k, v] : m.params) r.path_params.emplace(k, std::move(v));
    write(res, m.route->handler(r));
  }

  // Every error response the library produces itself (parse failures, 413, 414, ...) gets our
  // JSON shape; responses our handlers already built are left alone.
  httplib::Server::HandlerResponse on_error(const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (!t_req.active) t_req.request_id = new_request_id();
    write(res, error_response(res.status, default_error_code(res.status), default_error_message(res.status),
                              t_req.request_id));
    return httplib::Server::HandlerResponse::Handled;
  }

  // One writer for the headers every response carries, errors included.
  bool cors_allowed(const httplib::Request& req, const std::string& origin) const {
    if (req.path.rfind("/api/", 0) != 0) return false;
    for (const auto& o : config.cors_origins)
      if (o == origin) return true;
    return false;
  }

  void finish_headers(const httplib::Request& req, httplib::Response& res) {
    if (t_req.request_id.empty()) t_req.request_id = new_request_id();
    res.set_header("X-Request-Id", t_req.request_id);
    res.set_header("X-Content-Type-Options", "nosniff");
    if (!res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-store");
    if (!res.has_header("Content-Security-Policy"))
      res.set_header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox");
    res.set_header("Referrer-Policy", "no-referrer");
    if (tls)
      res.set_header("Strict-Transport-Security",
                     config.hsts_preload ? "max-age=63072000; includeSubDomains; preload"
                                         : "max-age=63072000; includeSubDomains");
    // CORS only for configured origins and only on the API: everything else stays same-origin.
    if (auto origin = req.get_header_value("Origin"); !origin.empty() && cors_allowed(req, origin)) {
      res.set_header("Access-Control-Allow-Origin", origin);
      res.set_header("Vary", "Origin");
    }
  }

  void access_log(const httplib::Request& req, const httplib::Response& res) {
    auto us = t_req.active
                  ? std::chrono::duration_cast<std::chrono::microseconds>(clock.steady_now() - t_req.start).count()
                  : 0;
    std::string client = t_req.active ? t_req.client_ip : req.remote_addr;
    // The route pattern, never the raw path or query: those can carry tokens.
    log.info("request", {{"method", req.method.size() <= 16 ? req.method : std::string("?")},
                         {"route", t_req.route},
                         {"status", res.status},
                         {"bytes", static_cast<std::int64_t>(res.body.size())},
                         {"duration_us", static_cast<std::int64_t>(us)},
                         {"request_id", t_req.request_id},
                         {"client_ip", client}});
    t_req = InFlight{};
    ConnectionPool::response_finished();
  }
};

Server::Server(const core::Config& config, core::Logger& log, const core::Clock& clock, core::Random& random,
               const Router& router, std::optional<TlsMaterial> tls)
    : impl_(new Impl{config, log, clock, random, router, false, nullptr, nullptr}) {
  auto& I = *impl_;
  if (tls) {
    I.tls = true;
    I.svr = std::make_unique<httplib::SSLServer>([&](httplib::tls::ctx_t ctx) {
      bool ok = httplib::tls::set_server_cert_pem(ctx, tls->cert_pem.c_str(), tls->key_pem.c_str(), nullptr);
      if (ok) apply_server_tls_policy(&static_cast<httplib::tls::impl::MbedTlsContext*>(ctx)->conf);
      return ok;
    });
    core::secure_zero(tls->key_pem.data(), tls->key_pem.size());
  } else {
    I.svr = std::make_unique<httplib::Server>();
  }
  ConnectionPool::Options po;
  po.max_connections = config.max_connections;
  po.header_timeout = std::chrono::seconds(config.header_timeout_s);
  po.idle_timeout = std::chrono::seconds(config.idle_timeout_s);
  po.drain_timeout = std::chrono::seconds(config.drain_timeout_s);
  I.pool = std::make_unique<ConnectionPool>(po, clock);

  auto& s = *I.svr;
  s.new_task_queue = [&I] { return new PoolQueue(*I.pool); };
  s.set_read_timeout(config.read_timeout_s, 0);
  s.set_write_timeout(config.write_timeout_s, 0);
  s.set_keep_alive_timeout(config.idle_timeout_s);
  s.set_keep_alive_max_count(10000);
  s.set_payload_max_length(config.max_body_bytes);
  s.set_tcp_nodelay(true);
  s.set_pre_routing_handler([&I](const httplib::Request& q, httplib::Response& r) { return I.pre_routing(q, r); });
  s.set_error_handler([&I](const httplib::Request& q, httplib::Response& r) { return I.on_error(q, r); });
  s.set_post_routing_handler([&I](const httplib::Request& q, httplib::Response& r) { I.finish_headers(q, r); });
  s.set_logger([&I](const httplib::Request& q, const httplib::Response& r) { I.access_log(q, r); });
  s.set_exception_handler([&I](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = typeid(e).name();
    } catch (...) {
    }
    // Only the exception's type is logged: its text may quote input.
    I.log.error("unhandled exception in handler", {{"request_id", t_req.request_id}, {"exception", what}});
    res.body.clear();
    I.write(res, error_response(500, "internal_error", default_error_message(500), t_req.request_id));
  });
  auto h = [&I](const httplib::Request& q, httplib::Response& r) { I.dispatch(q, r); };
  s.Get(".*", h);
  s.Post(".*", h);
  s.Put(".*", h);
  s.Patch(".*", h);
  s.Delete(".*", h);
  s.Options(".*", h);
}

Server::~Server() = default;

core::Result<int> Server::bind() {
  auto& I = *impl_;
  if (!I.svr->is_valid()) return core::Status::error("tls_error", "the TLS certificate or key could not be loaded");
  bool v6 = I.config.listen_host.find(':') != std::string::npos;
  if (v6) I.svr->set_address_family(AF_INET6);
  int port = I.config.listen_port;
  if (port == 0) {
    port = I.svr->bind_to_any_port(I.config.listen_host);
    if (port < 0) port = 0;
  } else if (!I.svr->bind_to_port(I.config.listen_host, port)) {
    port = 0;
  }
  if (port == 0)
    return core::Status::error("bind_failed", "cannot listen on " + I.config.listen_host + ":" +
                                                  std::to_string(I.config.listen_port) + " (in use or not permitted)");
  return port;
}

core::Status Server::run() {
  if (!impl_->svr->listen_after_bind())
    return core::Status::error("listen_failed", "the listener stopped with an error");
  return core::Status::ok();
}

void Server::stop() { impl_->svr->stop(); }

}  // namespace airlock::http
