// Typed configuration values and their text forms: durations ("59m", "150ms", "1h30m"), secret
// references ("vault:NAME", "env:VAR"), schedules ("every 5m" or a five-field cron expression),
// CIDR ranges ("10.0.0.0/8", "::1/128"), URLs and host:port addresses.
//
// Every parser here is pure (no environment, no I/O) and returns either the value or a short
// lowercase reason that the config loader prefixes with the key path and line. Parsers never
// echo their input in the reason, so a caller may safely use them on text that might be a secret;
// the loader decides when quoting the input is safe.
//
// Thread safety: values and free functions; no shared state.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mlc::config {

using Duration = std::chrono::milliseconds;

// Parses one or more <integer><unit> groups, units d, h, m, s, ms: "59m", "30s", "150ms",
// "1h30m". A unit is required ("30" is rejected); negative values and values over 3650 days are
// rejected. Errors: kInvalidArgument.
Result<Duration> ParseDuration(std::string_view text);
// The shortest text ParseDuration reads back to `d`: 90000ms -> "1m30s", 0 -> "0s".
std::string FormatDuration(Duration d);

// A reference to a secret. Config files never hold secret values, only these references.
struct SecretRef {
  enum class Kind : uint8_t { kNone, kVault, kEnv };
  Kind kind = Kind::kNone;
  std::string name;   // vault entry name or environment variable name
  std::string value;  // env: the value read at load (registered for redaction); vault: empty
                      // until the store layer resolves it

  bool empty() const { return kind == Kind::kNone; }
  // "vault:NAME" / "env:VAR" / "" (never the value).
  std::string ToString() const;
};

// Parses "vault:NAME" (NAME: letters, digits, '_', '-', '.', '/') or "env:VAR" (VAR: a shell
// variable name) without reading the environment. Anything else is kInvalidArgument with a
// message that does not contain the text (it may be a pasted secret).
Result<SecretRef> ParseSecretRef(std::string_view text);

// Fields of a cron expression as bit sets (bit i set = value i matches).
struct CronSpec {
  uint64_t minutes = 0;        // 0-59
  uint32_t hours = 0;          // 0-23
  uint32_t days_of_month = 0;  // 1-31
  uint16_t months = 0;         // 1-12
  uint8_t days_of_week = 0;    // 0-6, Sunday = 0 (7 is accepted as Sunday)
  bool dom_restricted = false;  // day-of-month field was not '*' (cron's OR rule with dow)
  bool dow_restricted = false;
};

// When a flow runs: a fixed interval or a cron expression (evaluated by the daemon in the
// configured time zone).
struct Schedule {
  enum class Kind : uint8_t { kInterval, kCron };
  Kind kind = Kind::kInterval;
  Duration interval{0};  // kInterval
  CronSpec cron;         // kCron
  std::string text;      // as written, for display
};

// Parses "every <duration>" (at least 1s) or a five-field cron expression "min hour dom mon dow"
// with '*', numbers, ranges "a-b", lists "a,b", steps "*/n" and "a-b/n", and three-letter month
// (JAN-DEC) and day (SUN-SAT) names, and the macros @hourly, @daily (@midnight), @weekly and
// @monthly. Errors: kInvalidArgument naming the bad field.
Result<Schedule> ParseSchedule(std::string_view text);

// An IPv4 or IPv6 network.
struct Cidr {
  int family = 0;  // AF_INET or AF_INET6
  std::array<uint8_t, 16> address{};  // network address (IPv4 in the first 4 bytes)
  int prefix_length = 0;
  std::string text;  // canonical "10.0.0.0/8"

  // True when `ip` (a textual IPv4 or IPv6 address) lies in this network. An IPv4-mapped IPv6
  // address ("::ffff:10.1.2.3") matches IPv4 networks.
  bool Contains(std::string_view ip) const;
};

// Parses "a.b.c.d/n", "x::y/n", or a bare address (a /32 or /128 host). Host bits set below the
// prefix are an error (with the network it probably meant). Errors: kInvalidArgument.
Result<Cidr> ParseCidr(std::string_view text);

// Checks a URL's shape: "scheme://authority/path" with the scheme in `schemes` (lowercase);
// http(s) need a host, sqlite a path; no whitespace or control characters; no password in the
// user-info part (credentials belong in secrets). Errors: kInvalidArgument.
Status CheckUrl(std::string_view text, const std::vector<std::string>& schemes);

// Checks "host:port" or "[ipv6]:port" with port 0-65535. Errors: kInvalidArgument.
Status CheckHostPort(std::string_view text);

// Checks an exact decimal written as text: optional '-', digits, optional '.' and digits
// ("2.5", "0.01", "10"), at most 30 digits, and that mlc::Decimal::Parse reads it (so the matcher
// can use it as is). Stricter than Decimal::Parse on purpose: a config file has no reason to write
// "+1", ".5" or "5.", and refusing them keeps tolerances unambiguous. Errors: kInvalidArgument.
Status CheckDecimal(std::string_view text);

// Levenshtein edit distance (for "did you mean" hints).
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace mlc::config
