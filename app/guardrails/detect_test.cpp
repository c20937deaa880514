// The built-in detectors, each with what it must find and what it must leave alone (ASVS V14.2.4:
// sensitive data kept from places it should not reach). Card numbers are the networks' published
// test numbers; other "secrets" are made up in the vendors' shapes.
#include "guardrails/detect.h"

#include <catch2/catch_test_macros.hpp>
#include <string>
#include <utility>
#include <vector>

using namespace airlock::guardrails;

namespace {

std::vector<std::pair<std::string, std::string>> found(std::string_view text) {
  Scan s;
  detect(text, s);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : s.findings) {
    REQUIRE(f.begin < f.end);
    REQUIRE(f.end <= text.size());
    out.emplace_back(std::string(detector_name(f.detector)), std::string(text.substr(f.begin, f.end - f.begin)));
  }
  return out;
}

// Each positive is found exactly, alone and inside a sentence.
void expect_found(std::string_view kind, const std::vector<std::string>& items) {
  for (const auto& item : items) {
    INFO(item);
    auto alone = found(item);
    REQUIRE(alone.size() == 1);
    CHECK(alone[0].first == kind);
    CHECK(alone[0].second == item);
    auto inside = found("Please use " + item + ", thanks.");
    REQUIRE(inside.size() == 1);
    CHECK(inside[0].second == item);
  }
}

void expect_nothing(const std::vector<std::string>& items) {
  for (const auto& item : items) {
    INFO(item);
    CHECK(found(item).empty());
    CHECK(found("Ref " + item + " here.").empty());
  }
}

// A digit string of `len` starting with `prefix`, completed with a Luhn check digit (or the next
// wrong one when `valid` is false).
std::string card(std::string prefix, std::size_t len, bool valid = true) {
  while (prefix.size() < len - 1) prefix += static_cast<char>('0' + (prefix.size() * 7) % 10);
  for (char d = '0'; d <= '9'; ++d)
    if (luhn_valid(prefix + d)) return prefix + (valid ? d : static_cast<char>('0' + (d - '0' + 1) % 10));
  return {};
}

}  // namespace

TEST_CASE("Luhn: known vectors and every single-digit change fails", "[guardrails]") {
  CHECK(luhn_valid("79927398713"));  // ISO/IEC 7812 worked example
  CHECK(luhn_valid("4111111111111111"));
  CHECK(luhn_valid("378282246310005"));
  CHECK_FALSE(luhn_valid("79927398710"));
  CHECK_FALSE(luhn_valid(""));
  CHECK_FALSE(luhn_valid("4111x11111111111"));
  std::string v = "4111111111111111";
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string w = v;
    w[i] = w[i] == '9' ? '0' : static_cast<char>(w[i] + 1);
    CHECK_FALSE(luhn_valid(w));
  }
}

TEST_CASE("e-mail addresses are found; look-alikes are not", "[guardrails]") {
  expect_found("email", {"alice@example.com", "first.last+tag@sub.example.co.uk", "O'Brien@example.ie",
                         "x_y-z%1@mail-01.example.museum", "a@b.io", "ADMIN@EXAMPLE.COM"});
  CHECK(found("mail bob@example.org.") == decltype(found("")){{"email", "bob@example.org"}});
  CHECK(found("<carol@example.net>") == decltype(found("")){{"email", "carol@example.net"}});
  CHECK(found("mailto:dave@example.com") == decltype(found("")){{"email", "dave@example.com"}});
  CHECK(found(".eve@example.com") == decltype(found("")){{"email", "eve@example.com"}});
  expect_nothing({"@scope/pkg@1.2.3", "npm i @types/node@20.1.0", "user@localhost", "a@b.c", "x@1.2.3.4",
                  "foo@bar.123", "@mention", "name@", "@example.com", "a@-b.com", "a@b-.com", "a@b..com",
                  "trailing.@example.com", "x@b_c.com", "x@exa_mple.com"});
  // Local parts over 64 bytes are not addresses.
  CHECK(found(std::string(65, 'a') + "@example.com").empty());
  CHECK(found(std::string(64, 'a') + "@example.com").size() == 1);
}

