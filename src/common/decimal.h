// Decimal: exact fixed-point numbers for money and quantities. Never use double for either.
//
// A Decimal is an unscaled integer and a scale (number of fraction digits, 0..18): 123.4500 is
// unscaled 1234500 at scale 4. The scale is kept: ToString() of 123.4500 is "123.4500", while
// comparisons are numeric (1.50 == 1.5). At most 38 significant digits are held
// (|unscaled| <= 10^38 - 1, like SQL DECIMAL(38, s)); any operation whose exact or rounded result
// would not fit returns an InvalidArgument error instead of wrapping.
//
// Text forms:
//   Parse        "1234.5600", "-0.5", "+3", "0", ".5", "5." (X12 R type, NetSuite JSON numbers
//                as strings). Exponent forms like "1E3" are REJECTED: X12 allows an exponent in
//                R only in some versions and partners disagree on it, so we refuse rather than
//                guess. No whitespace, thousands separators or more than 18 fraction digits.
//   FromImplied  X12 Nn types (implied decimal): ("12345", 2) is 123.45; optional leading minus.
//   ToString     keeps the scale: "123.4500"; ToCanonical drops trailing zeros: "123.45", "5".
//
// All arithmetic is exact; where a result must be cut to a scale (Mul, Div, Rescale, Format) the
// caller names the RoundingMode.
//
// Thread safety: a value type; const methods are safe from any thread.
#pragma once

#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mlc {

// __extension__ keeps -Wpedantic quiet about the (GCC/Clang) 128-bit integer.
__extension__ typedef __int128 Int128;

enum class RoundingMode : uint8_t {
  kHalfUp,    // nearest; ties away from zero (2.5 -> 3, -2.5 -> -3): the usual money rounding
  kHalfEven,  // nearest; ties to the even neighbour (2.5 -> 2, 3.5 -> 4): banker's rounding
  kDown,      // towards zero (truncate): 2.9 -> 2, -2.9 -> -2
  kUp,        // away from zero: 2.1 -> 3, -2.1 -> -3
  kFloor,     // towards -infinity: -2.1 -> -3
  kCeiling,   // towards +infinity: 2.1 -> 3
};

std::string_view RoundingModeName(RoundingMode mode);  // "half_up", ...

class Decimal {
 public:
  static constexpr int kMaxScale = 18;
  static constexpr int kMaxDigits = 38;

  // Zero at scale 0.
  constexpr Decimal() = default;

  // Parses a plain decimal number: [+|-] digits [. digits], at least one digit, at most 18
  // fraction digits, at most 38 significant digits. The scale is the number of fraction digits
  // written ("5." and "5" have scale 0; "-0.50" is 0.50, there is no negative zero).
  // Errors: InvalidArgument naming the input for anything else (empty, whitespace, junk, several
  // signs or points, exponent forms, too many fraction digits, overflow).
  static Result<Decimal> Parse(std::string_view s);

  // X12 implied-decimal (Nn) form: `digits` is [-] digit+, the value is digits / 10^places and
  // the scale is `places` (0..18). ("12345", 2) = 123.45; ("-500", 2) = -5.00.
  // Errors: InvalidArgument for a bad places value, empty, '+', junk, or more than 38 digits.
  static Result<Decimal> FromImplied(std::string_view digits, int implied_places);

  // Exact conversions; these cannot fail. FromUnscaled(12345, 2) = 123.45.
  // Precondition of FromUnscaled: 0 <= scale <= 18 (a constant in our code); out-of-range values
  // are clamped into that range.
  static Decimal FromInt(int64_t value) { return Decimal(value, 0); }
  static Decimal FromUnscaled(int64_t unscaled, int scale);

  // Keeps the scale: 123.4500 -> "123.4500", -0.5 -> "-0.5", 7 -> "7".
  std::string ToString() const;
  // No trailing fraction zeros and no trailing point (X12 R form): "123.45", "-0.5", "5".
  std::string ToCanonical() const;
  // X12 Nn form with `places` implied fraction digits (0..18): 123.45 with 2 -> "12345",
  // -5 with 2 -> "-500". Errors: InvalidArgument if the value has more significant fraction
  // digits than `places` (rounding would be needed: call Rescale first) or places is out of range.
  Result<std::string> ToImplied(int places) const;
  // Rounds to exactly `places` fraction digits (clamped to 0..18) and formats: Format(2, kHalfUp)
  // of 2.345 -> "2.35"; of 7 -> "7.00". Cannot overflow (formatting has no digit limit).
  std::string Format(int places, RoundingMode mode) const;

  // Exact sum/difference at scale max(a.scale, b.scale). Errors: InvalidArgument on overflow.
  Result<Decimal> Add(const Decimal& other) const;
  Result<Decimal> Sub(const Decimal& other) const;
  // Product/quotient rounded to `scale` (0..18) with `mode`. The exact product or quotient is
  // computed first (256-bit intermediate), then rounded once.
  // Errors: InvalidArgument for a bad scale, overflow of the result, and (Div) division by zero.
  Result<Decimal> Mul(const Decimal& other, int scale, RoundingMode mode) const;
  Result<Decimal> Div(const Decimal& other, int scale, RoundingMode mode) const;
  // Same value at a new scale, rounded with `mode` when the scale shrinks.
  // Errors: InvalidArgument for a bad scale or when a larger scale overflows 38 digits.
  Result<Decimal> Rescale(int scale, RoundingMode mode) const;
  // The unscaled integer at `scale` (for storing as an integer column: ToUnscaled(2) of 12.3 is
  // 1230). Errors: InvalidArgument if rounding would be needed or the result exceeds int64.
  Result<int64_t> ToUnscaled(int scale) const;

  Decimal Abs() const { return unscaled_ < 0 ? Negate() : *this; }
  Decimal Negate() const { return Decimal(-unscaled_, scale_); }  // range is symmetric
  bool is_zero() const { return unscaled_ == 0; }
  int sign() const { return unscaled_ < 0 ? -1 : (unscaled_ > 0 ? 1 : 0); }
  int scale() const { return scale_; }
  Int128 unscaled() const { return unscaled_; }

  // Same number and same scale (1.50 vs 1.5 differ here but compare equal with ==).
  bool IdenticalTo(const Decimal& other) const {
    return unscaled_ == other.unscaled_ && scale_ == other.scale_;
  }

  // Numeric comparison across scales: 1.50 == 1.5, -0.1 < 0.
  friend bool operator==(const Decimal& a, const Decimal& b) { return Compare(a, b) == 0; }
  friend std::weak_ordering operator<=>(const Decimal& a, const Decimal& b) {
    int c = Compare(a, b);
    return c < 0 ? std::weak_ordering::less
                 : (c > 0 ? std::weak_ordering::greater : std::weak_ordering::equivalent);
  }

  // For GoogleTest and logs: prints ToString().
  friend std::ostream& operator<<(std::ostream& os, const Decimal& d) { return os << d.ToString(); }

 private:
  constexpr Decimal(Int128 unscaled, int scale) : unscaled_(unscaled), scale_(scale) {}
  static int Compare(const Decimal& a, const Decimal& b);

  Int128 unscaled_ = 0;
  int scale_ = 0;
};

namespace internal {
// Quotes outside input for an error message: "..." with control and non-ASCII bytes as \xNN and
// anything past `max_chars` cut with "...". Shared by the Decimal and civil time parsers.
std::string QuoteInput(std::string_view s, size_t max_chars = 64);
}  // namespace internal

}  // namespace mlc
