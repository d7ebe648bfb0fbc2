#include "common/decimal.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace mlc {
namespace {

__extension__ typedef unsigned __int128 UInt128;

Decimal D(std::string_view s) {
  auto r = Decimal::Parse(s);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : Decimal();
}

// ---------------------------------------------------------------- parsing

struct ParseCase {
  const char* in;
  const char* to_string;
  int scale;
};

TEST(DecimalParseTest, AcceptsPlainForms) {
  const ParseCase cases[] = {
      {"1234.5600", "1234.5600", 4},
      {"-0.5", "-0.5", 1},
      {"+3", "3", 0},
      {"0", "0", 0},
      {".5", "0.5", 1},
      {"5.", "5", 0},
      {"-0.00", "0.00", 2},  // no negative zero
      {"007.10", "7.10", 2},
      {"-12", "-12", 0},
      {"0.000000000000000001", "0.000000000000000001", 18},
      {"99999999999999999999999999999999999999", "99999999999999999999999999999999999999", 0},
      {"-9999999999999999999.999999999999999999", "-9999999999999999999.999999999999999999", 18},
      {"0000000000000000000000000000000000000000000001", "1", 0},
  };
  for (const auto& c : cases) {
    auto r = Decimal::Parse(c.in);
    ASSERT_TRUE(r.ok()) << c.in << ": " << r.status();
    EXPECT_EQ(r->ToString(), c.to_string) << c.in;
    EXPECT_EQ(r->scale(), c.scale) << c.in;
  }
}

TEST(DecimalParseTest, RejectsMalformedWithClearError) {
  struct Bad {
    std::string in;
    const char* why;
  };
  const Bad cases[] = {
      {"", "empty"},
      {" 1", "whitespace"},
      {"1 ", "whitespace"},
      {"1\t", "whitespace"},
      {"+", "no digits"},
      {"-", "no digits"},
      {".", "no digits"},
      {"-.", "no digits"},
      {"+-1", "sign not at the start"},
      {"--1", "sign not at the start"},
      {"1-", "sign not at the start"},
      {"1.2.3", "more than one decimal point"},
      {"..1", "more than one decimal point"},
      {"1E3", "exponent"},
      {"1e-2", "exponent"},
      {"abc", "unexpected character"},
      {"1,000.00", "unexpected character"},
      {"0x10", "unexpected character"},
      {"12a", "unexpected character"},
      {"NaN", "unexpected character"},
      {"Infinity", "unexpected character"},
      {std::string("1\0", 2), "unexpected character"},
      {"1.0000000000000000000", "more than 18 fraction digits"},
      {"100000000000000000000000000000000000000", "more than 38 significant digits"},
      {"-100000000000000000000000000000000000000.5", "more than 38 significant digits"},
  };
  for (const auto& c : cases) {
    auto r = Decimal::Parse(c.in);
    ASSERT_FALSE(r.ok()) << "accepted '" << c.in << "' as " << r->ToString();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.in;
    EXPECT_NE(r.status().message().find(c.why), std::string::npos) << r.status();
    EXPECT_NE(r.status().message().find(internal::QuoteInput(c.in)), std::string::npos)
        << "error does not name the input: " << r.status();
    EXPECT_NE(r.status().message().find("expected"), std::string::npos) << r.status();
  }
}

TEST(DecimalParseTest, ErrorQuotesLongAndBinaryInputSafely) {
  std::string junk(10000, 'x');
  auto r = Decimal::Parse(junk);
  ASSERT_FALSE(r.ok());
  EXPECT_LT(r.status().message().size(), 300u);
  EXPECT_EQ(internal::QuoteInput("a\x01\xff\"b"), "\"a\\x01\\xff\\x22b\"");
  EXPECT_EQ(internal::QuoteInput("abcdef", 3), "\"abc\"...");
}

// ---------------------------------------------------------------- implied decimals

TEST(DecimalImpliedTest, FromImplied) {
  EXPECT_EQ(Decimal::FromImplied("12345", 2)->ToString(), "123.45");
  EXPECT_EQ(Decimal::FromImplied("-500", 2)->ToString(), "-5.00");
  EXPECT_EQ(Decimal::FromImplied("5", 3)->ToString(), "0.005");
  EXPECT_EQ(Decimal::FromImplied("0", 0)->ToString(), "0");
  EXPECT_EQ(Decimal::FromImplied("000123", 0)->ToString(), "123");
  EXPECT_EQ(Decimal::FromImplied("1", 18)->ToString(), "0.000000000000000001");
  for (const char* bad : {"", "-", "+5", "1.5", " 5", "5 ", "1E3", "--5", "5-", "x",
                          "123456789012345678901234567890123456789"}) {
    auto r = Decimal::FromImplied(bad, 2);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(internal::QuoteInput(bad)), std::string::npos)
        << r.status();
  }
  EXPECT_FALSE(Decimal::FromImplied("5", -1).ok());
  EXPECT_FALSE(Decimal::FromImplied("5", 19).ok());
}

