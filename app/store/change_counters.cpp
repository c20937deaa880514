#include "store/change_counters.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace airlock::store {
namespace {
constexpr std::size_t kLen = 64 * kFamilies;
static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "counters are shared between processes");
}  // namespace

core::Result<std::unique_ptr<ChangeCounters>> ChangeCounters::open(const std::string& path) {
  auto fail = [&] { return core::Status::error("store_error", "the change counter file beside the database cannot be used"); };
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return fail();
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0 ||
      (static_cast<std::size_t>(st.st_size) < kLen && ::ftruncate(fd, kLen) != 0)) {
    ::close(fd);
    return fail();
  }
  void* map = ::mmap(nullptr, kLen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);  // the mapping keeps the file
  if (map == MAP_FAILED) return fail();
  return std::unique_ptr<ChangeCounters>(new ChangeCounters(map, kLen));
}

ChangeCounters::~ChangeCounters() { ::munmap(map_, len_); }

int ChangeCounters::family_of(std::string_view table) {
  if (table == "gateway_keys") return static_cast<int>(Family::kGatewayKeys);
  if (table == "providers" || table == "models" || table == "model_targets") return static_cast<int>(Family::kCatalog);
  if (table == "settings") return static_cast<int>(Family::kSettings);
  return -1;
}

}  // namespace airlock::store
