#include "template/strconv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "template/unicode.hpp"

namespace atmos::tmpl::strconv {

namespace {

constexpr char kLowerHex[] = "0123456789abcdef";
constexpr char kUpperHex[] = "0123456789ABCDEF";

char lower(char c) { return static_cast<char>(c | ('x' - 'X')); }

void append_escaped_rune(std::string& buf, char32_t r, char quote, bool ascii_only) {
  if (r == static_cast<char32_t>(quote) || r == '\\') {
    buf += '\\';
    buf += static_cast<char>(r);
    return;
  }
  if (ascii_only) {
    if (r < unicode::kRuneSelf && unicode::is_print(r)) {
      buf += static_cast<char>(r);
      return;
    }
  } else if (unicode::is_print(r)) {
    unicode::append_utf8(buf, r);
    return;
  }
  switch (r) {
    case '\a': buf += "\\a"; return;
    case '\b': buf += "\\b"; return;
    case '\f': buf += "\\f"; return;
    case '\n': buf += "\\n"; return;
    case '\r': buf += "\\r"; return;
    case '\t': buf += "\\t"; return;
    case '\v': buf += "\\v"; return;
    default: break;
  }
  if (r < ' ' || r == 0x7f) {
    buf += "\\x";
    buf += kLowerHex[(r >> 4) & 0xF];
    buf += kLowerHex[r & 0xF];
    return;
  }
  if (!unicode::valid_rune(r)) r = unicode::kRuneError;
  if (r < 0x10000) {
    buf += "\\u";
    for (int s = 12; s >= 0; s -= 4) buf += kLowerHex[(r >> s) & 0xF];
  } else {
    buf += "\\U";
    for (int s = 28; s >= 0; s -= 4) buf += kLowerHex[(r >> s) & 0xF];
  }
}

// underscoreOK from strconv/atoi.go: underscores only between digits or after a base prefix.
bool underscore_ok(std::string_view s) {
  char saw = '^';
  std::size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' && (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    char c = s[i];
    if ((c >= '0' && c <= '9') || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// readFloat from strconv/atof.go, reduced to its syntax check: returns the length of the longest
// valid prefix, or nullopt when there is none.
std::optional<std::size_t> read_float_syntax(std::string_view s) {
  bool underscores = false;
  std::size_t i = 0;
  if (s.empty()) return std::nullopt;
  if (s[i] == '+' || s[i] == '-') ++i;
  bool hex = false;
  char exp_char = 'e';
  if (i + 2 < s.size() && s[i] == '0' && lower(s[i + 1]) == 'x') {
    hex = true;
    exp_char = 'p';
    i += 2;
  }
  bool sawdot = false;
  bool sawdigits = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      underscores = true;
      continue;
    }
    if (c == '.') {
      if (sawdot) break;
      sawdot = true;
      continue;
    }
    if ((c >= '0' && c <= '9') || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
      sawdigits = true;
      continue;
    }
    break;
  }
  if (!sawdigits) return std::nullopt;
  if (i < s.size() && lower(s[i]) == exp_char) {
    ++i;
    if (i >= s.size()) return std::nullopt;
    if (s[i] == '+' || s[i] == '-') ++i;
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return std::nullopt;
    for (; i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); ++i) {
      if (s[i] == '_') underscores = true;
    }
  } else if (hex) {
    return std::nullopt;
  }
  if (underscores && !underscore_ok(s.substr(0, i))) return std::nullopt;
  return i;
}

// Decimal digits of a non-negative finite double, as strconv's decimalSlice: value = 0.d[0]d[1]... * 10^dp.
struct Digits {
  std::string d;
  int dp = 0;
  int nd() const { return static_cast<int>(d.size()); }
};

// Parses the output of "%e"-style formatting ("d.ddde+XX") into digits without trailing zeros.
Digits digits_from_scientific(std::string_view sci) {
  Digits out;
  std::size_t e = sci.find_first_of("eE");
  std::string_view mant = sci.substr(0, e);
  for (char c : mant) {
    if (c != '.') out.d += c;
  }
  int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
  while (!out.d.empty() && out.d.back() == '0') out.d.pop_back();
  if (out.d.empty()) return Digits{};
  out.dp = exp + 1;
  return out;
}

Digits shortest_digits(double v) {
  if (v == 0) return Digits{};
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  return digits_from_scientific(std::string_view(buf, static_cast<std::size_t>(res.ptr - buf)));
}

// `n` significant digits, correctly rounded (half to even on exact ties, like strconv).
Digits fixed_digits(double v, int n) {
  if (v == 0) return Digits{};
  std::string buf(static_cast<std::size_t>(n) + 32, '\0');
  int len = std::snprintf(buf.data(), buf.size(), "%.*e", n - 1, v);
  return digits_from_scientific(std::string_view(buf.data(), static_cast<std::size_t>(len)));
}

void fmt_e(std::string& dst, bool neg, const Digits& d, int prec, char fmt) {
  if (neg) dst += '-';
  dst += d.nd() != 0 ? d.d[0] : '0';
  if (prec > 0) {
    dst += '.';
    int i = 1;
    int m = std::min(d.nd(), prec + 1);
    if (i < m) {
      dst.append(d.d, 1, static_cast<std::size_t>(m - 1));
      i = m;
    }
    for (; i <= prec; ++i) dst += '0';
  }
  dst += fmt;
  int exp = d.nd() == 0 ? 0 : d.dp - 1;
  if (exp < 0) {
    dst += '-';
    exp = -exp;
  } else {
    dst += '+';
  }
  if (exp < 10) {
    dst += '0';
    dst += static_cast<char>('0' + exp);
  } else if (exp < 100) {
    dst += static_cast<char>('0' + exp / 10);
    dst += static_cast<char>('0' + exp % 10);
  } else {
    dst += static_cast<char>('0' + exp / 100);
    dst += static_cast<char>('0' + (exp / 10) % 10);
    dst += static_cast<char>('0' + exp % 10);
  }
}

void fmt_f(std::string& dst, bool neg, const Digits& d, int prec) {
  if (neg) dst += '-';
  if (d.dp > 0) {
    int m = std::min(d.nd(), d.dp);
    dst.append(d.d, 0, static_cast<std::size_t>(m));
    for (; m < d.dp; ++m) dst += '0';
  } else {
    dst += '0';
  }
  if (prec > 0) {
    dst += '.';
    for (int i = 0; i < prec; ++i) {
      int j = d.dp + i;
      dst += (j >= 0 && j < d.nd()) ? d.d[static_cast<std::size_t>(j)] : '0';
    }
  }
}

void format_digits(std::string& dst, bool shortest, bool neg, const Digits& digs, int prec, char fmt) {
  switch (fmt) {
    case 'e':
    case 'E': fmt_e(dst, neg, digs, prec, fmt); return;
    case 'f': fmt_f(dst, neg, digs, prec); return;
    case 'g':
    case 'G': {
      int eprec = prec;
      if (eprec > digs.nd() && digs.nd() >= digs.dp) eprec = digs.nd();
      if (shortest) eprec = 6;
      int exp = digs.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > digs.nd()) prec = digs.nd();
        fmt_e(dst, neg, digs, prec - 1, static_cast<char>(fmt + 'e' - 'g'));
        return;
      }
      if (prec > digs.dp) prec = digs.nd();
      fmt_f(dst, neg, digs, std::max(prec - digs.dp, 0));
      return;
    }
    default: dst += '%'; dst += fmt;
  }
}

