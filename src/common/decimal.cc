#include "common/decimal.h"

#include <algorithm>

namespace mlc {
namespace {

__extension__ typedef unsigned __int128 UInt128;

constexpr UInt128 Pow10(int n) {
  UInt128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// 38 nines: the largest magnitude we hold. 10^38 < 2^127, so negation never overflows.
constexpr UInt128 kMaxMagnitude = Pow10(Decimal::kMaxDigits) - 1;

constexpr char kExpected[] = "expected [+|-]digits[.digits], at most 18 fraction digits";

UInt128 Magnitude(Int128 v) { return v < 0 ? -static_cast<UInt128>(v) : static_cast<UInt128>(v); }

Int128 Signed(UInt128 magnitude, bool negative) {
  // Belief: callers checked magnitude <= kMaxMagnitude, so the cast is exact.
  Int128 v = static_cast<Int128>(magnitude);
  return negative ? -v : v;
}

// Unsigned 256-bit integer, just enough for exact products and quotients of two 38-digit values
// scaled by up to 10^36.
struct U256 {
  UInt128 hi = 0;
  UInt128 lo = 0;

  bool fits128() const { return hi == 0; }
  friend bool operator==(const U256& a, const U256& b) = default;
  friend std::strong_ordering operator<=>(const U256& a, const U256& b) {
    if (a.hi != b.hi)
      return a.hi < b.hi ? std::strong_ordering::less : std::strong_ordering::greater;
    if (a.lo != b.lo)
      return a.lo < b.lo ? std::strong_ordering::less : std::strong_ordering::greater;
    return std::strong_ordering::equal;
  }
};

U256 Mul128(UInt128 a, UInt128 b) {
  constexpr UInt128 kMask = ~static_cast<uint64_t>(0);
  UInt128 a0 = a & kMask, a1 = a >> 64, b0 = b & kMask, b1 = b >> 64;
  UInt128 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  UInt128 mid = (p00 >> 64) + (p01 & kMask) + (p10 & kMask);  // < 3 * 2^64: no overflow
  U256 r;
  r.lo = (p00 & kMask) | (mid << 64);
  r.hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
  return r;
}

U256 Add256(const U256& a, const U256& b) {
  U256 r;
  r.lo = a.lo + b.lo;
  r.hi = a.hi + b.hi + (r.lo < a.lo ? 1 : 0);
  return r;
}

U256 Sub256(const U256& a, const U256& b) {  // requires a >= b
  U256 r;
  r.lo = a.lo - b.lo;
  r.hi = a.hi - b.hi - (a.lo < b.lo ? 1 : 0);
  return r;
}

// Quotient and remainder; requires den != 0 and den < 2^255 (ours are < 10^74).
void DivMod256(const U256& num, const U256& den, U256* q, U256* r) {
  if (num.fits128() && den.fits128()) {
    *q = U256{0, num.lo / den.lo};
    *r = U256{0, num.lo % den.lo};
    return;
  }
  U256 quot, rem;
  for (int bit = 255; bit >= 0; --bit) {
    rem.hi = (rem.hi << 1) | (rem.lo >> 127);
    rem.lo <<= 1;
    UInt128 in = bit >= 128 ? (num.hi >> (bit - 128)) & 1 : (num.lo >> bit) & 1;
    rem.lo |= in;
    if (rem >= den) {
      rem = Sub256(rem, den);
      if (bit >= 128) {
        quot.hi |= static_cast<UInt128>(1) << (bit - 128);
      } else {
        quot.lo |= static_cast<UInt128>(1) << bit;
      }
    }
  }
  *q = quot;
  *r = rem;
}

// Whether a truncated quotient q (magnitude) with a non-zero remainder r must become q + 1.
// `twice_r_vs_den` is 2r <=> divisor; `negative` is the sign of the true quotient.
bool RoundsAwayFromZero(RoundingMode mode, bool negative, bool q_odd,
                        std::strong_ordering twice_r_vs_den) {
  switch (mode) {
    case RoundingMode::kDown:
      return false;
    case RoundingMode::kUp:
      return true;
    case RoundingMode::kFloor:
      return negative;
    case RoundingMode::kCeiling:
      return !negative;
    case RoundingMode::kHalfUp:
      return std::is_gteq(twice_r_vs_den);
    case RoundingMode::kHalfEven:
      return std::is_gt(twice_r_vs_den) || (std::is_eq(twice_r_vs_den) && q_odd);
  }
  return false;
}

// Rounds num/den (magnitudes; the sign of the true quotient is `negative`) to an integer with
// `mode`. Returns false if the rounded magnitude exceeds kMaxMagnitude.
bool RoundedDiv(const U256& num, const U256& den, bool negative, RoundingMode mode, UInt128* out) {
  U256 q, r;
  DivMod256(num, den, &q, &r);
  // r < den < 2^255, so 2r does not overflow.
  bool up =
      r != U256{} && RoundsAwayFromZero(mode, negative, (q.lo & 1) != 0, Add256(r, r) <=> den);
  if (!q.fits128() || q.lo > kMaxMagnitude) return false;
  *out = q.lo + (up ? 1 : 0);
  return *out <= kMaxMagnitude;
}

bool ValidScale(int scale) { return scale >= 0 && scale <= Decimal::kMaxScale; }

std::string MagnitudeDigits(UInt128 v) {
  if (v == 0) return "0";
  char buf[40];
  int n = 0;
  while (v != 0) {
    buf[n++] = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  }
  std::string s(buf, n);
  std::reverse(s.begin(), s.end());
  return s;
}

// "-12.3400" from (1234000 or any magnitude, scale 4, negative).
std::string FormatFixed(UInt128 magnitude, int scale, bool negative) {
  std::string digits = MagnitudeDigits(magnitude);
  if (static_cast<int>(digits.size()) <= scale) {
    digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
  }
  if (scale > 0) digits.insert(digits.size() - static_cast<size_t>(scale), 1, '.');
  if (negative && magnitude != 0) digits.insert(0, 1, '-');
  return digits;
}

}  // namespace

namespace internal {
std::string QuoteInput(std::string_view s, size_t max_chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == max_chars) {
      out += "\"...";
      return out;
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}
}  // namespace internal

std::string_view RoundingModeName(RoundingMode mode) {
  switch (mode) {
    case RoundingMode::kHalfUp:
      return "half_up";
    case RoundingMode::kHalfEven:
      return "half_even";
    case RoundingMode::kDown:
      return "down";
    case RoundingMode::kUp:
      return "up";
    case RoundingMode::kFloor:
      return "floor";
    case RoundingMode::kCeiling:
      return "ceiling";
  }
  return "?";
}

Result<Decimal> Decimal::Parse(std::string_view s) {
  auto fail = [&](std::string_view why) {
    return InvalidArgumentError("decimal {}: {} ({})", internal::QuoteInput(s), why, kExpected);
  };
  if (s.empty()) return fail("empty");
  size_t i = 0;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    i = 1;
  }
  UInt128 magnitude = 0;
  int digits = 0, fraction_digits = 0, significant = 0;
  bool point = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      ++digits;
      if (point && ++fraction_digits > kMaxScale) return fail("more than 18 fraction digits");
      if (magnitude == 0 && c == '0') continue;  // leading zeros are not significant
      if (++significant > kMaxDigits) return fail("more than 38 significant digits (overflow)");
      magnitude = magnitude * 10 + static_cast<UInt128>(c - '0');
    } else if (c == '.') {
      if (point) return fail("more than one decimal point");
      point = true;
    } else if (c == 'e' || c == 'E') {
      return fail("exponent forms are not accepted");
    } else if (c == '+' || c == '-') {
      return fail("sign not at the start");
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      return fail(fmt::format("whitespace at offset {}", i));
    } else {
      return fail(fmt::format("unexpected character at offset {}", i));
    }
  }
  if (digits == 0) return fail("no digits");
  return Decimal(Signed(magnitude, negative), fraction_digits);
}

