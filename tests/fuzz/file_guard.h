#pragma once
// The config and provisioning targets reach code that reads the files an input names
// (AIRLOCK_*_FILE, api_key_file, ca_file). An input naming a path that could block or never end
// (/dev/stdin, /dev/zero, a FIFO, /proc) or a huge file is skipped, so a run measures the parser,
// not the machine. Missing files, directories and small plain files are read as at start.
#include <sys/stat.h>

#include <string>
#include <string_view>

namespace airlock::fuzz {

inline bool unsafe_path(std::string_view path) {
  for (std::string_view special : {"/dev", "/proc", "/sys", "/run"})
    if (path.find(special) != std::string_view::npos) return true;
  struct stat st {};
  if (::stat(std::string(path).c_str(), &st) != 0) return false;  // missing: the loader reports it
  if (S_ISDIR(st.st_mode)) return false;
  return !S_ISREG(st.st_mode) || st.st_size > (1 << 20);
}

}  // namespace airlock::fuzz
