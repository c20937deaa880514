#include "crypto/self_signed.h"

#include <arpa/inet.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cstring>

#include "core/random.h"

using namespace airlock;

namespace {

// 2023-11-14T22:13:20Z.
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

struct ParsedCrt {
  ParsedCrt() { mbedtls_x509_crt_init(&crt); }
  ~ParsedCrt() { mbedtls_x509_crt_free(&crt); }
  ParsedCrt(const ParsedCrt&) = delete;
  ParsedCrt& operator=(const ParsedCrt&) = delete;
  int parse(const std::string& pem) {
    return mbedtls_x509_crt_parse(&crt, reinterpret_cast<const unsigned char*>(pem.c_str()), pem.size() + 1);
  }
  mbedtls_x509_crt crt;
};

struct Sans {
  std::vector<std::string> dns;
  std::vector<std::string> ips;
};

Sans read_sans(const mbedtls_x509_crt& crt) {
  Sans out;
  for (const mbedtls_x509_sequence* s = &crt.subject_alt_names; s != nullptr && s->buf.p != nullptr; s = s->next) {
    int type = s->buf.tag & MBEDTLS_ASN1_TAG_VALUE_MASK;
    if (type == MBEDTLS_X509_SAN_DNS_NAME) {
      out.dns.emplace_back(reinterpret_cast<const char*>(s->buf.p), s->buf.len);
    } else if (type == MBEDTLS_X509_SAN_IP_ADDRESS) {
      char text[INET6_ADDRSTRLEN] = {};
      inet_ntop(s->buf.len == 4 ? AF_INET : AF_INET6, s->buf.p, text, sizeof text);
      out.ips.emplace_back(text);
    }
  }
  return out;
}

bool same_time(const mbedtls_x509_time& t, int y, int mo, int d, int h, int mi, int s) {
  return t.year == y && t.mon == mo && t.day == d && t.hour == h && t.min == mi && t.sec == s;
}

int rng(void* p, unsigned char* out, std::size_t n) {
  static_cast<core::Random*>(p)->fill(out, n);
  return 0;
}

crypto::SelfSignedCert make(std::chrono::system_clock::time_point now = kNow) {
  auto made = crypto::generate_self_signed({"localhost", "airlock.example.com"}, {"127.0.0.1", "::1", "192.0.2.7"},
                                           now);
  REQUIRE(made.is_ok());
  return std::move(*made);
}

}  // namespace

TEST_CASE("the self-signed certificate is an ECDSA P-256 / SHA-256 v3 certificate signed by its own key",
          "[crypto][tls][V11.6.1][V11.2.3]") {
  auto made = make();
  ParsedCrt p;
  REQUIRE(p.parse(made.cert_pem) == 0);
  CHECK(p.crt.version == 3);
  CHECK(mbedtls_pk_get_type(&p.crt.pk) == MBEDTLS_PK_ECKEY);
  CHECK(mbedtls_ecp_keypair_get_group_id(mbedtls_pk_ec(p.crt.pk)) == MBEDTLS_ECP_DP_SECP256R1);
  CHECK(p.crt.sig_oid.len == MBEDTLS_OID_SIZE(MBEDTLS_OID_ECDSA_SHA256));
  CHECK(std::memcmp(p.crt.sig_oid.p, MBEDTLS_OID_ECDSA_SHA256, p.crt.sig_oid.len) == 0);

  char dn[128];
  REQUIRE(mbedtls_x509_dn_gets(dn, sizeof dn, &p.crt.subject) > 0);
  CHECK(std::string(dn) == "CN=Airlock self-signed");
  REQUIRE(mbedtls_x509_dn_gets(dn, sizeof dn, &p.crt.issuer) > 0);
  CHECK(std::string(dn) == "CN=Airlock self-signed");

  crypto::Digest tbs_hash = crypto::sha256(crypto::ByteView(p.crt.tbs.p, p.crt.tbs.len));
  const mbedtls_x509_buf& sig = p.crt.MBEDTLS_PRIVATE(sig);
  CHECK(mbedtls_pk_verify(&p.crt.pk, MBEDTLS_MD_SHA256, tbs_hash.data(), tbs_hash.size(), sig.p, sig.len) == 0);

  // The private key PEM belongs to the certificate's public key.
  std::string key_pem(made.key_pem.bytes().begin(), made.key_pem.bytes().end());
  CHECK(key_pem.starts_with("-----BEGIN EC PRIVATE KEY-----"));
  core::SeededRandom random(1);
  mbedtls_pk_context key;
  mbedtls_pk_init(&key);
  CHECK(mbedtls_pk_parse_key(&key, reinterpret_cast<const unsigned char*>(key_pem.c_str()), key_pem.size() + 1,
                             nullptr, 0, rng, &random) == 0);
  CHECK(mbedtls_pk_check_pair(&p.crt.pk, &key, rng, &random) == 0);
  mbedtls_pk_free(&key);
}

TEST_CASE("the self-signed certificate names every given host and address and always 127.0.0.1",
          "[crypto][tls][V12.2.1]") {
  auto made = make();
  ParsedCrt p;
  REQUIRE(p.parse(made.cert_pem) == 0);
  Sans sans = read_sans(p.crt);
  CHECK(sans.dns == std::vector<std::string>{"localhost", "airlock.example.com"});
  CHECK(sans.ips == std::vector<std::string>{"127.0.0.1", "::1", "192.0.2.7"});
}

