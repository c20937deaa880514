#include "identity/qr_svg.h"

#include <catch2/catch_test_macros.hpp>

#include <qrencode.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace airlock;

namespace {

using Grid = std::vector<std::vector<bool>>;

std::string attribute(const std::string& svg, const std::string& element, const std::string& name) {
  auto at = svg.find("<" + element + " ");
  if (at == std::string::npos) return {};
  auto start = svg.find(" " + name + "=\"", at);
  if (start == std::string::npos) return {};
  start += name.size() + 3;
  return svg.substr(start, svg.find('"', start) - start);
}

std::size_t count(const std::string& s, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

// The viewBox side, from "0 0 N N".
int view_size(const std::string& svg) {
  std::string box = attribute(svg, "svg", "viewBox");
  return std::stoi(box.substr(box.rfind(' ') + 1));
}

// Reads "M<x> <y>h<w>v1h-<w>z" runs back into a grid of dark modules (quiet zone included);
// nullopt if the path holds anything else or draws outside the box.
std::optional<Grid> decode_path(const std::string& d, int size) {
  Grid grid(static_cast<std::size_t>(size), std::vector<bool>(static_cast<std::size_t>(size), false));
  const char* p = d.data();
  const char* end = d.data() + d.size();
  auto number = [&](int& out) { auto r = std::from_chars(p, end, out); p = r.ptr; return r.ec == std::errc(); };
  auto literal = [&](std::string_view s) {
    if (static_cast<std::size_t>(end - p) < s.size() || std::string_view(p, s.size()) != s) return false;
    p += s.size();
    return true;
  };
  while (p < end) {
    int x = 0, y = 0, w = 0, back = 0;
    if (!literal("M") || !number(x) || !literal(" ") || !number(y) || !literal("h") || !number(w) ||
        !literal("v1h-") || !number(back) || !literal("z")) {
      return std::nullopt;
    }
    if (w <= 0 || back != w || x < 0 || y < 0 || x + w > size || y >= size) return std::nullopt;
    for (int i = x; i < x + w; ++i) grid[static_cast<std::size_t>(y)][static_cast<std::size_t>(i)] = true;
  }
  return grid;
}

Grid render(const std::string& text) {
  auto svg = identity::qr_svg(text, "Scan with your authenticator app");
  REQUIRE(svg.is_ok());
  auto grid = decode_path(attribute(*svg, "path", "d"), view_size(*svg));
  REQUIRE(grid.has_value());
  return *grid;
}

// ISO/IEC 18004 finder: a dark 7x7 ring, a light ring, a dark 3x3 core, and a light separator.
bool finder_at(const Grid& g, int left, int top) {
  for (int dy = -1; dy <= 7; ++dy) {
    for (int dx = -1; dx <= 7; ++dx) {
      int x = left + dx, y = top + dy;
      if (x < 0 || y < 0 || x >= static_cast<int>(g.size()) || y >= static_cast<int>(g.size())) return false;
      int ring = std::max(std::abs(dx - 3), std::abs(dy - 3));  // 0 centre .. 3 outer edge, 4 separator
      bool want_dark = ring == 3 || ring <= 1;
      if (g[static_cast<std::size_t>(y)][static_cast<std::size_t>(x)] != want_dark) return false;
    }
  }
  return true;
}

const std::string kUri =
    "otpauth://totp/Airlock:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Airlock"
    "&algorithm=SHA1&digits=6&period=30";

}  // namespace

TEST_CASE("the QR SVG is one svg element with a background and a single path", "[qr]") {
  auto svg = identity::qr_svg(kUri, "Scan with your authenticator app");
  REQUIRE(svg.is_ok());
  const std::string& s = *svg;
  CHECK(s.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", 0) == 0);
  CHECK(s.size() > 6);
  CHECK(s.substr(s.size() - 6) == "</svg>");
  CHECK(count(s, "<svg") == 1);
  CHECK(count(s, "<rect") == 1);
  CHECK(count(s, "<path") == 1);
  CHECK(attribute(s, "svg", "role") == "img");
  CHECK(attribute(s, "svg", "shape-rendering") == "crispEdges");
  CHECK(attribute(s, "svg", "aria-label") == "Scan with your authenticator app");
  CHECK(attribute(s, "rect", "fill") == "#fff");
  CHECK(attribute(s, "rect", "width") == std::to_string(view_size(s)));
}

TEST_CASE("the QR SVG carries no style or script, so the CSP allows it", "[qr][V3.4.3]") {
  auto svg = identity::qr_svg(kUri, "QR");
  REQUIRE(svg.is_ok());
  CHECK(svg->find("style") == std::string::npos);
  CHECK(svg->find("script") == std::string::npos);
  CHECK(svg->find(" on") == std::string::npos);  // no event-handler attributes
  CHECK(svg->find("href") == std::string::npos);
}

TEST_CASE("the aria-label is escaped", "[qr][V1.2.1]") {
  auto svg = identity::qr_svg("x", "\"><script>alert('1')</script>&");
  REQUIRE(svg.is_ok());
  CHECK(svg->find("<script") == std::string::npos);
  CHECK(attribute(*svg, "svg", "aria-label") == "&quot;&gt;&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt;&amp;");
}

TEST_CASE("the three finder patterns sit inside a 4-module quiet zone", "[qr]") {
  Grid g = render(kUri);
  int size = static_cast<int>(g.size());
  int width = size - 8;
  CHECK(finder_at(g, 4, 4));
  CHECK(finder_at(g, 4 + width - 7, 4));
  CHECK(finder_at(g, 4, 4 + width - 7));
  CHECK_FALSE(finder_at(g, 4 + width - 7, 4 + width - 7));  // no finder bottom-right, by design
  for (int i = 0; i < size; ++i) {
    for (int q = 0; q < 4; ++q) {
      auto a = static_cast<std::size_t>(i);
      CHECK_FALSE(g[a][static_cast<std::size_t>(q)]);
      CHECK_FALSE(g[a][static_cast<std::size_t>(size - 1 - q)]);
      CHECK_FALSE(g[static_cast<std::size_t>(q)][a]);
      CHECK_FALSE(g[static_cast<std::size_t>(size - 1 - q)][a]);
    }
  }
}

TEST_CASE("the drawn modules are exactly libqrencode's symbol", "[qr]") {
  Grid g = render(kUri);
  std::unique_ptr<QRcode, void (*)(QRcode*)> qr(QRcode_encodeString(kUri.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1),
                                                QRcode_free);
  REQUIRE(qr);
  REQUIRE(static_cast<int>(g.size()) == qr->width + 8);
  int mismatches = 0;
  for (int y = 0; y < qr->width; ++y) {
    for (int x = 0; x < qr->width; ++x) {
      bool dark = (qr->data[y * qr->width + x] & 1) != 0;
      if (g[static_cast<std::size_t>(y + 4)][static_cast<std::size_t>(x + 4)] != dark) ++mismatches;
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("longer text gives a larger symbol", "[qr]") {
  auto small = identity::qr_svg("otpauth://totp/a:b?secret=MY", "QR");
  auto medium = identity::qr_svg(kUri, "QR");
  auto large = identity::qr_svg(kUri + std::string(300, 'x'), "QR");
  REQUIRE(small.is_ok());
  REQUIRE(medium.is_ok());
  REQUIRE(large.is_ok());
  CHECK(view_size(*small) < view_size(*medium));
  CHECK(view_size(*medium) < view_size(*large));
  // A version-v symbol is 17 + 4v modules wide, plus 8 for the quiet zone.
  CHECK((view_size(*large) - 8 - 17) % 4 == 0);
}

TEST_CASE("text that no QR symbol can hold fails with qr_failed", "[qr]") {
  auto too_long = identity::qr_svg(std::string(3000, 'x'), "QR");  // version 40-M holds 2331 bytes
  REQUIRE_FALSE(too_long.is_ok());
  CHECK(too_long.status().code() == "qr_failed");
  CHECK(identity::qr_svg("", "QR").status().code() == "qr_failed");
  CHECK(identity::qr_svg(std::string("a\0b", 3), "QR").status().code() == "qr_failed");
}
