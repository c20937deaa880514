// Test helper for the crash-consistency test: writes rows through the store's writer queue from
// four threads as fast as it can and prints "ack N" for every write whose commit was acknowledged,
// until it is killed (the test sends SIGKILL mid-burst).
#include <SQLiteCpp/Statement.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "cli/process_init.h"
#include "store/database.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: store_crash_writer DB_PATH HEX_KEY\n");
    return 2;
  }
  airlock::cli::init_process();
  std::string key = std::string("x'") + argv[2] + "'";
  auto db = airlock::store::Database::open(
      argv[1], airlock::core::SecretBytes(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()), {});
  if (!db) {
    std::fprintf(stderr, "open failed: %s\n", db.status().describe().c_str());
    return 1;
  }
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (;;) {
        int n = next++;
        auto s = (*db)->writer().run([n](SQLite::Database& c) {
          SQLite::Statement ins(c, "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 'now')");
          ins.bind(1, "crash-" + std::to_string(n));
          ins.bind(2, std::string(200, 'x'));
          ins.exec();
          return airlock::core::Status::ok();
        });
        if (!s) {
          std::fprintf(stderr, "write failed: %s\n", s.describe().c_str());
          std::_Exit(1);
        }
        std::printf("ack %d\n", n);
        std::fflush(stdout);
      }
    });
  }
  for (auto& t : threads) t.join();
}