TEST(DecimalImpliedTest, ToImplied) {
  EXPECT_EQ(*D("123.45").ToImplied(2), "12345");
  EXPECT_EQ(*D("-5").ToImplied(2), "-500");
  EXPECT_EQ(*D("123.4500").ToImplied(2), "12345");
  EXPECT_EQ(*D("0").ToImplied(2), "0");
  EXPECT_EQ(*D("0.00").ToImplied(2), "0");
  EXPECT_EQ(*D("7").ToImplied(0), "7");
  auto r = D("123.456").ToImplied(2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("123.456"), std::string::npos);
  EXPECT_FALSE(D("1").ToImplied(19).ok());
  EXPECT_FALSE(D("1").ToImplied(-1).ok());
}

// ---------------------------------------------------------------- formatting

TEST(DecimalFormatTest, ToStringAndCanonical) {
  EXPECT_EQ(D("123.4500").ToString(), "123.4500");
  EXPECT_EQ(D("123.4500").ToCanonical(), "123.45");
  EXPECT_EQ(D("-0.50").ToCanonical(), "-0.5");
  EXPECT_EQ(D("5.000").ToCanonical(), "5");
  EXPECT_EQ(D("500").ToCanonical(), "500");
  EXPECT_EQ(D("0.000").ToCanonical(), "0");
  EXPECT_EQ(Decimal::FromInt(-42).ToString(), "-42");
  EXPECT_EQ(Decimal::FromInt(INT64_MIN).ToString(), "-9223372036854775808");
  EXPECT_EQ(Decimal::FromUnscaled(12345, 2).ToString(), "123.45");
  EXPECT_EQ(Decimal::FromUnscaled(-5, 3).ToString(), "-0.005");
  EXPECT_EQ(Decimal::FromUnscaled(INT64_MIN, 18).ToString(), "-9.223372036854775808");
}

TEST(DecimalFormatTest, FormatPadsAndRounds) {
  EXPECT_EQ(D("7").Format(2, RoundingMode::kHalfUp), "7.00");
  EXPECT_EQ(D("7.1").Format(3, RoundingMode::kHalfUp), "7.100");
  EXPECT_EQ(D("2.345").Format(2, RoundingMode::kHalfUp), "2.35");
  EXPECT_EQ(D("2.345").Format(2, RoundingMode::kHalfEven), "2.34");
  EXPECT_EQ(D("-2.345").Format(0, RoundingMode::kHalfUp), "-2");
  EXPECT_EQ(D("-0.4").Format(0, RoundingMode::kHalfUp), "0");  // no "-0"
  // Rounding 38 nines up needs 39 digits: Format has no limit, Rescale reports overflow.
  Decimal big = D("9999999999999999999999999999999999999.9");
  EXPECT_EQ(big.Format(0, RoundingMode::kHalfUp), "10000000000000000000000000000000000000");
  EXPECT_EQ(
      D("9999999999999999999999999999999999999.9").Rescale(0, RoundingMode::kHalfUp)->ToString(),
      "10000000000000000000000000000000000000");
  EXPECT_EQ(D("99999999999999999999.999999999999999999").Format(0, RoundingMode::kUp),
            "100000000000000000000");
}

