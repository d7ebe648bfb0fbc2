#include "config/values.h"

#include "common/decimal.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace mlc::config {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<uint64_t> ParseUint(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

bool IsVarName(std::string_view s) {
  if (s.empty() || IsDigit(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  constexpr std::string_view kHint = "expected a duration like 30s, 5m, 1h30m or 150ms";
  if (text.empty()) return InvalidArgumentError("{}, got an empty value", kHint);
  // 3650 days: anything longer is a typo, and the bound keeps the sum far from overflow.
  constexpr int64_t kMaxMs = int64_t{3650} * 24 * 3600 * 1000;
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    if (i == start) return InvalidArgumentError("{}", kHint);
    auto n = ParseUint(text.substr(start, i - start));
    if (!n || *n > static_cast<uint64_t>(kMaxMs)) return InvalidArgumentError("duration too long");
    size_t ustart = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view unit = text.substr(ustart, i - ustart);
    int64_t scale = 0;
    if (unit == "ms") scale = 1;
    else if (unit == "s") scale = 1000;
    else if (unit == "m") scale = 60'000;
    else if (unit == "h") scale = 3'600'000;
    else if (unit == "d") scale = 86'400'000;
    else return InvalidArgumentError("{} (units: ms, s, m, h, d)", kHint);
    if (static_cast<int64_t>(*n) > kMaxMs / scale) return InvalidArgumentError("duration too long");
    total += static_cast<int64_t>(*n) * scale;
    if (total > kMaxMs) return InvalidArgumentError("duration too long (at most 3650d)");
  }
  return Duration(total);
}

std::string FormatDuration(Duration d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  const std::pair<int64_t, const char*> units[] = {
      {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}, {1, "ms"}};
  for (const auto& [scale, name] : units) {
    if (ms >= scale) {
      out += std::to_string(ms / scale) + name;
      ms %= scale;
    }
  }
  return out;
}

std::string SecretRef::ToString() const {
  switch (kind) {
    case Kind::kVault: return "vault:" + name;
    case Kind::kEnv: return "env:" + name;
    case Kind::kNone: break;
  }
  return "";
}

Result<SecretRef> ParseSecretRef(std::string_view text) {
  SecretRef ref;
  if (text.substr(0, 6) == "vault:") {
    ref.kind = SecretRef::Kind::kVault;
    ref.name = std::string(text.substr(6));
    bool ok = !ref.name.empty() && ref.name.size() <= 128 &&
              std::all_of(ref.name.begin(), ref.name.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                       c == '.' || c == '/';
              });
    if (!ok) {
      return InvalidArgumentError(
          "vault entry names use letters, digits, '_', '-', '.' and '/' (vault:NAME)");
    }
    return ref;
  }
  if (text.substr(0, 4) == "env:") {
    ref.kind = SecretRef::Kind::kEnv;
    ref.name = std::string(text.substr(4));
    if (!IsVarName(ref.name)) {
      return InvalidArgumentError("env:VAR needs an environment variable name (letters, digits, _)");
    }
    return ref;
  }
  return InvalidArgumentError(
      "secrets must be a reference (vault:NAME or env:VAR), not a literal value");
}

// --- cron -----------------------------------------------------------------------------------

