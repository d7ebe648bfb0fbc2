#include "common/redact.h"

#include "common/http_client.h"  // UrlEncode

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace mlc {
namespace {

struct Registry {
  std::shared_mutex mu;
  std::vector<std::string> secrets;  // longest first, so a secret containing another wins
  std::atomic<bool> empty{true};
};

Registry& registry() {
  static Registry* r = new Registry();  // never destroyed: used from logging at exit
  return *r;
}

std::string Base64(std::string_view s) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    const uint32_t n = (uint8_t(s[i]) << 16) | (uint8_t(s[i + 1]) << 8) | uint8_t(s[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  // The tail is left out on purpose: the padded tail of base64 depends on what follows the
  // secret (e.g. "user:secret"), the whole-group prefix does not.
  return out;
}

void AddLocked(Registry& r, std::string s) {
  if (s.empty()) return;
  if (std::find(r.secrets.begin(), r.secrets.end(), s) != r.secrets.end()) return;
  r.secrets.push_back(std::move(s));
}

}  // namespace

void RegisterSecret(std::string_view secret) {
  if (secret.size() < kMinSecretLength) return;
  auto& r = registry();
  std::unique_lock lock(r.mu);
  AddLocked(r, std::string(secret));
  AddLocked(r, UrlEncode(secret));  // as in form bodies and query strings
  // Base64 of the bare secret catches it in a bearer or basic header only when long enough to
  // be distinctive; short base64 prefixes would redact random text.
  if (secret.size() >= 12) AddLocked(r, Base64(secret));
  std::sort(r.secrets.begin(), r.secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  r.empty.store(false, std::memory_order_release);
}

std::string Redact(std::string_view text) {
  auto& r = registry();
  std::string out(text);
  if (r.empty.load(std::memory_order_acquire)) return out;
  std::shared_lock lock(r.mu);
  for (const auto& s : r.secrets) {
    size_t pos = 0;
    while ((pos = out.find(s, pos)) != std::string::npos) {
      out.replace(pos, s.size(), kRedacted);
      pos += kRedacted.size();
    }
  }
  return out;
}

size_t RegisteredSecretCount() {
  auto& r = registry();
  std::shared_lock lock(r.mu);
  return r.secrets.size();
}

void ClearSecretsForTest() {
  auto& r = registry();
  std::unique_lock lock(r.mu);
  r.secrets.clear();
  r.empty.store(true, std::memory_order_release);
}

}  // namespace mlc
