#include "cli/app.hpp"

#include <cstdio>
#include <optional>

#include "cli/args.hpp"
#include "cli/context.hpp"
#include "core/error.hpp"
#include "core/json_emit.hpp"
#include "core/log.hpp"
#include "core/yaml_emit.hpp"
#include "stacks/engine.hpp"

#include <filesystem>
#include <unistd.h>

namespace atmos::cli {
namespace {

const char* kUsage =
    "Usage:\n"
    "  atmos [command]\n\n"
    "Available Commands:\n"
    "  auth        Log in to AWS and hand credentials to commands\n"
    "  describe    Describe the configuration: config, stacks, component\n"
    "  list        List stacks and components\n"
    "  terraform   Run Terraform for a component in a stack\n"
    "  validate    Validate stack manifests\n"
    "  version     Print the version\n\n"
    "Flags:\n"
    "      --base-path string     Base path for the Atmos project\n"
    "      --config stringArray   Paths to configuration files\n"
    "      --config-path string   Directories containing atmos.yaml\n"
    "      --logs-level string    Trace, Debug, Info, Warning, Error, Off\n"
    "      --logs-file string     Where logs are written (default /dev/stderr)\n"
    "      --profile strings      Configuration profiles to activate\n"
    "  -C, --chdir string         Change to this directory first\n";

int cmd_version(const std::vector<std::string>& args) {
  parse_args(args, {});
  std::printf("atmos %s\n", ATMOS_VERSION_STRING);
  return 0;
}

}  // namespace

config::CliConfig load_config(const ParsedArgs& args) {
  ProcessEnvironment env;
  std::string chdir_to = args.get("chdir", env.get_or("ATMOS_CHDIR", ""));
  if (!chdir_to.empty()) {
    std::error_code ec;
    std::filesystem::current_path(chdir_to, ec);
    if (ec) throw Error(ErrorKind::Usage, "failed to change directory to '" + chdir_to + "': " + ec.message(), 2);
  }
  config::ConfigRequest req;
  req.env = &env;
  req.cwd = std::filesystem::current_path().string();
  req.config_files = args.list("config");
  req.config_dirs = args.list("config-path");
  if (args.has("base-path")) req.base_path = args.get("base-path");
  req.profiles = args.list("profile");
  if (args.has("logs-level")) req.logs_level = args.get("logs-level");
  if (args.has("logs-file")) req.logs_file = args.get("logs-file");
  if (args.flag("verbose")) req.logs_level = "Debug";
  if (args.has("terraform-dir")) req.terraform_dir = args.get("terraform-dir");
  if (args.has("terraform-command")) req.terraform_command = args.get("terraform-command");
  if (args.has("stacks-dir")) req.stacks_dir = args.get("stacks-dir");
  config::CliConfig cfg = config::load_cli_config(req);
  // --process-templates=false / ATMOS_PROCESS_TEMPLATES=false: component templates are left as written.
  std::optional<bool> templates;
  if (auto v = env.get("ATMOS_PROCESS_TEMPLATES"); v && !v->empty()) templates = parse_go_bool(*v);
  if (args.has("process-templates")) templates = args.flag("process-templates");
  if (templates && !*templates) cfg.templates_enabled = false;
  log::configure(log::parse_level(cfg.log_level), cfg.log_file);
  for (const auto& f : cfg.loaded_files) log::debug("Loaded config file path={}", f);
  return cfg;
}

stacks::StackEngine& process_engine(const config::CliConfig& cfg) {
  auto hooks = std::make_shared<stacks::TemplateHooks>();
  auto* engine = new stacks::StackEngine(cfg, stacks::go_template_renderer(cfg, hooks));
  engine->set_template_hooks(hooks);
  return *engine;
}

void print_value(const Value& v, const std::string& format) {
  if (format == "json") {
    write_json(v, stdout);
  } else if (format == "yaml" || format.empty()) {
    write_yaml(v, stdout);
  } else {
    throw Error(ErrorKind::Usage, "invalid '--format' flag '" + format + "'. Valid values are 'yaml' (default) and 'json'");
  }
  std::fflush(stdout);
}

int cmd_terraform(const std::vector<std::string>& args);
int cmd_auth(const std::vector<std::string>& args);

int run(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 1 : 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  const std::string& cmd = args[0];
  if (cmd == "version" || cmd == "--version") return cmd_version(rest);
  if (cmd == "describe") return cmd_describe(rest);
  if (cmd == "list") return cmd_list(rest);
  if (cmd == "validate") return cmd_validate(rest);
  if (cmd == "terraform") return cmd_terraform(rest);
  if (cmd == "auth") return cmd_auth(rest);
  Error e(ErrorKind::Usage, "unknown command \"" + cmd + "\" for \"atmos\"");
  auto near = closest_names(cmd, {"describe", "list", "validate", "version"}, 1);
  if (!near.empty()) e.hint("Did you mean " + near.front() + "?");
  e.hint("Run 'atmos --help' for usage.");
  throw e;
}

}  // namespace atmos::cli
