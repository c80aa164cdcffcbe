#include "core/error.hpp"

#include "core/color.hpp"

namespace atmos {

std::string render_error(const Error& e) {
  // The text is the same on a terminal; only colors are added there (core/color.hpp decides).
  std::string out = "\n" + color::paint(2, color::Style::BoldRed, "# Error") + "\n\n" +
                    color::paint(2, color::Style::BoldRed, "**Error:**") + " " + e.message() + "\n";
  if (!e.explanation().empty()) out += "\n" + e.explanation() + "\n";
  for (const auto& h : e.hints()) out += "\n\xF0\x9F\x92\xA1 " + color::paint(2, color::Style::Cyan, h) + "\n";
  return out;
}

}  // namespace atmos
