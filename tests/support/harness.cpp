#include "support/harness.h"

#include <fcntl.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace airlock::testing {
namespace {

std::vector<char*> make_env(const Env& env, std::vector<std::string>& storage) {
  storage.clear();
  const char* path = std::getenv("PATH");
  storage.push_back(std::string("PATH=") + (path ? path : "/usr/bin:/bin"));
  for (const auto& [k, v] : env) storage.push_back(k + "=" + v);
  std::vector<char*> out;
  for (auto& s : storage) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

pid_t spawn(const std::vector<std::string>& argv, const Env& env, int in_fd, int out_fd, int err_fd) {
  std::vector<std::string> env_storage;
  auto envp = make_env(env, env_storage);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    if (in_fd >= 0) ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    for (int fd = 3; fd < 1024; ++fd) ::close(fd);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

int decode_status(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return -1;
}

}  // namespace

std::string airlock_bin() {
  const char* b = std::getenv("AIRLOCK_BIN");
  REQUIRE(b != nullptr);
  return b;
}

std::string test_bin(const std::string& name) {
  const char* d = std::getenv("AIRLOCK_TEST_BIN_DIR");
  REQUIRE(d != nullptr);
  return std::string(d) + "/" + name;
}

RunResult run_program(const std::vector<std::string>& argv, const Env& env, const std::string& input,
                      std::chrono::milliseconds timeout) {
  int in[2], out[2], err[2];
  REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
  pid_t pid = spawn(argv, env, in[0], out[1], err[1]);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (!input.empty()) (void)!::write(in[1], input.data(), input.size());
  ::close(in[1]);
  RunResult r;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0 && std::chrono::steady_clock::now() < deadline) {
    if (::poll(fds, 2, 100) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  if (open_fds > 0) ::kill(pid, SIGKILL);
  for (auto& f : fds)
    if (f.fd >= 0) ::close(f.fd);
  int st = 0;
  ::waitpid(pid, &st, 0);
  r.exit_code = open_fds > 0 ? -1 : decode_status(st);
  return r;
}

pid_t spawn_background(const std::vector<std::string>& argv, const Env& env, const std::string& log_path) {
  int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  pid_t pid = spawn(argv, env, -1, fd, fd);
  ::close(fd);
  return pid;
}

std::unique_ptr<Airlock> Airlock::start(const std::string& data_dir, const Env& env) {
  Env full{{"AIRLOCK_DATA_DIR", data_dir}, {"AIRLOCK_LISTEN", "127.0.0.1:0"}};
  for (const auto& [k, v] : env) full[k] = v;
  // Another build of the same program (the fault-injecting one), for the tests that need it.
  std::string bin = airlock_bin();
  if (auto it = full.find("AIRLOCK_TEST_BINARY"); it != full.end()) {
    bin = it->second;
    full.erase(it);
  }
  std::vector<std::string> argv = {bin, "serve"};
  // "src:dst;src:dst": run in a mount namespace of its own with these files bound over system ones
  // (a test's /etc/hosts and /etc/resolv.conf); the machine's own files are untouched. Needs root.
  if (auto it = full.find("AIRLOCK_TEST_MOUNTS"); it != full.end()) {
    std::string script;
    std::stringstream ss(it->second);
    for (std::string pair; std::getline(ss, pair, ';');) {
      auto colon = pair.find(':');
      script += "mount --bind '" + pair.substr(0, colon) + "' '" + pair.substr(colon + 1) + "' && ";
    }
    script += "exec \"$0\" \"$@\"";
    argv = {"/usr/bin/unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, bin, "serve"};
    full.erase(it);
  }
  // A shell script that ends by running `"$0" "$@"` (the binary and "serve") the way it wants:
  // in a network namespace, under strace. pid() is then the script's (it execs on to the binary).
  if (auto it = full.find("AIRLOCK_TEST_WRAP"); it != full.end()) {
    argv = {"/bin/sh", "-c", it->second, bin, "serve"};
    full.erase(it);
  }
  int out[2], err[2];
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
  std::unique_ptr<Airlock> a(new Airlock());
  a->pid_ = spawn(argv, full, -1, out[1], err[1]);
  ::close(out[1]);
  ::close(err[1]);
  a->reader_ = std::thread([ptr = a.get(), o = out[0], e = err[0]] { ptr->reader_loop(o, e); });
  auto listening = a->wait_for_log([](const nlohmann::json& j) { return j.value("msg", "") == "listening"; }, 30s);
  INFO(a->all_output());
  REQUIRE(listening.has_value());
  a->port_ = (*listening)["port"].get<int>();
  if (auto cert = a->wait_for_log([](const nlohmann::json& j) { return j.value("msg", "") == "tls certificate"; }, 0s))
    a->fingerprint_ = (*cert)["sha256_fingerprint"].get<std::string>();
  return a;
}

RunResult Airlock::start_expect_exit(const std::string& data_dir, const Env& env) {
  Env full{{"AIRLOCK_DATA_DIR", data_dir}, {"AIRLOCK_LISTEN", "127.0.0.1:0"}};
  for (const auto& [k, v] : env) full[k] = v;
  return run_program({airlock_bin(), "serve"}, full, {}, 30s);
}

void Airlock::reader_loop(int out_fd, int err_fd) {
  std::string pending;
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    if (::poll(fds, 2, 1000) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      std::lock_guard lock(mu_);
      raw_.append(buf, static_cast<std::size_t>(n));
      if (i == 0) {
        stdout_.append(buf, static_cast<std::size_t>(n));
        cv_.notify_all();
        continue;
      }
      pending.append(buf, static_cast<std::size_t>(n));
      std::size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        lines_.push_back(pending.substr(0, nl));
        pending.erase(0, nl + 1);
      }
      cv_.notify_all();
    }
  }
  int st = 0;
  ::waitpid(pid_, &st, 0);
  std::lock_guard lock(mu_);
  exit_code_ = decode_status(st);
  exited_ = true;
  cv_.notify_all();
}

Airlock::~Airlock() {
  {
    std::lock_guard lock(mu_);
    if (!exited_) ::kill(pid_, SIGKILL);
  }
  if (reader_.joinable()) reader_.join();
}

std::vector<std::string> Airlock::log_lines() const {
  std::lock_guard lock(mu_);
  return lines_;
}

std::string Airlock::stdout_text() const {
  std::lock_guard lock(mu_);
  return stdout_;
}

std::string Airlock::wait_for_stdout(const std::string& needle, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return exited_ || stdout_.find(needle) != std::string::npos; });
  return stdout_;
}

