#include "core/color.hpp"

#include <unistd.h>

namespace atmos::color {
namespace {

Settings g_settings;

bool set(const std::optional<std::string>& v) { return v && !v->empty(); }

bool truthy(const std::optional<std::string>& v) {
  return set(v) && *v != "0" && *v != "false" && *v != "FALSE" && *v != "False";
}

const char* code(Style s) {
  switch (s) {
    case Style::Bold: return "\033[1m";
    case Style::Red: return "\033[31m";
    case Style::BoldRed: return "\033[1;31m";
    case Style::Yellow: return "\033[33m";
    case Style::Cyan: return "\033[36m";
    case Style::Blue: return "\033[34m";
    case Style::Magenta: return "\033[35m";
    case Style::Dim: return "\033[2m";
  }
  return "";
}

}  // namespace

bool decide(const Settings& s, bool is_terminal) {
  if (s.no_color_env || s.no_color) return false;
  if (s.force) return true;
  if (s.off) return false;
  return is_terminal;
}

Settings from_environment(const Environment& env) {
  auto getenv = [&](const char* name) { return env.get(name); };
  Settings s;
  s.no_color_env = set(getenv("NO_COLOR"));
  s.no_color = truthy(getenv("ATMOS_NO_COLOR"));
  s.force = truthy(getenv("ATMOS_FORCE_COLOR")) || set(getenv("CLICOLOR_FORCE")) || set(getenv("FORCE_COLOR"));
  auto clicolor = getenv("CLICOLOR");
  auto term = getenv("TERM");
  s.off = (clicolor && *clicolor == "0") || (term && *term == "dumb");
  return s;
}

void configure(const Settings& s) { g_settings = s; }

const Settings& current() { return g_settings; }

bool enabled(int fd) { return decide(g_settings, ::isatty(fd) == 1); }

std::string paint(int fd, Style style, std::string_view text) {
  if (!enabled(fd)) return std::string(text);
  return std::string(code(style)) + std::string(text) + "\033[0m";
}

}  // namespace atmos::color
