#include "http/response_head.h"

#include <charconv>

namespace airlock::http {
namespace {

bool is_tchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
    case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool framing_header(std::string_view name) {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") || iequals(name, "Connection");
}

void append_num(std::string& out, std::size_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

void line(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

bool header_name_ok(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (!is_tchar(c)) return false;
  return true;
}

bool header_value_ok(std::string_view value) {
  for (unsigned char c : value)
    if (c == '\r' || c == '\n' || c == 0) return false;
  return true;
}

bool headers_safe(const Response& r) {
  for (const auto& [k, v] : r.headers)
    if (!header_name_ok(k) || !header_value_ok(v)) return false;
  return header_value_ok(r.content_type);
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return status < 400 ? "OK" : status < 500 ? "Client Error" : "Server Error";
  }
}

void append_response_head(std::string& out, const Response& r, const ResponseContext& c, BodyFraming framing,
                          std::size_t length) {
  out.append("HTTP/1.1 ");
  append_num(out, static_cast<std::size_t>(r.status));
  out.push_back(' ');
  out.append(reason_phrase(r.status)).append("\r\n");
  bool has_cache_control = false, has_csp = false;
  for (const auto& [k, v] : r.headers) {
    if (framing_header(k)) continue;
    if (iequals(k, "Cache-Control")) has_cache_control = true;
    if (iequals(k, "Content-Security-Policy")) has_csp = true;
    line(out, k, v);
  }
  // No content (204, 304) means no Content-Type either (RFC 9110 §15.3.5).
  if (framing != BodyFraming::none)
    line(out, "Content-Type",
         !r.content_type.empty() ? std::string_view(r.content_type) : std::string_view("text/plain; charset=utf-8"));
  line(out, "X-Request-Id", c.request_id);
  line(out, "X-Content-Type-Options", "nosniff");
  if (!has_cache_control) line(out, "Cache-Control", "no-store");
  if (!has_csp) line(out, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox");
  line(out, "Referrer-Policy", "no-referrer");
  if (c.tls)
    line(out, "Strict-Transport-Security",
         c.hsts_preload ? "max-age=63072000; includeSubDomains; preload" : "max-age=63072000; includeSubDomains");
  if (!c.cors_origin.empty()) {
    line(out, "Access-Control-Allow-Origin", c.cors_origin);
    line(out, "Vary", "Origin");
  }
  switch (framing) {
    case BodyFraming::length:
      out.append("Content-Length: ");
      append_num(out, length);
      out.append("\r\n");
      break;
    case BodyFraming::chunked: line(out, "Transfer-Encoding", "chunked"); break;
    case BodyFraming::none:  // 1xx, 204, 304: no body by definition
    case BodyFraming::until_close:
      break;
  }
  if (c.close || framing == BodyFraming::until_close) line(out, "Connection", "close");
  else if (c.http10) line(out, "Connection", "keep-alive");
  out.append("\r\n");
}

}  // namespace airlock::http
