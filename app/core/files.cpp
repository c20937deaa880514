#include "core/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace airlock::core {

std::optional<std::string> read_small_file(const std::string& path, std::size_t max_bytes, std::string* why) {
  auto fail = [&](const char* reason) -> std::optional<std::string> {
    if (why) *why = reason;
    return std::nullopt;
  };
  // O_NONBLOCK: a FIFO opens without waiting for a writer; it is refused below as not regular.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return fail("cannot be opened");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail("is not a regular file");
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return fail("is too large");
  }
  std::string out;
  out.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < out.size()) {
    auto n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // shrank while read: keep what is there
    got += static_cast<std::size_t>(n);
  }
  // Grown since fstat: one byte more says so.
  char extra;
  bool grew = got == out.size() && ::read(fd, &extra, 1) > 0;
  ::close(fd);
  if (grew) return fail("is too large");
  out.resize(got);
  return out;
}

}  // namespace airlock::core
