// `airlock key create|list|revoke`: gateway keys on the host, for scripted and air-gapped installs.
// `create` prints only the new key on stdout (so `KEY=$(airlock key create …)` works) and the
// details on stderr; the running server accepts the key on its next request.
#include <charconv>
#include <cstdio>
#include <sstream>

#include "cli/host.h"
#include "core/log.h"
#include "gateway/key_rotation.h"
#include "gateway/keys.h"

namespace airlock::cli {
namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// A positive whole number, or nullopt with `*bad` set.
std::optional<std::int64_t> number(const std::string& text, bool* bad) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v <= 0) {
    *bad = true;
    return std::nullopt;
  }
  return v;
}

// "30d", "12h", "90m" → seconds.
std::optional<std::int64_t> duration(const std::string& text, bool* bad) {
  if (text.size() < 2) {
    *bad = true;
    return std::nullopt;
  }
  char unit = text.back();
  std::int64_t mult = unit == 'd' ? 86400 : unit == 'h' ? 3600 : unit == 'm' ? 60 : 0;
  auto n = number(text.substr(0, text.size() - 1), bad);
  if (!mult || !n || *n > 100000) {
    *bad = true;
    return std::nullopt;
  }
  return *n * mult;
}

gateway::Deps gateway_deps(HostCtx& h) {
  return {*h.store->db, h.clock, *h.random, *h.store->fields, h.store->gateway_pepper.clone()};
}

int create_cmd(const Args& args) {
  const std::vector<std::string> opts = {"--name", "--models", "--scopes", "--ip", "--rpm", "--tpm", "--monthly-requests",
                                         "--monthly-tokens", "--max-tokens", "--expires", "--guardrails"};
  auto flags = parse_flags(args, opts);
  if (flags.help) {
    std::printf(
        "Usage: airlock key create --name=N [--models=a,b] [--scopes=chat,completions,embeddings,models,responses]\n"
        "         [--ip=CIDR,CIDR] [--rpm=N] [--tpm=N] [--monthly-requests=N] [--monthly-tokens=N]\n"
        "         [--max-tokens=N] [--expires=30d|12h|90m]\n"
        "         [--guardrails=off|monitor|mask|block|requests=ACTION,responses=ACTION] [options]\n\n"
        "Creates a gateway key and prints it once on stdout (details on stderr). Without --models the key\n"
        "may use every model; without --scopes, every endpoint; without --guardrails, the organisation's\n"
        "guardrail policy.\n\n%s",
        config_help().c_str());
    return 0;
  }
  gateway::KeySpec spec;
  spec.name = flag_value(flags, "--name");
  spec.allowed_models = split_list(flag_value(flags, "--models"));
  if (has_flag(flags, "--scopes")) spec.scopes = split_list(flag_value(flags, "--scopes"));
  spec.ip_allowlist = split_list(flag_value(flags, "--ip"));
  spec.guardrails = flag_value(flags, "--guardrails");
  bool bad = false;
  auto opt_number = [&](const char* name) -> std::optional<std::int64_t> {
    if (!has_flag(flags, name)) return std::nullopt;
    bool b = false;
    auto v = number(flag_value(flags, name), &b);
    if (b) std::fprintf(stderr, "airlock: %s: a positive whole number\n", name);
    bad = bad || b;
    return v;
  };
  spec.limits = {opt_number("--rpm"), opt_number("--tpm"), opt_number("--monthly-requests"),
                 opt_number("--monthly-tokens"), opt_number("--max-tokens")};
  if (has_flag(flags, "--expires")) {
    bool b = false;
    spec.expires_in_s = duration(flag_value(flags, "--expires"), &b);
    if (b) std::fputs("airlock: --expires: a number with d, h or m (30d, 12h, 90m)\n", stderr);
    bad = bad || b;
  }
  if (bad) return 2;
  return with_store(flags, [&](HostCtx& h) {
    auto deps = gateway_deps(h);
    auto made = gateway::create_key(deps, spec, {});
    if (!made) {
      std::fprintf(stderr, "airlock: %s\n", made.status().message().c_str());
      return made.status().code() == "store_error" ? 1 : 2;
    }
    std::fprintf(stderr, "created gateway key %s (%s, id %s); it is shown once, below\n", spec.name.c_str(),
                 ("alk_" + made->public_id + "_…").c_str(), made->id.str().c_str());
    std::printf("%s\n", made->key.c_str());
    std::fflush(stdout);
    core::secure_zero(made->key.data(), made->key.size());
    return 0;
  });
}

