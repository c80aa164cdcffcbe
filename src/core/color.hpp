// Whether atmos's own output (error reports, log labels, help headings) carries ANSI colors, decided as upstream
// decides it (pkg/terminal/terminal.go, pkg/terminal/env/color.go, pkg/flags/global_builder.go):
//   1. NO_COLOR (any non-empty value) turns colors off, even against --force-color;
//   2. --no-color, ATMOS_NO_COLOR and settings.terminal.no_color turn them off;
//   3. --force-color, ATMOS_FORCE_COLOR, CLICOLOR_FORCE and FORCE_COLOR turn them on, on any stream;
//   4. CLICOLOR=0, TERM=dumb and settings.terminal.color: false turn them off;
//   5. otherwise a stream is colored only when it is a terminal.
// Terraform's own colors are Terraform's: atmos neither adds nor strips them (pass -no-color to Terraform).
#pragma once

#include <string>
#include <string_view>

#include "core/environment.hpp"

namespace atmos::color {

struct Settings {
  bool no_color_env = false;     // NO_COLOR set
  bool no_color = false;         // --no-color, ATMOS_NO_COLOR, settings.terminal.no_color
  bool force = false;            // --force-color, ATMOS_FORCE_COLOR, CLICOLOR_FORCE, FORCE_COLOR
  bool off = false;              // CLICOLOR=0, TERM=dumb, settings.terminal.color: false
};

// The decision for one stream, given whether it is a terminal.
bool decide(const Settings& s, bool is_terminal);

// Settings from the environment alone (step 1–4 without the config file), for use before atmos.yaml is read.
Settings from_environment(const Environment& env);

// The process-wide settings; `configure` replaces them (flags and atmos.yaml are folded in by the CLI).
void configure(const Settings& s);
const Settings& current();

// Whether output written to `fd` (1 or 2) is colored.
bool enabled(int fd);

enum class Style { Bold, Red, BoldRed, Yellow, Cyan, Blue, Magenta, Dim };

// `text` wrapped in the style's escape codes when output to `fd` is colored; unchanged otherwise.
std::string paint(int fd, Style style, std::string_view text);

}  // namespace atmos::color
