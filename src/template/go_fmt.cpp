#include "template/go_fmt.hpp"

#include <vector>

#include "template/strconv.hpp"
#include "template/unicode.hpp"

namespace atmos::tmpl::gofmt {

namespace {

constexpr std::string_view kLowerDigits = "0123456789abcdefx";
constexpr std::string_view kUpperDigits = "0123456789ABCDEFX";
constexpr int kTooLarge = 1000000;

bool too_large(int x) { return x > kTooLarge || x < -kTooLarge; }
bool too_large_64(std::int64_t x) { return x > kTooLarge || x < -kTooLarge; }

struct Flags {
  bool wid_present = false;
  bool prec_present = false;
  bool minus = false;
  bool plus = false;
  bool sharp = false;
  bool space = false;
  bool zero = false;
  bool plus_v = false;
  bool sharp_v = false;
};

// Port of fmt's pp (print.go) and fmt (format.go) state.
class Printer {
 public:
  std::string buf;

  void do_print(std::span<const GoValue> a);
  void do_println(std::span<const GoValue> a);
  void do_printf(std::string_view format, std::span<const GoValue> a);
  void print_value(const GoValue& value, char32_t verb, int depth);

 private:
  Flags f_;
  int wid_ = 0;
  int prec_ = 0;
  GoValue current_;  // the argument being formatted, for bad-verb reports; invalid = nil
  bool reordered_ = false;
  bool good_arg_num_ = true;

  void clear_flags() { f_ = Flags{}; }
  void write_rune(char32_t r) { unicode::append_utf8(buf, r); }
  void write_padding(int n);
  void pad(std::string_view s);
  void fmt_boolean(bool v) { pad(v ? "true" : "false"); }
  void fmt_unicode(std::uint64_t u);
  void fmt_integer_raw(std::uint64_t u, int base, bool is_signed, char32_t verb, std::string_view digits);
  std::string_view truncate(std::string_view s) const;
  void fmt_s(std::string_view s) { pad(truncate(s)); }
  void fmt_sx(std::string_view s, std::string_view digits);
  void fmt_q(std::string_view s);
  void fmt_c(std::uint64_t c);
  void fmt_qc(std::uint64_t c);
  void fmt_float_raw(double v, char verb, int prec);

  void bad_verb(char32_t verb);
  void fmt_bool(bool v, char32_t verb);
  void fmt_0x64(std::uint64_t v, bool leading0x);
  void fmt_integer(std::uint64_t v, bool is_signed, char32_t verb);
  void fmt_float(double v, char32_t verb);
  void fmt_complex(double re, double im, char32_t verb);
  void fmt_string(std::string_view v, char32_t verb);
  void print_arg(const GoValue& arg, char32_t verb);
  void print_scalar(const GoValue& v, char32_t verb);

