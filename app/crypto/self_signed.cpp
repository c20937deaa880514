#include "crypto/self_signed.h"

#include <arpa/inet.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <array>
#include <cstring>
#include <ctime>

#include "crypto/mbedtls_glue.h"

namespace airlock::crypto {
namespace {

using Entropy = detail::Scoped<mbedtls_entropy_context, mbedtls_entropy_init, mbedtls_entropy_free>;
using Drbg = detail::Scoped<mbedtls_ctr_drbg_context, mbedtls_ctr_drbg_init, mbedtls_ctr_drbg_free>;
using Pk = detail::Scoped<mbedtls_pk_context, mbedtls_pk_init, mbedtls_pk_free>;
using CrtWriter = detail::Scoped<mbedtls_x509write_cert, mbedtls_x509write_crt_init, mbedtls_x509write_crt_free>;
using Crt = detail::Scoped<mbedtls_x509_crt, mbedtls_x509_crt_init, mbedtls_x509_crt_free>;

constexpr char kSubject[] = "CN=Airlock self-signed";
constexpr std::size_t kMaxSanEntries = 100;
constexpr std::size_t kSerialSize = 16;
constexpr auto kBackdate = std::chrono::hours(1);
constexpr auto kLifetime = std::chrono::hours(24 * 397);

core::Status cert_failed(const char* step, int rc) {
  return core::Status::error("tls_cert_failed", "could not create the self-signed TLS certificate",
                             std::string(step) + ": mbedtls " + std::to_string(rc));
}

core::Status san_invalid(const std::string& what) {
  return core::Status::error("tls_san_invalid", "invalid TLS certificate name or address: '" + what + "'");
}

bool valid_dns_name(std::string_view name) {
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return name.find("..") == std::string_view::npos;
}

// X.509 validity as mbedTLS wants it: "YYYYMMDDhhmmss" in UTC.
std::string x509_time(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return buf;
}

// Storage for the SAN list: mbedTLS links nodes by pointer and reads the bytes in place.
struct SanList {
  std::vector<std::array<unsigned char, 16>> ip_bytes;
  std::vector<mbedtls_x509_san_list> nodes;
};

core::Status build_san_list(const std::vector<std::string>& dns_names, const std::vector<std::string>& ips,
                            SanList& out) {
  std::size_t total = dns_names.size() + ips.size();
  if (total == 0 || total > kMaxSanEntries) return san_invalid(std::to_string(total) + " entries");
  out.ip_bytes.resize(ips.size());
  out.nodes.resize(total);
  std::size_t n = 0;
  for (const std::string& name : dns_names) {
    if (!valid_dns_name(name)) return san_invalid(name);
    mbedtls_x509_san_list& node = out.nodes[n++];
    node.node.type = MBEDTLS_X509_SAN_DNS_NAME;
    node.node.san.unstructured_name.p = reinterpret_cast<unsigned char*>(const_cast<char*>(name.data()));
    node.node.san.unstructured_name.len = name.size();
  }
  for (std::size_t i = 0; i < ips.size(); ++i) {
    // inet_pton is strict: no "127.1", octal or hex forms sneak into a certificate.
    bool v6 = ips[i].find(':') != std::string::npos;
    if (inet_pton(v6 ? AF_INET6 : AF_INET, ips[i].c_str(), out.ip_bytes[i].data()) != 1) return san_invalid(ips[i]);
    mbedtls_x509_san_list& node = out.nodes[n++];
    node.node.type = MBEDTLS_X509_SAN_IP_ADDRESS;
    node.node.san.unstructured_name.p = out.ip_bytes[i].data();
    node.node.san.unstructured_name.len = v6 ? 16 : 4;
  }
  // mbedTLS writes DER back to front, so the list is linked in reverse to keep the caller's order
  // in the certificate (clients and `openssl x509 -text` then show the names as configured).
  for (std::size_t i = 1; i < total; ++i) out.nodes[i].next = &out.nodes[i - 1];
  return core::Status::ok();
}

core::Result<std::string> der_to_pem(const core::Bytes& der) {
  std::vector<unsigned char> buf(der.size() * 2 + 128);
  std::size_t olen = 0;
  int rc = mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n", der.data(),
                                    der.size(), buf.data(), buf.size(), &olen);
  if (rc != 0) return cert_failed("pem_write", rc);
  return std::string(reinterpret_cast<const char*>(buf.data()), olen > 0 ? olen - 1 : 0);  // olen counts the NUL
}

core::Result<core::SecretBytes> key_to_pem(Pk& key) {
  core::SecretBytes buf{core::Bytes(1024)};
  if (int rc = mbedtls_pk_write_key_pem(key.get(), buf.data(), buf.size()); rc != 0) return cert_failed("key_pem", rc);
  return core::SecretBytes(buf.data(), std::strlen(reinterpret_cast<const char*>(buf.data())));
}

// Fills in everything but the keys; split out to keep generate_self_signed readable.
core::Status set_fields(CrtWriter& crt, const SanList& sans, std::chrono::system_clock::time_point now,
                        Drbg& drbg) {
  mbedtls_x509write_cert* c = crt.get();
  mbedtls_x509write_crt_set_version(c, MBEDTLS_X509_CRT_VERSION_3);
  mbedtls_x509write_crt_set_md_alg(c, MBEDTLS_MD_SHA256);

  // RFC 5280 §4.1.2.2: positive, at most 20 octets. A set second-highest bit and a clear top bit
  // keep it positive and exactly 16 octets in DER; 126 random bits remain.
  std::array<unsigned char, kSerialSize> serial{};
  if (int rc = mbedtls_ctr_drbg_random(drbg.get(), serial.data(), serial.size()); rc != 0)
    return cert_failed("serial", rc);
  serial[0] = static_cast<unsigned char>((serial[0] & 0x7f) | 0x40);
  if (int rc = mbedtls_x509write_crt_set_serial_raw(c, serial.data(), serial.size()); rc != 0)
    return cert_failed("set_serial", rc);

  std::string not_before = x509_time(now - kBackdate), not_after = x509_time(now + kLifetime);
  if (int rc = mbedtls_x509write_crt_set_validity(c, not_before.c_str(), not_after.c_str()); rc != 0)
    return cert_failed("set_validity", rc);
  if (int rc = mbedtls_x509write_crt_set_subject_name(c, kSubject); rc != 0) return cert_failed("subject", rc);
  if (int rc = mbedtls_x509write_crt_set_issuer_name(c, kSubject); rc != 0) return cert_failed("issuer", rc);
  if (int rc = mbedtls_x509write_crt_set_basic_constraints(c, 0, -1); rc != 0)
    return cert_failed("basic_constraints", rc);
  if (int rc = mbedtls_x509write_crt_set_key_usage(c, MBEDTLS_X509_KU_DIGITAL_SIGNATURE); rc != 0)
    return cert_failed("key_usage", rc);

  mbedtls_asn1_sequence eku{};
  eku.buf.tag = MBEDTLS_ASN1_OID;
  eku.buf.p = reinterpret_cast<unsigned char*>(const_cast<char*>(MBEDTLS_OID_SERVER_AUTH));
  eku.buf.len = MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH);
  if (int rc = mbedtls_x509write_crt_set_ext_key_usage(c, &eku); rc != 0) return cert_failed("ext_key_usage", rc);
  if (int rc = mbedtls_x509write_crt_set_subject_alternative_name(c, &sans.nodes.back()); rc != 0)
    return cert_failed("subject_alt_name", rc);
  return core::Status::ok();
}

}  // namespace