void fmt_b(std::string& dst, bool neg, std::uint64_t mant, int exp) {
  if (neg) dst += '-';
  dst += std::to_string(mant);
  dst += 'p';
  exp -= 52;
  if (exp >= 0) dst += '+';
  dst += std::to_string(exp);
}

void fmt_x(std::string& dst, int prec, char fmt, bool neg, std::uint64_t mant, int exp) {
  if (mant == 0) exp = 0;
  mant <<= 60 - 52;
  while (mant != 0 && (mant & (std::uint64_t{1} << 60)) == 0) {
    mant <<= 1;
    --exp;
  }
  if (prec >= 0 && prec < 15) {
    unsigned shift = static_cast<unsigned>(prec * 4);
    std::uint64_t extra = (mant << shift) & ((std::uint64_t{1} << 60) - 1);
    mant >>= 60 - shift;
    if ((extra | (mant & 1)) > (std::uint64_t{1} << 59)) ++mant;
    mant <<= 60 - shift;
    if (mant & (std::uint64_t{1} << 61)) {
      mant >>= 1;
      ++exp;
    }
  }
  const char* hex = fmt == 'X' ? kUpperHex : kLowerHex;
  if (neg) dst += '-';
  dst += '0';
  dst += fmt;
  dst += static_cast<char>('0' + ((mant >> 60) & 1));
  mant <<= 4;
  if (prec < 0 && mant != 0) {
    dst += '.';
    while (mant != 0) {
      dst += hex[(mant >> 60) & 15];
      mant <<= 4;
    }
  } else if (prec > 0) {
    dst += '.';
    for (int i = 0; i < prec; ++i) {
      dst += hex[(mant >> 60) & 15];
      mant <<= 4;
    }
  }
  dst += fmt == 'X' ? 'P' : 'p';
  if (exp < 0) {
    dst += '-';
    exp = -exp;
  } else {
    dst += '+';
  }
  if (exp < 100) {
    dst += static_cast<char>('0' + exp / 10);
    dst += static_cast<char>('0' + exp % 10);
  } else if (exp < 1000) {
    dst += static_cast<char>('0' + exp / 100);
    dst += static_cast<char>('0' + (exp / 10) % 10);
    dst += static_cast<char>('0' + exp % 10);
  } else {
    dst += static_cast<char>('0' + exp / 1000);
    dst += static_cast<char>('0' + (exp / 100) % 10);
    dst += static_cast<char>('0' + (exp / 10) % 10);
    dst += static_cast<char>('0' + exp % 10);
  }
}

}  // namespace

