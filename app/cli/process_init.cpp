#include "cli/process_init.h"

#include <openssl/crypto.h>
#include <psa/crypto.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

namespace airlock::cli {

void init_process() {
  // A static binary would otherwise load /usr/lib/ssl/openssl.cnf from whatever host it runs on.
  OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
  if (psa_crypto_init() != PSA_SUCCESS) {
    std::fputs("airlock: crypto library failed to initialise\n", stderr);
    std::exit(1);
  }
  ::umask(0077);
}

}  // namespace airlock::cli
