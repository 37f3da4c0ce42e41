// Status and Result<T>: how the framework reports failure (code + message), without exceptions.
//
//   Result<int> parse(std::string_view s);
//   auto r = parse("12"); if (!r) return r.status(); use(*r);
#pragma once

#include <pipeline/plugin.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace pipeline {

// Canonical status codes, the same numbers as the plugin ABI's PL_* codes.
enum class StatusCode : int32_t {
  kOk = PL_OK,
  kCancelled = PL_CANCELLED,
  kUnknown = PL_UNKNOWN,
  kInvalidArgument = PL_INVALID_ARGUMENT,
  kDeadlineExceeded = PL_DEADLINE_EXCEEDED,
  kNotFound = PL_NOT_FOUND,
  kAlreadyExists = PL_ALREADY_EXISTS,
  kPermissionDenied = PL_PERMISSION_DENIED,
  kResourceExhausted = PL_RESOURCE_EXHAUSTED,
  kFailedPrecondition = PL_FAILED_PRECONDITION,
  kAborted = PL_ABORTED,
  kOutOfRange = PL_OUT_OF_RANGE,
  kUnimplemented = PL_UNIMPLEMENTED,
  kInternal = PL_INTERNAL,
  kUnavailable = PL_UNAVAILABLE,
  kDataLoss = PL_DATA_LOSS,
  kUnauthenticated = PL_UNAUTHENTICATED,
};

// "OK", "INVALID_ARGUMENT", ... (unknown numbers print as "STATUS_<n>").
std::string status_code_name(StatusCode code);
inline std::string status_code_name(int32_t code) {
  return status_code_name(static_cast<StatusCode>(code));
}

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status ok_status() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "INVALID_ARGUMENT: message"
  std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status not_found(std::string m) {
  return {StatusCode::kNotFound, std::move(m)};
}
inline Status internal_error(std::string m) {
  return {StatusCode::kInternal, std::move(m)};
}
inline Status failed_precondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status unavailable(std::string m) {
  return {StatusCode::kUnavailable, std::move(m)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace pipeline
