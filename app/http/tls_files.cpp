#include "http/tls_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "crypto/self_signed.h"
#include "store/key_material.h"

namespace airlock::http {
namespace {

core::Status tls_error(const std::string& m) { return core::Status::error("tls_error", m); }

core::Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tls_error("cannot read '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

core::Status write_private(const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return tls_error("cannot create '" + path + "': " + std::strerror(errno));
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
  ::close(fd);
  return ok ? core::Status::ok() : tls_error("cannot write '" + path + "'");
}

core::Result<TlsFiles> load_pair(const std::string& cert_path, const std::string& key_path, bool self_signed) {
  if (auto s = store::check_private_file(key_path, "TLS key file"); !s) return s;
  auto cert = read_file(cert_path);
  if (!cert) return cert.status();
  auto key = read_file(key_path);
  if (!key) return key.status();
  auto fp = crypto::cert_fingerprint_from_pem(*cert);
  if (!fp) return tls_error("'" + cert_path + "' does not hold a PEM certificate");
  TlsFiles t;
  t.cert_pem = std::move(*cert);
  t.key_pem = std::move(*key);
  t.fingerprint = *fp;
  t.cert_path = cert_path;
  t.self_signed = self_signed;
  return t;
}

}  // namespace

core::Result<TlsFiles> load_or_create_tls(const core::Config& config, const core::Clock& clock) {
  if (!config.tls_cert_file.empty()) return load_pair(config.tls_cert_file, config.tls_key_file, false);

  std::string dir = config.data_dir + "/tls";
  std::string cert_path = dir + "/cert.pem", key_path = dir + "/key.pem";
  if (::access(cert_path.c_str(), F_OK) == 0) return load_pair(cert_path, key_path, true);

  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return tls_error("cannot create '" + dir + "'");
  std::vector<std::string> ips{"127.0.0.1", "::1"};
  if (config.listen_host != "127.0.0.1" && config.listen_host != "0.0.0.0" && config.listen_host != "::" &&
      config.listen_host != "::1")
    ips.push_back(config.listen_host);
  auto made = crypto::generate_self_signed(config.tls_hostnames, ips, clock.system_now());
  if (!made) return made.status();
  std::string key_pem(made->key_pem.bytes().begin(), made->key_pem.bytes().end());
  ::unlink(key_path.c_str());  // a key left without its certificate by an interrupted first start
  // Key first: a crash between the two writes leaves no certificate, so the next start regenerates.
  if (auto s = write_private(key_path, key_pem); !s) return s;
  if (auto s = write_private(cert_path, made->cert_pem); !s) return s;
  TlsFiles t;
  t.cert_pem = made->cert_pem;
  t.key_pem = std::move(key_pem);
  t.fingerprint = made->sha256_fingerprint;
  t.cert_path = cert_path;
  t.generated = true;
  t.self_signed = true;
  return t;
}

}  // namespace airlock::http
