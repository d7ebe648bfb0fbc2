// libFuzzer target: what a Cleo server says, on arbitrary bytes: a `/server` listing (every name
// that passes ValidateRemoteName must stay one plain component below its directory), an error
// body (the message must stay on one line) and a Server header (version parsing must not throw).
// Defines only LLVMFuzzerTestOneInput so tests/fuzz_replay can link it into the corpus replay.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cleo/http_transport.h"
#include "cleo/names.h"
#include "cleo/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  const std::filesystem::path base = "/mailbox/inbox";
  for (const std::string& name : mlc::cleo::ParseServerListing(in)) {
    if (!mlc::cleo::ValidateRemoteName(name).ok()) continue;
    const std::filesystem::path joined = (base / name).lexically_normal();
    // A name that passed validation is exactly one component under base, never base itself.
    if (joined.parent_path() != base || joined.filename() != name) std::abort();
    if (mlc::cleo::MentionsAutorun(name) && name.size() != 7) std::abort();
  }
  mlc::HttpResponse r;
  r.status = 500;
  r.body = in;
  mlc::Status s = mlc::cleo::ErrorFromResponse(r, "fuzz");
  if (s.ok() || s.message().find('\n') != std::string::npos) std::abort();
  (void)mlc::cleo::ParseServerVersion(in);
  (void)mlc::cleo::ValidateMailboxDirectory(in);
  return 0;
}
