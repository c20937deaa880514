// `airlock healthcheck`: for Docker HEALTHCHECK and systemd. Asks the local instance's /healthz over
// the same transport it serves, pinning the TLS certificate Airlock itself loads (no CA needed,
// works with the self-signed default).
#include <httplib.h>

#include <cstdio>

#include "cli/commands.h"
#include "core/clock.h"
#include "crypto/self_signed.h"
#include "http/tls_files.h"

namespace airlock::cli {
int healthcheck(const Args& args) {
  auto flags = parse_flags(args);
  if (flags.help) {
    std::printf("Usage: airlock healthcheck [options]\n\nRequests /healthz from the instance this configuration "
                "describes. Exit 0 healthy, 1 not.\n\n%s",
                config_help().c_str());
    return 0;
  }
  auto load = load_or_report(flags);
  if (!load) return 2;
  const auto& c = load->config;
  if (c.listen_port == 0) {
    std::fputs("airlock: healthcheck needs a fixed AIRLOCK_LISTEN port\n", stderr);
    return 2;
  }
  std::string host = c.listen_host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";

  std::unique_ptr<httplib::ClientImpl> cli;
  if (c.plain_http) {
    cli = std::make_unique<httplib::ClientImpl>(host, c.listen_port);
  } else {
    // Reads the same certificate the server loads; never generates one.
    if (c.tls_cert_file.empty() && ::access((c.data_dir + "/tls/cert.pem").c_str(), F_OK) != 0) {
      std::fputs("airlock: no TLS certificate in the data dir yet (has the server started?)\n", stderr);
      return 1;
    }
    core::RealClock clock;
    auto tls = http::load_or_create_tls(c, clock);
    if (!tls) {
      std::fprintf(stderr, "airlock: %s\n", tls.status().describe().c_str());
      return 1;
    }
    auto ssl = std::make_unique<httplib::SSLClient>(host, c.listen_port);
    ssl->enable_server_certificate_verification(true);
    ssl->enable_server_hostname_verification(false);  // pinned below instead
    std::string want = tls->fingerprint;
    ssl->set_server_certificate_verifier([want](const httplib::tls::VerifyContext& ctx) {
      if (ctx.depth != 0) return true;
      std::vector<unsigned char> der;
      return httplib::tls::get_cert_der(ctx.cert, der) && crypto::sha256_fingerprint(der) == want;
    });
    cli = std::move(ssl);
  }
  cli->set_connection_timeout(3, 0);
  cli->set_read_timeout(5, 0);
  auto res = cli->Get("/healthz");
  if (!res || res->status != 200) {
    std::fprintf(stderr, "unhealthy: %s\n", res ? ("HTTP " + std::to_string(res->status)).c_str()
                                                : httplib::to_string(res.error()).c_str());
    return 1;
  }
  std::printf("healthy\n");
  return 0;
}

}  // namespace airlock::cli