Result<Decimal> Decimal::FromImplied(std::string_view digits, int implied_places) {
  auto fail = [&](std::string_view why) {
    return InvalidArgumentError("implied-decimal (N{}) value {}: {} (expected [-]digits)",
                                implied_places, internal::QuoteInput(digits), why);
  };
  if (!ValidScale(implied_places)) return fail("implied places must be 0..18");
  if (digits.empty()) return fail("empty");
  size_t i = 0;
  bool negative = false;
  if (digits[0] == '-') {
    negative = true;
    i = 1;
  }
  if (i == digits.size()) return fail("no digits");
  UInt128 magnitude = 0;
  int significant = 0;
  for (; i < digits.size(); ++i) {
    char c = digits[i];
    if (c < '0' || c > '9') return fail(fmt::format("unexpected character at offset {}", i));
    if (magnitude == 0 && c == '0') continue;
    if (++significant > kMaxDigits) return fail("more than 38 significant digits (overflow)");
    magnitude = magnitude * 10 + static_cast<UInt128>(c - '0');
  }
  return Decimal(Signed(magnitude, negative), implied_places);
}

Decimal Decimal::FromUnscaled(int64_t unscaled, int scale) {
  return Decimal(unscaled, std::clamp(scale, 0, kMaxScale));
}

