#include "store/key_material.h"

#include "core/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace airlock::store {
namespace {

using core::Result;
using core::SecretBytes;
using core::Status;

constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;  // a key or passphrase, never more

Status key_error(const std::string& message) { return Status::error("key_material", message); }

Result<SecretBytes> read_key_file(const std::string& path, const std::string& what) {
  if (auto s = check_private_file(path, what); !s) return s;
  auto read = core::read_small_file(path, kMaxKeyFileBytes);
  if (!read) return key_error("cannot read " + what + " '" + path + "'");
  std::string text = std::move(*read);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  SecretBytes out(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  core::secure_zero(text.data(), text.size());
  if (out.empty()) return key_error(what + " '" + path + "' is empty");
  return out;
}

bool is_hex64(const SecretBytes& s) {
  if (s.size() != 64) return false;
  for (auto ch : s.bytes())
    if (!std::isxdigit(ch)) return false;
  return true;
}

// Writes a new random 256-bit key as 64 hex chars, created 0600 and never overwriting a file.
Result<SecretBytes> generate_key_file(const std::string& path, core::Random& random) {
  auto raw = random.secret(32);
  std::string hex = core::to_hex(raw.data(), raw.size());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return key_error("cannot create '" + path + "': " + std::strerror(errno));
  std::string line = hex + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  SecretBytes out(reinterpret_cast<const std::uint8_t*>(hex.data()), hex.size());
  core::secure_zero(line.data(), line.size());
  core::secure_zero(hex.data(), hex.size());
  if (!ok) return key_error("cannot write '" + path + "'");
  return out;
}

struct Found {
  SecretBytes value;
  std::string source;
  bool generated = false;
};

Result<Found> find_key(const std::string& file_setting, const char* file_key, const char* credential,
                       const std::string& env_value, const char* env_key, const std::string& default_path,
                       bool may_generate, core::Random& random) {
  if (!file_setting.empty()) {
    auto v = read_key_file(file_setting, file_key);
    if (!v) return v.status();
    return Found{std::move(*v), file_key};
  }
  if (const char* creds = std::getenv("CREDENTIALS_DIRECTORY"); creds && *creds) {
    std::string path = std::string(creds) + "/" + credential;
    if (::access(path.c_str(), F_OK) == 0) {
      // systemd owns the credentials directory and its modes; read it as given.
      auto read = core::read_small_file(path, kMaxKeyFileBytes);
      if (!read) return key_error(std::string("credential ") + credential + " cannot be read");
      std::string text = std::move(*read);
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      SecretBytes v(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
      core::secure_zero(text.data(), text.size());
      if (v.empty()) return key_error(std::string("credential ") + credential + " is empty");
      return Found{std::move(v), std::string("credential ") + credential};
    }
  }
  if (!env_value.empty()) {
    return Found{SecretBytes(reinterpret_cast<const std::uint8_t*>(env_value.data()), env_value.size()), env_key};
  }
  if (::access(default_path.c_str(), F_OK) == 0) {
    auto v = read_key_file(default_path, default_path);
    if (!v) return v.status();
    return Found{std::move(*v), default_path};
  }
  if (!may_generate)
    return key_error(std::string("no ") + env_key + " given and '" + default_path +
                     "' is missing, but the database exists: refusing to create a new key for it");
  auto v = generate_key_file(default_path, random);
  if (!v) return v.status();
  return Found{std::move(*v), default_path, true};
}

}  // namespace

Status prepare_data_dir(const std::string& dir) {
  struct stat st{};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return key_error("cannot stat data dir '" + dir + "': " + std::strerror(errno));
    if (::mkdir(dir.c_str(), 0700) != 0) return key_error("cannot create data dir '" + dir + "': " + std::strerror(errno));
    return Status::ok();
  }
  if (!S_ISDIR(st.st_mode)) return key_error("data dir '" + dir + "' is not a directory");
  if (st.st_mode & 0077)
    return key_error("data dir '" + dir + "' is accessible to group or others (mode " +
                     std::to_string((st.st_mode >> 6) & 7) + std::to_string((st.st_mode >> 3) & 7) +
                     std::to_string(st.st_mode & 7) + "); run: chmod 700 '" + dir + "'");
  return Status::ok();
}

Status check_private_file(const std::string& path, const std::string& what) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return key_error("cannot stat " + what + " '" + path + "': " + std::strerror(errno));
  if (st.st_mode & 0077)
    return key_error(what + " '" + path + "' is readable or writable by group or others; run: chmod 600 '" + path + "'");
  return Status::ok();
}

Result<KeyMaterial> load_key_material(const core::Config& config, bool database_exists, core::Random& random) {
  KeyMaterial km;
  auto db = find_key(config.db_key_file, "AIRLOCK_DB_KEY_FILE", "db-key", config.db_key, "AIRLOCK_DB_KEY",
                     config.data_dir + "/db.key", !database_exists, random);
  if (!db) return db.status();
  km.db_key_raw = is_hex64(db->value);
  if (km.db_key_raw) {
    // SQLCipher's raw-key syntax: the 256-bit key is used as is, skipping PBKDF2.
    std::string raw = "x'" + std::string(db->value.bytes().begin(), db->value.bytes().end()) + "'";
    km.db_key = SecretBytes(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size());
    core::secure_zero(raw.data(), raw.size());
  } else {
    km.db_key = std::move(db->value);
  }
  km.db_key_source = db->source;
  km.db_key_generated = db->generated;

  auto mk = find_key(config.master_key_file, "AIRLOCK_MASTER_KEY_FILE", "master-key", config.master_key,
                     "AIRLOCK_MASTER_KEY", config.data_dir + "/master.key", !database_exists, random);
  if (!mk) return mk.status();
  if (!is_hex64(mk->value)) return key_error("master key from " + mk->source + " must be 64 hex characters (256 bits)");
  std::string hex(mk->value.bytes().begin(), mk->value.bytes().end());
  auto bytes = core::from_hex(hex);
  core::secure_zero(hex.data(), hex.size());
  km.master_key = SecretBytes(std::move(*bytes));
  km.master_key_source = mk->source;
  km.master_key_generated = mk->generated;
  return km;
}

}  // namespace airlock::store