namespace {

struct CronField {
  const char* name;
  int min;
  int max;
  const char* const* names;  // nullptr or 3-letter names for min..
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

std::optional<int> CronValue(std::string_view s, const CronField& f) {
  if (auto n = ParseUint(s)) {
    if (*n > 1000) return std::nullopt;
    return static_cast<int>(*n);
  }
  if (f.names && s.size() == 3) {
    std::string up(s);
    for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    int count = f.max - f.min + 1;
    if (f.names == kDayNames) count = 7;
    for (int i = 0; i < count; ++i) {
      if (up == f.names[i]) return f.min + i;
    }
  }
  return std::nullopt;
}

// Returns the bit set of field values, or an error naming the field.
Result<uint64_t> ParseCronField(std::string_view text, const CronField& f) {
  uint64_t bits = 0;
  size_t pos = 0;
  while (true) {
    size_t comma = text.find(',', pos);
    std::string_view item = text.substr(pos, comma == std::string_view::npos ? text.npos
                                                                             : comma - pos);
    auto bad = [&]() {
      return InvalidArgumentError("cron {} field: '{}' is not valid ({}-{}, *, a-b, */n, a,b)",
                                  f.name, item, f.min, f.max);
    };
    if (item.empty()) return bad();
    int step = 1;
    std::string_view range = item;
    if (size_t slash = item.find('/'); slash != std::string_view::npos) {
      auto s = ParseUint(item.substr(slash + 1));
      if (!s || *s == 0 || *s > 1000) return bad();
      step = static_cast<int>(*s);
      range = item.substr(0, slash);
    }
    int lo = f.min;
    int hi = f.max;
    if (range != "*") {
      size_t dash = range.find('-');
      auto a = CronValue(range.substr(0, dash), f);
      if (!a) return bad();
      lo = *a;
      hi = *a;
      if (dash != std::string_view::npos) {
        auto b = CronValue(range.substr(dash + 1), f);
        if (!b) return bad();
        hi = *b;
      } else if (step != 1) {
        hi = f.max;  // "5/15" = from 5 every 15
      }
    }
    if (lo < f.min || hi > f.max || lo > hi) return bad();
    for (int v = lo; v <= hi; v += step) bits |= uint64_t{1} << v;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return bits;
}

}  // namespace

Result<Schedule> ParseSchedule(std::string_view text) {
  Schedule s;
  s.text = std::string(text);
  if (text.substr(0, 6) == "every ") {
    auto d = ParseDuration(text.substr(6));
    if (!d.ok()) return d.status().WithContext("schedule 'every <duration>'");
    if (*d < std::chrono::seconds(1)) {
      return InvalidArgumentError("schedule interval must be at least 1s");
    }
    s.kind = Schedule::Kind::kInterval;
    s.interval = *d;
    return s;
  }
  // The usual cron macros.
  if (text == "@hourly") text = "0 * * * *";
  if (text == "@daily" || text == "@midnight") text = "0 0 * * *";
  if (text == "@weekly") text = "0 0 * * 0";
  if (text == "@monthly") text = "0 0 1 * *";
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  if (fields.size() != 5) {
    return InvalidArgumentError(
        "expected 'every <duration>' (e.g. every 5m) or a cron expression with 5 fields "
        "(minute hour day-of-month month day-of-week), got {} field(s)",
        fields.size());
  }
  static constexpr CronField kFields[] = {{"minute", 0, 59, nullptr},
                                          {"hour", 0, 23, nullptr},
                                          {"day-of-month", 1, 31, nullptr},
                                          {"month", 1, 12, kMonthNames},
                                          {"day-of-week", 0, 7, kDayNames}};
  uint64_t bits[5];
  for (size_t f = 0; f < 5; ++f) {
    ASSIGN_OR_RETURN(bits[f], ParseCronField(fields[f], kFields[f]));
  }
  s.kind = Schedule::Kind::kCron;
  s.cron.minutes = bits[0];
  s.cron.hours = static_cast<uint32_t>(bits[1]);
  s.cron.days_of_month = static_cast<uint32_t>(bits[2]);
  s.cron.months = static_cast<uint16_t>(bits[3]);
  uint64_t dow = bits[4];
  if (dow & (uint64_t{1} << 7)) dow = (dow | 1) & 0x7f;  // 7 = Sunday
  s.cron.days_of_week = static_cast<uint8_t>(dow);
  s.cron.dom_restricted = fields[2] != "*";
  s.cron.dow_restricted = fields[4] != "*";
  return s;
}

// --- CIDR -----------------------------------------------------------------------------------

namespace {

// Parses a textual address into 16 bytes; returns the family or 0.
int ParseAddress(std::string_view text, std::array<uint8_t, 16>& out) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return 0;
  char buf[INET6_ADDRSTRLEN] = {};
  std::memcpy(buf, text.data(), text.size());
  out.fill(0);
  if (inet_pton(AF_INET, buf, out.data()) == 1) return AF_INET;
  if (inet_pton(AF_INET6, buf, out.data()) == 1) return AF_INET6;
  return 0;
}

bool PrefixMatches(const uint8_t* a, const uint8_t* b, int prefix) {
  int full = prefix / 8;
  if (std::memcmp(a, b, static_cast<size_t>(full)) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

}  // namespace

Result<Cidr> ParseCidr(std::string_view text) {
  Cidr c;
  size_t slash = text.find('/');
  std::string_view addr = text.substr(0, slash);
  c.family = ParseAddress(addr, c.address);
  if (c.family == 0) {
    return InvalidArgumentError("expected a CIDR range like 10.0.0.0/8 or fd00::/8, got '{}'", text);
  }
  const int max_prefix = c.family == AF_INET ? 32 : 128;
  c.prefix_length = max_prefix;
  if (slash != std::string_view::npos) {
    auto p = ParseUint(text.substr(slash + 1));
    if (!p || *p > static_cast<uint64_t>(max_prefix)) {
      return InvalidArgumentError("prefix length in '{}' must be 0-{}", text, max_prefix);
    }
    c.prefix_length = static_cast<int>(*p);
  }
  std::array<uint8_t, 16> network{};
  const size_t bytes = c.family == AF_INET ? 4 : 16;
  for (size_t i = 0; i < bytes; ++i) {
    int bits_here = std::clamp(c.prefix_length - static_cast<int>(i) * 8, 0, 8);
    auto mask = static_cast<uint8_t>(bits_here == 0 ? 0 : 0xff << (8 - bits_here));
    network[i] = c.address[i] & mask;
  }
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(c.family, network.data(), buf, sizeof(buf));
  std::string canonical = std::string(buf) + "/" + std::to_string(c.prefix_length);
  if (network != c.address) {
    return InvalidArgumentError("'{}' has host bits set; did you mean {}?", text, canonical);
  }
  c.text = canonical;
  return c;
}

bool Cidr::Contains(std::string_view ip) const {
  std::array<uint8_t, 16> a{};
  int fam = ParseAddress(ip, a);
  if (fam == AF_INET6 && family == AF_INET) {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(a.data(), kMapped, 12) != 0) return false;
    std::memmove(a.data(), a.data() + 12, 4);
    fam = AF_INET;
  }
  if (fam != family) return false;
  return PrefixMatches(a.data(), address.data(), prefix_length);
}

// --- URL, host:port, decimal ----------------------------------------------------------------

Status CheckUrl(std::string_view text, const std::vector<std::string>& schemes) {
  std::string list;
  for (const auto& s : schemes) list += (list.empty() ? "" : ", ") + s;
  auto bad = [&]() {
    return InvalidArgumentError("expected a URL like {}://host/path, got '{}'",
                                schemes.empty() ? "https" : schemes.front(), text);
  };
  size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return bad();
  {
    // Checked first, and never echoing the URL: the user-info part may hold a password.
    std::string_view after = text.substr(sep + 3);
    std::string_view auth = after.substr(0, after.find_first_of("/?#"));
    size_t at = auth.rfind('@');
    if (at != std::string_view::npos && auth.substr(0, at).find(':') != std::string_view::npos) {
      return InvalidArgumentError(
          "URLs must not carry a password (use a secret reference or the client's own "
          "password file)");
    }
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return bad();
  }
  std::string scheme = Lower(text.substr(0, sep));
  if (std::find(schemes.begin(), schemes.end(), scheme) == schemes.end()) {
    return InvalidArgumentError("URL scheme must be one of {}, got '{}'", list, scheme);
  }
  std::string_view rest = text.substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  std::string_view path = rest.substr(authority.size());
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  if (scheme == "sqlite") {
    if (!authority.empty() || path.size() < 2) {
      return InvalidArgumentError("expected sqlite:///absolute/path/to/file.db, got '{}'", text);
    }
    return Status::Ok();
  }
  if ((scheme == "http" || scheme == "https") && authority.empty()) return bad();
  if (!authority.empty()) {
    std::string_view host = authority;
    if (host.front() == '[') {
      size_t close = host.find(']');
      if (close == std::string_view::npos) return bad();
      std::string_view port = host.substr(close + 1);
      if (!port.empty() && (port[0] != ':' || !ParseUint(port.substr(1)) ||
                            *ParseUint(port.substr(1)) > 65535)) {
        return bad();
      }
      return Status::Ok();
    }
    size_t colon = host.rfind(':');
    if (colon != std::string_view::npos) {
      auto port = ParseUint(host.substr(colon + 1));
      if (!port || *port > 65535) return bad();
      host = host.substr(0, colon);
    }
    if (host.empty()) return bad();
    for (char c : host) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
        return bad();
      }
    }
  } else if (path.empty()) {
    return bad();
  }
  return Status::Ok();
}