  bool arg_number(int& arg_num, std::string_view format, std::size_t& i, int num_args);
};

void Printer::write_padding(int n) {
  if (n <= 0) return;
  buf.append(static_cast<std::size_t>(n), f_.zero ? '0' : ' ');
}

void Printer::pad(std::string_view s) {
  if (!f_.wid_present || wid_ == 0) {
    buf += s;
    return;
  }
  int width = wid_ - static_cast<int>(unicode::rune_count(s));
  if (!f_.minus) {
    write_padding(width);
    buf += s;
  } else {
    buf += s;
    write_padding(width);
  }
}

void Printer::fmt_unicode(std::uint64_t u) {
  int prec = 4;
  if (f_.prec_present && prec_ > 4) prec = prec_;
  std::string hex;
  std::uint64_t x = u;
  do {
    hex.insert(hex.begin(), kUpperDigits[x & 0xF]);
    x >>= 4;
  } while (x != 0);
  std::string s = "U+";
  if (static_cast<int>(hex.size()) < prec) s.append(static_cast<std::size_t>(prec) - hex.size(), '0');
  s += hex;
  if (f_.sharp && u <= unicode::kMaxRune && unicode::is_print(static_cast<char32_t>(u))) {
    s += " '";
    unicode::append_utf8(s, static_cast<char32_t>(u));
    s += '\'';
  }
  bool old_zero = f_.zero;
  f_.zero = false;
  pad(s);
  f_.zero = old_zero;
}

void Printer::fmt_integer_raw(std::uint64_t u, int base, bool is_signed, char32_t verb, std::string_view digits) {
  bool negative = is_signed && static_cast<std::int64_t>(u) < 0;
  if (negative) u = 0 - u;
  std::size_t size = 68;
  if (f_.wid_present || f_.prec_present) {
    std::size_t width = 3 + static_cast<std::size_t>(wid_) + static_cast<std::size_t>(prec_);
    if (width > size) size = width;
  }
  std::vector<char> b(size);
  int prec = 0;
  if (f_.prec_present) {
    prec = prec_;
    if (prec == 0 && u == 0) {
      bool old_zero = f_.zero;
      f_.zero = false;
      write_padding(wid_);
      f_.zero = old_zero;
      return;
    }
  } else if (f_.zero && f_.wid_present) {
    prec = wid_;
    if (negative || f_.plus || f_.space) --prec;
  }
  std::size_t i = size;
  const auto ubase = static_cast<std::uint64_t>(base);
  while (u >= ubase) {
    b[--i] = digits[u % ubase];
    u /= ubase;
  }
  b[--i] = digits[u];
  while (i > 0 && prec > static_cast<int>(size - i)) b[--i] = '0';
  if (f_.sharp) {
    switch (base) {
      case 2:
        b[--i] = 'b';
        b[--i] = '0';
        break;
      case 8:
        if (b[i] != '0') b[--i] = '0';
        break;
      case 16:
        b[--i] = digits[16];
        b[--i] = '0';
        break;
      default: break;
    }
  }
  if (verb == 'O') {
    b[--i] = 'o';
    b[--i] = '0';
  }
  if (negative) {
    b[--i] = '-';
  } else if (f_.plus) {
    b[--i] = '+';
  } else if (f_.space) {
    b[--i] = ' ';
  }
  bool old_zero = f_.zero;
  f_.zero = false;
  pad(std::string_view(b.data() + i, size - i));
  f_.zero = old_zero;
}

std::string_view Printer::truncate(std::string_view s) const {
  if (!f_.prec_present) return s;
  int n = prec_;
  std::size_t i = 0;
  while (i < s.size()) {
    if (--n < 0) return s.substr(0, i);
    i += static_cast<std::size_t>(unicode::decode(s.substr(i)).width);
  }
  return s;
}

void Printer::fmt_sx(std::string_view s, std::string_view digits) {
  int length = static_cast<int>(s.size());
  if (f_.prec_present && prec_ < length) length = prec_;
  int width = 2 * length;
  if (width > 0) {
    if (f_.space) {
      if (f_.sharp) width *= 2;
      width += length - 1;
    } else if (f_.sharp) {
      width += 2;
    }
  } else {
    if (f_.wid_present) write_padding(wid_);
    return;
  }
  if (f_.wid_present && wid_ > width && !f_.minus) write_padding(wid_ - width);
  if (f_.sharp) {
    buf += '0';
    buf += digits[16];
  }
  for (int i = 0; i < length; ++i) {
    if (f_.space && i > 0) {
      buf += ' ';
      if (f_.sharp) {
        buf += '0';
        buf += digits[16];
      }
    }
    auto c = static_cast<unsigned char>(s[static_cast<std::size_t>(i)]);
    buf += digits[c >> 4];
    buf += digits[c & 0xF];
  }
  if (f_.wid_present && wid_ > width && f_.minus) write_padding(wid_ - width);
}

void Printer::fmt_q(std::string_view s) {
  s = truncate(s);
  if (f_.sharp && strconv::can_backquote(s)) {
    pad("`" + std::string(s) + "`");
    return;
  }
  pad(strconv::quote(s, f_.plus));
}

void Printer::fmt_c(std::uint64_t c) {
  char32_t r = c > unicode::kMaxRune ? unicode::kRuneError : static_cast<char32_t>(c);
  std::string s;
  unicode::append_utf8(s, r);
  pad(s);
}

void Printer::fmt_qc(std::uint64_t c) {
  char32_t r = c > unicode::kMaxRune ? unicode::kRuneError : static_cast<char32_t>(c);
  pad(strconv::quote_rune(r, f_.plus));
}

void Printer::fmt_float_raw(double v, char verb, int prec) {
  if (f_.prec_present) prec = prec_;
  std::string num = "+" + strconv::format_float(v, verb, prec);
  if (num[1] == '-' || num[1] == '+') {
    num.erase(0, 1);
  } else {
    num[0] = '+';
  }
  if (f_.space && num[0] == '+' && !f_.plus) num[0] = ' ';
  if (num[1] == 'I' || num[1] == 'N') {
    bool old_zero = f_.zero;
    f_.zero = false;
    if (num[1] == 'N' && !f_.space && !f_.plus) num.erase(0, 1);
    pad(num);
    f_.zero = old_zero;
    return;
  }
  if (f_.sharp && verb != 'b') {
    int digits = 0;
    switch (verb) {
      case 'v':
      case 'g':
      case 'G':
      case 'x':
        digits = prec;
        if (digits == -1) digits = 6;
        break;
      default: break;
    }
    std::string tail;
    bool has_decimal_point = false;
    bool saw_nonzero_digit = false;
    for (std::size_t i = 1; i < num.size(); ++i) {
      char c = num[i];
      if (c == '.') {
        has_decimal_point = true;
        continue;
      }
      if (c == 'p' || c == 'P') {
        tail.append(num, i);
        num.resize(i);
        break;
      }
      if ((c == 'e' || c == 'E') && verb != 'x' && verb != 'X') {
        tail.append(num, i);
        num.resize(i);
        break;
      }
      if (c != '0') saw_nonzero_digit = true;
      if (saw_nonzero_digit) --digits;
    }
    if (!has_decimal_point) {
      if (num.size() == 2 && num[1] == '0') --digits;
      num += '.';
    }
    while (digits > 0) {
      num += '0';
      --digits;
    }
    num += tail;
  }
  if (f_.plus || num[0] != '+') {
    if (f_.zero && f_.wid_present && wid_ > static_cast<int>(num.size())) {
      buf += num[0];
      write_padding(wid_ - static_cast<int>(num.size()));
      buf.append(num, 1);
      return;
    }
    pad(num);
    return;
  }
  pad(std::string_view(num).substr(1));
}

void Printer::bad_verb(char32_t verb) {
  buf += "%!";
  write_rune(verb);
  buf += '(';
  if (current_.valid()) {
    GoValue v = current_;
    buf += v.concrete_type_name();
    buf += '=';
    print_value(v, 'v', 0);
  } else {
    buf += "<nil>";
  }
  buf += ')';
}

void Printer::fmt_bool(bool v, char32_t verb) {
  if (verb == 't' || verb == 'v') {
    fmt_boolean(v);
  } else {
    bad_verb(verb);
  }
}

void Printer::fmt_0x64(std::uint64_t v, bool leading0x) {
  bool sharp = f_.sharp;
  f_.sharp = leading0x;
  fmt_integer_raw(v, 16, false, 'v', kLowerDigits);
  f_.sharp = sharp;
}

void Printer::fmt_integer(std::uint64_t v, bool is_signed, char32_t verb) {
  switch (verb) {
    case 'v':
      if (f_.sharp_v && !is_signed) {
        fmt_0x64(v, true);
      } else {
        fmt_integer_raw(v, 10, is_signed, verb, kLowerDigits);
      }
      break;
    case 'd': fmt_integer_raw(v, 10, is_signed, verb, kLowerDigits); break;
    case 'b': fmt_integer_raw(v, 2, is_signed, verb, kLowerDigits); break;
    case 'o':
    case 'O': fmt_integer_raw(v, 8, is_signed, verb, kLowerDigits); break;
    case 'x': fmt_integer_raw(v, 16, is_signed, verb, kLowerDigits); break;
    case 'X': fmt_integer_raw(v, 16, is_signed, verb, kUpperDigits); break;
    case 'c': fmt_c(v); break;
    case 'q': fmt_qc(v); break;
    case 'U': fmt_unicode(v); break;
    default: bad_verb(verb);
  }
}

void Printer::fmt_float(double v, char32_t verb) {
  switch (verb) {
    case 'v': fmt_float_raw(v, 'g', -1); break;
    case 'b':
    case 'g':
    case 'G':
    case 'x':
    case 'X': fmt_float_raw(v, static_cast<char>(verb), -1); break;
    case 'f':
    case 'e':
    case 'E': fmt_float_raw(v, static_cast<char>(verb), 6); break;
    case 'F': fmt_float_raw(v, 'f', 6); break;
    default: bad_verb(verb);
  }
}

void Printer::fmt_complex(double re, double im, char32_t verb) {
  switch (verb) {
    case 'v':
    case 'b':
    case 'g':
    case 'G':
    case 'x':
    case 'X':
    case 'f':
    case 'F':
    case 'e':
    case 'E': {
      bool old_plus = f_.plus;
      buf += '(';
      fmt_float(re, verb);
      f_.plus = true;
      fmt_float(im, verb);
      buf += "i)";
      f_.plus = old_plus;
      break;
    }
    default: bad_verb(verb);
  }
}

void Printer::fmt_string(std::string_view v, char32_t verb) {
  switch (verb) {
    case 'v':
      if (f_.sharp_v) {
        fmt_q(v);
      } else {
        fmt_s(v);
      }
      break;
    case 's': fmt_s(v); break;
    case 'x': fmt_sx(v, kLowerDigits); break;
    case 'X': fmt_sx(v, kUpperDigits); break;
    case 'q': fmt_q(v); break;
    default: bad_verb(verb);
  }
}

void Printer::print_scalar(const GoValue& v, char32_t verb) {
  switch (v.kind()) {
    case GoKind::Bool: fmt_bool(v.as_bool(), verb); break;
    case GoKind::Int: fmt_integer(static_cast<std::uint64_t>(v.as_int()), true, verb); break;
    case GoKind::Uint8:
    case GoKind::Uint64: fmt_integer(v.as_uint(), false, verb); break;
    case GoKind::Float64: fmt_float(v.as_float(), verb); break;
    case GoKind::Complex128: fmt_complex(v.as_float(), v.imag(), verb); break;
    case GoKind::String: fmt_string(v.as_string(), verb); break;
    default: break;
  }
}

void Printer::print_arg(const GoValue& any, char32_t verb) {
  GoValue arg = any.unboxed();
  current_ = arg;
  if (!arg.valid()) {
    if (verb == 'T' || verb == 'v') {
      pad("<nil>");
    } else {
      bad_verb(verb);
    }
    return;
  }
  if (verb == 'T') {
    fmt_s(arg.concrete_type_name());
    return;
  }
  if (verb == 'p') {
    bad_verb(verb);
    return;
  }
  if (arg.kind() == GoKind::Slice || arg.kind() == GoKind::Map) {
    print_value(arg, verb, 0);
  } else {
    print_scalar(arg, verb);
  }
}

void Printer::print_value(const GoValue& value, char32_t verb, int depth) {
  current_ = value.boxed() ? GoValue() : value;
  if (value.boxed()) {
    if (value.kind() == GoKind::NilInterface) {
      buf += f_.sharp_v ? "interface {}(nil)" : "<nil>";
    } else {
      print_value(value.unboxed(), verb, depth + 1);
    }
    return;
  }
  switch (value.kind()) {
    case GoKind::Invalid:
      if (depth == 0) {
        buf += "<invalid reflect.Value>";
      } else if (verb == 'v') {
        buf += "<nil>";
      } else {
        bad_verb(verb);
      }
      return;
    case GoKind::Map: {
      if (f_.sharp_v) {
        buf += value.concrete_type_name();
        buf += '{';
      } else {
        buf += "map[";
      }
      bool first = true;
      for (const auto& [key, elem] : value.map_entries()) {
        if (!first) {
          if (f_.sharp_v) {
            buf += ", ";
          } else {
            buf += ' ';
          }
        }
        first = false;
        print_value(GoValue::of_string(key), verb, depth + 1);
        buf += ':';
        print_value(GoValue::from_element(elem), verb, depth + 1);
      }
      buf += f_.sharp_v ? '}' : ']';
      return;
    }
    case GoKind::Slice: {
      if (f_.sharp_v) {
        buf += value.concrete_type_name();
        buf += '{';
      } else {
        buf += '[';
      }
      for (std::size_t i = 0; i < value.slice_len(); ++i) {
        if (i > 0) {
          if (f_.sharp_v) {
            buf += ", ";
          } else {
            buf += ' ';
          }
        }
        print_value(value.slice_elem(i), verb, depth + 1);
      }
      buf += f_.sharp_v ? '}' : ']';
      return;
    }
    default: print_scalar(value, verb);
  }
}

// parsenum: a decimal number at s[start:end]; returns the new index.
bool parse_num(std::string_view s, std::size_t& i, std::size_t end, int& num) {
  num = 0;
  bool isnum = false;
  if (i >= end) return false;
  for (; i < end && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (too_large(num)) {
      num = 0;
      i = end;
      return false;
    }
    num = num * 10 + (s[i] - '0');
    isnum = true;
  }
  return isnum;
}

// intFromArg: an int argument for '*' widths and precisions.
bool int_from_arg(std::span<const GoValue> a, int& arg_num, int& num) {
  num = 0;
  bool is_int = false;
  if (arg_num < static_cast<int>(a.size())) {
    const GoValue& v = a[static_cast<std::size_t>(arg_num)];
    if (v.kind() == GoKind::Int && !too_large_64(v.as_int())) {
      num = static_cast<int>(v.as_int());
      is_int = true;
    } else if ((v.kind() == GoKind::Uint8 || v.kind() == GoKind::Uint64) && v.as_uint() <= kTooLarge) {
      num = static_cast<int>(v.as_uint());
      is_int = true;
    }
    ++arg_num;
  }
  return is_int;
}

bool Printer::arg_number(int& arg_num, std::string_view format, std::size_t& i, int num_args) {
  if (format.size() <= i || format[i] != '[') return false;
  reordered_ = true;
  std::string_view rest = format.substr(i);
  // parseArgNumber
  int index = 0;
  std::size_t wid = 1;
  bool ok = false;
  if (rest.size() >= 3) {
    for (std::size_t j = 1; j < rest.size(); ++j) {
      if (rest[j] == ']') {
        std::size_t k = 1;
        int width = 0;
        bool isnum = parse_num(rest, k, j, width);
        if (!isnum || k != j) {
          index = 0;
          wid = j + 1;
          ok = false;
        } else {
          index = width - 1;
          wid = j + 1;
          ok = true;
        }
        break;
      }
    }
  }
  if (ok && 0 <= index && index < num_args) {
    arg_num = index;
    i += wid;
    return true;
  }
  good_arg_num_ = false;
  i += wid;
  return ok;
}

void Printer::do_printf(std::string_view format, std::span<const GoValue> a) {
  const std::size_t end = format.size();
  const int nargs = static_cast<int>(a.size());
  int arg_num = 0;
  reordered_ = false;
  std::size_t i = 0;
  while (i < end) {
    good_arg_num_ = true;
    std::size_t lasti = i;
    while (i < end && format[i] != '%') ++i;
    if (i > lasti) buf += format.substr(lasti, i - lasti);
    if (i >= end) break;
    ++i;  // skip %
    clear_flags();
    bool fast_done = false;
    for (; i < end; ++i) {
      char c = format[i];
      bool flag = true;
      switch (c) {
        case '#': f_.sharp = true; break;
        case '0': f_.zero = !f_.minus; break;
        case '+': f_.plus = true; break;
        case '-':
          f_.minus = true;
          f_.zero = false;
          break;
        case ' ': f_.space = true; break;
        default: flag = false;
      }
      if (flag) continue;
      if (c >= 'a' && c <= 'z' && arg_num < nargs) {
        if (c == 'v') {
          f_.sharp_v = f_.sharp;
          f_.sharp = false;
          f_.plus_v = f_.plus;
          f_.plus = false;
        }
        print_arg(a[static_cast<std::size_t>(arg_num)], static_cast<char32_t>(c));
        ++arg_num;
        ++i;
        fast_done = true;
      }
      break;
    }
    if (fast_done) continue;

    bool after_index = arg_number(arg_num, format, i, nargs);

    if (i < end && format[i] == '*') {
      ++i;
      f_.wid_present = int_from_arg(a, arg_num, wid_);
      if (!f_.wid_present) buf += "%!(BADWIDTH)";
      if (wid_ < 0) {
        wid_ = -wid_;
        f_.minus = true;
        f_.zero = false;
      }
      after_index = false;
    } else {
      f_.wid_present = parse_num(format, i, end, wid_);
      if (after_index && f_.wid_present) good_arg_num_ = false;
    }

    if (i + 1 < end && format[i] == '.') {
      ++i;
      if (after_index) good_arg_num_ = false;
      after_index = arg_number(arg_num, format, i, nargs);
      if (i < end && format[i] == '*') {
        ++i;
        f_.prec_present = int_from_arg(a, arg_num, prec_);
        if (prec_ < 0) {
          prec_ = 0;
          f_.prec_present = false;
        }
        if (!f_.prec_present) buf += "%!(BADPREC)";
        after_index = false;
      } else {
        f_.prec_present = parse_num(format, i, end, prec_);
        if (!f_.prec_present) {
          prec_ = 0;
          f_.prec_present = true;
        }
      }
    }

    if (!after_index) arg_number(arg_num, format, i, nargs);

    if (i >= end) {
      buf += "%!(NOVERB)";
      break;
    }

    unicode::Decoded d = unicode::decode(format.substr(i));
    char32_t verb =
        static_cast<unsigned char>(format[i]) < unicode::kRuneSelf ? static_cast<char32_t>(format[i]) : d.rune;
    i += static_cast<unsigned char>(format[i]) < unicode::kRuneSelf ? 1 : static_cast<std::size_t>(d.width);

    if (verb == '%') {
      buf += '%';
    } else if (!good_arg_num_) {
      buf += "%!";
      write_rune(verb);
      buf += "(BADINDEX)";
    } else if (arg_num >= nargs) {
      buf += "%!";
      write_rune(verb);
      buf += "(MISSING)";
    } else {
      if (verb == 'v') {
        f_.sharp_v = f_.sharp;
        f_.sharp = false;
        f_.plus_v = f_.plus;
        f_.plus = false;
      }
      print_arg(a[static_cast<std::size_t>(arg_num)], verb);
      ++arg_num;
    }
  }

  if (!reordered_ && arg_num < nargs) {
    clear_flags();
    buf += "%!(EXTRA ";
    for (int k = arg_num; k < nargs; ++k) {
      if (k > arg_num) buf += ", ";
      const GoValue& arg = a[static_cast<std::size_t>(k)];
      if (arg.is_nil()) {
        buf += "<nil>";
      } else {
        buf += arg.concrete_type_name();
        buf += '=';
        print_arg(arg, 'v');
      }
    }
    buf += ')';
  }
}

void Printer::do_print(std::span<const GoValue> a) {
  bool prev_string = false;
  for (std::size_t n = 0; n < a.size(); ++n) {
    bool is_string = a[n].kind() == GoKind::String;
    if (n > 0 && !is_string && !prev_string) buf += ' ';
    print_arg(a[n], 'v');
    prev_string = is_string;
  }
}

void Printer::do_println(std::span<const GoValue> a) {
  for (std::size_t n = 0; n < a.size(); ++n) {
    if (n > 0) buf += ' ';
    print_arg(a[n], 'v');
  }
  buf += '\n';
}

}  // namespace

std::string sprint(std::span<const GoValue> args) {
  Printer p;
  p.do_print(args);
  return std::move(p.buf);
}

std::string sprintln(std::span<const GoValue> args) {
  Printer p;
  p.do_println(args);
  return std::move(p.buf);
}

std::string sprintf(std::string_view format, std::span<const GoValue> args) {
  Printer p;
  p.do_printf(format, args);
  return std::move(p.buf);
}

std::string sprint_reflect(const GoValue& v, char verb) {
  Printer p;
  p.print_value(v, static_cast<char32_t>(verb), 0);
  return std::move(p.buf);
}

}  // namespace atmos::tmpl::gofmt
