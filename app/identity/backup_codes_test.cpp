#include "identity/backup_codes.h"

#include <catch2/catch_test_macros.hpp>

#include <array>
#include <cmath>
#include <set>
#include <string>

#include "core/random.h"

using namespace airlock;
using identity::normalize_backup_code;

namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

bool has_display_form(const std::string& code) {
  if (code.size() != 14 || code[4] != '-' || code[9] != '-') return false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (i == 4 || i == 9) continue;
    if (kAlphabet.find(code[i]) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("ten backup codes are generated in XXXX-XXXX-XXXX form", "[backup_codes][V6.5.3]") {
  core::SeededRandom random(11);
  auto codes = identity::generate_backup_codes(random);
  REQUIRE(codes.size() == 10);
  for (const auto& code : codes) {
    CAPTURE(code);
    CHECK(has_display_form(code));
  }
  CHECK(identity::generate_backup_codes(random, 3).size() == 3);
  CHECK(identity::generate_backup_codes(random, 0).empty());
}

TEST_CASE("backup codes do not repeat across many generations", "[backup_codes][V6.5.3]") {
  core::SeededRandom random(12);
  std::set<std::string> seen;
  for (int round = 0; round < 200; ++round) {
    for (auto& code : identity::generate_backup_codes(random)) seen.insert(std::move(code));
  }
  CHECK(seen.size() == 2000);
}

TEST_CASE("backup codes carry at least 50 bits, spread evenly over the alphabet", "[backup_codes][V6.5.4]") {
  // 12 symbols of a 32-letter alphabet, each chosen uniformly, is 60 bits.
  CHECK(kAlphabet.size() == 32);
  CHECK(identity::kBackupCodeSymbols * std::log2(static_cast<double>(kAlphabet.size())) >= 50.0);

  core::SeededRandom random(13);
  std::array<int, 32> counts{};
  int total = 0;
  int outside = 0;
  for (int round = 0; round < 200; ++round) {
    for (const auto& code : identity::generate_backup_codes(random)) {
      for (char c : code) {
        if (c == '-') continue;
        auto pos = kAlphabet.find(c);
        if (pos == std::string_view::npos) {
          ++outside;
          continue;
        }
        ++counts[pos];
        ++total;
      }
    }
  }
  // 24,000 symbols: 750 expected per letter, standard deviation about 27. Every letter is used and
  // none is far off, which a biased or truncated mapping would not manage.
  for (std::size_t i = 0; i < counts.size(); ++i) {
    CAPTURE(kAlphabet[i], counts[i]);
    CHECK(counts[i] > 600);
    CHECK(counts[i] < 900);
  }
  CHECK(outside == 0);
  CHECK(total == 24000);
}

TEST_CASE("typed backup codes are normalized, look-alikes mapped", "[backup_codes]") {
  CHECK(normalize_backup_code("7K3M-Q9XA-2B4F") == "7K3MQ9XA2B4F");
  CHECK(normalize_backup_code("7k3m q9xa 2b4f") == "7K3MQ9XA2B4F");
  CHECK(normalize_backup_code(" 7K3MQ9XA2B4F ") == "7K3MQ9XA2B4F");
  CHECK(normalize_backup_code("OoIiLl-0000-11") == "001111000011");
  CHECK(normalize_backup_code("OOII-LLoi-l000") == "001111011000");
  CHECK(normalize_backup_code("ABCD-EFGH-JKMN") == "ABCDEFGHJKMN");
}

TEST_CASE("strings that are not backup codes normalize to nothing", "[backup_codes]") {
  const std::string bad[] = {
      "",
      "7K3M-Q9XA-2B4",        // 11 symbols
      "7K3M-Q9XA-2B4FF",      // 13 symbols
      "7K3M-Q9XA-2B4U",       // U is not in Crockford base32
      "7K3M_Q9XA_2B4F",       // underscores are not separators
      "7K3M-Q9XA-2B4F\n",
      "7K3M-Q9XA-2B4\xc3\x9f",
      std::string("7K3M-Q9XA-2B4F").append(1, '\0'),
      std::string(200, '-') + "7K3MQ9XA2B4F",  // over the length cap before separators are dropped
  };
  for (const auto& s : bad) {
    CAPTURE(s);
    CHECK(normalize_backup_code(s).empty());
  }
}

TEST_CASE("a hashed backup code verifies, and only that code", "[backup_codes][V6.5.2]") {
  core::SeededRandom random(14);
  auto codes = identity::generate_backup_codes(random, 2);
  std::string first = normalize_backup_code(codes[0]);
  std::string second = normalize_backup_code(codes[1]);
  REQUIRE(first.size() == 12);

  auto phc = identity::hash_backup_code(first, random);
  REQUIRE(phc.is_ok());
  CHECK(phc->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0) == 0);
  CHECK(identity::verify_backup_code(first, *phc));
  CHECK_FALSE(identity::verify_backup_code(second, *phc));  // a code from the same set, wrong hash
  CHECK_FALSE(identity::verify_backup_code("", *phc));
  CHECK_FALSE(identity::verify_backup_code(first, ""));
  CHECK_FALSE(identity::verify_backup_code(first, "$argon2id$v=19$garbage"));

  // A fresh salt each time: the same code never hashes to the same string.
  auto again = identity::hash_backup_code(first, random);
  REQUIRE(again.is_ok());
  CHECK(*again != *phc);
  CHECK(identity::verify_backup_code(first, *again));
}

TEST_CASE("a backup code one symbol off is refused", "[backup_codes][V6.5.2]") {
  core::SeededRandom random(15);
  std::string code = normalize_backup_code(identity::generate_backup_codes(random, 1)[0]);
  auto phc = identity::hash_backup_code(code, random);
  REQUIRE(phc.is_ok());
  std::string off = code;
  off[11] = off[11] == 'Z' ? 'Y' : 'Z';
  CHECK_FALSE(identity::verify_backup_code(off, *phc));
}

TEST_CASE("only normalized codes are hashed", "[backup_codes]") {
  core::SeededRandom random(16);
  auto r = identity::hash_backup_code("7K3M-Q9XA-2B4F", random);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == "invalid_backup_code");
  CHECK_FALSE(identity::hash_backup_code("", random).is_ok());
}
