#pragma once
// Server-side QR codes for TOTP enrolment, so the otpauth URI (which holds the secret) never goes
// to a third-party QR service or needs client script. The output is an inline SVG with no style
// attribute and no script, allowed by our CSP; the page's stylesheet sets its display size.
// Thread-safe (libqrencode is built with pthreads and guards its shared tables).
#include <string>
#include <string_view>

#include "core/result.h"

namespace airlock::identity {

// Quiet zone around the symbol, in modules (ISO/IEC 18004 §6.3.8 asks for 4).
inline constexpr int kQrQuietZone = 4;

// Encodes `text` at error-correction level M in the smallest version that holds it, as
//   <svg xmlns=… viewBox="0 0 N N" shape-rendering="crispEdges" role="img" aria-label="…">
//   <rect …fill="#fff"/><path fill="#000" d="M4 4h7v1h-7z…"/></svg>
// where N is the symbol width plus the quiet zone on both sides and each subpath is one
// horizontal run of dark modules. `aria_label` is escaped for an attribute value.
// Errors: "qr_failed" if `text` is empty, contains NUL, or does not fit in a version 40 symbol.
core::Result<std::string> qr_svg(std::string_view text, std::string_view aria_label);

}  // namespace airlock::identity
