// `atmos describe config|stacks|component`.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "cli/affected.hpp"
#include "cli/context.hpp"
#include "core/error.hpp"
#include "core/json_emit.hpp"
#include "core/yaml_emit.hpp"
#include "stacks/engine.hpp"

namespace atmos::cli {
namespace {

// The keys `describe.component.filter: schema` keeps (upstream's default).
const char* const kSchemaSections[] = {"vars", "settings", "env", "backend", "metadata", "overrides",
                                       "providers", "imports", "dependencies", "component", "hooks"};

Value query(const Value& v, const std::string& q) {
  if (q.empty() || q == ".") return v;
  if (q[0] != '.') throw Error(ErrorKind::Usage, "unsupported query '" + q + "': only simple paths such as .vars.region are supported");
  Value cur = v;
  std::stringstream ss(q.substr(1));
  std::string part;
  while (std::getline(ss, part, '.')) {
    if (part.empty()) continue;
    if (part.size() > 2 && part.front() == '[' && part.back() == ']') {
      std::size_t idx = std::stoul(part.substr(1, part.size() - 2));
      cur = idx < cur.as_list().size() ? cur.as_list()[idx] : Value();
    } else {
      cur = cur.get(part);
    }
  }
  return cur;
}

void print_query_result(const Value& v, const std::string& format) {
  if (v.is_string()) {
    std::printf("%s\n", v.as_string().c_str());
  } else if (v.is_null()) {
    std::printf("null\n");
  } else if (!v.is_map() && !v.is_list()) {
    std::string s = to_json(v, JsonStyle::Compact);
    std::printf("%s\n", s.c_str());
  } else {
    print_value(v, format);
  }
}

// Writes a describe result: `--query` selects part of it (scalars print bare), `--file` writes it to a file
// instead of stdout. `stacks_layout` adds the blank line upstream's describe stacks prints after YAML.
int emit(const ParsedArgs& args, Value v, bool stacks_layout = false) {
  std::string format = args.get("format", "yaml");
  if (args.has("query")) {
    v = query(v, args.get("query"));
    if (!v.is_map() && !v.is_list()) {
      print_query_result(v, format);
      return 0;
    }
  }
  if (args.has("file")) {
    std::FILE* f = std::fopen(args.get("file").c_str(), "w");
    if (!f) throw Error(ErrorKind::Io, "failed to write '" + args.get("file") + "'");
    if (format == "json") write_json(v, f);
    else write_yaml(v, f);
    std::fclose(f);
    return 0;
  }
  print_value(v, format);
  if (stacks_layout && format != "json") std::fputs("\n", stdout);
  return 0;
}

int describe_config(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, {{"format", 'f', false}, {"query", 'q', false}, {"file", 0, false}});
  config::CliConfig cfg = load_config(args);
  Value v = cfg.raw;
  v = v.with("base_path", Value(cfg.base_path));
  v = v.with("components", (v.get("components").is_map() ? v.get("components") : Value::empty_map()).with("terraform", config::terraform_settings_dump(cfg)));
  v = v.with("stacks", config::stacks_settings_dump(cfg));
  v = v.with("logs", Value::map({{"file", Value(cfg.log_file)}, {"level", Value(cfg.log_level)}}));
  return emit(args, v);
}

int describe_stacks(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, {{"stack", 's', false},
                                      {"format", 'f', false},
                                      {"file", 0, false},
                                      {"components", 0, false},
                                      {"component-types", 0, false},
                                      {"sections", 0, false},
                                      {"query", 'q', false},
                                      {"include-empty-stacks", 0, true},
                                      {"process-templates", 0, true},
                                      {"process-functions", 0, true},
                                      {"skip", 0, false},
                                      {"identity", 'i', false}});
  if (!args.positionals.empty())
    throw Error(ErrorKind::Usage, "unknown command \"" + args.positionals[0] + "\" for \"atmos describe stacks\"");
  config::CliConfig cfg = load_config(args);
  stacks::StackEngine& engine = process_engine(cfg);
  install_functions(engine, cfg, args);
  stacks::StackEngine::DescribeStacksOptions opts;
  opts.stack = args.get("stack");
  opts.components = args.list("components");
  opts.component_types = args.list("component-types");
  opts.sections = args.list("sections");
  opts.include_empty_stacks = args.flag("include-empty-stacks");
  return emit(args, engine.describe_stacks(opts), true);
}

int describe_component(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, {{"stack", 's', false},
                                      {"format", 'f', false},
                                      {"file", 0, false},
                                      {"query", 'q', false},
                                      {"provenance", 0, true},
                                      {"process-templates", 0, true},
                                      {"process-functions", 0, true},
                                      {"skip", 0, false},
                                      {"identity", 'i', false}});
  if (args.positionals.empty()) throw Error(ErrorKind::Usage, "invalid arguments. The command requires one argument `component`");
  config::CliConfig cfg = load_config(args);
  stacks::StackEngine& engine = process_engine(cfg);
  install_functions(engine, cfg, args);
  stacks::StackComponent sc = engine.find_component(args.positionals[0], args.get("stack"));
  Value v = engine.describe_component(sc, {"describe", "component"});
  // The filter shapes only what is printed whole: a query runs over the full component section (`.inheritance`,
  // `.workspace`, `.deps`, …), as upstream evaluates it before filtering.
  if (!args.has("query") && cfg.get_string({"describe", "component", "filter"}, "schema") != "full") {
    Map filtered;
    for (const auto& [k, item] : v.as_map())
      if (std::find_if(std::begin(kSchemaSections), std::end(kSchemaSections), [&](const char* s) { return k == s; }) !=
          std::end(kSchemaSections))
        filtered.emplace_back(k, item);
    v = Value::sorted_map(std::move(filtered));
  }
  return emit(args, v);
}

}  // namespace

int cmd_describe(const std::vector<std::string>& args) {
  if (args.empty()) throw Error(ErrorKind::Usage, "missing subcommand for \"atmos describe\": config, stacks or component");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "config") return describe_config(rest);
  if (args[0] == "stacks") return describe_stacks(rest);
  if (args[0] == "component") return describe_component(rest);
  if (args[0] == "affected") return describe_affected(rest);
  if (args[0] == "dependents") return describe_dependents(rest);
  throw Error(ErrorKind::Usage, "unknown command \"" + args[0] + "\" for \"atmos describe\"");
}

}  // namespace atmos::cli
