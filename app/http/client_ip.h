#pragma once
// Which address a request came from. The socket peer, unless that peer is one of our trusted
// reverse proxies: then X-Forwarded-For is read from the right, skipping further trusted hops, and
// the first address not ours is the client. Anything unparseable stops the walk at the last
// address we could trust, so a client cannot choose its own IP by sending the header itself.
#include <string>
#include <string_view>
#include <vector>

#include "core/cidr.h"

namespace airlock::http {

std::string resolve_client_ip(std::string_view peer, std::string_view x_forwarded_for,
                              const std::vector<core::Cidr>& trusted_proxies);

// X-Request-Id from a client is kept only if it matches [A-Za-z0-9._-]{1,64}.
bool valid_request_id(std::string_view id);

}  // namespace airlock::http
