// `atmos terraform <subcommand> <component> -s <stack> [flags] [-- terraform args]`, `terraform generate
// varfile|backend` and `terraform version` (atmos-stacks.md §5).
#include <filesystem>
#include <map>
#include <set>

#include "cli/args.hpp"
#include "cli/context.hpp"
#include "core/environment.hpp"
#include "core/error.hpp"
#include "stacks/engine.hpp"
#include "terraform/runner.hpp"

extern char** environ;

namespace atmos::cli {
namespace {

const std::vector<FlagSpec>& terraform_flags() {
  static const std::vector<FlagSpec> kFlags = {
      {"stack", 's', false},
      {"dry-run", 0, true},
      {"skip-init", 0, true},
      {"from-plan", 0, true},
      {"planfile", 0, false},
      {"skip-planfile", 0, true},
      {"init-pass-vars", 0, true},
      {"init-run-reconfigure", 0, true},
      {"auto-generate-backend-file", 0, true},
      {"deploy-run-init", 0, true},
      {"terraform-command", 0, false},
      {"terraform-dir", 0, false},
      {"process-templates", 0, true},
      {"process-functions", 0, true},
      {"skip", 0, false},
      {"identity", 'i', false},
      {"all", 0, true},
      {"affected", 0, true},
      {"components", 0, false},
      {"query", 'q', false},
  };
  return kFlags;
}

// Terraform subcommands whose second word is part of the command, not the component.
const std::map<std::string, std::set<std::string>>& compound_subcommands() {
  static const std::map<std::string, std::set<std::string>> kCompound = {
      {"workspace", {"list", "select", "new", "delete", "show"}},
      {"state", {"list", "mv", "pull", "push", "replace-provider", "rm", "show"}},
      {"providers", {"lock", "mirror", "schema"}},
  };
  return kCompound;
}

// `--identity` / `-i` without a value means "choose interactively" (cobra's NoOptDefVal), so a bare flag followed
// by another flag or by nothing becomes `--identity=`.
std::vector<std::string> normalise_identity_flag(std::vector<std::string> args) {
  for (std::size_t i = 0; i < args.size() && args[i] != "--"; ++i) {
    if (args[i] != "--identity" && args[i] != "-i") continue;
    bool has_value = i + 1 < args.size() && args[i + 1] != "--" && args[i + 1].rfind('-', 0) != 0;
    if (!has_value) args[i] = "--identity=";
  }
  return args;
}

terraform::EnvMap os_environment() {
  terraform::EnvMap env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

terraform::RunnerSettings settings_from(const config::CliConfig& cfg, const ParsedArgs& args) {
  terraform::RunnerSettings s = terraform::runner_settings(cfg, std::filesystem::current_path().string());
  auto override_bool = [&](const char* flag, bool& field) {
    if (args.has(flag)) field = args.flag(flag);
  };
  override_bool("init-pass-vars", s.init_pass_vars);
  override_bool("init-run-reconfigure", s.init_run_reconfigure);
  override_bool("auto-generate-backend-file", s.auto_generate_backend_file);
  override_bool("deploy-run-init", s.deploy_run_init);
  override_bool("skip-planfile", s.skip_planfile);
  s.command = args.get("terraform-command");
  s.redirect_stderr = args.get("redirect-stderr");
  return s;
}

terraform::Target resolve_target(const config::CliConfig& cfg, const std::string& component, const std::string& stack,
                                 const std::vector<std::string>& cli_args) {
  stacks::StackEngine& engine = process_engine(cfg);
  stacks::StackComponent sc = engine.find_component(component, stack);
  return terraform::Target{component, sc.stack, engine.workspace(sc), engine.describe_component(sc, cli_args)};
}

int run_generate(const std::vector<std::string>& argv) {
  if (argv.empty() || (argv[0] != "varfile" && argv[0] != "backend"))
    throw Error(ErrorKind::Usage, "unknown command \"" + (argv.empty() ? std::string() : argv[0]) +
                                      "\" for \"atmos terraform generate\": use varfile or backend");
  std::vector<FlagSpec> specs = terraform_flags();
  if (argv[0] == "varfile") specs.push_back({"file", 'f', false});
  ParsedArgs args = parse_args(std::vector<std::string>(argv.begin() + 1, argv.end()), specs);
  if (args.positionals.size() != 1)
    throw Error(ErrorKind::Usage, "invalid arguments. The command requires one argument `component`");
  config::CliConfig cfg = load_config(args);
  terraform::Target target = resolve_target(cfg, args.positionals[0], args.get("stack"), {"terraform", "generate", argv[0]});
  terraform::RealFileSystem files;
  terraform::RealProcessRunner processes;
  terraform::Runner runner(settings_from(cfg, args), terraform::RunnerServices{files, processes, os_environment()});
  if (argv[0] == "varfile") runner.generate_varfile(target, args.get("file"), args.flag("dry-run"));
  else runner.generate_backend(target, args.flag("dry-run"));
  return 0;
}

}  // namespace

int cmd_terraform(const std::vector<std::string>& argv) {
  if (argv.empty()) throw Error(ErrorKind::Usage, "missing subcommand for \"atmos terraform\": e.g. plan, apply, deploy");
  if (argv[0] == "generate") return run_generate(std::vector<std::string>(argv.begin() + 1, argv.end()));
  ParsedArgs args = parse_args(normalise_identity_flag(argv), terraform_flags(), true);
  if (args.flag("all") || args.flag("affected") || args.has("components") || args.has("query"))
    throw Error(ErrorKind::Usage, "multi-component execution (--all, --affected, --components, --query) is not supported");

  terraform::Invocation inv;
  std::vector<std::string> words = args.positionals;
  inv.subcommand = words.front();
  std::size_t next = 1;
  auto compound = compound_subcommands().find(inv.subcommand);
  if (compound != compound_subcommands().end() && next < words.size() && compound->second.count(words[next]))
    inv.subcommand2 = words[next++];

  config::CliConfig cfg = load_config(args);
  terraform::RunnerSettings settings = settings_from(cfg, args);
  terraform::RealFileSystem files;
  terraform::RealProcessRunner processes;
  terraform::Runner runner(settings, terraform::RunnerServices{files, processes, os_environment()});
  if (inv.subcommand == "version") {
    std::string command = settings.command.empty() ? cfg.terraform_command : settings.command;
    return runner.version(command.empty() ? "terraform" : command);
  }

  std::string component;
  for (; next < words.size(); ++next) {
    if (component.empty() && words[next].rfind('-', 0) != 0) component = words[next];
    else inv.args.push_back(words[next]);
  }
  inv.args.insert(inv.args.end(), args.passthrough.begin(), args.passthrough.end());
  if (component.empty() && !args.get("stack").empty())
    throw Error(ErrorKind::Usage, "invalid arguments. The command requires one argument `component`");
  inv.dry_run = args.flag("dry-run");
  inv.skip_init = args.flag("skip-init");
  inv.planfile = args.get("planfile");
  inv.from_plan = args.flag("from-plan") || !inv.planfile.empty();
  ProcessEnvironment env;
  inv.identity = terraform::select_identity(args.last("identity"), env);

  terraform::Target target =
      resolve_target(cfg, component, args.get("stack"), {"terraform", inv.subcommand, inv.subcommand2});
  return runner.run(inv, target);
}

}  // namespace atmos::cli
