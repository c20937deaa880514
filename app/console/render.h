#pragma once
// Server-rendered pages: mustache templates (templates/, embedded) inside one layout, and the
// headers every HTML response carries: a CSP with a fresh nonce, no framing, no referrer, no
// caching of authenticated pages, cross-origin isolation.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/random.h"
#include "guard/contexts.h"
#include "http/message.h"

namespace airlock::console {

struct Frame {
  std::string title;
  const guard::Principal* who = nullptr;  // signed-in user for the top bar, if any
  std::string notice;
  std::string active_nav;                 // e.g. "home"
};

class Renderer {
 public:
  // Compiles every embedded template once; a template that does not parse stops the start.
  explicit Renderer(core::Random& random);

  http::Response page(int status, const std::string& template_name, nlohmann::json data, const Frame& frame);
  // A message page (errors, "link expired", ...): heading, text, optional link.
  http::Response message(int status, const std::string& heading, const std::string& text, const Frame& frame,
                         const std::string& request_id = {}, const std::string& link_href = {},
                         const std::string& link_label = {});

  // While the listener serves Airlock's own self-signed certificate, every signed-in page says so
  // (with the fingerprint people can check), until an operator configures a real one.
  void warn_self_signed(std::string fingerprint) { self_signed_fingerprint_ = std::move(fingerprint); }

  // The hashed file name of an embedded web asset (for links), e.g. app.1a2b3c4d.css.
  static std::string asset_name(std::string_view name);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  core::Random& random_;
  std::string self_signed_fingerprint_;
};

// Sets the headers every HTML response carries; `nonce` goes into the CSP.
void set_html_headers(http::Response& r, const std::string& nonce);

using http::redirect;

}  // namespace airlock::console
