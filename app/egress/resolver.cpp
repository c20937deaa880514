#include "egress/resolver.h"

#include <ares.h>

#include <algorithm>
#include <limits>
#include <mutex>

#include "egress/address.h"

namespace airlock::egress {
namespace {

const char* error_name(int status) {
  switch (status) {
    case ARES_ENOTFOUND:
    case ARES_ENODATA: return "not_found";
    case ARES_ETIMEOUT: return "timeout";
    case ARES_ECONNREFUSED: return "refused";
    case ARES_ESERVFAIL: return "server_failure";
    case ARES_EBADNAME: return "bad_name";
    case ARES_EDESTRUCTION:
    case ARES_ECANCELLED: return "cancelled";
    default: return "failed";
  }
}

void library_init() {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

class CaresResolver final : public Resolver {
 public:
  explicit CaresResolver(ares_channel_t* channel) : channel_(channel) {}
  // Outstanding lookups end with ARES_EDESTRUCTION: every `done` still runs once.
  ~CaresResolver() override { ares_destroy(channel_); }

  void resolve(const std::string& host, std::function<void(Answer)> done) override {
    ares_addrinfo_hints hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    auto* cb = new std::function<void(Answer)>(std::move(done));
    ares_getaddrinfo(channel_, host.c_str(), nullptr, &hints, &CaresResolver::answered, cb);
  }

 private:
  static void answered(void* arg, int status, int /*timeouts*/, ares_addrinfo* res) {
    std::unique_ptr<std::function<void(Answer)>> done(static_cast<std::function<void(Answer)>*>(arg));
    Answer a;
    if (status != ARES_SUCCESS || !res) {
      a.error = error_name(status);
    } else {
      int ttl = std::numeric_limits<int>::max();
      for (auto* n = res->nodes; n; n = n->ai_next) {
        auto ip = from_sockaddr(n->ai_addr, n->ai_addrlen);
        if (!ip) continue;
        if (std::find_if(a.addresses.begin(), a.addresses.end(), [&](const auto& x) { return x.bytes == ip->bytes; }) ==
            a.addresses.end())
          a.addresses.push_back(*ip);
        ttl = std::min(ttl, std::max(n->ai_ttl, 0));
      }
      a.ttl = std::chrono::seconds(a.addresses.empty() ? 0 : ttl);
      if (a.addresses.empty()) a.error = "not_found";
    }
    if (res) ares_freeaddrinfo(res);
    (*done)(std::move(a));
  }

  ares_channel_t* channel_;
};

class NoResolver final : public Resolver {
 public:
  void resolve(const std::string&, std::function<void(Answer)> done) override { done(Answer{{}, {}, "no_resolver"}); }
};

}  // namespace

Resolver& no_resolver() {
  static NoResolver none;
  return none;
}

std::unique_ptr<Resolver> make_system_resolver(const ResolverOptions& options, std::string* error) {
  library_init();
  if (!ares_threadsafety()) {
    *error = "c-ares was built without thread support";
    return nullptr;
  }
  ares_options opts{};
  opts.evsys = ARES_EVSYS_DEFAULT;
  opts.timeout = options.timeout_ms;
  opts.tries = options.tries;
  // No query cache in c-ares: answers are cached, checked, by egress::Destination with its TTL rules.
  opts.qcache_max_ttl = 0;
  int mask = ARES_OPT_EVENT_THREAD | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_QUERY_CACHE;
  ares_channel_t* channel = nullptr;
  int rc = ares_init_options(&channel, &opts, mask);
  if (rc != ARES_SUCCESS) {
    *error = std::string("the DNS resolver could not start: ") + ares_strerror(rc);
    return nullptr;
  }
  return std::make_unique<CaresResolver>(channel);
}

}  // namespace airlock::egress
