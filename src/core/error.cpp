#include "core/error.hpp"

namespace atmos {

std::string render_error(const Error& e) {
  std::string out = "\n# Error\n\n**Error:** " + e.message() + "\n";
  if (!e.explanation().empty()) out += "\n" + e.explanation() + "\n";
  for (const auto& h : e.hints()) out += "\n\xF0\x9F\x92\xA1 " + h + "\n";
  return out;
}

}  // namespace atmos
