#include "common/status.h"

#include <array>

#include "common/redact.h"

namespace mlc {
namespace {

struct CodeInfo {
  StatusCode code;
  std::string_view name;
  RetryClass retry;
};

// One table: the name and the retry meaning of every code (see status.h).
constexpr std::array<CodeInfo, 17> kCodes = {{
    {StatusCode::kOk, "OK", RetryClass::kNone},
    {StatusCode::kCancelled, "CANCELLED", RetryClass::kPark},
    {StatusCode::kUnknown, "UNKNOWN", RetryClass::kPark},
    {StatusCode::kInvalidArgument, "INVALID_ARGUMENT", RetryClass::kPark},
    {StatusCode::kDeadlineExceeded, "DEADLINE_EXCEEDED", RetryClass::kRetriable},
    {StatusCode::kNotFound, "NOT_FOUND", RetryClass::kPark},
    {StatusCode::kAlreadyExists, "ALREADY_EXISTS", RetryClass::kDelivered},
    {StatusCode::kPermissionDenied, "PERMISSION_DENIED", RetryClass::kPark},
    {StatusCode::kResourceExhausted, "RESOURCE_EXHAUSTED", RetryClass::kRetriable},
    {StatusCode::kFailedPrecondition, "FAILED_PRECONDITION", RetryClass::kPark},
    {StatusCode::kAborted, "ABORTED", RetryClass::kRetriable},
    {StatusCode::kOutOfRange, "OUT_OF_RANGE", RetryClass::kPark},
    {StatusCode::kUnimplemented, "UNIMPLEMENTED", RetryClass::kPark},
    {StatusCode::kInternal, "INTERNAL", RetryClass::kPark},
    {StatusCode::kUnavailable, "UNAVAILABLE", RetryClass::kRetriable},
    {StatusCode::kDataLoss, "DATA_LOSS", RetryClass::kPark},
    {StatusCode::kUnauthenticated, "UNAUTHENTICATED", RetryClass::kRetriable},
}};

const CodeInfo& Info(StatusCode code) {
  const auto i = static_cast<size_t>(code);
  // Belief: every enumerator is in kCodes in declaration order (checked by status_test).
  return i < kCodes.size() ? kCodes[i] : kCodes[static_cast<size_t>(StatusCode::kUnknown)];
}

}  // namespace

RetryClass RetryClassOf(StatusCode code) { return Info(code).retry; }
std::string_view StatusCodeName(StatusCode code) { return Info(code).name; }

std::optional<StatusCode> StatusCodeFromName(std::string_view name) {
  for (const auto& c : kCodes) {
    if (c.name == name) return c.code;
  }
  return std::nullopt;
}

Status::Status(StatusCode code, std::string_view message)
    : code_(code), message_(code == StatusCode::kOk ? std::string() : Redact(message)) {}

Status Status::WithContext(std::string_view context) const& {
  if (ok()) return *this;
  return Status(code_, fmt::format("{}: {}", context, message_));
}

Status Status::WithContext(std::string_view context) && {
  if (ok()) return std::move(*this);
  // Redact only the new part; message_ is already clean.
  message_ = Redact(context) + ": " + message_;
  return std::move(*this);
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return fmt::format("{}: {}", StatusCodeName(code_), message_);
}

std::ostream& operator<<(std::ostream& os, const Status& s) { return os << s.ToString(); }

}  // namespace mlc