TEST_CASE("payment cards: 13-19 digits, grouped or not, Luhn-valid only", "[guardrails]") {
  expect_found("card", {"4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "5555 5555 5555 4444",
                        "3782 822463 10005", "378282246310005", "6011 1111 1111 1117", "2223003122003222",
                        "4222222222222", card("4", 13), card("5", 19), card("62", 19), card("3", 15)});
  // A 16-digit run that fails Luhn is left alone (most order ids), as is every other network digit.
  expect_nothing({"4111111111111112", "4111 1111 1111 1112", card("4", 16, false), card("5", 19, false),
                  card("4", 12), card("4", 20), card("1", 16), card("7", 16), card("8", 16), card("9", 16),
                  "4111.1111.1111.1111", "4111 1111-1111 1111", "41 11 11 11 11 11 11 11", "(4111) 1111 1111 1111",
                  "INV-4111111111111111", "4111111111111111abc", "id_4111111111111111"});
  // The card before an expiry date or inside a list of numbers.
  CHECK(found("4111 1111 1111 1111 12/28") == decltype(found("")){{"card", "4111 1111 1111 1111"}});
  CHECK(found("7 4111 1111 1111 1111 9") == decltype(found("")){{"card", "4111 1111 1111 1111"}});
}

TEST_CASE("US SSNs in a format the SSA issues; bare nine digits are not", "[guardrails]") {
  expect_found("ssn", {"123-45-6789", "001-01-0001", "665-12-3456", "667-12-3456", "899-99-9999", "078-05-1120"});
  expect_nothing({"000-12-3456", "666-12-3456", "900-12-3456", "950-12-3456", "999-99-9999", "123-00-4567",
                  "123-45-0000", "123456789", "order 123456789", "123 45 6789", "123.45.6789", "123-45-67890",
                  "1123-45-6789", "123-456-789", "123-45-6789-1", "a123-45-6789"});
}

TEST_CASE("phones: E.164 and NANP with separators; bare runs are not", "[guardrails]") {
  expect_found("phone", {"(202) 555-0178", "202-555-0134", "202.555.0199", "+1 202 555 0123", "1-800-555-0199",
                         "(202)555-0178", "202 555 0134", "+442079460958", "+44 20 7946 0958",
                         "+49 (30) 1234567", "+12345678", "+123456789012345", "1 415 555 2671"});
  expect_nothing({"+1234567", "+1234567890123456", "2025550134", "1733560000", "102-555-0134", "202-155-0134",
                  "202-055-0134", "(102) 555-0178", "555-0134", "202-555-01345", "2-202-555-0134",
                  "202-555-0134x"});
}

