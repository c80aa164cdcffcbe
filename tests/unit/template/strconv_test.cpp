// Expected values were produced by Go 1.19's strconv.
#include "template/strconv.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace atmos::tmpl::strconv {
namespace {

TEST(TemplateStrconv, FormatFloat_ShortestMatchesGo) {
  EXPECT_EQ(format_float(0.1, 'g', -1), "0.1");
  EXPECT_EQ(format_float(1e23, 'g', -1), "1e+23");
  EXPECT_EQ(format_float(5e-324, 'g', -1), "5e-324");
  EXPECT_EQ(format_float(std::numeric_limits<double>::max(), 'g', -1), "1.7976931348623157e+308");
  EXPECT_EQ(format_float(1e21, 'f', -1), "1000000000000000000000");
  EXPECT_EQ(format_float(std::copysign(0.0, -1.0), 'g', -1), "-0");
}

TEST(TemplateStrconv, FormatFloat_FixedPrecisionRoundsHalfToEvenOnExactValue) {
  EXPECT_EQ(format_float(2.5, 'f', 0), "2");
  EXPECT_EQ(format_float(3.5, 'f', 0), "4");
  EXPECT_EQ(format_float(1.005, 'f', 2), "1.00");
  EXPECT_EQ(format_float(123456789, 'e', 3), "1.235e+08");
  EXPECT_EQ(format_float(0.5, 'e', 0), "5e-01");
}

TEST(TemplateStrconv, FormatFloat_GPrecisionChoosesExponentLikeGo) {
  EXPECT_EQ(format_float(0.000123, 'g', 2), "0.00012");
  EXPECT_EQ(format_float(100, 'g', 2), "1e+02");
  EXPECT_EQ(format_float(9.999, 'g', 3), "10");
}

TEST(TemplateStrconv, FormatFloat_BinaryAndHexFormats) {
  EXPECT_EQ(format_float(1, 'x', -1), "0x1p+00");
  EXPECT_EQ(format_float(5e-324, 'x', -1), "0x1p-1074");
  EXPECT_EQ(format_float(0.1, 'b', -1), "7205759403792794p-56");
}

TEST(TemplateStrconv, FormatFloat_InfinityAndNaN) {
  EXPECT_EQ(format_float(std::numeric_limits<double>::infinity(), 'g', -1), "+Inf");
  EXPECT_EQ(format_float(-std::numeric_limits<double>::infinity(), 'f', 2), "-Inf");
  EXPECT_EQ(format_float(std::nan(""), 'e', 3), "NaN");
}

TEST(TemplateStrconv, Quote_EscapesLikeStrconvQuote) {
  EXPECT_EQ(quote(std::string("a\0\x7f\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80\xff\"\\", 15)),
            "\"a\\x00\\x7f\xc3\xa9\\u2028\xf0\x9f\x98\x80\\xff\\\"\\\\\"");
  EXPECT_EQ(quote("\xc3\xa9\xf0\x9f\x98\x80", true), "\"\\u00e9\\U0001f600\"");
  EXPECT_EQ(quote_rune(0x110000), "'\xef\xbf\xbd'");
}

TEST(TemplateStrconv, Unquote_AcceptsGoLiteralsAndRejectsBadEscapes) {
  EXPECT_EQ(unquote("\"a\\tb\\u00e9\""), "a\tb\xc3\xa9");
  EXPECT_EQ(unquote("`raw\\n`"), "raw\\n");
  EXPECT_EQ(unquote("`a\r\nb`"), "a\nb");
  EXPECT_FALSE(unquote("\"\\q\""));
  EXPECT_FALSE(unquote("\"a\nb\""));
  EXPECT_FALSE(unquote("\"unterminated"));
}

TEST(TemplateStrconv, ParseInt_BasePrefixesAndUnderscoresAsGo) {
  EXPECT_EQ(parse_int("0x_1F"), 31);
  EXPECT_EQ(parse_int("0o7_7"), 63);
  EXPECT_EQ(parse_int("017"), 15);
  EXPECT_EQ(parse_int("-0x8000000000000000"), INT64_MIN);
  EXPECT_FALSE(parse_int("0x8000000000000000"));
  EXPECT_FALSE(parse_int("1__0"));
  EXPECT_FALSE(parse_int("_1"));
  EXPECT_FALSE(parse_int("1_"));
  EXPECT_FALSE(parse_int("0b"));
  EXPECT_FALSE(parse_int("08"));
  EXPECT_EQ(parse_uint("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(parse_uint("18446744073709551616"));
}

TEST(TemplateStrconv, ParseFloat_SyntaxAndRangeAsGo) {
  EXPECT_EQ(parse_float("1_000.5"), 1000.5);
  EXPECT_EQ(parse_float("0x1p-2"), 0.25);
  EXPECT_EQ(parse_float("0x1p1_0"), 1024);
  EXPECT_EQ(parse_float("1e-400"), 0);
  EXPECT_FALSE(parse_float("0x1.8"));
  EXPECT_FALSE(parse_float(".e1"));
  EXPECT_FALSE(parse_float("1e"));
  EXPECT_FALSE(parse_float("1e400"));
  EXPECT_FALSE(parse_float("0x"));
}

}  // namespace
}  // namespace atmos::tmpl::strconv
