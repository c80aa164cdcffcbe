// Leveled logging to stderr or a file (ATMOS_LOGS_LEVEL / --logs-level, ATMOS_LOGS_FILE / --logs-file).
// Never pass secrets here: callers log identifiers, never credential material.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace atmos::log {

enum class Level { Trace = 0, Debug, Info, Warning, Error, Off };

// Parses upstream's level names (case-insensitive, `warn` accepted); throws Error on anything else.
Level parse_level(std::string_view name);
void configure(Level level, const std::string& file);
Level level();
bool enabled(Level l);
void write(Level l, std::string_view message);

template <class... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::Debug)) write(Level::Debug, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void trace(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::Trace)) write(Level::Trace, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::Info)) write(Level::Info, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::Warning)) write(Level::Warning, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace atmos::log
