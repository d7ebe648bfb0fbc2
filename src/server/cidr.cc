#include "server/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace mlc::server {
namespace {

// Parses an address into 16 bytes; v4 addresses (and IPv4-mapped v6) come back with v4 = true
// and the address in the first 4 bytes.
bool ParseAddress(std::string_view text, std::array<uint8_t, 16>& out, bool& v4) {
  if (text.empty() || text.size() > 45) return false;
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  out.fill(0);
  in_addr a4{};
  if (inet_pton(AF_INET, buf, &a4) == 1) {
    std::memcpy(out.data(), &a4, 4);
    v4 = true;
    return true;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, buf, &a6) == 1) {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(a6.s6_addr, kMapped, 12) == 0) {
      std::memcpy(out.data(), a6.s6_addr + 12, 4);
      v4 = true;
    } else {
      std::memcpy(out.data(), a6.s6_addr, 16);
      v4 = false;
    }
    return true;
  }
  return false;
}

bool PrefixEqual(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int bits) {
  int full = bits / 8;
  if (std::memcmp(a.data(), b.data(), static_cast<size_t>(full)) != 0) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

}  // namespace

Result<Cidr> Cidr::Parse(std::string_view text) {
  Cidr c;
  const size_t slash = text.find('/');
  const std::string_view addr = text.substr(0, slash);
  if (!ParseAddress(addr, c.bytes_, c.v4_)) {
    return InvalidArgumentError("'{}': '{}' is not an IPv4 or IPv6 address", text, addr);
  }
  const int max = c.v4_ ? 32 : 128;
  c.prefix_ = max;
  if (slash != std::string_view::npos) {
    const std::string_view len = text.substr(slash + 1);
    int n = -1;
    auto [p, ec] = std::from_chars(len.data(), len.data() + len.size(), n);
    if (len.empty() || ec != std::errc() || p != len.data() + len.size() || n < 0 || n > max) {
      return InvalidArgumentError("'{}': prefix length must be 0-{} for {}", text, max,
                                  c.v4_ ? "IPv4" : "IPv6");
    }
    c.prefix_ = n;
  }
  // Host bits must be zero: "10.1.2.3/8" is almost always a typo for 10.0.0.0/8 or /32.
  std::array<uint8_t, 16> masked = c.bytes_;
  for (int bit = c.prefix_; bit < max; ++bit) {
    masked[static_cast<size_t>(bit / 8)] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  }
  if (masked != c.bytes_) {
    return InvalidArgumentError("'{}': host bits are set; did you mean a /{} of a network address?",
                                text, c.prefix_);
  }
  return c;
}

bool Cidr::Contains(std::string_view address) const {
  std::array<uint8_t, 16> a{};
  bool v4 = false;
  if (!ParseAddress(address, a, v4) || v4 != v4_) return false;
  return PrefixEqual(a, bytes_, prefix_);
}

std::string Cidr::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v4_ ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
  return fmt::format("{}/{}", buf, prefix_);
}

Result<Allowlist> Allowlist::Parse(const std::vector<std::string>& ranges) {
  Allowlist list;
  std::string errors;
  for (const auto& r : ranges) {
    auto c = Cidr::Parse(r);
    if (!c.ok()) {
      errors += (errors.empty() ? "" : "; ") + c.error().message();
      continue;
    }
    list.ranges_.push_back(*c);
  }
  if (!errors.empty()) return InvalidArgumentError("allowlist: {}", errors);
  return list;
}

bool Allowlist::Allows(std::string_view address) const {
  for (const auto& r : ranges_) {
    if (r.Contains(address)) return true;
  }
  return false;
}

}  // namespace mlc::server
