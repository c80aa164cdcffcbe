// `atmos validate stacks`.
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

}  // namespace

int cmd_validate(const std::vector<std::string>& args) {
  if (args.empty()) throw Error(ErrorKind::Usage, "missing subcommand for \"atmos validate\": stacks");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "stacks") return validate_stacks(rest);
  throw Error(ErrorKind::Usage, "unknown command \"" + args[0] + "\" for \"atmos validate\"");
}

}  // namespace atmos::cli