std::string quote(std::string_view s, bool ascii_only) {
  std::string buf;
  buf.reserve(s.size() + 2);
  buf += '"';
  while (!s.empty()) {
    unicode::Decoded d = unicode::decode(s);
    if (d.width == 1 && d.rune == unicode::kRuneError) {
      auto b = static_cast<unsigned char>(s[0]);
      buf += "\\x";
      buf += kLowerHex[b >> 4];
      buf += kLowerHex[b & 0xF];
    } else {
      append_escaped_rune(buf, d.rune, '"', ascii_only);
    }
    s.remove_prefix(static_cast<std::size_t>(d.width));
  }
  buf += '"';
  return buf;
}

std::string quote_rune(char32_t r, bool ascii_only) {
  std::string buf = "'";
  if (!unicode::valid_rune(r)) r = unicode::kRuneError;
  append_escaped_rune(buf, r, '\'', ascii_only);
  buf += '\'';
  return buf;
}

bool can_backquote(std::string_view s) {
  while (!s.empty()) {
    unicode::Decoded d = unicode::decode(s);
    s.remove_prefix(static_cast<std::size_t>(d.width));
    if (d.width > 1) {
      if (d.rune == 0xFEFF) return false;
      continue;
    }
    if (d.rune == unicode::kRuneError) return false;
    if ((d.rune < ' ' && d.rune != '\t') || d.rune == '`' || d.rune == 0x7F) return false;
  }
  return true;
}