std::string when(const std::optional<std::int64_t>& t) {
  return t ? core::format_time_display(core::Clock::SystemTime(std::chrono::seconds(*t))) : "-";
}

std::string joined(const std::vector<std::string>& v, const char* empty) {
  if (v.empty()) return empty;
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

int list_cmd(const Args& args) {
  auto flags = parse_flags(args, {"--all"});
  if (flags.help) {
    std::printf("Usage: airlock key list [--all] [options]\n\nLists gateway keys (--all: revoked ones too).\n\n%s",
                config_help().c_str());
    return 0;
  }
  return with_store(flags, [&](HostCtx& h) {
    auto deps = gateway_deps(h);
    std::printf("%-6s %-18s %-24s %-10s %-24s %-22s %-22s %s\n", "ID", "KEY", "NAME", "STATUS", "MODELS", "EXPIRES",
                "LAST USED", "SECRET");
    auto now = deps.now_s();
    auto max_age = gateway::key_max_age_days(deps);
    if (!max_age) {
      std::fprintf(stderr, "airlock: %s\n", max_age.status().describe().c_str());
      return 1;
    }
    auto keys = gateway::list_keys(deps, has_flag(flags, "--all"));
    if (!keys) {
      std::fprintf(stderr, "airlock: %s\n", keys.status().describe().c_str());
      return 1;
    }
    for (const auto& k : *keys) {
      const char* status = k.revoked_at ? "revoked" : !k.enabled ? "disabled" : (k.expires_at && *k.expires_at <= now) ? "expired" : "active";
      std::string secret = "issued " + when(k.secret_created_at);
      if (gateway::in_grace(k, now)) secret += ", old one until " + when(k.prev_valid_until);
      if (gateway::rotation_due(k, *max_age, now)) secret += ", rotation due";
      std::printf("%-6s %-18s %-24s %-10s %-24s %-22s %-22s %s\n", k.id.str().c_str(), ("alk_" + k.public_id + "_…").c_str(),
                  k.name.substr(0, 24).c_str(), status, joined(k.allowed_models, "(all)").substr(0, 24).c_str(),
                  when(k.expires_at).c_str(), when(k.last_used_at).c_str(), secret.c_str());
    }
    return 0;
  });
}

int revoke_cmd(const Args& args) {
  auto flags = parse_flags(args);
  if (flags.help || args.empty()) {
    std::printf("Usage: airlock key revoke ID [options]\n\nRevokes a gateway key; it fails from the next request on.\n\n%s",
                config_help().c_str());
    return flags.help ? 0 : 2;
  }
  auto id = core::KeyId::parse(args[0]);
  Args rest(args.begin() + 1, args.end());
  auto rest_flags = parse_flags(rest);
  if (!id) {
    std::fputs("airlock: key revoke: ID is the number shown by `airlock key list`\n", stderr);
    return 2;
  }
  return with_store(rest_flags, [&](HostCtx& h) {
    auto deps = gateway_deps(h);
    auto s = gateway::revoke_key(deps, *id, {});
    if (!s) {
      std::fprintf(stderr, "airlock: %s\n", s.message().c_str());
      return 1;
    }
    std::fprintf(stderr, "revoked gateway key %s\n", id->str().c_str());
    return 0;
  });
}

// `ID [flags]` as the revoke, rotate and end-grace commands take them; nullopt after printing why.
std::optional<core::KeyId> key_id_arg(const Args& args, const char* command) {
  auto id = args.empty() ? std::nullopt : core::KeyId::parse(args[0]);
  if (!id) std::fprintf(stderr, "airlock: key %s: ID is the number shown by `airlock key list`\n", command);
  return id;
}

int rotate_cmd(const Args& args) {
  if (args.empty() || args[0] == "--help") {
    std::printf(
        "Usage: airlock key rotate ID [--grace=0|90m|24h|7d] [options]\n\n"
        "Issues a new secret for the key and prints it once on stdout. Its limits, budgets and usage stay.\n"
        "The old secret keeps working for the grace period (default 0: it stops at once; at most 30d).\n\n%s",
        config_help().c_str());
    return args.empty() ? 2 : 0;
  }
  auto id = key_id_arg(args, "rotate");
  Args rest(args.begin() + 1, args.end());
  auto flags = parse_flags(rest, {"--grace"});
  if (!id) return 2;
  std::int64_t grace = 0;
  if (auto text = flag_value(flags, "--grace"); has_flag(flags, "--grace") && text != "0") {
    bool bad = false;
    auto v = duration(text, &bad);
    if (bad || *v > gateway::kMaxGraceSeconds) {
      std::fputs("airlock: --grace: 0, or a number with d, h or m up to 30d (24h, 90m)\n", stderr);
      return 2;
    }
    grace = *v;
  }
  return with_store(flags, [&](HostCtx& h) {
    auto deps = gateway_deps(h);
    auto made = gateway::rotate_key(deps, *id, grace, {});
    if (!made) {
      std::fprintf(stderr, "airlock: %s\n", made.status().message().c_str());
      return made.status().code() == "store_error" ? 1 : 2;
    }
    if (made->previous_valid_until)
      std::fprintf(stderr, "rotated gateway key %s; the old secret works until %s; the new one is shown once, below\n",
                   id->str().c_str(), when(made->previous_valid_until).c_str());
    else
      std::fprintf(stderr, "rotated gateway key %s; the old secret no longer works; the new one is shown once, below\n",
                   id->str().c_str());
    std::printf("%s\n", made->key.c_str());
    std::fflush(stdout);
    core::secure_zero(made->key.data(), made->key.size());
    return 0;
  });
}

int end_grace_cmd(const Args& args) {
  if (args.empty() || args[0] == "--help") {
    std::printf("Usage: airlock key end-grace ID [options]\n\nStops a rotated key's old secret now.\n\n%s",
                config_help().c_str());
    return args.empty() ? 2 : 0;
  }
  auto id = key_id_arg(args, "end-grace");
  Args rest(args.begin() + 1, args.end());
  auto flags = parse_flags(rest);
  if (!id) return 2;
  return with_store(flags, [&](HostCtx& h) {
    auto deps = gateway_deps(h);
    if (auto s = gateway::end_grace(deps, *id, {}); !s) {
      std::fprintf(stderr, "airlock: %s\n", s.message().c_str());
      return s.code() == "store_error" ? 1 : 2;
    }
    std::fprintf(stderr, "the old secret of gateway key %s no longer works\n", id->str().c_str());
    return 0;
  });
}

}  // namespace

int key(const Args& args) {
  std::string sub = args.empty() ? "" : args[0];
  Args rest(args.empty() ? args.begin() : args.begin() + 1, args.end());
  if (sub == "create") return create_cmd(rest);
  if (sub == "list") return list_cmd(rest);
  if (sub == "revoke") return revoke_cmd(rest);
  if (sub == "rotate") return rotate_cmd(rest);
  if (sub == "end-grace") return end_grace_cmd(rest);
  std::fputs("Usage: airlock key create|list|revoke|rotate|end-grace [options]\n", sub == "--help" ? stdout : stderr);
  return sub == "--help" ? 0 : 2;
}

}  // namespace airlock::cli