Status CheckHostPort(std::string_view text) {
  auto bad = [&]() {
    return InvalidArgumentError("expected host:port like 127.0.0.1:8080 or [::1]:8080, got '{}'",
                                text);
  };
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad();
  auto port = ParseUint(text.substr(colon + 1));
  if (!port || *port > 65535) return bad();
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']') return bad();
    std::array<uint8_t, 16> a{};
    if (ParseAddress(host.substr(1, host.size() - 2), a) != AF_INET6) return bad();
    return Status::Ok();
  }
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return bad();
  }
  return Status::Ok();
}

Status CheckDecimal(std::string_view text) {
  std::string_view digits = text;
  if (!digits.empty() && digits[0] == '-') digits.remove_prefix(1);
  size_t dot = digits.find('.');
  std::string_view whole = digits.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : digits.substr(dot + 1);
  auto all_digits = [](std::string_view s) { return std::all_of(s.begin(), s.end(), IsDigit); };
  bool ok = !whole.empty() && all_digits(whole) && all_digits(frac) &&
            (dot == std::string_view::npos || !frac.empty()) && whole.size() + frac.size() <= 30;
  if (!ok) {
    return InvalidArgumentError("expected an exact decimal like \"2.5\" or \"0.01\", got '{}'", text);
  }
  // The shape is right; Decimal decides whether the value fits (e.g. at most 18 fraction digits).
  return Decimal::Parse(text).status();
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace mlc::config
