// UTF-8 encoding of one code point, as Go's utf8.AppendRune does (invalid code points become U+FFFD).
#pragma once

#include <string>

namespace atmos {

void append_utf8(std::string& out, char32_t rune);

}  // namespace atmos
