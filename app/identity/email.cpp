#include "identity/email.h"

namespace airlock::identity {

std::optional<std::string> normalize_email(std::string_view raw) {
  while (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) raw.remove_prefix(1);
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
  if (raw.size() < 3 || raw.size() > 254) return std::nullopt;
  std::string out;
  out.reserve(raw.size());
  int ats = 0;
  for (char c : raw) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' || c == '\\') return std::nullopt;
    if (c == '@') ++ats;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  auto at = out.find('@');
  if (ats != 1 || at == 0 || at + 1 >= out.size()) return std::nullopt;
  auto domain = std::string_view(out).substr(at + 1);
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) return std::nullopt;
  return out;
}

}  // namespace airlock::identity
