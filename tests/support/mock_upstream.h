#pragma once
// The fake vendor (tests/support/mock_upstream_main.cpp) as a test fixture: started on a free
// port, plain or TLS, stopped with the test. Behaviour is picked by the model name (see there).
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <fstream>
#include <thread>

#include "support/harness.h"

namespace airlock::testing {

struct MockUpstream {
  pid_t pid = -1;
  int port = 0;
  bool tls = false;
  std::string log;

  // `cert`/`key`: PEM files for TLS, empty for plain HTTP.
  static std::unique_ptr<MockUpstream> start(const TempDir& dir, const std::string& cert = {}, const std::string& key = {}) {
    auto m = std::make_unique<MockUpstream>();
    m->log = dir / ("mock-" + std::to_string(::getpid()) + "-" + std::to_string(reinterpret_cast<std::uintptr_t>(m.get())) + ".log");
    std::vector<std::string> argv = {test_bin("mock_upstream")};
    if (!cert.empty()) argv.insert(argv.end(), {"--tls-cert", cert, "--tls-key", key});
    m->tls = !cert.empty();
    m->pid = spawn_background(argv, {}, m->log);
    for (int i = 0; i < 3000 && m->port == 0; ++i) {  // up to 30 s, as for Airlock itself
      std::ifstream in(m->log);
      std::string line;
      while (std::getline(in, line)) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.contains("port")) m->port = j["port"].get<int>();
      }
      if (m->port == 0) std::this_thread::sleep_for(10ms);
    }
    REQUIRE(m->port > 0);
    return m;
  }
  ~MockUpstream() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      int st = 0;
      ::waitpid(pid, &st, 0);
    }
  }

  std::string base(const std::string& path = "/v1") const {
    return std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port) + path;
  }

  nlohmann::json control(const std::string& method, const std::string& path) const {
    std::string body;
    if (tls) {
      body = https_request(port, method, path).body;
    } else {
      auto raw = plain_request(port, method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      auto r = parse_reply(raw);
      if (r) body = r->body;
    }
    return nlohmann::json::parse(body, nullptr, false);
  }
  nlohmann::json requests() const { return control("GET", "/__mock/requests")["requests"]; }
  nlohmann::json stats() const { return control("GET", "/__mock/stats"); }
  void reset() const { (void)control("POST", "/__mock/reset"); }
};

}  // namespace airlock::testing
