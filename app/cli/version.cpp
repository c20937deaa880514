#include <mbedtls/version.h>
#include <openssl/crypto.h>
#include <qrencode.h>
#include <sqlite3.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/sbom.h"
#include "core/build_info.h"

namespace airlock::cli {

int version(const Args& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::printf("Usage: airlock version [--sbom]\n\nPrints Airlock's version, the linked libraries' versions and the pinned "
                "Debian source packages they were built from.\n\n  --sbom  print this build's CycloneDX 1.5 JSON SBOM "
                "instead (embedded at build time; the build also writes it as airlock.cdx.json)\n");
    return 0;
  }
  if (!args.empty() && args[0] == "--sbom" && args.size() == 1) {
    std::fwrite(kSbomJson.data(), 1, kSbomJson.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
  }
  if (!args.empty()) {
    std::fprintf(stderr, "airlock version: unknown option '%s' (see --help)\n", args[0].c_str());
    return 2;
  }
  std::string cipher = "?";
  try {
    SQLite::Database mem(":memory:", SQLite::OPEN_READWRITE);
    SQLite::Statement q(mem, "PRAGMA cipher_version");
    if (q.executeStep()) cipher = q.getColumn(0).getString();
  } catch (const SQLite::Exception&) {
  }
  char mbed[64] = {};
  mbedtls_version_get_string_full(mbed);
  std::printf("airlock %s\n", core::kVersion);
  std::printf("  SQLCipher %s (SQLite %s)\n", cipher.c_str(), sqlite3_libversion());
  std::printf("  %s\n", mbed);
  std::printf("  OpenSSL libcrypto %s (inside SQLCipher only)\n", OpenSSL_version(OPENSSL_VERSION_STRING));
  std::printf("  nlohmann/json %d.%d.%d\n", NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
              NLOHMANN_JSON_VERSION_PATCH);
  std::printf("  libqrencode %s\n", QRcode_APIVersionString());
  std::printf("Built from Debian source packages:\n");
  std::string pins = core::kPins;
  std::size_t pos = 0;
  while (pos < pins.size()) {
    auto nl = pins.find('\n', pos);
    if (nl == std::string::npos) nl = pins.size();
    std::printf("  %s\n", pins.substr(pos, nl - pos).c_str());
    pos = nl + 1;
  }
  return 0;
}

}  // namespace airlock::cli