std::string Decimal::ToString() const {
  return FormatFixed(Magnitude(unscaled_), scale_, unscaled_ < 0);
}

std::string Decimal::ToCanonical() const {
  Int128 u = unscaled_;
  int s = scale_;
  while (s > 0 && u % 10 == 0) {
    u /= 10;
    --s;
  }
  return FormatFixed(Magnitude(u), s, u < 0);
}

Result<std::string> Decimal::ToImplied(int places) const {
  if (!ValidScale(places)) {
    return InvalidArgumentError("formatting {} as N{}: places must be 0..18", ToString(), places);
  }
  UInt128 m = Magnitude(unscaled_);
  std::string out;
  if (places >= scale_) {
    out = MagnitudeDigits(m);
    if (m != 0) out.append(static_cast<size_t>(places - scale_), '0');
  } else {
    UInt128 div = Pow10(scale_ - places);
    if (m % div != 0) {
      return InvalidArgumentError("formatting {} as N{}: value has more than {} fraction digits",
                                  ToString(), places, places);
    }
    out = MagnitudeDigits(m / div);
  }
  if (unscaled_ < 0) out.insert(0, 1, '-');
  return out;
}

std::string Decimal::Format(int places, RoundingMode mode) const {
  places = std::clamp(places, 0, kMaxScale);
  UInt128 m = Magnitude(unscaled_);
  if (places >= scale_) {
    std::string s = ToString();
    if (scale_ == 0 && places > 0) s += '.';
    s.append(static_cast<size_t>(places - scale_), '0');
    return s;
  }
  // The rounded magnitude is at most 10^38, which fits in 128 bits; formatting has no limit, so
  // round with native arithmetic rather than RoundedDiv (which enforces kMaxMagnitude).
  UInt128 div = Pow10(scale_ - places);
  UInt128 q = m / div, r = m % div;
  bool negative = unscaled_ < 0;
  bool up = r != 0 && RoundsAwayFromZero(mode, negative, (q & 1) != 0, 2 * r <=> div);
  return FormatFixed(q + (up ? 1 : 0), places, negative);
}

namespace {

// a * 10^k as a 256-bit magnitude (k <= 36 keeps it below 10^74).
U256 ScaledMagnitude(Int128 unscaled, int k) { return Mul128(Magnitude(unscaled), Pow10(k)); }

}  // namespace

Result<Decimal> Decimal::Add(const Decimal& other) const {
  int s = std::max(scale_, other.scale_);
  U256 a = ScaledMagnitude(unscaled_, s - scale_);
  U256 b = ScaledMagnitude(other.unscaled_, s - other.scale_);
  bool an = unscaled_ < 0, bn = other.unscaled_ < 0;
  U256 sum;
  bool negative;
  if (an == bn) {
    sum = Add256(a, b);
    negative = an;
  } else if (a >= b) {
    sum = Sub256(a, b);
    negative = an;
  } else {
    sum = Sub256(b, a);
    negative = bn;
  }
  if (!sum.fits128() || sum.lo > kMaxMagnitude) {
    return InvalidArgumentError("adding {} and {}: result exceeds 38 digits", ToString(),
                                other.ToString());
  }
  return Decimal(Signed(sum.lo, negative), s);
}

Result<Decimal> Decimal::Sub(const Decimal& other) const {
  auto r = Add(other.Negate());
  if (!r.ok()) {
    return InvalidArgumentError("subtracting {} from {}: result exceeds 38 digits",
                                other.ToString(), ToString());
  }
  return r;
}