std::string Airlock::all_output() const {
  std::lock_guard lock(mu_);
  return raw_;
}

std::optional<nlohmann::json> Airlock::wait_for_log(const std::function<bool(const nlohmann::json&)>& pred,
                                                    std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  std::size_t seen = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (; seen < lines_.size(); ++seen) {
      auto j = nlohmann::json::parse(lines_[seen], nullptr, false);
      if (!j.is_discarded() && j.is_object() && pred(j)) return j;
    }
    if (exited_) return std::nullopt;
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && seen == lines_.size()) return std::nullopt;
  }
}

void Airlock::send_signal(int sig) { ::kill(pid_, sig); }

int Airlock::wait_exit(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return exited_; })) return -1;
  return exit_code_;
}

struct TlsConn::Impl {
  mbedtls_net_context net;
  mbedtls_ssl_context ssl;
  mbedtls_ssl_config conf;
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  Impl() {
    mbedtls_net_init(&net);
    mbedtls_ssl_init(&ssl);
    mbedtls_ssl_config_init(&conf);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
  }
  ~Impl() {
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&conf);
    mbedtls_net_free(&net);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
  }
};

std::unique_ptr<TlsConn> TlsConn::connect(int port, std::string* error) {
  std::unique_ptr<TlsConn> c(new TlsConn());
  c->impl_ = std::make_unique<Impl>();
  auto& I = *c->impl_;
  auto fail = [&](const char* what, int rc) -> std::unique_ptr<TlsConn> {
    if (error) *error = std::string(what) + " " + std::to_string(rc);
    return nullptr;
  };
  int rc = mbedtls_ctr_drbg_seed(&I.drbg, mbedtls_entropy_func, &I.entropy, nullptr, 0);
  if (rc) return fail("seed", rc);
  rc = mbedtls_net_connect(&I.net, "127.0.0.1", std::to_string(port).c_str(), MBEDTLS_NET_PROTO_TCP);
  if (rc) return fail("connect", rc);
  mbedtls_ssl_config_defaults(&I.conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                              MBEDTLS_SSL_PRESET_DEFAULT);
  mbedtls_ssl_conf_authmode(&I.conf, MBEDTLS_SSL_VERIFY_NONE);
  mbedtls_ssl_conf_rng(&I.conf, mbedtls_ctr_drbg_random, &I.drbg);
  mbedtls_ssl_conf_read_timeout(&I.conf, 200);
  rc = mbedtls_ssl_setup(&I.ssl, &I.conf);
  if (rc) return fail("setup", rc);
  mbedtls_ssl_set_bio(&I.ssl, &I.net, mbedtls_net_send, nullptr, mbedtls_net_recv_timeout);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while ((rc = mbedtls_ssl_handshake(&I.ssl)) != 0) {
    bool again = rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE || rc == MBEDTLS_ERR_SSL_TIMEOUT;
    if (!again || std::chrono::steady_clock::now() > deadline) return fail("handshake", rc);
  }
  return c;
}

