#pragma once
// The four roles, highest first. README "Roles" has the permission table; the guard compares
// ranks, so a route that needs `editor` admits editors, admins and owners.
#include <optional>
#include <string_view>

namespace airlock::identity {

enum class Role { kViewer = 1, kEditor = 2, kAdmin = 3, kOwner = 4 };

constexpr std::string_view role_name(Role r) {
  switch (r) {
    case Role::kViewer: return "viewer";
    case Role::kEditor: return "editor";
    case Role::kAdmin: return "admin";
    case Role::kOwner: return "owner";
  }
  return "viewer";
}

constexpr std::optional<Role> parse_role(std::string_view s) {
  if (s == "viewer") return Role::kViewer;
  if (s == "editor") return Role::kEditor;
  if (s == "admin") return Role::kAdmin;
  if (s == "owner") return Role::kOwner;
  return std::nullopt;
}

constexpr bool role_at_least(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

}  // namespace airlock::identity
