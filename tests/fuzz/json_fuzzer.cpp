// The JSON parser (AWS JSON answers, SSO token caches, `!include` of .json files): any bytes either parse or
// throw atmos::Error, in both number modes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "core/json_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool go_any_numbers : {false, true}) {
    try {
      atmos::parse_json(text, go_any_numbers);
    } catch (const atmos::Error&) {
    }
  }
  return 0;
}
