// UTF-8 and rune classes with Go's exact semantics (unicode/utf8, unicode, strconv.IsPrint).
//
// Go decodes invalid UTF-8 as U+FFFD with width 1 and never throws; the lexer, the quoting functions
// and fmt's width counting all depend on that, so every caller here does too.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace atmos::tmpl::unicode {

constexpr char32_t kRuneError = 0xFFFD;
constexpr char32_t kMaxRune = 0x10FFFF;
constexpr char32_t kRuneSelf = 0x80;

struct Decoded {
  char32_t rune;
  int width;  // bytes consumed: 0 only for empty input, 1 for an invalid byte
};

// utf8.DecodeRuneInString: first rune of `s`.
Decoded decode(std::string_view s);
// utf8.DecodeLastRuneInString: last rune of `s`.
Decoded decode_last(std::string_view s);
// utf8.EncodeRune: appends `r` (U+FFFD when `r` is not a valid rune).
void append_utf8(std::string& out, char32_t r);
// utf8.ValidRune.
bool valid_rune(char32_t r);
// utf8.ValidString.
bool valid_utf8(std::string_view s);
// utf8.RuneCountInString.
std::size_t rune_count(std::string_view s);

// unicode.IsLetter, unicode.IsDigit, strconv.IsPrint (== unicode.IsPrint), unicode.IsSpace.
bool is_letter(char32_t r);
bool is_digit(char32_t r);
bool is_print(char32_t r);
bool is_space(char32_t r);

}  // namespace atmos::tmpl::unicode
