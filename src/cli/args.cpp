#include "cli/args.hpp"

#include <sstream>

#include "core/environment.hpp"
#include "core/error.hpp"

namespace atmos::cli {

std::optional<std::string> ParsedArgs::last(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string ParsedArgs::get(const std::string& name, std::string fallback) const {
  auto v = last(name);
  return v ? *v : fallback;
}

bool ParsedArgs::flag(const std::string& name) const {
  auto v = last(name);
  if (!v) return false;
  auto b = parse_go_bool(*v);
  return b && *b;
}

std::vector<std::string> ParsedArgs::list(const std::string& name) const {
  std::vector<std::string> out;
  auto it = values.find(name);
  if (it == values.end()) return out;
  for (const auto& v : it->second) {
    std::stringstream ss(v);
    std::string item;
    while (std::getline(ss, item, ','))
      if (!item.empty()) out.push_back(item);
  }
  return out;
}

const std::vector<FlagSpec>& global_flags() {
  static const std::vector<FlagSpec> kFlags = {
      {"base-path", 0, false},  {"config", 0, false},    {"config-path", 0, false}, {"logs-level", 0, false},
      {"logs-file", 0, false},  {"profile", 0, false},   {"chdir", 'C', false},     {"no-color", 0, true},    {"force-color", 0, true},
      {"verbose", 0, true},     {"redirect-stderr", 0, false}, {"pager", 0, false},
  };
  return kFlags;
}

ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<FlagSpec>& specs,
                      bool allow_unknown_single_dash) {
  ParsedArgs out;
  auto find_long = [&](const std::string& n) -> const FlagSpec* {
    for (const auto& s : specs)
      if (s.name == n) return &s;
    for (const auto& s : global_flags())
      if (s.name == n) return &s;
    return nullptr;
  };
  auto find_short = [&](char c) -> const FlagSpec* {
    for (const auto& s : specs)
      if (s.shorthand == c) return &s;
    for (const auto& s : global_flags())
      if (s.shorthand == c) return &s;
    return nullptr;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      out.has_double_dash = true;
      out.passthrough.assign(args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (a.rfind("--", 0) == 0) {
      std::string name = a.substr(2);
      std::optional<std::string> value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      const FlagSpec* spec = find_long(name);
      if (!spec) throw Error(ErrorKind::Usage, "unknown flag: --" + name);
      if (spec->boolean) {
        out.values[spec->name].push_back(value ? *value : "true");
        if (value && !parse_go_bool(*value))
          throw Error(ErrorKind::Usage, "invalid argument \"" + *value + "\" for \"--" + name + "\" flag: strconv.ParseBool: parsing \"" +
                                            *value + "\": invalid syntax");
      } else if (value) {
        out.values[spec->name].push_back(*value);
      } else {
        if (i + 1 >= args.size()) throw Error(ErrorKind::Usage, "flag needs an argument: --" + name);
        out.values[spec->name].push_back(args[++i]);
      }
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      // Terraform's single-dash words (`-var-file=x`, `-state=y`) are not bundles of shorthands.
      bool word = allow_unknown_single_dash && a.size() > 2 && a[2] != '=';
      const FlagSpec* spec = word ? nullptr : find_short(a[1]);
      if (!spec) {
        if (allow_unknown_single_dash) {
          out.positionals.push_back(a);
          continue;
        }
        throw Error(ErrorKind::Usage, std::string("unknown shorthand flag: '") + a[1] + "' in " + a);
      }
      std::string rest = a.substr(2);
      if (!rest.empty() && rest[0] == '=') rest = rest.substr(1);
      if (spec->boolean) {
        out.values[spec->name].push_back(rest.empty() ? "true" : rest);
      } else if (!rest.empty()) {
        out.values[spec->name].push_back(rest);
      } else {
        if (i + 1 >= args.size())
          throw Error(ErrorKind::Usage, std::string("flag needs an argument: '") + a[1] + "' in -" + a[1]);
        out.values[spec->name].push_back(args[++i]);
      }
      continue;
    }
    out.positionals.push_back(a);
  }
  return out;
}

}  // namespace atmos::cli