TEST_CASE("secrets: vendor key shapes, PEM private keys and JWTs", "[guardrails]") {
  std::string b62 = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y5z6";
  expect_found("secret",
               {"sk-" + b62.substr(0, 48), "sk-proj-" + b62 + "_-" + b62, "sk-ant-api03-" + b62 + b62.substr(0, 40) + "AA",
                "sk-1234567890abcdef1234567890abcdef", "AKIAIOSFODNN7EXAMPLE", "ASIAY34FZKBOKMUTVV7A",
                "ghp_" + b62.substr(0, 36), "gho_" + b62.substr(0, 36), "github_pat_11ABCDEFG0" + b62.substr(0, 50),
                "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "AIzaSyD-" + b62.substr(0, 29) + "_x",
                "alk_ab12cd34_" + b62.substr(0, 43),
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhYmMxMjMifQ."});
  expect_nothing({"sk-learn", "sk-learn-and-pytorch-are-libraries", "sk-abcdefghijklmnopqrstuvwxyz",
                  "sk-12345678901234567890", "task-sk-" + b62, "AKIAIOSFODNN7EXAMPL", "AKIAIOSFODNN7EXAMPLE1",
                  "akiaiosfodnn7example", "ghp_" + b62.substr(0, 20), "github_pat_short", "xoxb-123",
                  "AIza" + b62.substr(0, 20), "alk_short", "eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9.notjwt.x"});

  std::string body = "MIIEowIBAAKCAQEAx5Jk0aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefghij\n"
                     "klmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/abcdefghijklmn\n"
                     "opqrstu==";
  std::string rsa = "-----BEGIN RSA PRIVATE KEY-----\n" + body + "\n-----END RSA PRIVATE KEY-----";
  std::string p8 = "-----BEGIN PRIVATE KEY-----\r\n" + body + "\r\n-----END PRIVATE KEY-----";
  std::string enc = "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00FF\n\n" + body +
                    "\n-----END EC PRIVATE KEY-----";
  std::string escaped = "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA\\n-----END OPENSSH PRIVATE KEY-----";
  expect_found("secret", {rsa, p8, enc, escaped});
  // No END line: the header and the body lines, not the prose after them.
  std::string open = "-----BEGIN RSA PRIVATE KEY-----\n" + body;
  CHECK(found(open + "\nThanks for looking at it") == decltype(found("")){{"secret", open}});
  // Body joined by spaces (a paste that lost its line breaks): long pieces only.
  std::string spaced = "-----BEGIN PRIVATE KEY----- " + std::string(64, 'Q') + " " + std::string(40, 'z');
  CHECK(found(spaced + " and then some words") == decltype(found("")){{"secret", spaced}});
  expect_nothing({"-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----",
                  "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----",
                  "-----BEGIN RSA PRIVATE KEY", "-----BEGIN " + std::string(200, 'A')});
}

TEST_CASE("never touched: addresses, UUIDs, times, dates, money, versions, ids", "[guardrails]") {
  expect_nothing({"192.168.1.10", "10.0.0.255", "255.255.255.255", "2001:db8::8a2e:370:7334", "fe80::1",
                  "::ffff:192.0.2.1", "550e8400-e29b-41d4-a716-446655440000", "12345678-1234-1234-1234-123456789012",
                  "2026-12-07T20:44:32Z", "2026-12-07T20:44:32.123+01:00", "2026-12-07 20:44:32", "12/07/2026",
                  "07.12.2026", "2026-12-07", "20:44:32", "$1,234,567.89", "USD 4111111.11", "EUR 1.234.567,89",
                  "1.2.3", "v20220601", "3.46.1-7+deb13u2", "1.34.8-1", "order 123456789", "INV-2026-000123",
                  "#100234", "PO-4111111111111111", "1733560000", "1733560000000", "tracking 1Z999AA10123456784",
                  "sha256:4111111111111111", "port 8080", "0x4111111111111111"});
}

TEST_CASE("several detections in one text come back in order without overlap", "[guardrails]") {
  auto f = found("Mail a@example.com or call (202) 555-0178; card 4111 1111 1111 1111, SSN 123-45-6789, "
                 "key AKIAIOSFODNN7EXAMPLE.");
  REQUIRE(f.size() == 5);
  CHECK(f[0].first == "email");
  CHECK(f[1].first == "phone");
  CHECK(f[2].first == "card");
  CHECK(f[3].first == "ssn");
  CHECK(f[4].first == "secret");
  Scan s;
  detect("x@example.com y@example.com", s);
  CHECK(s.count(Detector::kEmail) == 2);
  CHECK(s.count(Detector::kPhone) == 0);
}

TEST_CASE("URLs are counted at a word start, in any case", "[guardrails]") {
  Scan s;
  detect("see http://a.example and HTTPS://b.example/x?y, not xhttp://c or http:/d or https", s);
  CHECK(s.urls == 2);
  CHECK(s.findings.empty());
}

TEST_CASE("hostile shapes stay linear and bounded", "[guardrails]") {
  // Nothing here is timed; these are the shapes that make a naive scanner quadratic. The fuzz
  // target (tests/fuzz/guardrails.cpp) runs them at scale.
  std::string at_storm;
  for (int i = 0; i < 20000; ++i) at_storm += "a@";
  CHECK(found(at_storm).empty());
  std::string digit_list;
  for (int i = 0; i < 20000; ++i) digit_list += "1234 ";
  CHECK(found(digit_list).empty());
  std::string begins;
  for (int i = 0; i < 2000; ++i) begins += "-----BEGIN RSA PRIVATE KEY-----\n";
  CHECK(found(begins).size() == 2000);
  CHECK(found(std::string(100000, '1')).empty());
  CHECK(found(std::string(100000, '@')).empty());
}
