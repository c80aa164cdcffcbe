// `atmos validate stacks`, `atmos validate component COMPONENT -s STACK`.
#include <cstdio>

#include "cli/context.hpp"
#include "core/error.hpp"
#include "stacks/validate.hpp"

namespace atmos::cli {
namespace {

int validate_stacks(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, {{"schemas-atmos-manifest", 0, false}});
  config::CliConfig cfg = load_config(args);
  stacks::StackEngine& engine = process_engine(cfg);
  std::vector<std::string> problems = stacks::validate_stacks(engine);
  if (problems.empty()) {
    std::fputs("\xE2\x9C\x93 All stacks validated successfully\n", stderr);
    return 0;
  }
  std::string text;
  for (const auto& p : problems) text += (text.empty() ? "" : "\n\n") + p;
  throw Error(ErrorKind::Stack, "stack validation failed").explain(text);
}

// Upstream's internal/exec/validate_component.go: the component's section with templates and YAML functions
// evaluated, validated against its `settings.validation` policies or the --schema-path/--schema-type given.
int validate_component(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, {{"stack", 's', false},
                                      {"schema-path", 0, false},
                                      {"schema-type", 0, false},
                                      {"module-paths", 0, false},
                                      {"timeout", 0, false},
                                      {"process-templates", 0, true},
                                      {"process-functions", 0, true},
                                      {"skip", 0, false},
                                      {"identity", 'i', false}});
  if (args.positionals.size() != 1)
    throw Error(ErrorKind::Usage, "invalid arguments. The command requires one argument `component`");
  if (args.get("stack").empty()) throw Error(ErrorKind::Usage, "required flag(s) \"stack\" not set");
  config::CliConfig cfg = load_config(args);
  stacks::StackEngine& engine = process_engine(cfg);
  install_functions(engine, cfg, args);
  stacks::StackComponent sc = engine.find_component(args.positionals[0], args.get("stack"));
  Value section = engine.describe_component(sc, {"validate", "component"}, false);
  stacks::validate_component_policies(cfg, args.positionals[0], sc.stack, section,
                                      {args.get("schema-path"), args.get("schema-type")});
  std::fputs("\xE2\x9C\x93 Component validated successfully\n", stderr);
  return 0;
}

}  // namespace

int cmd_validate(const std::vector<std::string>& args) {
  if (args.empty()) throw Error(ErrorKind::Usage, "missing subcommand for \"atmos validate\": stacks or component");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "stacks") return validate_stacks(rest);
  if (args[0] == "component") return validate_component(rest);
  throw Error(ErrorKind::Usage, "unknown command \"" + args[0] + "\" for \"atmos validate\"");
}

}  // namespace atmos::cli
