// Status and Result<T>: the one error type of ml-connector.
//
// Expected failures (network, HTTP status, bad partner data, a missing mapping) are returned as
// values, never thrown. Each StatusCode carries its retry meaning (RetryClassOf), so that exactly
// one place, the relay, decides between retry, park and "already delivered".
//
// Result<T> is a small subset of C++23 std::expected<T, Status> (has_value/value/error/operator*)
// plus Abseil-style ok()/status(), so a later move to std::expected is mostly a rename.
//
// Messages read like Go's: lowercase, the outermost context first:
//   "creating vendor bill for invoice 88213 from ACME: item 'W-100' has no NetSuite match".
// Every message passes through the secret redaction registry (redact.h) when the Status is made,
// so a registered secret can never travel inside an error.
//
// Thread safety: values; no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace mlc {

// Codes modelled on absl::StatusCode. Comments give the retry meaning.
enum class StatusCode : uint8_t {
  kOk = 0,
  kCancelled,           // park: the caller gave up (shutdown); the relay re-queues without counting
  kUnknown,             // park
  kInvalidArgument,     // park: bad input (partner data, config); a person must act
  kDeadlineExceeded,    // retry: timeout talking to a remote system
  kNotFound,            // park
  kAlreadyExists,       // delivered: an idempotent side effect found its own earlier result
  kPermissionDenied,    // park: 403, disallowed address, wrong credentials scope
  kResourceExhausted,   // retry: HTTP 429, NetSuite concurrency limit, disk full
  kFailedPrecondition,  // park: missing vendor mapping, PO closed, unknown item
  kAborted,             // retry: transaction conflict, lease lost
  kOutOfRange,          // park
  kUnimplemented,       // park
  kInternal,            // park: a belief about our own code was wrong
  kUnavailable,         // retry: connection refused or dropped, HTTP 5xx
  kDataLoss,            // park: corrupt payload, wrong master key
  kUnauthenticated,     // retry once with fresh credentials, then park
};

// What the relay does with a failed step.
enum class RetryClass : uint8_t {
  kNone,       // not an error
  kRetriable,  // try again after backoff, up to the attempt limit
  kPark,       // stop; a person looks at it (console, `ml-connector replay`)
  kDelivered,  // the side effect already happened; count the step as done
};

RetryClass RetryClassOf(StatusCode code);
std::string_view StatusCodeName(StatusCode code);  // "INVALID_ARGUMENT"
// Parses a name produced by StatusCodeName; nullopt for anything else.
std::optional<StatusCode> StatusCodeFromName(std::string_view name);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string_view message);

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  RetryClass retry_class() const { return RetryClassOf(code_); }
  bool retriable() const { return retry_class() == RetryClass::kRetriable; }

  // Returns a copy whose message is "context: message". OK stays OK.
  Status WithContext(std::string_view context) const&;
  Status WithContext(std::string_view context) &&;

  // "INVALID_ARGUMENT: message", or "OK".
  std::string ToString() const;

  // Marks a deliberately ignored status (e.g. best-effort cleanup).
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

// Constructors, one per code, taking fmt-style arguments:
//   return InvalidArgumentError("ISA13 '{}' is not numeric", value);
#define MLC_DECLARE_ERROR(Name, Code)                                                        \
  template <typename... Args>                                                                \
  Status Name(fmt::format_string<Args...> f, Args&&... args) {                               \
    return Status(StatusCode::Code, fmt::format(f, std::forward<Args>(args)...));             \
  }
MLC_DECLARE_ERROR(CancelledError, kCancelled)
MLC_DECLARE_ERROR(UnknownError, kUnknown)
MLC_DECLARE_ERROR(InvalidArgumentError, kInvalidArgument)
MLC_DECLARE_ERROR(DeadlineExceededError, kDeadlineExceeded)
MLC_DECLARE_ERROR(NotFoundError, kNotFound)
MLC_DECLARE_ERROR(AlreadyExistsError, kAlreadyExists)
MLC_DECLARE_ERROR(PermissionDeniedError, kPermissionDenied)
MLC_DECLARE_ERROR(ResourceExhaustedError, kResourceExhausted)
MLC_DECLARE_ERROR(FailedPreconditionError, kFailedPrecondition)
MLC_DECLARE_ERROR(AbortedError, kAborted)
MLC_DECLARE_ERROR(OutOfRangeError, kOutOfRange)
MLC_DECLARE_ERROR(UnimplementedError, kUnimplemented)
MLC_DECLARE_ERROR(InternalError, kInternal)
MLC_DECLARE_ERROR(UnavailableError, kUnavailable)
MLC_DECLARE_ERROR(DataLossError, kDataLoss)
MLC_DECLARE_ERROR(UnauthenticatedError, kUnauthenticated)
#undef MLC_DECLARE_ERROR

// Result<T>: a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "Result<Status> makes no sense");

 public:
  using value_type = T;

  Result(const T& value) : v_(value) {}        // NOLINT(google-explicit-constructor)
  Result(T&& value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  // A Result made from a Status must be an error; an OK status is turned into kInternal
  // because it is a bug in our code (a value was promised and none given).
  Result(Status status)  // NOLINT(google-explicit-constructor)
      : v_(status.ok() ? Status(StatusCode::kInternal, "Result constructed from OK status")
                       : std::move(status)) {}
  template <typename U,
            typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                        !std::is_same_v<std::decay_t<U>, Status> &&
                                        !std::is_same_v<std::decay_t<U>, Result<T>> &&
                                        !std::is_same_v<std::decay_t<U>, T>>>
  Result(U&& value) : v_(T(std::forward<U>(value))) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  bool has_value() const { return ok(); }
  explicit operator bool() const { return ok(); }

  // The error, or OK when there is a value.
  Status status() const { return ok() ? Status() : std::get<1>(v_); }
  const Status& error() const { return std::get<1>(v_); }

  // Precondition: ok(). Accessing the value of an error is a bug in our code.
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

  // Wraps the error (if any) with context; a value passes through.
  Result WithContext(std::string_view context) && {
    if (!ok()) return std::get<1>(v_).WithContext(context);
    return std::move(*this);
  }

 private:
  std::variant<T, Status> v_;
};

namespace internal {
inline Status AsStatus(const Status& s) { return s; }
inline Status AsStatus(Status&& s) { return std::move(s); }
template <typename T>
Status AsStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace mlc

#define MLC_CONCAT_INNER(a, b) a##b
#define MLC_CONCAT(a, b) MLC_CONCAT_INNER(a, b)

// RETURN_IF_ERROR(expr): expr is a Status or a Result<T>; returns its error from the caller.
#define RETURN_IF_ERROR(expr)                                             \
  do {                                                                    \
    if (auto mlc_status_ = ::mlc::internal::AsStatus(expr); !mlc_status_.ok()) \
      return mlc_status_;                                                 \
  } while (false)

// ASSIGN_OR_RETURN(lhs, expr): lhs may be a declaration (`auto x`) or an existing variable.
#define ASSIGN_OR_RETURN(lhs, expr) \
  MLC_ASSIGN_OR_RETURN_IMPL(MLC_CONCAT(mlc_result_, __LINE__), lhs, expr)
// `lhs` cannot be parenthesized (it may be a declaration), hence the NOLINTs.
#define MLC_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)         \
  auto tmp = (expr);        /* NOLINT(bugprone-macro-parentheses) */ \
  if (!tmp.ok()) return tmp.error(); /* NOLINT(bugprone-macro-parentheses) */ \
  lhs = std::move(tmp).value() /* NOLINT(bugprone-macro-parentheses) */
