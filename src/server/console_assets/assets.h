// The console's static files (index.html, console.css, console.js), embedded at build time:
// embed.cmake turns each file of this folder into a byte array in a generated .cc
// (console_assets.cc in the build tree), so the binary serves them with no files at run time.
// Thread safety: immutable data.
#pragma once

#include <string_view>

namespace mlc::server {

struct ConsoleAsset {
  std::string_view name;          // file name, e.g. "console.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view data;
};

// The asset called `name`, or nullptr.
const ConsoleAsset* FindConsoleAsset(std::string_view name);

}  // namespace mlc::server