std::optional<UnquotedChar> unquote_char(std::string_view s, char quote) {
  if (s.empty()) return std::nullopt;
  char c = s[0];
  if (c == quote && (quote == '\'' || quote == '"')) return std::nullopt;
  if (static_cast<unsigned char>(c) >= unicode::kRuneSelf) {
    unicode::Decoded d = unicode::decode(s);
    return UnquotedChar{d.rune, true, s.substr(static_cast<std::size_t>(d.width))};
  }
  if (c != '\\') return UnquotedChar{static_cast<char32_t>(static_cast<unsigned char>(c)), false, s.substr(1)};
  if (s.size() <= 1) return std::nullopt;
  c = s[1];
  s.remove_prefix(2);
  UnquotedChar out{0, false, {}};
  switch (c) {
    case 'a': out.value = '\a'; break;
    case 'b': out.value = '\b'; break;
    case 'f': out.value = '\f'; break;
    case 'n': out.value = '\n'; break;
    case 'r': out.value = '\r'; break;
    case 't': out.value = '\t'; break;
    case 'v': out.value = '\v'; break;
    case 'x':
    case 'u':
    case 'U': {
      std::size_t n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
      if (s.size() < n) return std::nullopt;
      char32_t v = 0;
      for (std::size_t j = 0; j < n; ++j) {
        char h = s[j];
        char32_t x;
        if (h >= '0' && h <= '9') {
          x = static_cast<char32_t>(h - '0');
        } else if (lower(h) >= 'a' && lower(h) <= 'f') {
          x = static_cast<char32_t>(lower(h) - 'a' + 10);
        } else {
          return std::nullopt;
        }
        v = v << 4 | x;
      }
      s.remove_prefix(n);
      if (c == 'x') {
        out.value = v;
        break;
      }
      if (!unicode::valid_rune(v)) return std::nullopt;
      out.value = v;
      out.multibyte = true;
      break;
    }
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      char32_t v = static_cast<char32_t>(c - '0');
      if (s.size() < 2) return std::nullopt;
      for (std::size_t j = 0; j < 2; ++j) {
        int x = s[j] - '0';
        if (x < 0 || x > 7) return std::nullopt;
        v = (v << 3) | static_cast<char32_t>(x);
      }
      s.remove_prefix(2);
      if (v > 255) return std::nullopt;
      out.value = v;
      break;
    }
    case '\\': out.value = '\\'; break;
    case '\'':
    case '"':
      if (c != quote) return std::nullopt;
      out.value = static_cast<char32_t>(c);
      break;
    default: return std::nullopt;
  }
  out.tail = s;
  return out;
}

std::optional<std::string> unquote(std::string_view in) {
  if (in.size() < 2) return std::nullopt;
  char quote = in[0];
  std::size_t end = in.find(quote, 1);
  if (end == std::string_view::npos) return std::nullopt;
  end += 1;  // position after the terminating quote, if there are no escapes
  if (quote == '`') {
    if (end != in.size()) return std::nullopt;
    std::string out;
    for (std::size_t i = 1; i + 1 < end; ++i) {
      if (in[i] != '\r') out += in[i];
    }
    return out;
  }
  if (quote != '"' && quote != '\'') return std::nullopt;
  std::string_view body = in.substr(0, end);
  if (body.find('\\') == std::string_view::npos && body.find('\n') == std::string_view::npos) {
    std::string_view inner = in.substr(1, end - 2);
    bool valid;
    if (quote == '"') {
      valid = unicode::valid_utf8(inner);
    } else {
      unicode::Decoded d = unicode::decode(inner);
      valid = static_cast<std::size_t>(d.width) + 2 == end && (d.rune != unicode::kRuneError || d.width != 1);
    }
    if (valid) {
      if (end != in.size()) return std::nullopt;
      return std::string(inner);
    }
  }
  std::string buf;
  std::string_view rest = in.substr(1);
  while (!rest.empty() && rest[0] != quote) {
    auto ch = unquote_char(rest, quote);
    if (rest[0] == '\n' || !ch) return std::nullopt;
    rest = ch->tail;
    if (ch->value < unicode::kRuneSelf || !ch->multibyte) {
      buf += static_cast<char>(ch->value);
    } else {
      unicode::append_utf8(buf, ch->value);
    }
    if (quote == '\'') break;
  }
  if (rest.empty() || rest[0] != quote) return std::nullopt;
  rest.remove_prefix(1);
  if (!rest.empty()) return std::nullopt;
  return buf;
}