TlsConn::~TlsConn() = default;

bool TlsConn::write(const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    int n = mbedtls_ssl_write(&impl_->ssl, reinterpret_cast<const unsigned char*>(bytes.data() + off),
                              bytes.size() - off);
    if (n == MBEDTLS_ERR_SSL_WANT_WRITE || n == MBEDTLS_ERR_SSL_WANT_READ) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

std::string TlsConn::read_all(std::chrono::milliseconds timeout) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  unsigned char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    int n = mbedtls_ssl_read(&impl_->ssl, buf, sizeof buf);
    if (n > 0) {
      out.append(reinterpret_cast<char*>(buf), static_cast<std::size_t>(n));
      continue;
    }
    if (n == MBEDTLS_ERR_SSL_TIMEOUT || n == MBEDTLS_ERR_SSL_WANT_READ ||
        n == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
      continue;
    break;  // EOF, close_notify or reset
  }
  return out;
}

bool TlsConn::read_until(std::string* got, const std::string& needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  unsigned char buf[4096];
  while (got->find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    int n = mbedtls_ssl_read(&impl_->ssl, buf, sizeof buf);
    if (n > 0) {
      got->append(reinterpret_cast<char*>(buf), static_cast<std::size_t>(n));
      continue;
    }
    if (n == MBEDTLS_ERR_SSL_TIMEOUT || n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
      continue;
    return got->find(needle) != std::string::npos;
  }
  return true;
}

std::optional<HttpReply> TlsConn::read_response(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string got;
  if (!read_until(&got, "\r\n\r\n", timeout)) return std::nullopt;
  auto head_end = got.find("\r\n\r\n") + 4;
  auto lower = got.substr(0, head_end);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto cl = lower.find("content-length:");
  std::size_t len = cl == std::string::npos ? 0 : std::stoul(lower.substr(cl + 15));
  unsigned char buf[4096];
  while (got.size() < head_end + len) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    int n = mbedtls_ssl_read(&impl_->ssl, buf, sizeof buf);
    if (n > 0) got.append(reinterpret_cast<char*>(buf), static_cast<std::size_t>(n));
    else if (n != MBEDTLS_ERR_SSL_TIMEOUT && n != MBEDTLS_ERR_SSL_WANT_READ && n != MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
      return std::nullopt;
  }
  return parse_reply(got.substr(0, head_end + len));
}

bool TlsConn::closed_within(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  unsigned char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    int n = mbedtls_ssl_read(&impl_->ssl, buf, sizeof buf);
    if (n > 0 || n == MBEDTLS_ERR_SSL_TIMEOUT || n == MBEDTLS_ERR_SSL_WANT_READ ||
        n == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
      continue;
    return true;
  }
  return false;
}

std::optional<HttpReply> parse_reply(const std::string& raw) {
  auto end = raw.find("\r\n\r\n");
  if (end == std::string::npos || raw.rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
  HttpReply r;
  r.raw = raw;
  r.status = std::atoi(raw.c_str() + 9);
  std::istringstream head(raw.substr(0, end));
  std::string line;
  std::getline(head, line);
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers[name] = value;
  }
  r.body = raw.substr(end + 4);
  if (r.headers.count("content-length")) {
    auto len = std::stoul(r.headers["content-length"]);
    if (r.body.size() > len) r.body.resize(len);
  }
  return r;
}

HttpReply https_request(int port, const std::string& method, const std::string& target,
                        const std::map<std::string, std::string>& headers, const std::string& body) {
  std::string err;
  auto c = TlsConn::connect(port, &err);
  INFO(err);
  REQUIRE(c);
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  REQUIRE(c->write(req));
  auto raw = c->read_all(15s);
  auto r = parse_reply(raw);
  INFO(raw);
  REQUIRE(r.has_value());
  return *r;
}

std::string plain_request(int port, const std::string& raw, std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::write(fd, raw.data(), raw.size()) == static_cast<ssize_t>(raw.size()));
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd p{fd, POLLIN, 0};
  while (std::chrono::steady_clock::now() < deadline) {
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string sha256_file_hex(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  unsigned char h[32];
  mbedtls_sha256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), h, 0);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : h) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace airlock::testing
