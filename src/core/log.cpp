#include "core/log.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/color.hpp"
#include "core/error.hpp"

namespace atmos::log {
namespace {

Level g_level = Level::Warning;
std::FILE* g_out = nullptr;

const char* label(Level l) {
  switch (l) {
    case Level::Trace: return "TRCE";
    case Level::Debug: return "DEBU";
    case Level::Info: return "INFO";
    case Level::Warning: return "WARN";
    case Level::Error: return "EROR";
    case Level::Off: return "";
  }
  return "";
}

// The level colors of upstream's log styles (charmbracelet/log defaults).
color::Style style(Level l) {
  switch (l) {
    case Level::Trace: return color::Style::Dim;
    case Level::Debug: return color::Style::Blue;
    case Level::Info: return color::Style::Cyan;
    case Level::Warning: return color::Style::Yellow;
    case Level::Error: return color::Style::BoldRed;
    case Level::Off: break;
  }
  return color::Style::Bold;
}

}  // namespace

Level parse_level(std::string_view name) {
  std::string s(name);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "trace") return Level::Trace;
  if (s == "debug") return Level::Debug;
  if (s == "info") return Level::Info;
  if (s == "warning" || s == "warn") return Level::Warning;
  if (s == "error") return Level::Error;
  if (s == "off") return Level::Off;
  throw Error(ErrorKind::Config, "invalid log level '" + std::string(name) +
                                     "'. Valid options are: [Trace Debug Info Warning Error Off]");
}

void configure(Level level, const std::string& file) {
  g_level = level;
  if (g_out && g_out != stderr && g_out != stdout) std::fclose(g_out);
  g_out = nullptr;
  if (file.empty() || file == "/dev/stderr") {
    g_out = stderr;
  } else if (file == "/dev/stdout") {
    g_out = stdout;
  } else {
    g_out = std::fopen(file.c_str(), "a");
    if (!g_out) g_out = stderr;
  }
}

Level level() { return g_level; }

bool enabled(Level l) { return g_level != Level::Off && l >= g_level; }

void write(Level l, std::string_view message) {
  std::FILE* out = g_out ? g_out : stderr;
  fmt::print(out, "{} {}\n", color::paint(fileno(out), style(l), label(l)), message);
  std::fflush(out);
}

}  // namespace atmos::log
