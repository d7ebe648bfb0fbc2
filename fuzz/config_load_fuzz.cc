// libFuzzer target: loads arbitrary bytes as a config file. Loading must return errors (or a
// config) and never crash, hang or leak; the environment is an empty map so nothing outside the
// input is read and no secret is registered.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  mlc::config::EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "SET") return std::string("value");
    return std::nullopt;
  };
  mlc::config::LoadResult r = mlc::config::LoadConfigText(text, env);
  for (const auto& e : r.errors) {
    // Formatting every error exercises the message paths too.
    if (e.ToString().empty()) __builtin_trap();
  }
  return 0;
}
