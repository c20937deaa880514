#pragma once
// What `serve` would find wrong before it listens, found without starting: the files it reads
// (TLS, CA bundles, key files, breached-password folder) and the provisioning file under the
// egress policy. `airlock config check` lists these, each by place.
#include <map>
#include <string>
#include <vector>

#include "core/config.h"

namespace airlock::cli {

// The whole process environment (api_key_env may name any variable). Callers zero the values.
std::map<std::string, std::string> whole_environment();

// Every problem, "KEY: …" or "providers[1].base_url: …"; empty when serve would start.
std::vector<std::string> preflight_problems(const core::Config& config);

}  // namespace airlock::cli
