// libFuzzer target: the token endpoint's 200 answer on arbitrary bytes. ParseTokenResponse must
// return a Status, never throw or crash, and an accepted answer has a non-empty token and a
// lifetime in (0, kMaxTokenLifetime]. Defines only LLVMFuzzerTestOneInput (see tests/fuzz_replay).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "netsuite/authenticator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto t = mlc::netsuite::ParseTokenResponse(in);
  if (t.ok()) {
    if (t->access_token.empty()) std::abort();
    if (t->expires_in.count() <= 0 || t->expires_in > mlc::netsuite::kMaxTokenLifetime) {
      std::abort();
    }
  }
  return 0;
}
