#pragma once
// Status and Result<T>: how our own code reports failure. Exceptions from libraries stop at our
// wrappers; everything above them returns these. `code` is a stable snake_case identifier that
// may reach clients; `message` is safe to show; `detail` is for logs only and never leaves the box.
#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace airlock::core {

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(std::string code, std::string message, std::string detail = {}) {
    Status s;
    s.code_ = std::move(code);
    s.message_ = std::move(message);
    s.detail_ = std::move(detail);
    return s;
  }

  bool is_ok() const { return code_.empty(); }
  explicit operator bool() const { return is_ok(); }
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& detail() const { return detail_; }
  // Message plus private detail, for logs and CLI output on the operator's own terminal.
  std::string describe() const { return detail_.empty() ? message_ : message_ + " (" + detail_ + ")"; }

 private:
  std::string code_;
  std::string message_;
  std::string detail_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design, like std::expected
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).is_ok()); }  // NOLINT

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Status& status() const {
    static const Status kOk;
    return is_ok() ? kOk : std::get<Status>(v_);
  }

 private:
  std::variant<T, Status> v_;
};

}  // namespace airlock::core