// The rounding table from java.math.RoundingMode's documentation, to 0 places.
TEST(DecimalRoundingTest, EveryModeOnPositiveAndNegativeHalves) {
  struct Row {
    const char* in;
    const char* up;
    const char* down;
    const char* ceiling;
    const char* floor;
    const char* half_up;
    const char* half_even;
  };
  const Row rows[] = {
      {"5.5", "6", "5", "6", "5", "6", "6"},
      {"2.5", "3", "2", "3", "2", "3", "2"},
      {"1.6", "2", "1", "2", "1", "2", "2"},
      {"1.1", "2", "1", "2", "1", "1", "1"},
      {"1.0", "1", "1", "1", "1", "1", "1"},
      {"-1.0", "-1", "-1", "-1", "-1", "-1", "-1"},
      {"-1.1", "-2", "-1", "-1", "-2", "-1", "-1"},
      {"-1.6", "-2", "-1", "-1", "-2", "-2", "-2"},
      {"-2.5", "-3", "-2", "-2", "-3", "-3", "-2"},
      {"-5.5", "-6", "-5", "-5", "-6", "-6", "-6"},
      {"0.5", "1", "0", "1", "0", "1", "0"},
      {"-0.5", "-1", "0", "0", "-1", "-1", "0"},
      {"3.5", "4", "3", "4", "3", "4", "4"},
      {"-3.5", "-4", "-3", "-3", "-4", "-4", "-4"},
      {"2.50001", "3", "2", "3", "2", "3", "3"},
      {"-2.49999", "-3", "-2", "-2", "-3", "-2", "-2"},
  };
  for (const auto& row : rows) {
    const std::pair<RoundingMode, const char*> want[] = {
        {RoundingMode::kUp, row.up},           {RoundingMode::kDown, row.down},
        {RoundingMode::kCeiling, row.ceiling}, {RoundingMode::kFloor, row.floor},
        {RoundingMode::kHalfUp, row.half_up},  {RoundingMode::kHalfEven, row.half_even},
    };
    for (const auto& [mode, expected] : want) {
      Decimal d = D(row.in);
      EXPECT_EQ(d.Format(0, mode), expected) << row.in << " " << RoundingModeName(mode);
      auto r = d.Rescale(0, mode);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->ToString(), expected) << row.in << " " << RoundingModeName(mode);
      // The same through Div (x / 1) and Mul (x * 1).
      EXPECT_EQ(d.Div(Decimal::FromInt(1), 0, mode)->ToString(), expected) << row.in;
      EXPECT_EQ(d.Mul(Decimal::FromInt(1), 0, mode)->ToString(), expected) << row.in;
    }
  }
}

// ---------------------------------------------------------------- comparison

TEST(DecimalCompareTest, NumericAcrossScales) {
  EXPECT_EQ(D("1.50"), D("1.5"));
  EXPECT_FALSE(D("1.50").IdenticalTo(D("1.5")));
  EXPECT_TRUE(D("1.50").IdenticalTo(D("1.50")));
  EXPECT_EQ(D("0"), D("-0.000"));
  EXPECT_LT(D("-0.1"), D("0"));
  EXPECT_LT(D("1.49"), D("1.5"));
  EXPECT_GT(D("10"), D("9.999999999999999999"));
  EXPECT_LT(D("-10"), D("-9.999999999999999999"));
  EXPECT_NE(D("0.000000000000000001"), D("0"));
  EXPECT_LT(D("-99999999999999999999999999999999999999"),
            D("-9999999999999999999.999999999999999999"));
  EXPECT_GT(D("99999999999999999999999999999999999999"),
            D("9999999999999999999.999999999999999999"));
  EXPECT_LE(D("2"), D("2.000"));
  EXPECT_GE(D("2"), D("2.000"));
}

TEST(DecimalArithmeticTest, Examples) {
  EXPECT_EQ(D("1.10").Add(D("2.205"))->ToString(), "3.305");
  EXPECT_EQ(D("1.10").Sub(D("2.205"))->ToString(), "-1.105");
  EXPECT_EQ(D("1.23").Mul(D("4.56"), 2, RoundingMode::kHalfUp)->ToString(), "5.61");  // 5.6088
  EXPECT_EQ(D("1.23").Mul(D("4.56"), 6, RoundingMode::kHalfUp)->ToString(), "5.608800");
  EXPECT_EQ(D("-1.23").Mul(D("4.56"), 2, RoundingMode::kDown)->ToString(), "-5.60");
  EXPECT_EQ(D("10").Div(D("3"), 4, RoundingMode::kHalfUp)->ToString(), "3.3333");
  EXPECT_EQ(D("-10").Div(D("3"), 4, RoundingMode::kFloor)->ToString(), "-3.3334");
  EXPECT_EQ(D("2").Div(D("3"), 0, RoundingMode::kHalfUp)->ToString(), "1");
  EXPECT_EQ(D("1").Div(D("0.000000000000000001"), 0, RoundingMode::kHalfUp)->ToString(),
            "1000000000000000000");
  EXPECT_EQ(D("0.000000000000000001")
                .Div(D("99999999999999999999999999999999999999"), 18, RoundingMode::kUp)
                ->ToString(),
            "0.000000000000000001");
  EXPECT_EQ(D("-7.5").Abs().ToString(), "7.5");
  EXPECT_EQ(D("7.5").Negate().ToString(), "-7.5");
  EXPECT_EQ(D("-7.5").sign(), -1);
  EXPECT_EQ(D("0.0").sign(), 0);
  EXPECT_TRUE(D("0.0").is_zero());
  // A product whose exact form needs more than 128 bits but whose result fits.
  Decimal one = D("1.000000000000000000");
  Decimal big = D("12345678901234567890.123456789012345678");
  EXPECT_EQ(one.Mul(big, 18, RoundingMode::kHalfUp)->ToString(), big.ToString());
  EXPECT_EQ(big.Mul(big, 0, RoundingMode::kHalfUp).ok(), false);
  EXPECT_EQ(big.Div(one, 18, RoundingMode::kHalfUp)->ToString(), big.ToString());
}

