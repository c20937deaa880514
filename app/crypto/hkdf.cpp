#include "crypto/hkdf.h"

#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>

#include "crypto/mbedtls_glue.h"

namespace airlock::crypto {

core::SecretBytes hkdf_sha256(ByteView salt, ByteView ikm, ByteView info, std::size_t out_len) {
  if (out_len == 0 || out_len > kHkdfSha256MaxOutput) detail::die("hkdf_sha256 length check", 0);
  core::SecretBytes okm{core::Bytes(out_len)};
  int rc = mbedtls_hkdf(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), detail::nonnull(salt), salt.size(),
                        detail::nonnull(ikm), ikm.size(), detail::nonnull(info), info.size(), okm.data(), out_len);
  if (rc != 0) detail::die("hkdf_sha256", rc);
  return okm;
}

}  // namespace airlock::crypto
