#pragma once
// Audit events as RFC 5424 syslog messages, framed for TLS transport (RFC 5425), for the off-box
// copy of the audit trail (ASVS V16.4.3; the forwarder is audit/syslog_forwarder.h). Pure
// functions: no clock, no I/O, no locale.
//
//   <PRI>1 TIMESTAMP HOSTNAME airlock PROCID MSGID [airlock@32473 seq="N" outcome="…" …] MSG
//
// - PRI: facility 13, "log audit" (RFC 5424 §6.2.1, table 1); severity 5 (notice) for success,
//   4 (warning) for failure and denied.
// - TIMESTAMP: the stored RFC 3339 UTC time, or "-" if the stored text is not one.
// - HOSTNAME, PROCID, MSGID (the action): printable US-ASCII only, cut to 255, 128 and 32 octets
//   (§6.2.4, §6.2.6, §6.2.7); anything else becomes '_', and an empty field is the NILVALUE "-".
// - STRUCTURED-DATA, in this order: seq (the audit row id), outcome, actor, user_id, target, ip,
//   request_id, user_agent; a parameter with an empty value is left out. Values are UTF-8 with
//   '"', '\' and ']' escaped by a backslash (§6.3.3); invalid UTF-8 and control characters become
//   U+FFFD, so no value can end the element early or carry a line break into a receiver's file.
// - MSG: the details JSON, re-serialised with every non-ASCII character as a \u escape. It is then
//   plain ASCII (MSG-ANY, §6.4) and needs no BOM; no MSG when details are empty.
//
// seq is the row id, and ids in audit_events are consecutive (append-only, no AUTOINCREMENT gaps):
// a receiver that sees a gap has lost events; one that sees a repeat got a resend.
#include <string>
#include <string_view>

#include "audit/audit_query.h"

namespace airlock::audit {

// SD-ID with the private enterprise number 32473, the one RFC 5612 reserves for documentation.
inline constexpr const char* kSyslogSdId = "airlock@32473";

struct SyslogOrigin {
  std::string hostname;  // this machine, as the receiver should file it (sanitised here)
  std::string procid;    // usually the process id
};

std::string to_syslog(const Row& event, const SyslogOrigin& origin);

// RFC 5425 §4.3 octet counting: "MSG-LEN SP SYSLOG-MSG", MSG-LEN the message's size in octets.
std::string octet_frame(std::string_view syslog_msg);

// A HEADER field: printable US-ASCII (33..126) kept, other octets as '_', at most `max` octets,
// "-" when empty.
std::string syslog_header_field(std::string_view s, std::size_t max);

}  // namespace airlock::audit
