#include "gateway/key_format.h"

#include <catch2/catch_test_macros.hpp>
#include <map>
#include <set>

using namespace airlock;
using namespace airlock::gateway;

TEST_CASE("gateway keys have the documented shape and 256 bits of base62 secret", "[gateway][keys][V11.2.1]") {
  core::SeededRandom random(7);
  std::set<std::string> seen;
  std::map<char, int> counts;
  for (int i = 0; i < 2000; ++i) {
    auto k = new_gateway_key(random);
    REQUIRE(k.key.size() == kKeyLength);
    REQUIRE(k.key.substr(0, 4) == "alk_");
    REQUIRE(gateway_key_public_id(k.key) == k.public_id);
    CHECK(seen.insert(k.key).second);
    for (char c : k.key.substr(13)) counts[c]++;
  }
  // Every base62 character occurs, none far from its share (2000*43/62 ≈ 1387).
  CHECK(counts.size() == 62);
  for (auto [c, n] : counts) {
    INFO(c);
    CHECK(n > 1100);
    CHECK(n < 1700);
  }
}

TEST_CASE("malformed gateway keys are not parsed", "[gateway][keys]") {
  core::SeededRandom random(8);
  auto good = new_gateway_key(random).key;
  CHECK(gateway_key_public_id(good));
  for (std::string bad : {good.substr(1), good + "A", "alk-" + good.substr(4), "ALK_" + good.substr(4),
                          good.substr(0, 12) + "-" + good.substr(13), good.substr(0, 5) + "A" + good.substr(6),
                          good.substr(0, 20) + "_" + good.substr(21), good.substr(0, 20) + "+" + good.substr(21),
                          std::string("alk_pat_") + good.substr(8), std::string(kKeyLength, 'a'), std::string()}) {
    INFO(bad);
    CHECK_FALSE(gateway_key_public_id(bad));
  }
}

TEST_CASE("the stored hash depends on the pepper and on every character", "[gateway][keys][V11.4.2]") {
  core::SecretBytes p1(core::Bytes(32, 1)), p2(core::Bytes(32, 2));
  core::SeededRandom random(9);
  auto k = new_gateway_key(random).key;
  auto h = gateway_key_hash(p1, k);
  CHECK(h.size() == 32);
  CHECK(h != gateway_key_hash(p2, k));
  auto flipped = k;
  flipped.back() = flipped.back() == 'a' ? 'b' : 'a';
  CHECK(h != gateway_key_hash(p1, flipped));
  CHECK(h == gateway_key_hash(p1, k));
}
