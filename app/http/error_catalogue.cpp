#include "http/error_catalogue.h"

#include <array>

namespace airlock::http {
namespace {

// Grouped by status; one line per code.
constexpr std::array kCatalogue = {
    // 401: the session that asked has ended meanwhile.
    ErrorKind{"session_ended", 401},
    // 403: not allowed for this caller, whatever it sends.
    ErrorKind{"forbidden", 403, true},
    ErrorKind{"owner_only", 403, true},
    ErrorKind{"admin_only", 403, true},
    ErrorKind{"self_change", 403, true},
    ErrorKind{"step_up_required", 403},
    // 404.
    ErrorKind{"user_not_found", 404},
    ErrorKind{"not_found", 404},
    // 409: the state of things says no.
    ErrorKind{"last_owner", 409, true},
    ErrorKind{"email_taken", 409},
    ErrorKind{"mfa_already_enabled", 409},
    ErrorKind{"mfa_not_pending", 409},
    ErrorKind{"mfa_not_enabled", 409},
    ErrorKind{"mfa_required_by_policy", 409},
    ErrorKind{"conflict", 409},
    ErrorKind{"user_inactive", 409},
    ErrorKind{"mfa_setup_required", 409},
    ErrorKind{"provisioned", 409},
    ErrorKind{"name_taken", 409},
    // 422: the input is well formed but not acceptable.
    ErrorKind{"email_invalid", 422},
    ErrorKind{"role_invalid", 422},
    ErrorKind{"mfa_code_invalid", 422},
    ErrorKind{"invalid_backup_code", 422},
    ErrorKind{"password_mismatch", 422},
    ErrorKind{"password_wrong", 422},
    ErrorKind{"invite_invalid", 422},
    ErrorKind{"password_too_short", 422},
    ErrorKind{"password_too_long", 422},
    ErrorKind{"password_common", 422},
    ErrorKind{"password_contains_email", 422},
    ErrorKind{"password_contains_product", 422},
    ErrorKind{"token_name_invalid", 422},
    ErrorKind{"token_scope_invalid", 422},
    ErrorKind{"token_expiry_invalid", 422},
    ErrorKind{"password_breached", 422},
    ErrorKind{"reset_invalid", 422},
    ErrorKind{"password_invalid_utf8", 422},
    ErrorKind{"key_cidr_invalid", 422},
    ErrorKind{"key_expiry_invalid", 422},
    ErrorKind{"key_limit_invalid", 422},
    ErrorKind{"key_model_invalid", 422},
    ErrorKind{"key_name_invalid", 422},
    ErrorKind{"key_scope_invalid", 422},
    ErrorKind{"key_required", 422},
    ErrorKind{"key_guardrails_invalid", 422},
    ErrorKind{"grace_invalid", 422},
    ErrorKind{"max_age_invalid", 422},
    ErrorKind{"guardrails_invalid", 422},

    // The /v1 surface (gateway/dialect.h), in both dialects. 400: the request as sent.
    ErrorKind{"ambiguous_credentials", 400},
    ErrorKind{"invalid_request", 400},
    ErrorKind{"count_tokens_unsupported", 400},
    ErrorKind{"field_not_translatable", 400},
    ErrorKind{"previous_response_not_found", 400},
    ErrorKind{"model_required", 400},
    ErrorKind{"max_tokens_too_large", 400},
    ErrorKind{"invalid_json", 400},
    ErrorKind{"duplicate_key", 400},
    ErrorKind{"json_too_deep", 400},
    ErrorKind{"json_too_many_members", 400},
    ErrorKind{"content_policy_violation", 400},  // a guardrail's block (guardrails/policy.h)
    ErrorKind{"input_too_long", 400},           // input caps (guardrails::Caps)
    ErrorKind{"too_many_urls", 400},
    ErrorKind{"too_many_phone_numbers", 400},
    // 401 and 403: the key, and what it may do.
    ErrorKind{"missing_api_key", 401},
    ErrorKind{"invalid_api_key", 401},
    ErrorKind{"scope_not_allowed", 403, true},
    ErrorKind{"model_not_allowed", 403, true},
    ErrorKind{"ip_not_allowed", 403, true},
    ErrorKind{"model_not_found", 404},
    // 429: the key's limits, or the vendor's.
    ErrorKind{"rate_limit_exceeded", 429},
    ErrorKind{"temporarily_blocked", 429},  // the WAF (gateway/waf.h)
    ErrorKind{"insufficient_quota", 429},
    ErrorKind{"upstream_rate_limited", 429},
    // 5xx: Airlock or the upstream could not answer.
    ErrorKind{"internal_error", 500},
    ErrorKind{"upstream_error", 502},
    ErrorKind{"upstream_auth_error", 502},
    ErrorKind{"upstream_unreachable", 502},
    ErrorKind{"upstream_tls_error", 502},
    ErrorKind{"upstream_egress_refused", 502},
    ErrorKind{"unavailable", 503},
    ErrorKind{"no_upstream", 503},
    ErrorKind{"upstream_busy", 503},
    ErrorKind{"upstream_unavailable", 503},
    ErrorKind{"upstream_timeout", 504},
};

}  // namespace

std::optional<ErrorKind> catalogued(std::string_view code) {
  for (const auto& k : kCatalogue)
    if (k.code == code) return k;
  return std::nullopt;
}

int status_for_code(std::string_view code) {
  auto k = catalogued(code);
  return k ? k->status : 500;
}

}  // namespace airlock::http
