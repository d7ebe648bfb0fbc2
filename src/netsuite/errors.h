// NetSuite's error bodies and their mapping to Status codes with retry meaning.
//
// NetSuite answers REST errors with an RFC 7807-style body (reference netsuite.md 5.1):
//   {"type": "...", "title": "Bad Request", "status": 400,
//    "o:errorCode": "USER_ERROR",                       (sometimes, at the top level)
//    "o:errorDetails": [{"detail": "...", "o:errorCode": "USER_ERROR",
//                        "o:errorPath": "item.items[0].item"}]}
// The token endpoint answers OAuth 2.0 errors instead: {"error": "invalid_grant", ...}.
//
// Mapping (ErrorFromResponse):
//   400 with CONCURRENCY_LIMIT_EXCEEDED anywhere, 429  -> RESOURCE_EXHAUSTED (retry with backoff)
//   400 IDEMPOTENCY_ERROR or a duplicate ("already exists", DUP_*)  -> ALREADY_EXISTS
//   400 INVALID_CONTENT/INVALID_REQUEST/INVALID_PARAMETER/NONEXISTENT_FIELD/INVALID_KEY_OR_REF/
//       INVALID_FLD_VALUE, and SuiteQL's "Invalid search query."  -> INVALID_ARGUMENT
//   400 USER_ERROR and other 400s (business validation: over-billing, inactive vendor,
//       locked record)                                           -> FAILED_PRECONDITION
//   401 -> UNAUTHENTICATED   403 -> PERMISSION_DENIED   404 -> NOT_FOUND
//   408 -> DEADLINE_EXCEEDED  5xx -> UNAVAILABLE   anything else -> UNKNOWN
// The message names the operation first: "creating vendorBill: HTTP 400 USER_ERROR: You cannot
// bill more than ordered (at item.items[0].quantity)".
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/http_client.h"
#include "common/status.h"

namespace mlc::netsuite {

struct ErrorDetail {
  std::string detail;
  std::string error_code;  // o:errorCode
  std::string error_path;  // o:errorPath (may be empty)
};

struct ErrorBody {
  int status = 0;
  std::string type;
  std::string title;
  std::string error_code;  // top-level o:errorCode, or the OAuth "error", when present
  std::vector<ErrorDetail> details;

  // True when any code or detail says CONCURRENCY_LIMIT_EXCEEDED.
  bool IsConcurrencyLimit() const;
  // The first detail's code, else the top-level code, else "".
  std::string PrimaryCode() const;
};

// Parses a NetSuite (or OAuth 2.0 token endpoint) error body. nullopt when the body is not JSON
// or has none of the known keys.
std::optional<ErrorBody> ParseErrorBody(std::string_view body);

// Maps a non-2xx response to a Status as described above; `operation` is a lowercase phrase
// such as "running SuiteQL query" or "creating vendorBill".
Status ErrorFromResponse(const HttpResponse& response, std::string_view operation);

// True when the response is a concurrency rejection (429, or 400 naming
// CONCURRENCY_LIMIT_EXCEEDED).
bool IsConcurrencyRejection(const HttpResponse& response);

}  // namespace mlc::netsuite
