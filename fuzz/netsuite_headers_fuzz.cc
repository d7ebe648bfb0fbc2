// libFuzzer target: header values and short texts from outside, on arbitrary bytes: a create's
// Location header (IdFromLocation gives a non-empty all-digit id or an error), an OAuth 1.0a
// Authorization header (ParseOauthHeader, as the sandbox reads it), base64url (a JWT segment;
// what decodes re-encodes to text that decodes to the same bytes) and an account id.
// Defines only LLVMFuzzerTestOneInput (see tests/fuzz_replay).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "netsuite/auth.h"
#include "netsuite/client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto id = mlc::netsuite::IdFromLocation(in);
  if (id.ok()) {
    if (id->empty() || id->find_first_not_of("0123456789") != std::string::npos) std::abort();
    if (in.find(*id) == std::string_view::npos) std::abort();
  }
  (void)mlc::netsuite::ParseOauthHeader(in);
  auto bytes = mlc::netsuite::Base64UrlDecode(in);
  if (bytes.ok()) {
    auto again = mlc::netsuite::Base64UrlDecode(mlc::netsuite::Base64UrlEncode(*bytes));
    if (!again.ok() || *again != *bytes) std::abort();
  }
  auto account = mlc::netsuite::ParseAccountId(in);
  if (account.ok()) (void)mlc::netsuite::DefaultBaseUrl(*account);
  (void)mlc::netsuite::IsPathSafeExternalId(in);
  return 0;
}
