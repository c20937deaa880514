#pragma once
// Reading a small file an operator named (a key, a CA, the provisioning file, a password file):
// only a regular file, only up to `max_bytes`, and never an exception. A directory once made
// std::istreambuf_iterator throw ("Is a directory") and the process abort at start (found by
// fuzzing the provisioning file); a FIFO or /dev/zero would block or never end.
#include <cstddef>
#include <optional>
#include <string>

namespace airlock::core {

// The file's bytes; nullopt when it cannot be opened, is not a regular file, is larger than
// `max_bytes`, or a read fails (`*why` says which, without the contents).
std::optional<std::string> read_small_file(const std::string& path, std::size_t max_bytes, std::string* why = nullptr);

}  // namespace airlock::core