TEST(DecimalArithmeticTest, OverflowAndBadArgumentsAreErrors) {
  Decimal max = D("99999999999999999999999999999999999999");
  Decimal min = max.Negate();
  auto expect_invalid = [](const Result<Decimal>& r, const char* what) {
    ASSERT_FALSE(r.ok()) << what << " gave " << r->ToString();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << what;
  };
  expect_invalid(max.Add(Decimal::FromInt(1)), "max + 1");
  expect_invalid(min.Sub(Decimal::FromInt(1)), "min - 1");
  expect_invalid(max.Add(D("0.1")), "max + 0.1 (rescale overflows)");
  expect_invalid(max.Mul(Decimal::FromInt(2), 0, RoundingMode::kHalfUp), "max * 2");
  expect_invalid(max.Mul(max, 0, RoundingMode::kHalfUp), "max * max");
  expect_invalid(max.Div(D("0.5"), 0, RoundingMode::kHalfUp), "max / 0.5");
  expect_invalid(max.Rescale(1, RoundingMode::kHalfUp), "max at scale 1");
  expect_invalid(D("1").Div(D("0.00"), 2, RoundingMode::kHalfUp), "1 / 0");
  expect_invalid(D("1").Mul(D("1"), 19, RoundingMode::kHalfUp), "scale 19");
  expect_invalid(D("1").Div(D("1"), -1, RoundingMode::kHalfUp), "scale -1");
  expect_invalid(D("1").Rescale(19, RoundingMode::kHalfUp), "rescale 19");
  EXPECT_NE(D("1").Div(D("0"), 2, RoundingMode::kHalfUp).status().message().find("by zero"),
            std::string::npos);
  // Cancellation that stays in range is fine even when an operand is the extreme.
  EXPECT_EQ(max.Sub(max)->ToString(), "0");
  EXPECT_EQ(max.Add(min)->ToString(), "0");
  EXPECT_EQ(max.Sub(Decimal::FromInt(1))->ToString(), "99999999999999999999999999999999999998");
}

TEST(DecimalArithmeticTest, ToUnscaled) {
  EXPECT_EQ(*D("12.3").ToUnscaled(2), 1230);
  EXPECT_EQ(*D("-12.30").ToUnscaled(1), -123);
  EXPECT_EQ(*D("9223372036854775807").ToUnscaled(0), INT64_MAX);
  EXPECT_EQ(*D("-9223372036854775808").ToUnscaled(0), INT64_MIN);
  EXPECT_FALSE(D("9223372036854775808").ToUnscaled(0).ok());
  EXPECT_FALSE(D("12.34").ToUnscaled(1).ok());
  EXPECT_FALSE(D("1").ToUnscaled(19).ok());
  EXPECT_FALSE(D("99999999999999999999999999999999999999").ToUnscaled(0).ok());
}

// ---------------------------------------------------------------- property tests

// Reference rounding of num/den (den > 0) using floor division, written independently of the
// sign-magnitude code in decimal.cc.
Int128 RefRound(Int128 num, Int128 den, RoundingMode mode) {
  Int128 q = num / den, r = num % den;
  if (r < 0) {  // make q the floor and 0 <= r < den
    q -= 1;
    r += den;
  }
  if (r == 0) return q;
  Int128 floor = q, ceil = q + 1;
  bool positive = num > 0;
  switch (mode) {
    case RoundingMode::kFloor:
      return floor;
    case RoundingMode::kCeiling:
      return ceil;
    case RoundingMode::kDown:
      return positive ? floor : ceil;
    case RoundingMode::kUp:
      return positive ? ceil : floor;
    case RoundingMode::kHalfUp:
    case RoundingMode::kHalfEven:
      if (2 * r < den) return floor;
      if (2 * r > den) return ceil;
      if (mode == RoundingMode::kHalfUp) return positive ? ceil : floor;
      return (floor % 2 == 0) ? floor : ceil;
  }
  return q;
}

