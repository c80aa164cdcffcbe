// `atmos describe config|stacks|component|locals|workflows`.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "cli/affected.hpp"
#include "cli/context.hpp"
#include "core/error.hpp"
#include "core/file.hpp"
#include "core/json_emit.hpp"
#include "core/yaml_emit.hpp"
#include "core/yaml_load.hpp"
#include "stacks/engine.hpp"
#include "stacks/locals.hpp"
#include "stacks/yq.hpp"

namespace atmos::cli {
namespace {

// The keys `describe.component.filter: schema` keeps (upstream's default).
const char* const kSchemaSections[] = {"vars", "settings", "env", "backend", "metadata", "overrides",
                                       "providers", "imports", "dependencies", "component", "hooks"};

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
    v = stacks::yq_evaluate(v, args.get("query"));
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

// `atmos describe locals [component] -s STACK` (upstream's internal/exec/describe_locals.go): the locals of the
// stack's manifest file as they resolve, in manifest layout ({locals, terraform: {locals}}); with a component,
// the locals available to it ({components: {terraform: {<component>: {locals}}}}).
int describe_locals(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, {{"stack", 's', false}, {"format", 'f', false}, {"file", 0, false}, {"query", 'q', false}});
  if (args.get("stack").empty()) throw Error(ErrorKind::Usage, "required flag(s) \"stack\" not set");
  if (args.positionals.size() > 1) throw Error(ErrorKind::Usage, "invalid arguments. The command accepts at most one argument `component`");
  config::CliConfig cfg = load_config(args);
  stacks::StackEngine& engine = process_engine(cfg);
  std::string stack = args.get("stack"), file;
  for (const char* ext : {".yaml", ".yml"}) {
    std::string candidate = cfg.stacks_base_abs + "/" + stack + ext;
    if (file.empty() && std::filesystem::is_regular_file(candidate)) file = candidate;
  }
  std::optional<stacks::StackComponent> sc;
  if (!args.positionals.empty()) {
    sc = engine.find_component(args.positionals[0], stack);
    if (file.empty()) file = sc->manifest->abs_path;
  }
  for (const auto& m : engine.manifests()) {
    if (!file.empty()) break;
    for (const auto& [name, section] : m.terraform.as_map())
      if (file.empty() && engine.stack_name(m, section) == stack) file = m.abs_path;
  }
  if (file.empty())
    throw Error(ErrorKind::Stack, "invalid stack: could not find the stack '" + stack + "'")
        .hint("Give a stack name (atmos list stacks) or a manifest path relative to the stacks directory (e.g. deploy/dev).");
  Value raw = parse_yaml(read_manifest_file(file), file);
  if (!raw.is_map()) raw = Value::empty_map();
  std::string key = std::filesystem::path(file).lexically_relative(cfg.stacks_base_abs).replace_extension().string();
  Value resolved = Value::empty_map();
  auto renderer = stacks::go_template_renderer(cfg);
  stacks::apply_file_locals(raw, key, Value::empty_map(), renderer, &resolved);
  if (!sc) return emit(args, resolved);
  // Global, then the terraform section's own, then the component's own (when the manifest defines them).
  Value available = resolved.get("locals").is_map() ? resolved.get("locals") : Value::empty_map();
  Map entries = available.as_map();
  for (const auto& [k, v] : resolved.at({"terraform", "locals"}).is_map() ? resolved.at({"terraform", "locals"}).as_map() : Map{})
    entries.emplace_back(k, v);
  Value own = stacks::component_locals(raw.at({"components", "terraform"}), sc->component);
  if (!own.is_map() || !own.empty()) {
    Value merged = stacks::resolve_locals(own, Value::map(entries), key, Value::empty_map(), renderer);
    entries = merged.as_map();
  }
  Value component = Value::map({{"locals", Value::map(std::move(entries))}});
  return emit(args, Value::map({{"components", Value::map({{"terraform", Value::map({{sc->component, component}})}})}}));
}

// `atmos describe workflows` (upstream's internal/exec/describe_workflows.go): `--output list` (default, {file,
// workflow} pairs), `map` ({file: [workflow]}) or `all` ({file: manifest}).
int describe_workflows(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, {{"output", 'o', false}, {"format", 'f', false}, {"query", 'q', false}});
  config::CliConfig cfg = load_config(args);
  return emit(args, describe_workflows_value(cfg, args.get("output")));
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
  if (args[0] == "locals") return describe_locals(rest);
  if (args[0] == "workflows") return describe_workflows(rest);
  if (args[0] == "affected") return describe_affected(rest);
  if (args[0] == "dependents") return describe_dependents(rest);
  throw Error(ErrorKind::Usage, "unknown command \"" + args[0] + "\" for \"atmos describe\"");
}

}  // namespace atmos::cli