TEST_CASE("the self-signed certificate is a server leaf, not a CA", "[crypto][tls][V11.6.1]") {
  auto made = make();
  ParsedCrt p;
  REQUIRE(p.parse(made.cert_pem) == 0);
  CHECK(mbedtls_x509_crt_check_key_usage(&p.crt, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) == 0);
  CHECK(mbedtls_x509_crt_check_key_usage(&p.crt, MBEDTLS_X509_KU_KEY_CERT_SIGN) != 0);
  CHECK(mbedtls_x509_crt_check_extended_key_usage(&p.crt, MBEDTLS_OID_SERVER_AUTH,
                                                  MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)) == 0);
  CHECK(mbedtls_x509_crt_check_extended_key_usage(&p.crt, MBEDTLS_OID_CLIENT_AUTH,
                                                  MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)) != 0);
  char info[4096];
  REQUIRE(mbedtls_x509_crt_info(info, sizeof info, "", &p.crt) > 0);
  CHECK(std::string(info).find("basic constraints : CA=false") != std::string::npos);
}

TEST_CASE("the self-signed certificate is valid from an hour before now to 397 days after", "[crypto][tls]") {
  auto made = make();
  ParsedCrt p;
  REQUIRE(p.parse(made.cert_pem) == 0);
  CHECK(same_time(p.crt.valid_from, 2023, 11, 14, 21, 13, 20));
  CHECK(same_time(p.crt.valid_to, 2024, 12, 15, 22, 13, 20));

  // Past 2049 X.509 switches from UTCTime to GeneralizedTime (RFC 5280 §4.1.2.5).
  auto late = make(std::chrono::system_clock::time_point(std::chrono::seconds(2'521'929'600)));  // 2049-12-01
  ParsedCrt q;
  REQUIRE(q.parse(late.cert_pem) == 0);
  CHECK(same_time(q.crt.valid_from, 2049, 11, 30, 23, 0, 0));
  CHECK(same_time(q.crt.valid_to, 2051, 1, 2, 0, 0, 0));
}

TEST_CASE("the self-signed serial is 16 random bytes and positive", "[crypto][tls][V11.5.1]") {
  auto a = make();
  auto b = make();
  ParsedCrt pa, pb;
  REQUIRE(pa.parse(a.cert_pem) == 0);
  REQUIRE(pb.parse(b.cert_pem) == 0);
  REQUIRE(pa.crt.serial.len == 16);
  CHECK((pa.crt.serial.p[0] & 0x80) == 0);
  CHECK(pa.crt.serial.p[0] != 0);
  CHECK(std::memcmp(pa.crt.serial.p, pb.crt.serial.p, 16) != 0);
  CHECK(a.sha256_fingerprint != b.sha256_fingerprint);
}

TEST_CASE("the fingerprint is SHA-256 of the DER certificate in openssl's AB:CD form", "[crypto][tls]") {
  auto made = make();
  ParsedCrt p;
  REQUIRE(p.parse(made.cert_pem) == 0);
  crypto::Digest d = crypto::sha256(crypto::ByteView(p.crt.raw.p, p.crt.raw.len));
  std::string expected;
  for (std::uint8_t byte : d) {
    char pair[4];
    std::snprintf(pair, sizeof pair, "%02X", byte);
    if (!expected.empty()) expected += ':';
    expected += pair;
  }
  CHECK(made.sha256_fingerprint == expected);
  CHECK(made.sha256_fingerprint.size() == 32 * 3 - 1);

  auto from_pem = crypto::cert_fingerprint_from_pem(made.cert_pem);
  REQUIRE(from_pem.is_ok());
  CHECK(*from_pem == made.sha256_fingerprint);
  // A chain file: the leaf comes first and is the one clients see.
  auto other = make();
  auto chain = crypto::cert_fingerprint_from_pem(made.cert_pem + other.cert_pem);
  REQUIRE(chain.is_ok());
  CHECK(*chain == made.sha256_fingerprint);
}

TEST_CASE("a fingerprint is refused for text that is not a PEM certificate", "[crypto][tls]") {
  auto made = make();
  std::string corrupt = made.cert_pem;
  corrupt[corrupt.size() / 2] = corrupt[corrupt.size() / 2] == 'A' ? 'B' : 'A';
  std::string key_pem(made.key_pem.bytes().begin(), made.key_pem.bytes().end());
  for (const std::string& bad : {std::string(), std::string("hello"), key_pem, corrupt,
                                 std::string("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"),
                                 made.cert_pem.substr(0, made.cert_pem.size() / 2)}) {
    CHECK(crypto::cert_fingerprint_from_pem(bad).status().code() == "cert_invalid");
  }
}

TEST_CASE("bad host names, bad addresses and empty name lists are refused", "[crypto][tls]") {
  auto code = [](std::vector<std::string> dns, std::vector<std::string> ips) {
    auto r = crypto::generate_self_signed(dns, ips, kNow);
    return r.is_ok() ? std::string("ok") : r.status().code();
  };
  CHECK(code({}, {}) == "tls_san_invalid");
  CHECK(code({"bad host"}, {"127.0.0.1"}) == "tls_san_invalid");
  CHECK(code({""}, {"127.0.0.1"}) == "tls_san_invalid");
  CHECK(code({"a..b"}, {"127.0.0.1"}) == "tls_san_invalid");
  CHECK(code({"evil\n.com"}, {"127.0.0.1"}) == "tls_san_invalid");
  CHECK(code({}, {"127.1"}) == "tls_san_invalid");
  CHECK(code({}, {"0x7f000001"}) == "tls_san_invalid");
  CHECK(code({}, {"::g"}) == "tls_san_invalid");
  CHECK(code({}, {""}) == "tls_san_invalid");
  CHECK(code(std::vector<std::string>(101, "a.example"), {}) == "tls_san_invalid");
  CHECK(code({"*.example.com"}, {"127.0.0.1"}) == "ok");
  CHECK(code({}, {"127.0.0.1"}) == "ok");
}
