#include "identity/qr_svg.h"

#include "core/text.h"

#include <qrencode.h>

#include <memory>

namespace airlock::identity {
namespace {

struct QrFree {
  void operator()(QRcode* qr) const { QRcode_free(qr); }
};

core::Status qr_failed(std::string detail) {
  return core::Status::error("qr_failed", "Could not draw the QR code.", std::move(detail));
}

}  // namespace

core::Result<std::string> qr_svg(std::string_view text, std::string_view aria_label) {
  if (text.empty()) return qr_failed("empty text");
  if (text.find('\0') != std::string_view::npos) return qr_failed("text contains NUL");
  std::string c_text(text);
  // Version 0 lets the library pick the smallest version that fits; case-sensitive so the
  // base32 secret and URI survive exactly.
  std::unique_ptr<QRcode, QrFree> qr(QRcode_encodeString(c_text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (!qr) return qr_failed("text does not fit a QR symbol at level M");

  const int width = qr->width;
  const std::string size = std::to_string(width + 2 * kQrQuietZone);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + size + " " + size +
                    "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"" + core::xml_escape(aria_label) +
                    "\"><rect width=\"" + size + "\" height=\"" + size + "\" fill=\"#fff\"/><path fill=\"#000\" d=\"";
  // One subpath per horizontal run of dark modules: about a third of the size of one per module.
  for (int y = 0; y < width; ++y) {
    const unsigned char* row = qr->data + static_cast<std::ptrdiff_t>(y) * width;
    int x = 0;
    while (x < width) {
      if ((row[x] & 1) == 0) {
        ++x;
        continue;
      }
      int start = x;
      while (x < width && (row[x] & 1) != 0) ++x;
      std::string run = std::to_string(x - start);
      svg += "M" + std::to_string(start + kQrQuietZone) + " " + std::to_string(y + kQrQuietZone) + "h" + run +
             "v1h-" + run + "z";
    }
  }
  svg += "\"/></svg>";
  return svg;
}

}  // namespace airlock::identity
