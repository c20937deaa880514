#include "core/random.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/sha256.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace airlock::core {
namespace {

class SystemRandom final : public Random {
 public:
  SystemRandom() {
    mbedtls_entropy_init(&entropy_);
    mbedtls_ctr_drbg_init(&drbg_);
    static constexpr char kPers[] = "airlock-drbg";
    int rc = mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_,
                                   reinterpret_cast<const unsigned char*>(kPers), sizeof kPers - 1);
    if (rc != 0) die(rc);
    // Prediction resistance off: reseeding every call costs a getrandom per nonce; the DRBG
    // reseeds on its interval and mbedTLS 3.6.6+ reseeds after fork.
  }
  ~SystemRandom() override {
    mbedtls_ctr_drbg_free(&drbg_);
    mbedtls_entropy_free(&entropy_);
  }

  void fill(std::uint8_t* out, std::size_t n) override {
    std::lock_guard lock(mu_);
    while (n > 0) {
      std::size_t chunk = n > MBEDTLS_CTR_DRBG_MAX_REQUEST ? MBEDTLS_CTR_DRBG_MAX_REQUEST : n;
      int rc = mbedtls_ctr_drbg_random(&drbg_, out, chunk);
      if (rc != 0) die(rc);
      out += chunk;
      n -= chunk;
    }
  }

 private:
  [[noreturn]] static void die(int rc) {
    // Without randomness no key, nonce or token is safe to hand out: stop rather than degrade.
    std::fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"random generator failed\",\"mbedtls\":%d}\n", rc);
    std::abort();
  }

  std::mutex mu_;
  mbedtls_entropy_context entropy_;
  mbedtls_ctr_drbg_context drbg_;
};

}  // namespace

std::unique_ptr<Random> make_system_random() { return std::make_unique<SystemRandom>(); }

void SeededRandom::fill(std::uint8_t* out, std::size_t n) {
  while (n > 0) {
    std::uint8_t in[16];
    std::memcpy(in, &seed_, 8);
    std::memcpy(in + 8, &counter_, 8);
    ++counter_;
    std::uint8_t block[32];
    mbedtls_sha256(in, sizeof in, block, 0);
    std::size_t chunk = n < sizeof block ? n : sizeof block;
    std::memcpy(out, block, chunk);
    out += chunk;
    n -= chunk;
  }
}

}  // namespace airlock::core
