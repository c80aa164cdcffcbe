#include "core/environment.hpp"

#include <cstdlib>

namespace atmos {

bool Environment::is_true(std::string_view name) const {
  auto v = get(name);
  if (!v) return false;
  auto b = parse_go_bool(*v);
  return b && *b;
}

std::optional<std::string> ProcessEnvironment::get(std::string_view name) const {
  const char* v = std::getenv(std::string(name).c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

std::optional<std::string> MapEnvironment::get(std::string_view name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

std::optional<bool> parse_go_bool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return false;
  return std::nullopt;
}

}  // namespace atmos
