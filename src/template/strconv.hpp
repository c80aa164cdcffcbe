// The parts of Go's strconv that text/template and fmt rely on, ported for identical output:
// quoting and unquoting of Go literals, base-prefixed integer parsing with underscores, float parsing
// and float formatting ('e', 'f', 'g', 'b', 'x' formats, shortest or fixed precision).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atmos::tmpl::strconv {

// strconv.Quote / QuoteToASCII.
std::string quote(std::string_view s, bool ascii_only = false);
// strconv.QuoteRune / QuoteRuneToASCII.
std::string quote_rune(char32_t r, bool ascii_only = false);
// strconv.CanBackquote.
bool can_backquote(std::string_view s);

struct UnquotedChar {
  char32_t value;
  bool multibyte;
  std::string_view tail;
};
// strconv.UnquoteChar; nullopt is strconv.ErrSyntax.
std::optional<UnquotedChar> unquote_char(std::string_view s, char quote);
// strconv.Unquote; nullopt is strconv.ErrSyntax.
std::optional<std::string> unquote(std::string_view s);

// strconv.ParseUint(s, 0, 64) / ParseInt(s, 0, 64); nullopt on syntax or range error.
std::optional<std::uint64_t> parse_uint(std::string_view s);
std::optional<std::int64_t> parse_int(std::string_view s);
// strconv.ParseFloat(s, 64); nullopt on syntax or range error (`out_of_range`, when given, tells which).
std::optional<double> parse_float(std::string_view s, bool* out_of_range = nullptr);

// strconv.FormatFloat(v, fmt, prec, 64); prec < 0 means the shortest representation that round-trips.
std::string format_float(double v, char fmt, int prec);

}  // namespace atmos::tmpl::strconv