Int128 Pow10I(int n) {
  Int128 p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

class DecimalPropertyTest : public ::testing::Test {
 protected:
  // Values as integer "mils" etc.: |unscaled| < 10^15 at a scale 0..6, with small values,
  // exact halves and zero over-represented.
  Decimal RandomDecimal() {
    int scale = static_cast<int>(rng_() % 7);
    int64_t unscaled;
    switch (rng_() % 5) {
      case 0:
        unscaled = static_cast<int64_t>(rng_() % 21) - 10;
        break;
      case 1:
        unscaled = (static_cast<int64_t>(rng_() % 2001) - 1000) * 5;
        break;
      default:
        unscaled =
            static_cast<int64_t>(rng_() % 2'000'000'000'000'000ULL) - 1'000'000'000'000'000LL;
    }
    return Decimal::FromUnscaled(unscaled, scale);
  }
  RoundingMode RandomMode() { return static_cast<RoundingMode>(rng_() % 6); }

  std::mt19937_64 rng_{20260102};  // fixed seed: failures reproduce
  static constexpr int kCases = 5000;
};

TEST_F(DecimalPropertyTest, AddSubMatchIntegerReference) {
  for (int i = 0; i < kCases; ++i) {
    Decimal a = RandomDecimal(), b = RandomDecimal();
    int s = std::max(a.scale(), b.scale());
    Int128 ra = a.unscaled() * Pow10I(s - a.scale()), rb = b.unscaled() * Pow10I(s - b.scale());
    auto sum = a.Add(b);
    auto diff = a.Sub(b);
    ASSERT_TRUE(sum.ok() && diff.ok()) << a << " " << b;
    EXPECT_EQ(sum->scale(), s);
    EXPECT_TRUE(sum->unscaled() == ra + rb) << a << " + " << b << " = " << *sum;
    EXPECT_TRUE(diff->unscaled() == ra - rb) << a << " - " << b << " = " << *diff;
    EXPECT_EQ(*sum->Sub(b), a);  // (a + b) - b == a
  }
}

TEST_F(DecimalPropertyTest, MulMatchesIntegerReference) {
  for (int i = 0; i < kCases; ++i) {
    Decimal a = RandomDecimal(), b = RandomDecimal();
    int scale = static_cast<int>(rng_() % 10);
    RoundingMode mode = RandomMode();
    Int128 exact = a.unscaled() * b.unscaled();  // < 10^30
    int exact_scale = a.scale() + b.scale();
    auto r = a.Mul(b, scale, mode);
    if (scale > exact_scale) {
      Int128 limit = (Pow10I(38) - 1) / Pow10I(scale - exact_scale);
      if (exact > limit || exact < -limit) {  // the exact result needs more than 38 digits
        EXPECT_FALSE(r.ok()) << a << " * " << b << " at " << scale;
        continue;
      }
    }
    Int128 want = scale >= exact_scale ? exact * Pow10I(scale - exact_scale)
                                       : RefRound(exact, Pow10I(exact_scale - scale), mode);
    ASSERT_TRUE(r.ok()) << a << " * " << b;
    EXPECT_EQ(r->scale(), scale);
    EXPECT_TRUE(r->unscaled() == want)
        << a << " * " << b << " at " << scale << " " << RoundingModeName(mode) << " = " << *r;
  }
}

TEST_F(DecimalPropertyTest, DivMatchesIntegerReference) {
  for (int i = 0; i < kCases; ++i) {
    Decimal a = RandomDecimal(), b = RandomDecimal();
    if (b.is_zero()) continue;
    int scale = static_cast<int>(rng_() % 10);
    RoundingMode mode = RandomMode();
    int e = scale + b.scale() - a.scale();
    Int128 num = a.unscaled() * Pow10I(std::max(e, 0));  // < 10^24
    Int128 den = b.unscaled() * Pow10I(std::max(-e, 0));
    if (den < 0) {
      num = -num;
      den = -den;
    }
    Int128 want = RefRound(num, den, mode);
    auto r = a.Div(b, scale, mode);
    ASSERT_TRUE(r.ok()) << a << " / " << b;
    EXPECT_TRUE(r->unscaled() == want)
        << a << " / " << b << " at " << scale << " " << RoundingModeName(mode) << " = " << *r;
  }
}

TEST_F(DecimalPropertyTest, RescaleAndFormatMatchIntegerReference) {
  for (int i = 0; i < kCases; ++i) {
    Decimal a = RandomDecimal();
    int scale = static_cast<int>(rng_() % 10);
    RoundingMode mode = RandomMode();
    Int128 want = scale >= a.scale() ? a.unscaled() * Pow10I(scale - a.scale())
                                     : RefRound(a.unscaled(), Pow10I(a.scale() - scale), mode);
    auto r = a.Rescale(scale, mode);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->unscaled() == want) << a << " to " << scale << " " << RoundingModeName(mode);
    EXPECT_EQ(a.Format(scale, mode), r->ToString());
    EXPECT_EQ(r->scale(), scale);
  }
}

TEST_F(DecimalPropertyTest, CompareMatchesIntegerReference) {
  for (int i = 0; i < kCases; ++i) {
    Decimal a = RandomDecimal(), b = RandomDecimal();
    if (i % 4 == 0) b = *a.Rescale(a.scale() + 2, RoundingMode::kDown);  // equal, other scale
    int s = std::max(a.scale(), b.scale());
    Int128 ra = a.unscaled() * Pow10I(s - a.scale()), rb = b.unscaled() * Pow10I(s - b.scale());
    EXPECT_EQ(a == b, ra == rb) << a << " " << b;
    EXPECT_EQ(a < b, ra < rb) << a << " " << b;
    EXPECT_EQ(a > b, ra > rb) << a << " " << b;
  }
}

TEST_F(DecimalPropertyTest, TextRoundTrips) {
  for (int i = 0; i < kCases; ++i) {
    Decimal a = RandomDecimal();
    auto parsed = Decimal::Parse(a.ToString());
    ASSERT_TRUE(parsed.ok()) << a;
    EXPECT_TRUE(parsed->IdenticalTo(a)) << a;
    auto canonical = Decimal::Parse(a.ToCanonical());
    ASSERT_TRUE(canonical.ok()) << a;
    EXPECT_EQ(*canonical, a);
    std::string c = a.ToCanonical();
    if (c.find('.') != std::string::npos) {
      EXPECT_TRUE(c.back() != '0' && c.back() != '.') << c;
    }
    auto implied = a.ToImplied(a.scale());
    ASSERT_TRUE(implied.ok());
    EXPECT_TRUE(Decimal::FromImplied(*implied, a.scale())->IdenticalTo(a)) << a;
    auto unscaled = a.ToUnscaled(a.scale());
    ASSERT_TRUE(unscaled.ok());
    EXPECT_TRUE(Decimal::FromUnscaled(*unscaled, a.scale()).IdenticalTo(a));
  }
}

// Full-range values (up to 38 digits): Add against an overflow-checked 128-bit reference.
TEST_F(DecimalPropertyTest, FullRangeAddDetectsOverflowExactly) {
  const Int128 max = Pow10I(38) - 1;
  for (int i = 0; i < kCases; ++i) {
    auto random128 = [&] {
      UInt128 u = (static_cast<UInt128>(rng_()) << 64) | rng_();
      Int128 v = static_cast<Int128>(u % static_cast<UInt128>(max + 1));
      return (rng_() & 1) ? -v : v;
    };
    Int128 ua = random128(), ub = random128();
    // Build through FromImplied, the only public constructor taking more than 64 bits.
    auto text = [](Int128 v) {
      std::string s;
      bool neg = v < 0;
      UInt128 m = neg ? -static_cast<UInt128>(v) : static_cast<UInt128>(v);
      do {
        s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(m % 10)));
        m /= 10;
      } while (m != 0);
      return neg ? "-" + s : s;
    };
    int scale = static_cast<int>(rng_() % 19);
    auto da = Decimal::FromImplied(text(ua), scale);
    auto db = Decimal::FromImplied(text(ub), scale);
    ASSERT_TRUE(da.ok() && db.ok());
    Int128 want;
    bool overflow = __builtin_add_overflow(ua, ub, &want) || want > max || want < -max;
    auto sum = da->Add(*db);
    EXPECT_EQ(sum.ok(), !overflow) << *da << " + " << *db;
    if (sum.ok()) {
      EXPECT_TRUE(sum->unscaled() == want);
      EXPECT_TRUE(Decimal::Parse(sum->ToString())->IdenticalTo(*sum));
    }
  }
}

}  // namespace
}  // namespace mlc