Result<Decimal> Decimal::Mul(const Decimal& other, int scale, RoundingMode mode) const {
  if (!ValidScale(scale)) {
    return InvalidArgumentError("multiplying {} by {}: scale {} is not 0..18", ToString(),
                                other.ToString(), scale);
  }
  bool negative = (unscaled_ < 0) != (other.unscaled_ < 0);
  U256 product = Mul128(Magnitude(unscaled_), Magnitude(other.unscaled_));
  int exact_scale = scale_ + other.scale_;  // 0..36
  UInt128 m = 0;
  bool ok;
  if (scale >= exact_scale) {
    U256 up = product.fits128() ? Mul128(product.lo, Pow10(scale - exact_scale)) : product;
    ok = product.fits128() && up.fits128() && up.lo <= kMaxMagnitude;
    m = up.lo;
  } else {
    ok = RoundedDiv(product, U256{0, Pow10(exact_scale - scale)}, negative, mode, &m);
  }
  if (!ok) {
    return InvalidArgumentError("multiplying {} by {}: result exceeds 38 digits", ToString(),
                                other.ToString());
  }
  return Decimal(Signed(m, negative), scale);
}

Result<Decimal> Decimal::Div(const Decimal& other, int scale, RoundingMode mode) const {
  if (!ValidScale(scale)) {
    return InvalidArgumentError("dividing {} by {}: scale {} is not 0..18", ToString(),
                                other.ToString(), scale);
  }
  if (other.is_zero()) {
    return InvalidArgumentError("dividing {} by zero", ToString());
  }
  // result = (a / 10^sa) / (b / 10^sb) * 10^scale = a * 10^(scale + sb - sa) / b.
  bool negative = (unscaled_ < 0) != (other.unscaled_ < 0);
  int e = scale + other.scale_ - scale_;  // -18..36
  U256 num = ScaledMagnitude(unscaled_, std::max(e, 0));
  U256 den = ScaledMagnitude(other.unscaled_, std::max(-e, 0));
  UInt128 m = 0;
  if (!RoundedDiv(num, den, negative, mode, &m)) {
    return InvalidArgumentError("dividing {} by {}: result exceeds 38 digits", ToString(),
                                other.ToString());
  }
  return Decimal(Signed(m, negative), scale);
}

Result<Decimal> Decimal::Rescale(int scale, RoundingMode mode) const {
  if (!ValidScale(scale)) {
    return InvalidArgumentError("rescaling {}: scale {} is not 0..18", ToString(), scale);
  }
  bool negative = unscaled_ < 0;
  UInt128 m = 0;
  bool ok;
  if (scale >= scale_) {
    U256 up = ScaledMagnitude(unscaled_, scale - scale_);
    ok = up.fits128() && up.lo <= kMaxMagnitude;
    m = up.lo;
  } else {
    ok = RoundedDiv(U256{0, Magnitude(unscaled_)}, U256{0, Pow10(scale_ - scale)}, negative, mode,
                    &m);
  }
  if (!ok) {
    return InvalidArgumentError("rescaling {} to scale {}: result exceeds 38 digits", ToString(),
                                scale);
  }
  return Decimal(Signed(m, negative), scale);
}

Result<int64_t> Decimal::ToUnscaled(int scale) const {
  if (!ValidScale(scale)) {
    return InvalidArgumentError("converting {} to an integer: scale {} is not 0..18", ToString(),
                                scale);
  }
  if (scale < scale_ && Magnitude(unscaled_) % Pow10(scale_ - scale) != 0) {
    return InvalidArgumentError("converting {} to an integer at scale {}: rounding would be needed",
                                ToString(), scale);
  }
  auto r = Rescale(scale, RoundingMode::kDown);  // exact by the check above
  constexpr Int128 kMin = INT64_MIN, kMax = INT64_MAX;
  if (!r.ok() || r->unscaled_ < kMin || r->unscaled_ > kMax) {
    return InvalidArgumentError("converting {} to an integer at scale {}: exceeds 64 bits",
                                ToString(), scale);
  }
  return static_cast<int64_t>(r->unscaled_);
}

int Decimal::Compare(const Decimal& a, const Decimal& b) {
  int sa = a.sign(), sb = b.sign();
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int s = std::max(a.scale_, b.scale_);
  U256 ma = ScaledMagnitude(a.unscaled_, s - a.scale_);
  U256 mb = ScaledMagnitude(b.unscaled_, s - b.scale_);
  if (ma == mb) return 0;
  bool a_bigger = ma > mb;
  return (a_bigger == (sa > 0)) ? 1 : -1;
}

}  // namespace mlc
