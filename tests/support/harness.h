#pragma once
// Integration-test harness: starts the real `airlock` binary (path from $AIRLOCK_BIN) on a free
// port with a temp data dir, collects its JSON log lines, and speaks real TLS to it.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace airlock::testing {

using Env = std::map<std::string, std::string>;
using namespace std::chrono_literals;

std::string airlock_bin();
std::string test_bin(const std::string& name);  // another program built beside the tests

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs a program to completion with exactly `env` (plus PATH) and optional stdin.
RunResult run_program(const std::vector<std::string>& argv, const Env& env = {}, const std::string& input = {},
                      std::chrono::milliseconds timeout = 60s);

// Starts a program in the background with stdout and stderr appended to `log_path`.
pid_t spawn_background(const std::vector<std::string>& argv, const Env& env, const std::string& log_path);

class Airlock {
 public:
  // Starts `airlock serve` with AIRLOCK_DATA_DIR=data_dir, AIRLOCK_LISTEN=127.0.0.1:0 and `env`,
  // and waits for the "listening" line. Fails the test if it does not come within the timeout.
  static std::unique_ptr<Airlock> start(const std::string& data_dir, const Env& env = {});
  // Starts and expects the process to exit (e.g. bad key); returns its exit code and output.
  static RunResult start_expect_exit(const std::string& data_dir, const Env& env = {});
  ~Airlock();  // SIGKILL if still running

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& fingerprint() const { return fingerprint_; }

  std::vector<std::string> log_lines() const;  // stderr: the JSON log
  std::string stdout_text() const;             // human output (fingerprint, setup link)
  // Waits until stdout contains `needle`; returns stdout then (or what there is at the timeout).
  std::string wait_for_stdout(const std::string& needle, std::chrono::milliseconds timeout = 10s);
  std::string all_output() const;              // both, for failure messages
  // Waits until a log line satisfies `pred`; returns it.
  std::optional<nlohmann::json> wait_for_log(const std::function<bool(const nlohmann::json&)>& pred,
                                             std::chrono::milliseconds timeout = 10s);
  void send_signal(int sig);
  // Waits for exit; returns the exit code, or -1 on timeout.
  int wait_exit(std::chrono::milliseconds timeout = 30s);

 private:
  Airlock() = default;
  void reader_loop(int out_fd, int err_fd);
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_code_ = -1;
  bool exited_ = false;
  std::string fingerprint_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
  std::string raw_;
  std::string stdout_;
  std::thread reader_;
};

// A raw TLS connection (mbedTLS client, no verification: tests check the certificate separately).
class TlsConn {
 public:
  static std::unique_ptr<TlsConn> connect(int port, std::string* error = nullptr);
  ~TlsConn();
  bool write(const std::string& bytes);
  // Reads until the peer closes or `timeout` passes; returns what arrived.
  std::string read_all(std::chrono::milliseconds timeout = 10s);
  // True once the peer has closed (read returned EOF or an error) within `timeout`.
  bool closed_within(std::chrono::milliseconds timeout);
  // Reads until what arrived (this call's bytes appended to `*got`) contains `needle`, the peer
  // closes, or `timeout` passes; true when the needle was seen.
  bool read_until(std::string* got, const std::string& needle, std::chrono::milliseconds timeout = 10s);
  // One whole response with a Content-Length body (keep-alive use); nullopt on timeout or close.
  std::optional<struct HttpReply> read_response(std::chrono::milliseconds timeout = 10s);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string raw;
};
// Parses one HTTP/1.1 response (Content-Length bodies) from raw bytes.
std::optional<HttpReply> parse_reply(const std::string& raw);
// One request over a fresh TLS connection with Connection: close.
HttpReply https_request(int port, const std::string& method, const std::string& target,
                        const std::map<std::string, std::string>& headers = {}, const std::string& body = {});

// One request over plain TCP (for AIRLOCK_PLAIN_HTTP); returns everything until the server closes.
std::string plain_request(int port, const std::string& raw, std::chrono::milliseconds timeout = 10s);

std::string sha256_file_hex(const std::string& path);
// A file's whole content ("" when it cannot be read).
std::string read_text_file(const std::string& path);

}  // namespace airlock::testing
