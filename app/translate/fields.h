#pragma once
// Reading a body's or an event's fields without throwing, for every translation: null counts as
// absent, and so does a value of the wrong type where a string is wanted. Refusals name the field.
#include <string>

#include "translate/request.h"

namespace airlock::translate {

// The member, or nullptr when absent or null.
template <class J>
const J* member(const J& o, const char* key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  return it == o.end() || it->is_null() ? nullptr : &*it;
}

// The member when it is a string, else nullptr.
template <class J>
const std::string* string_member(const J& o, const char* key) {
  auto* v = member(o, key);
  return v && v->is_string() ? &v->template get_ref<const std::string&>() : nullptr;
}

// The member's text, or "" when absent or not a string.
template <class J>
std::string str(const J& o, const char* key) {
  auto* v = string_member(o, key);
  return v ? *v : std::string();
}

inline std::string at(const std::string& base, std::size_t i) { return base + "[" + std::to_string(i) + "]"; }

inline Problem problem(std::string param, std::string message) { return Problem{std::move(param), std::move(message)}; }

inline Problem untranslatable(const std::string& param) {
  return problem(param, "'" + param + "' has no equivalent at this model's provider, so Airlock cannot send it there.");
}

}  // namespace airlock::translate
