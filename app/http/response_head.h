#pragma once
// Serialises a Response's status line and headers for the wire, with the headers every response
// carries (request id, nosniff, no-store, CSP, Referrer-Policy, HSTS on TLS, CORS for allowed
// origins). Framing headers (Content-Length, Transfer-Encoding, Connection) are ours alone: a
// handler's copies are dropped, so a handler can never make the framing lie.
#include <cstddef>
#include <string>
#include <string_view>

#include "http/message.h"

namespace airlock::http {

struct ResponseContext {
  std::string_view request_id;
  bool tls = false;
  bool hsts_preload = false;
  std::string_view cors_origin;  // echoed when set (already checked against the configured list)
  bool close = false;            // Connection: close, and the connection ends after this response
  bool http10 = false;           // the client spoke HTTP/1.0: no chunked encoding
};

enum class BodyFraming { none, length, chunked, until_close };

// A header name is a token (RFC 9110 §5.1); a value has no CR, LF or NUL, so it stays one line.
bool header_name_ok(std::string_view name);
bool header_value_ok(std::string_view value);

// False when a handler-set header name or value is not safe to send (CR, LF, NUL, non-token name):
// the caller then answers 500 instead, so no input that reached a header can split the response.
bool headers_safe(const Response& r);

// Appends "HTTP/1.1 ...\r\n" through the blank line. `length` is used for BodyFraming::length.
void append_response_head(std::string& out, const Response& r, const ResponseContext& c, BodyFraming framing,
                          std::size_t length);

std::string_view reason_phrase(int status);

}  // namespace airlock::http