std::optional<std::uint64_t> parse_uint(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string_view s0 = s;
  unsigned base = 10;
  if (s[0] == '0') {
    if (s.size() >= 3 && lower(s[1]) == 'b') {
      base = 2;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && lower(s[1]) == 'o') {
      base = 8;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && lower(s[1]) == 'x') {
      base = 16;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  const std::uint64_t max = UINT64_MAX;
  const std::uint64_t cutoff = max / base + 1;
  bool underscores = false;
  std::uint64_t n = 0;
  for (char c : s) {
    unsigned d;
    if (c == '_') {
      underscores = true;
      continue;
    } else if (c >= '0' && c <= '9') {
      d = static_cast<unsigned>(c - '0');
    } else if (lower(c) >= 'a' && lower(c) <= 'z') {
      d = static_cast<unsigned>(lower(c) - 'a' + 10);
    } else {
      return std::nullopt;
    }
    if (d >= base) return std::nullopt;
    if (n >= cutoff) return std::nullopt;
    n *= base;
    std::uint64_t n1 = n + d;
    if (n1 < n) return std::nullopt;
    n = n1;
  }
  if (underscores && !underscore_ok(s0)) return std::nullopt;
  return n;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool neg = false;
  if (s[0] == '+') {
    s.remove_prefix(1);
  } else if (s[0] == '-') {
    neg = true;
    s.remove_prefix(1);
  }
  auto un = parse_uint(s);
  if (!un) return std::nullopt;
  const std::uint64_t cutoff = std::uint64_t{1} << 63;
  if (!neg && *un >= cutoff) return std::nullopt;
  if (neg && *un > cutoff) return std::nullopt;
  if (neg) return static_cast<std::int64_t>(0 - *un);
  return static_cast<std::int64_t>(*un);
}

std::optional<double> parse_float(std::string_view s, bool* out_of_range) {
  if (out_of_range) *out_of_range = false;
  auto n = read_float_syntax(s);
  if (!n || *n != s.size()) return std::nullopt;
  std::string clean;
  clean.reserve(s.size());
  for (char c : s) {
    if (c != '_') clean += c;
  }
  double v = std::strtod(clean.c_str(), nullptr);
  if (std::isinf(v)) {
    if (out_of_range) *out_of_range = true;
    return std::nullopt;
  }
  return v;
}

std::string format_float(double v, char fmt, int prec) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  bool neg = (bits >> 63) != 0;
  int exp = static_cast<int>((bits >> 52) & 0x7FF);
  std::uint64_t mant = bits & ((std::uint64_t{1} << 52) - 1);
  if (exp == 0x7FF) {
    if (mant != 0) return "NaN";
    return neg ? "-Inf" : "+Inf";
  }
  if (exp == 0) {
    ++exp;
  } else {
    mant |= std::uint64_t{1} << 52;
  }
  exp += -1023;
  std::string dst;
  if (fmt == 'b') {
    fmt_b(dst, neg, mant, exp);
    return dst;
  }
  if (fmt == 'x' || fmt == 'X') {
    fmt_x(dst, prec, fmt, neg, mant, exp);
    return dst;
  }
  double a = std::fabs(v);
  bool shortest = prec < 0;
  Digits digs;
  if (shortest) {
    digs = shortest_digits(a);
    switch (fmt) {
      case 'e':
      case 'E': prec = std::max(digs.nd() - 1, 0); break;
      case 'f': prec = std::max(digs.nd() - digs.dp, 0); break;
      case 'g':
      case 'G': prec = digs.nd(); break;
      default: break;
    }
  } else if (fmt == 'f') {
    std::string buf(static_cast<std::size_t>(prec) + 330, '\0');
    int len = std::snprintf(buf.data(), buf.size(), "%.*f", prec, a);
    if (neg) dst += '-';
    dst.append(buf.data(), static_cast<std::size_t>(len));
    return dst;
  } else {
    int digits = 1;
    switch (fmt) {
      case 'e':
      case 'E': digits = prec + 1; break;
      case 'g':
      case 'G':
        if (prec == 0) prec = 1;
        digits = prec;
        break;
      default: break;
    }
    digs = fixed_digits(a, digits);
  }
  format_digits(dst, shortest, neg, digs, prec, fmt);
  return dst;
}

}  // namespace atmos::tmpl::strconv
