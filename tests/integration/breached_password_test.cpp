// AIRLOCK_BREACHED_PASSWORDS_DIR on the real binary (ASVS V6.2.12): a directory of Have I Been
// Pwned range files, checked when a password is set, and refused at start when it is not there.
#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <fstream>

#include "support/console_client.h"
#include "support/harness.h"

using namespace airlock::testing;

namespace {

// SHA1("correct horse battery staple") = ABF7AAD6438836DBE526AA231ABDE2D0EEF74D42: long enough for
// the length rule and not on the embedded common list, so only the breached list can refuse it.
constexpr const char* kListed = "correct horse battery staple";
constexpr const char* kUnlisted = "orbit tangerine walrus kiwi";

void write_range_files(const std::string& dir) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/ABF7A.txt", std::ios::binary) << "0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n"
                                                         "AD6438836DBE526AA231ABDE2D0EEF74D42:3645804\r\n"
                                                         "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:2\r\n";
  std::ofstream(dir + "/00000.txt", std::ios::binary) << "005AD76BD555C1D6D771DE417A4B87E4B4B:4\r\n";
}

}  // namespace

TEST_CASE("the setup form refuses a password from the breached list and accepts another",
          "[integration][console][V6.2.12]") {
  TempDir dir;
  write_range_files(dir / "hibp");
  auto a = Airlock::start(dir / "data", {{"AIRLOCK_BREACHED_PASSWORDS_DIR", dir / "hibp"},
                                         {"AIRLOCK_SETUP_RATE_LIMIT", "100"}});
  Browser b = browser_for(*a);
  REQUIRE(open_link(b, setup_link(*a)).status == 200);
  std::map<std::string, std::string> fields{{"email", "owner@example.com"}, {"password", kListed}, {"password2", kListed}};
  auto refused = b.post("/setup", fields);
  CHECK(refused.status == 422);
  CHECK(refused.body.find("exposed in data breaches") != std::string::npos);

  fields["password"] = fields["password2"] = kUnlisted;
  auto made = b.post("/setup", fields);
  CHECK(made.status == 303);
  CHECK(sign_in(b, "owner@example.com", kUnlisted).status == 303);
  for (const auto& line : a->log_lines()) {
    CHECK(line.find(kListed) == std::string::npos);
    CHECK(line.find("ABF7A") == std::string::npos);
  }
}

TEST_CASE("a breached-password directory that is not there stops the start with a clear error",
          "[integration][cli][V6.2.12]") {
  TempDir dir;
  auto missing = Airlock::start_expect_exit(dir / "data", {{"AIRLOCK_BREACHED_PASSWORDS_DIR", dir / "nope"}});
  INFO(missing.err);
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("AIRLOCK_BREACHED_PASSWORDS_DIR: '" + (dir / "nope") + "' is not an existing directory") !=
        std::string::npos);

  std::ofstream(dir / "file.txt") << "x";
  auto file = run_program({airlock_bin(), "config", "check"}, {{"AIRLOCK_BREACHED_PASSWORDS_DIR", dir / "file.txt"}});
  CHECK(file.exit_code == 2);
  CHECK(file.err.find("AIRLOCK_BREACHED_PASSWORDS_DIR:") != std::string::npos);
}

TEST_CASE("an empty breached-password directory starts with a warning", "[integration][cli][V6.2.12]") {
  TempDir dir;
  std::filesystem::create_directories(dir / "hibp");
  auto a = Airlock::start(dir / "data", {{"AIRLOCK_BREACHED_PASSWORDS_DIR", dir / "hibp"}});
  auto warned = a->wait_for_log([](const nlohmann::json& j) {
    return j.value("level", "") == "warn" &&
           j.value("msg", "").find("holds no Have I Been Pwned range files") != std::string::npos;
  });
  CHECK(warned.has_value());
}