std::string sha256_fingerprint(ByteView der) {
  Digest d = sha256(der);
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(d.size() * 3);
  for (std::uint8_t b : d) {
    if (!out.empty()) out.push_back(':');
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

core::Result<SelfSignedCert> generate_self_signed(const std::vector<std::string>& dns_names,
                                                  const std::vector<std::string>& ip_addresses,
                                                  std::chrono::system_clock::time_point now) {
  SanList sans;
  if (auto s = build_san_list(dns_names, ip_addresses, sans); !s) return s;

  Entropy entropy;
  Drbg drbg;
  static constexpr char kPers[] = "airlock-self-signed";
  if (int rc = mbedtls_ctr_drbg_seed(drbg.get(), mbedtls_entropy_func, entropy.get(),
                                     reinterpret_cast<const unsigned char*>(kPers), sizeof kPers - 1);
      rc != 0)
    return cert_failed("drbg_seed", rc);

  Pk key;
  if (int rc = mbedtls_pk_setup(key.get(), mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)); rc != 0)
    return cert_failed("pk_setup", rc);
  if (int rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*key.get()), mbedtls_ctr_drbg_random,
                                   drbg.get());
      rc != 0)
    return cert_failed("ecp_gen_key", rc);

  CrtWriter crt;
  mbedtls_x509write_crt_set_subject_key(crt.get(), key.get());
  mbedtls_x509write_crt_set_issuer_key(crt.get(), key.get());
  if (auto s = set_fields(crt, sans, now, drbg); !s) return s;

  // The writer fills the buffer from its end and returns the length written.
  core::Bytes buf(16384);
  int len = mbedtls_x509write_crt_der(crt.get(), buf.data(), buf.size(), mbedtls_ctr_drbg_random, drbg.get());
  if (len <= 0) return cert_failed("crt_der", len);
  core::Bytes der(buf.end() - len, buf.end());

  auto pem = der_to_pem(der);
  if (!pem) return pem.status();
  auto key_pem = key_to_pem(key);
  if (!key_pem) return key_pem.status();
  return SelfSignedCert{std::move(*pem), std::move(*key_pem), sha256_fingerprint(der)};
}

core::Result<std::string> cert_fingerprint_from_pem(const std::string& pem) {
  auto invalid = [] { return core::Status::error("cert_invalid", "not a PEM-encoded X.509 certificate"); };
  if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) return invalid();
  Crt crt;
  // mbedTLS takes PEM only with the terminating NUL counted in the length.
  int rc = mbedtls_x509_crt_parse(crt.get(), reinterpret_cast<const unsigned char*>(pem.c_str()), pem.size() + 1);
  if (rc != 0) return invalid();
  return sha256_fingerprint(ByteView(crt.get()->raw.p, crt.get()->raw.len));
}

}  // namespace airlock::crypto
