#include "crypto/hash.h"

#include <mbedtls/md.h>

#include "crypto/mbedtls_glue.h"

namespace airlock::crypto {
namespace {

const mbedtls_md_info_t* sha256_info() {
  const mbedtls_md_info_t* info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
  if (info == nullptr) detail::die("sha256 lookup", 0);
  return info;
}

}  // namespace

Digest sha256(ByteView data) {
  Digest out{};
  int rc = mbedtls_md(sha256_info(), detail::nonnull(data), data.size(), out.data());
  if (rc != 0) detail::die("sha256", rc);
  return out;
}

Sha1Digest sha1(ByteView data) {
  const mbedtls_md_info_t* info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA1);
  if (info == nullptr) detail::die("sha1 lookup", 0);
  Sha1Digest out{};
  int rc = mbedtls_md(info, detail::nonnull(data), data.size(), out.data());
  if (rc != 0) detail::die("sha1", rc);
  return out;
}

Digest hmac_sha256(ByteView key, ByteView data) {
  Digest out{};
  int rc = mbedtls_md_hmac(sha256_info(), detail::nonnull(key), key.size(), detail::nonnull(data), data.size(),
                           out.data());
  if (rc != 0) detail::die("hmac_sha256", rc);
  return out;
}

}  // namespace airlock::crypto
