// libFuzzer target: NetSuite's error bodies (RFC 7807 with o:errorDetails, and the token
// endpoint's OAuth form) on arbitrary bytes. ParseErrorBody must not throw or crash, and every
// status turns into a non-OK Status whose message stays on one line (no control characters after
// the operation), with concurrency rejections classified as RESOURCE_EXHAUSTED. Defines only
// LLVMFuzzerTestOneInput (see tests/fuzz_replay).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "netsuite/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  auto body = mlc::netsuite::ParseErrorBody(in);
  if (body) {
    (void)body->PrimaryCode();
    (void)body->IsConcurrencyLimit();
  }
  for (int status : {400, 401, 403, 404, 408, 429, 500, 503, 302, 0}) {
    mlc::HttpResponse r;
    r.status = status;
    r.body = in;
    const mlc::Status s = mlc::netsuite::ErrorFromResponse(r, "fuzzing");
    if (s.ok()) std::abort();
    for (char c : s.message()) {
      if (static_cast<unsigned char>(c) < 0x20) std::abort();
    }
    if (mlc::netsuite::IsConcurrencyRejection(r) && s.code() != mlc::StatusCode::kResourceExhausted) {
      std::abort();
    }
  }
  return 0;
}
