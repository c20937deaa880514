#pragma once
namespace airlock::cli {
// Once, before any thread or library use: keeps OpenSSL (inside SQLCipher) from reading the host's
// openssl.cnf, starts PSA crypto for mbedTLS, and sets a private umask for every file we create.
void init_process();
}  // namespace airlock::cli
