#include "crypto/mbedtls_glue.h"

#include <cstdio>
#include <cstdlib>

namespace airlock::crypto::detail {

void die(const char* what, int mbedtls_rc) {
  std::fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"%s failed\",\"mbedtls\":%d}\n", what, mbedtls_rc);
  std::abort();
}

}  // namespace airlock::crypto::detail
