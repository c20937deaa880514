#include "http/message.h"

#include "http/form.h"

namespace airlock::http {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

Response redirect(std::string location) {
  Response r;
  r.status = 303;
  r.set_header("Location", std::move(location));
  return r;
}

const std::string_view* Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return &v;
  return nullptr;
}

namespace {
bool is_form_type(const std::string_view* type) {
  return type && type->substr(0, 33) == "application/x-www-form-urlencoded";
}
}  // namespace

const std::map<std::string, std::string>* Request::form() const {
  if (!form_) form_ = is_form_type(header("Content-Type")) ? parse_form(body) : std::nullopt;
  return form_->has_value() ? &**form_ : nullptr;
}

bool Request::unreadable_params() const {
  if (!query()) return true;
  return is_form_type(header("Content-Type")) && !form();
}

const std::map<std::string, std::string>* Request::query() const {
  if (!query_) {
    auto q = target.find('?');
    query_ = q == std::string_view::npos ? std::optional<std::map<std::string, std::string>>(std::map<std::string, std::string>{})
                                         : parse_form(target.substr(q + 1));
  }
  return query_->has_value() ? &**query_ : nullptr;
}

std::string Request::query_param(const std::string& name) const {
  auto* q = query();
  if (!q) return {};
  auto it = q->find(name);
  return it == q->end() ? std::string() : it->second;
}

std::string Request::form_field(const std::string& name) const {
  auto* f = form();
  if (!f) return {};
  auto it = f->find(name);
  return it == f->end() ? std::string() : it->second;
}

}  // namespace airlock::http
