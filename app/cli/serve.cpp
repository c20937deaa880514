#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <thread>

#include "audit/denials.h"
#include "audit/syslog_forwarder.h"
#include "cli/commands.h"
#include "cli/open_store.h"
#include "cli/preflight.h"
#include "console/console.h"
#include "core/barrier.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/random.h"
#include "egress/policy.h"
#include "egress/proxy.h"
#include "egress/resolver.h"
#include "guard/guard.h"
#include "gateway/key_cache.h"
#include "gateway/provision.h"
#include "gateway/service.h"
#include "guard/routes.h"
#include "http/errors.h"
#include "http/health_routes.h"
#include "http/server.h"
#include "http/tls_files.h"
#include "identity/audit_events.h"
#include "identity/password.h"
#include "identity/setup.h"

namespace airlock::cli {
namespace {

// "https://host:port/anything" → "https://host:port", as browsers send it in Origin.
std::string origin_of_url(const std::string& url) {
  auto scheme_end = url.find("://");
  auto path = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  return path == std::string::npos ? url : url.substr(0, path);
}

int fail(core::Logger& log, const core::Status& s) {
  log.error(s.message(), {{"code", s.code()}, {"detail", s.detail()}});
  std::fprintf(stderr, "airlock: %s\n", s.describe().c_str());
  return 1;
}

// Applies the provisioning file: every problem at once, like the configuration, and nothing is
// written unless all is well. At start and on SIGHUP.
core::Status provision(const core::Config& config, gateway::Deps& gw_deps, core::Logger& log) {
  std::vector<std::string> problems;
  // api_key_env may name any variable, not only AIRLOCK_* ones: the whole environment.
  auto env = whole_environment();
  auto plan = gateway::load_provision_file(config.provision_file, env, problems, *gw_deps.egress);
  for (auto& [k, v] : env) core::secure_zero(v.data(), v.size());
  if (!problems.empty()) {
    std::fprintf(stderr, "airlock: the provisioning file has %zu problem(s):\n", problems.size());
    for (const auto& p : problems) std::fprintf(stderr, "  %s\n", p.c_str());
    log.error("provisioning file refused", {{"problems", static_cast<std::int64_t>(problems.size())}});
    return core::Status::error("provision_refused", "the provisioning file was refused");
  }
  if (auto applied = gateway::apply_provision(gw_deps, plan); !applied) return applied;
  log.info("provisioned", {{"providers", static_cast<std::int64_t>(plan.providers.size())},
                           {"models", static_cast<std::int64_t>(plan.models.size())}});
  return core::Status::ok();
}

}  // namespace

int serve(const Args& args) {
  auto flags = parse_flags(args);
  if (flags.help) {
    std::printf("Usage: airlock serve [options]\n\nStarts Airlock. Logs are JSON lines on stderr.\n\n%s",
                config_help().c_str());
    return 0;
  }
  // SIGTERM/SIGINT (stop) and SIGHUP (reload) are taken by one thread with sigwait; block them
  // before any thread starts so no other thread is interrupted.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto load = load_or_report(flags);
  if (!load) return 2;
  const core::Config& config = load->config;
  const core::Clock& clock = core::process_clock();
  core::Logger log(clock, config.log_level);
  // Barriers on threads without a logger of their own (loops, pools, the writer) log through this
  // one while serve runs.
  struct BarrierLog {
    explicit BarrierLog(core::Logger& l) { core::set_barrier_logger(&l); }
    ~BarrierLog() { core::set_barrier_logger(nullptr); }
  } barrier_log(log);
  auto random = core::make_system_random();

  auto opened = open_store(config, *random, clock, /*may_create=*/true);
  if (!opened) return fail(log, opened.status());
  if (opened->generated_keys)
    log.warn("generated new keys in the data dir: they sit beside the data they protect; for production "
             "move them to AIRLOCK_DB_KEY_FILE / AIRLOCK_MASTER_KEY_FILE or systemd credentials",
             {{"db_key", opened->db_key_source}, {"master_key", opened->master_key_source}});
  auto& db = opened->db;
  auto& fields = *opened->fields;
  // Started before anything else writes, so this start's own audit events leave the box too.
  std::unique_ptr<audit::SyslogForwarder> audit_copy;
  if (!config.syslog_host.empty()) {
    auto started = audit::SyslogForwarder::start(*db, log, clock,
                                                 {.host = config.syslog_host,
                                                  .port = config.syslog_port,
                                                  .ca_file = config.syslog_ca_file,
                                                  .cursor_path = config.data_dir + "/syslog.cursor"});
    if (!started) {
      int rc = fail(log, started.status());
      return started.status().code() == "config_error" ? 2 : rc;
    }
    audit_copy = std::move(*started);
  }
  const std::string& instance_id = opened->instance_id;

  std::string setup_token;
  std::string self_signed_fingerprint;
  std::optional<http::TlsMaterial> tls;
  if (!config.plain_http) {
    auto files = http::load_or_create_tls(config, clock);
    if (!files) return fail(log, files.status());
    // At every start, not only the first: until a real certificate is configured, say so.
    if (files->self_signed)
      log.warn(files->generated ? "generated a self-signed TLS certificate; clients must trust it by fingerprint or "
                                  "you configure AIRLOCK_TLS_CERT_FILE"
                                : "serving Airlock's self-signed TLS certificate; configure AIRLOCK_TLS_CERT_FILE and "
                                  "AIRLOCK_TLS_KEY_FILE with a certificate from your CA",
               {{"cert_file", files->cert_path}, {"sha256_fingerprint", files->fingerprint}});
    log.info("tls certificate", {{"sha256_fingerprint", files->fingerprint}, {"self_signed", files->self_signed}});
    // Human output goes to stdout; stderr carries only the JSON log.
    std::printf("TLS certificate SHA-256 fingerprint: %s\n", files->fingerprint.c_str());
    std::fflush(stdout);
    if (files->self_signed) self_signed_fingerprint = files->fingerprint;
    tls = http::TlsMaterial{std::move(files->cert_pem), std::move(files->key_pem)};
  } else {
    log.warn("serving plain HTTP: only for use behind a TLS-terminating reverse proxy");
  }

  identity::Deps id_deps{*db, *random, clock, fields, identity::policies_from(config), opened->token_pepper.clone()};
  identity::argon2_gate().set_slots(config.argon2_concurrency > 0
                                        ? config.argon2_concurrency
                                        : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  gateway::KeyCache key_cache(*db);
  gateway::Deps gw_deps{*db, clock, *random, fields, opened->gateway_pepper.clone(), &key_cache};
  egress::Policy egress_policy(config.egress_allow,
                               {config.egress_proxy, config.egress_proxy_credentials, config.egress_no_proxy});
  gw_deps.egress = &egress_policy;
  gw_deps.proxy = egress_policy.proxy();
  for (const auto& w : egress::allowlist_warnings(config.egress_allow)) log.warn("egress allowlist: " + w);
  if (!config.provision_file.empty()) {
    if (auto applied = provision(config, gw_deps, log); !applied) {
      if (applied.code() == "provision_refused") return 2;
      return fail(log, applied);
    }
  }
  gateway::UsageRecorder usage(*db, log, static_cast<std::size_t>(config.usage_queue_capacity));
  audit::DenialRecorder denials(audit::DenialRecorder::store_sink(*db, log, clock), clock);
  id_deps.denials = &denials;
  gw_deps.denials = &denials;
  gateway::Gateway gateway(gw_deps, log, usage,
                           config.upstream_ca_file.empty() ? "/etc/ssl/certs/ca-certificates.crt" : config.upstream_ca_file);
  if (auto issued = identity::issue_setup_token(id_deps); !issued) {
    return fail(log, issued.status());
  } else if (issued->has_value()) {
    setup_token = **issued;
  }
  console::Renderer renderer(*random);
  if (!self_signed_fingerprint.empty()) renderer.warn_self_signed(self_signed_fingerprint);

  http::Router router;
  // What a barrier answers when a route that names no 500 of its own fails unexpectedly.
  router.set_internal_error([&renderer](const http::Request& req) {
    if (req.path.rfind("/api/", 0) == 0)
      return http::error_response(500, "internal_error", http::default_error_message(500), req.request_id);
    return renderer.message(500, "Something went wrong",
                            "Airlock could not complete this request. The request id below finds it in the log.",
                            {.title = "Error"}, req.request_id, "/", "Back to the overview");
  });
  http::add_health_routes(router, *db);
  gateway::add_gateway_routes(router, gateway);

  http::Server server(config, log, clock, *random, router, std::move(tls));
  // Declared after the server so it goes first: a lookup still out at exit is answered (cancelled)
  // while the loops it would post to still exist.
  std::string resolver_error;
  auto resolver = egress::make_system_resolver({}, &resolver_error);
  if (!resolver) return fail(log, core::Status::error("resolver_failed", resolver_error));
  gw_deps.resolver = resolver.get();
  auto port = server.bind();
  if (!port) return fail(log, port.status());
  bool v6 = config.listen_host.find(':') != std::string::npos;
  std::string addr = (v6 ? "[" + config.listen_host + "]" : config.listen_host) + ":" + std::to_string(*port);
  // With port 0 the derived public URL only becomes known now.
  std::string public_url = load->origins.at("AIRLOCK_PUBLIC_URL") == "default"
                               ? std::string(config.plain_http ? "http://" : "https://") + addr
                               : config.public_url;
  guard::Guard guard(id_deps, origin_of_url(public_url));
  guard.set_denials(&denials);
  guard.set_error_page(
      [&renderer](const http::Request& req, int status, std::string_view message, const guard::Principal* who) {
        const char* heading = status == 403 ? "Not allowed" : status == 429 ? "Slow down" : "Request refused";
        return renderer.message(status, heading, std::string(message), {.title = heading, .who = who}, req.request_id,
                                "/", "Back to the overview");
      });
  guard::Routes routes(router, guard);
  routes.set_throttle_observer(
      [&id_deps](const http::Request& req) {
        auto e = identity::origin_event("rate_limited", "denied", {req.client_ip, "", req.request_id});
        if (auto* ua = req.header("User-Agent")) e.user_agent = std::string(*ua);
        e.target = "route:" + std::string(req.method) + " " + std::string(req.path);
        (void)id_deps.db.write([&](store::Tx& tx) {
          audit::append(tx, e, identity::audit_time(id_deps));
          return core::Status::ok();
        });
      },
      clock);
  guard::SlidingWindowLimiter login_limit({config.login_rate_limit, std::chrono::seconds(60)}, clock);
  guard::SlidingWindowLimiter setup_limit({config.setup_rate_limit, std::chrono::seconds(3600)}, clock);
  guard::SlidingWindowLimiter report_limit({config.csp_report_rate_limit, std::chrono::seconds(60)}, clock);
  console::Deps console_deps{id_deps, renderer, guard, login_limit, setup_limit, report_limit, log, gateway};
  console::add_console_routes(routes, console_deps);
  log.info("listening", {{"listen", addr},
                         {"port", *port},
                         {"tls", !config.plain_http},
                         {"public_url", public_url},
                         {"instance_id", instance_id},
                         {"data_dir", config.data_dir}});

  if (!setup_token.empty()) {
    // The one place the setup secret appears: the operator's terminal (stdout, not the JSON log).
    std::printf("\nNo users yet. Open this one-time link within the hour to create the owner:\n  %s/setup?token=%s\n\n",
                public_url.c_str(), setup_token.c_str());
    std::fflush(stdout);
    core::secure_zero(setup_token.data(), setup_token.size());
  }

  std::thread signals([&] {
    int sig = 0;
    for (;;) {
      sigwait(&stop_signals, &sig);
      if (sig != SIGHUP) break;
      // Reload: the provisioning file again. A refused file changes nothing and keeps serving; the
      // catalog cache sees what changed from the next request (store/change_counters.h).
      if (config.provision_file.empty()) {
        log.info("reload: no provisioning file to apply");
        continue;
      }
      if (auto s = provision(config, gw_deps, log); !s) log.error("reload failed; serving as before", {{"code", s.code()}});
      else log.info("reloaded");
    }
    // Stop listening first: once the line below is out, a new connection is refused.
    server.stop();
    log.info("shutting down: draining in-flight requests",
             {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}, {"drain_timeout_s", config.drain_timeout_s}});
  });
  auto ran = server.run();
  // run() can also return on a listener error; wake the signal thread so it can be joined.
  if (signals.joinable()) {
    pthread_kill(signals.native_handle(), SIGTERM);
    signals.join();
  }
  usage.flush();
  denials.flush_all();
  if (usage.dropped() > 0) log.warn("usage records dropped", {{"dropped", static_cast<std::int64_t>(usage.dropped())}});
  // Its cursor is on disk: events it had no time to send go after the next start.
  if (audit_copy) audit_copy->stop();
  db->close();
  if (!ran) return fail(log, ran);
  log.info("stopped");
  return 0;
}

}  // namespace airlock::cli
