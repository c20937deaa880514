#pragma once
// Templates and web assets compiled into the binary (cmake/embed_assets.cmake generates the data).
#include <string_view>
#include <vector>

namespace airlock::console::embedded {

struct Template {
  std::string_view name;  // file name without .mustache
  std::string_view body;
};

struct Asset {
  std::string_view name;         // e.g. app.css
  std::string_view hashed_name;  // e.g. app.1a2b3c4d.css, served under /static/
  std::string_view content_type;
  std::string_view body;
};

const std::vector<Template>& templates();
const std::vector<Asset>& assets();

}  // namespace airlock::console::embedded
