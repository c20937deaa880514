#include "identity/breached_passwords.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/bytes.h"
#include "crypto/hash.h"
#include "support/temp_dir.h"

using namespace airlock;
using testing::TempDir;

namespace {

// SHA1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8 (the HIBP API's own example).
constexpr const char* kPrefix = "5BAA6";
constexpr const char* kSuffix = "1E4C9B93F3F0682250B6CF8331B7EE68FD8";
// Same prefix, other suffixes, as a real range file has hundreds of.
constexpr const char* kNeighbours = "003D68EB55068C33ACE09247EE4C639306B:3\n"
                                    "012C192B2F16F82EA0EB9EF18D9D539B0DD:1\n";

void write(const std::string& path, const std::string& content) { std::ofstream(path, std::ios::binary) << content; }

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A checker whose log goes to a file the test can read.
struct Checker {
  TempDir logs;
  std::string log_path = logs / "log.jsonl";
  int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  identity::BreachedPasswords list;
  explicit Checker(const std::string& dir) : list(dir, core::LogLevel::kDebug, fd) {}
  ~Checker() { ::close(fd); }
  std::string log() const { return slurp(log_path); }
};

}  // namespace

TEST_CASE("A password whose SHA-1 is in its prefix's range file is found; others are not", "[password][V6.2.12]") {
  TempDir dir;
  write(dir / (std::string(kPrefix) + ".txt"), std::string(kNeighbours) + kSuffix + ":9545824\n");
  Checker c(dir.path());
  CHECK(c.list.contains("password"));
  CHECK_FALSE(c.list.contains("Password"));
  CHECK_FALSE(c.list.contains("password "));
  CHECK(c.log().empty());
}

TEST_CASE("A suffix that differs only in its last hex digit does not match", "[password][V6.2.12]") {
  TempDir dir;
  write(dir / (std::string(kPrefix) + ".txt"), std::string(kNeighbours) + "1E4C9B93F3F0682250B6CF8331B7EE68FD9:12\n" +
                                                   "1E4C9B93F3F0682250B6CF8331B7EE68FD:12\n");
  Checker c(dir.path());
  CHECK_FALSE(c.list.contains("password"));
}

TEST_CASE("Lower-case file names and lower-case hex in lines are accepted", "[password][V6.2.12]") {
  TempDir dir;
  write(dir / "5baa6.txt", "1e4c9b93f3f0682250b6cf8331b7ee68fd8:3\n");
  Checker c(dir.path());
  CHECK(c.list.contains("password"));
}

TEST_CASE("The upper-case file name is tried first", "[password][V6.2.12]") {
  TempDir dir;
  write(dir / "5BAA6.txt", kNeighbours);
  write(dir / "5baa6.txt", std::string(kSuffix) + ":3\n");
  Checker c(dir.path());
  CHECK_FALSE(c.list.contains("password"));
}

TEST_CASE("CRLF line ends and a last line without one are read", "[password][V6.2.12]") {
  TempDir dir;
  write(dir / "5BAA6.txt", "003D68EB55068C33ACE09247EE4C639306B:3\r\n" + std::string(kSuffix) + ":7\r\n");
  CHECK(Checker(dir.path()).list.contains("password"));
  write(dir / "5BAA6.txt", std::string(kNeighbours) + kSuffix + ":7");
  CHECK(Checker(dir.path()).list.contains("password"));
  write(dir / "5BAA6.txt", std::string(kNeighbours) + kSuffix + ":7\r");
  CHECK(Checker(dir.path()).list.contains("password"));
}

TEST_CASE("Malformed lines are skipped, and the lines after them still count", "[password][V6.2.12]") {
  TempDir dir;
  std::string s(kSuffix);
  std::string malformed = "garbage\n\n:\n" + s + "\n" + s + ":\n" + s + ":12x\n" + s + ": 12\n" + s + " :12\n" +
                          "G" + s.substr(1) + ":12\n" + s + "0:12\n" + s + ":" + std::string(200, '1') + "\n" +
                          std::string(100000, 'F') + "\n";
  write(dir / "5BAA6.txt", malformed);
  CHECK_FALSE(Checker(dir.path()).list.contains("password"));
  write(dir / "5BAA6.txt", malformed + s + ":2\n");
  CHECK(Checker(dir.path()).list.contains("password"));
}

TEST_CASE("A count of 0 is padding, not a breached password", "[password][V6.2.12]") {
  TempDir dir;
  write(dir / "5BAA6.txt", std::string(kSuffix) + ":0\n");
  CHECK_FALSE(Checker(dir.path()).list.contains("password"));
  write(dir / "5BAA6.txt", std::string(kSuffix) + ":0010\n");
  CHECK(Checker(dir.path()).list.contains("password"));
}

TEST_CASE("A missing prefix file means not listed, quietly", "[password][V6.2.12]") {
  TempDir dir;
  write(dir / "00000.txt", kNeighbours);
  Checker c(dir.path());
  CHECK_FALSE(c.list.contains("password"));
  CHECK(c.log().empty());
}

TEST_CASE("A directory without range files is accepted with a warning at start", "[password][V6.2.12]") {
  TempDir dir;
  write(dir / "README", "not a range file");
  write(dir / "5BAA6.txt.partial", "");
  Checker c(dir.path());
  auto log = c.log();
  CHECK(log.find("\"level\":\"warn\"") != std::string::npos);
  CHECK(log.find("holds no Have I Been Pwned range files") != std::string::npos);
  CHECK_FALSE(c.list.contains("password"));
}

TEST_CASE("An unreadable range file fails open with an error that names neither password nor hash",
          "[password][V6.2.12]") {
  TempDir dir;
  const std::string password = "tangerine walrus orbit";
  auto digest = crypto::sha1(password);
  std::string hex = core::to_hex(digest.data(), digest.size());
  std::string upper = hex;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  write(dir / "00000.txt", kNeighbours);
  // A directory where the file should be: open() succeeds, read() fails (EISDIR), even as root.
  std::filesystem::create_directory(dir / (upper.substr(0, 5) + ".txt"));
  Checker c(dir.path());
  CHECK_FALSE(c.list.contains(password));
  auto log = c.log();
  CHECK(log.find("\"level\":\"error\"") != std::string::npos);
  CHECK(log.find("cannot read a breached-password range file") != std::string::npos);
  for (const std::string& secret : {password, hex.substr(0, 5), upper.substr(0, 5), hex.substr(5, 8), upper.substr(5, 8)}) {
    INFO(secret);
    CHECK(log.find(secret) == std::string::npos);
  }
}
