#include "identity/service.h"

#include "crypto/hash.h"

namespace airlock::identity {

NewSecret new_secret(core::Random& random) {
  auto raw = random.secret(32);
  NewSecret s;
  s.token = core::to_base64url(raw.data(), raw.size());
  s.hash = hash_secret(s.token);
  return s;
}

std::string hash_secret(std::string_view token) {
  auto d = crypto::sha256(token);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

}  // namespace airlock::identity
