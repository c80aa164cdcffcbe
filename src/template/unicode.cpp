#include "template/unicode.hpp"

#include "core/utf8.hpp"

namespace atmos::tmpl::unicode {

namespace {

// Valid range of the second byte of a multi-byte sequence, by lead byte (utf8.first / acceptRanges).
struct Lead {
  int size;  // 0 = invalid lead byte
  unsigned char lo;
  unsigned char hi;
};

Lead lead_of(unsigned char b) {
  if (b >= 0xC2 && b <= 0xDF) return {2, 0x80, 0xBF};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b >= 0xE1 && b <= 0xEF) return {3, 0x80, 0xBF};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b >= 0xF1 && b <= 0xF3) return {4, 0x80, 0xBF};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

bool is_continuation(unsigned char b) { return b >= 0x80 && b <= 0xBF; }

}  // namespace

Decoded decode(std::string_view s) {
  if (s.empty()) return {kRuneError, 0};
  auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < kRuneSelf) return {b0, 1};
  Lead lead = lead_of(b0);
  if (lead.size == 0 || s.size() < static_cast<std::size_t>(lead.size)) return {kRuneError, 1};
  auto b1 = static_cast<unsigned char>(s[1]);
  if (b1 < lead.lo || b1 > lead.hi) return {kRuneError, 1};
  if (lead.size == 2) return {static_cast<char32_t>((b0 & 0x1F) << 6 | (b1 & 0x3F)), 2};
  auto b2 = static_cast<unsigned char>(s[2]);
  if (!is_continuation(b2)) return {kRuneError, 1};
  if (lead.size == 3) {
    return {static_cast<char32_t>((b0 & 0x0F) << 12 | (b1 & 0x3F) << 6 | (b2 & 0x3F)), 3};
  }
  auto b3 = static_cast<unsigned char>(s[3]);
  if (!is_continuation(b3)) return {kRuneError, 1};
  return {static_cast<char32_t>((b0 & 0x07) << 18 | (b1 & 0x3F) << 12 | (b2 & 0x3F) << 6 | (b3 & 0x3F)), 4};
}

Decoded decode_last(std::string_view s) {
  if (s.empty()) return {kRuneError, 0};
  std::size_t end = s.size();
  auto last = static_cast<unsigned char>(s[end - 1]);
  if (last < kRuneSelf) return {last, 1};
  std::size_t lim = end >= 4 ? end - 4 : 0;
  std::size_t start = end - 1;
  while (start > lim) {
    --start;
    if ((static_cast<unsigned char>(s[start]) & 0xC0) != 0x80) break;
  }
  Decoded d = decode(s.substr(start, end - start));
  if (start + static_cast<std::size_t>(d.width) != end) return {kRuneError, 1};
  return d;
}

bool valid_rune(char32_t r) { return r <= kMaxRune && !(r >= 0xD800 && r <= 0xDFFF); }

void append_utf8(std::string& out, char32_t r) { atmos::append_utf8(out, valid_rune(r) ? r : kRuneError); }

bool valid_utf8(std::string_view s) {
  while (!s.empty()) {
    Decoded d = decode(s);
    if (d.rune == kRuneError && d.width == 1) return false;
    s.remove_prefix(static_cast<std::size_t>(d.width));
  }
  return true;
}

std::size_t rune_count(std::string_view s) {
  std::size_t n = 0;
  while (!s.empty()) {
    s.remove_prefix(static_cast<std::size_t>(decode(s).width));
    ++n;
  }
  return n;
}

bool is_space(char32_t r) {
  switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000: return true;
    default: return r >= 0x2000 && r <= 0x200A;
  }
}

}  // namespace atmos::tmpl::unicode
