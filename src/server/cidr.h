// IP allowlists: CIDR ranges for IPv4 and IPv6, and matching a peer address against them.
//
// Used by the webhook receiver (NetSuite's event calls carry no signature, so the source address
// is the first gate) and the console. Parsing is strict: "10.0.0.0/8", "192.168.1.7" (= /32),
// "2001:db8::/32", "::1". An IPv4-mapped IPv6 peer (::ffff:10.1.2.3) matches IPv4 ranges.
//
// Thread safety: values; const methods are safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mlc::server {

class Cidr {
 public:
  // INVALID_ARGUMENT naming the text: "'10.0.0.0/33': prefix length must be 0-32 for IPv4".
  static Result<Cidr> Parse(std::string_view text);

  bool Contains(std::string_view address) const;
  std::string ToString() const;

 private:
  std::array<uint8_t, 16> bytes_{};  // IPv4 kept in the first 4 bytes
  bool v4_ = true;
  int prefix_ = 32;
};

class Allowlist {
 public:
  Allowlist() = default;
  // Parses every range; all bad entries are reported together.
  static Result<Allowlist> Parse(const std::vector<std::string>& ranges);

  // False for an empty allowlist: nothing is allowed unless configured.
  bool Allows(std::string_view address) const;
  const std::vector<Cidr>& ranges() const { return ranges_; }

 private:
  std::vector<Cidr> ranges_;
};

}  // namespace mlc::server
