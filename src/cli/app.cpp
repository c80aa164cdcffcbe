#include "cli/app.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "cli/args.hpp"
#include "cli/context.hpp"
#include "cli/custom_commands.hpp"
#include "cli/help.hpp"
#include "core/color.hpp"
#include "core/error.hpp"
#include "core/json_emit.hpp"
#include "core/log.hpp"
#include "core/mount.hpp"
#include "core/yaml_emit.hpp"
#include "stacks/engine.hpp"

#include <filesystem>
#include <unistd.h>

namespace atmos::cli {
namespace {

// Go's runtime.GOOS / runtime.GOARCH names, as upstream's `version --format` reports them.
const char* go_arch() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "386";
#elif defined(__arm__)
  return "arm";
#else
  return "unknown";
#endif
}

// `atmos version [--format json|yaml]` (upstream internal/exec/version.go): the machine-readable form holds the
// version, OS and architecture; the format also comes from ATMOS_VERSION_FORMAT.
int cmd_version(const std::vector<std::string>& args) {
  ParsedArgs parsed = parse_args(args, {{"format", 0, false}});
  ProcessEnvironment env;
  std::string format = parsed.get("format", env.get_or("ATMOS_VERSION_FORMAT", ""));
  if (format.empty()) {
    std::printf("atmos %s\n", ATMOS_VERSION_STRING);
    return 0;
  }
  if (format != "json" && format != "yaml")
    throw Error(ErrorKind::Usage, "invalid version output format", 2)
        .explain("The format '" + format + "' is not supported for version output")
        .hint("Use --format json for JSON output")
        .hint("Use --format yaml for YAML output");
  print_value(Value::ordered_map({{"version", ATMOS_VERSION_STRING}, {"os", "linux"}, {"arch", go_arch()}}), format);
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
  color::Settings colors = color::current();
  Value no_color = cfg.get({"settings", "terminal", "no_color"}), use_color = cfg.get({"settings", "terminal", "color"});
  if (no_color.is_bool() && no_color.as_bool()) colors.no_color = true;
  if (use_color.is_bool() && !use_color.as_bool()) colors.off = true;
  color::configure(colors);
  log::configure(log::parse_level(cfg.log_level), cfg.log_file);
  for (const auto& f : cfg.loaded_files) log::debug("Loaded config file path={}", f);
  return cfg;
}

stacks::StackEngine& process_engine(const config::CliConfig& cfg) {
  // Upstream's checkAtmosConfig (cmd/cmd_utils.go) before any stack command: without the stacks directory (no
  // atmos.yaml anywhere, or one pointing elsewhere) the command fails rather than describing nothing.
  if (path_kind(cfg.stacks_base_abs) != PathKind::Directory) {
    Value base = cfg.raw.get("base_path");
    std::string stacks_dir =
        (std::filesystem::path(base.is_string() ? base.as_string() : "") / cfg.stacks_base_path).lexically_normal().string();
    std::string section =
        cfg.any_file ? "The atmos.yaml CLI config file specifies the directory for Atmos stacks as " + stacks_dir +
                           ", but the directory does not exist."
                     : "The atmos.yaml CLI config file was not found.\n\nThe default Atmos stacks directory is set to " +
                           stacks_dir + ", but the directory does not exist in the current path.";
    throw Error(ErrorKind::Config, "directory for Atmos stacks does not exist")
        .explain("## Missing Configuration\n\n" + section +
                 "\n\n## Getting Started\n\nTo configure and start using Atmos, refer to the following documents:\n\n"
                 "**Atmos CLI Configuration:** https://atmos.tools/cli/configuration\n\n"
                 "**Atmos Components:** https://atmos.tools/components\n\n"
                 "**Atmos Stacks:** https://atmos.tools/stacks\n\n"
                 "**Quick Start:** https://atmos.tools/quick-start");
  }
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
int cmd_vendor(const std::vector<std::string>& args);

const std::vector<std::string>& command_names() {
  static const std::vector<std::string> kNames = {"auth", "completion", "describe", "help", "list", "terraform", "validate", "vendor", "version", "workflow"};
  return kNames;
}

// Global flags may come before the command, as with cobra's persistent flags (`atmos --logs-level Debug version`,
// `atmos -C dir list stacks`). They are moved behind the command path (before any `--`), where every command's
// parser accepts them; `--identity` goes along for the commands that take it.
std::vector<std::string> move_leading_flags(const std::vector<std::string>& args) {
  std::vector<std::string> leading;
  std::size_t i = 0;
  auto is_command = [](const std::string& word) {
    const auto& names = command_names();
    return std::find(names.begin(), names.end(), word) != names.end();
  };
  while (i < args.size() && args[i].size() > 1 && args[i][0] == '-' && args[i] != "--" && args[i] != "--help" &&
         args[i] != "-h" && args[i] != "--version") {
    const std::string& a = args[i++];
    bool long_form = a.rfind("--", 0) == 0;
    std::string name = long_form ? a.substr(2, a.find('=') == std::string::npos ? std::string::npos : a.find('=') - 2) : "";
    bool inline_value = long_form ? a.find('=') != std::string::npos : a.size() > 2;
    const FlagSpec* spec = nullptr;
    static const FlagSpec kIdentity{"identity", 0, false};
    if (long_form && name == "identity") spec = &kIdentity;
    for (const auto& g : global_flags())
      if ((long_form && g.name == name) || (!long_form && g.shorthand == a[1])) spec = &g;
    if (!spec) {
      if (long_form) throw Error(ErrorKind::Usage, "unknown flag: --" + name).hint("Run 'atmos --help' for usage.");
      throw Error(ErrorKind::Usage, std::string("unknown shorthand flag: '") + a[1] + "' in " + a).hint("Run 'atmos --help' for usage.");
    }
    leading.push_back(a);
    if (spec->boolean || inline_value) continue;
    if (spec == &kIdentity) {
      // A bare --identity (the selector) unless a value that is not a command follows.
      if (i < args.size() && args[i].rfind('-', 0) != 0 && !is_command(args[i])) leading.push_back(args[i++]);
      else leading.back() = "--identity=";
      continue;
    }
    if (i >= args.size()) throw Error(ErrorKind::Usage, "flag needs an argument: " + a);
    leading.push_back(args[i++]);
  }
  std::vector<std::string> out(args.begin() + static_cast<long>(i), args.end());
  if (leading.empty() || out.empty()) return out;
  auto dash = std::find(out.begin(), out.end(), "--");
  out.insert(dash, leading.begin(), leading.end());
  return out;
}

// An unknown flag or subcommand also gets the closest valid name and the command's --help.
void add_usage_hints(Error& e, const std::vector<std::string>& args) {
  if (e.kind() != ErrorKind::Usage || !e.hints().empty()) return;
  const std::string& m = e.message();
  bool unknown_flag = m.rfind("unknown flag: --", 0) == 0, unknown_command = m.rfind("unknown command \"", 0) == 0;
  if (!unknown_flag && !unknown_command && m.rfind("unknown shorthand flag", 0) != 0) return;
  std::vector<std::string> words(args.begin(), std::find(args.begin(), args.end(), "--"));
  const HelpCommand& node = find_command(words);
  if (unknown_flag) {
    std::vector<std::string> names;
    for (const auto& f : node.flags) names.push_back(f.name);
    for (const auto& f : global_flags()) names.push_back(f.name);
    auto near = closest_names(m.substr(16), names, 1);
    if (!near.empty()) e.hint("Did you mean --" + near.front() + "?");
  }
  if (unknown_command) {
    std::string word = m.substr(17, m.find('"', 17) - 17), prefix = node.path.empty() ? "" : node.path + " ";
    std::vector<std::string> names;
    for (const auto& c : command_tree())
      if (!c.path.empty() && c.path.rfind(prefix, 0) == 0 && c.path.find(' ', prefix.size()) == std::string::npos)
        names.push_back(c.path.substr(prefix.size()));
    auto near = closest_names(word, names, 1);
    if (!near.empty()) e.hint("Did you mean " + near.front() + "?");
  }
  e.hint("Run 'atmos " + (node.path.empty() ? "" : node.path + " ") + "--help' for usage.");
}

// Colors (core/color.hpp): the environment, then the global flags --no-color/--force-color (anywhere before `--`);
// atmos.yaml's settings.terminal joins when a command loads it (load_config).
void configure_colors(const std::vector<std::string>& args) {
  color::Settings colors = color::from_environment(ProcessEnvironment());
  for (const auto& a : args) {
    if (a == "--") break;
    for (auto [name, target] : {std::pair<std::string, bool*>{"--no-color", &colors.no_color}, {"--force-color", &colors.force}}) {
      if (a == name) *target = true;
      else if (a.rfind(name + "=", 0) == 0) *target = parse_go_bool(a.substr(name.size() + 1)).value_or(*target);  // a bad value is the parser's error
    }
  }
  color::configure(colors);
}

int run(const std::vector<std::string>& raw_args) {
  configure_colors(raw_args);
  if (!raw_args.empty() && raw_args[0] == "__complete") {
    try {
      register_config_commands(raw_args);
    } catch (const Error&) {
    }
    return cmd_complete(std::vector<std::string>(raw_args.begin() + 1, raw_args.end()));
  }
  const std::vector<std::string> args = move_leading_flags(raw_args);
  register_config_commands(args);
  if (args.empty()) {
    std::fputs(help_text(command_tree().front(), 2).c_str(), stderr);
    return 1;
  }
  if (print_help_if_asked(args)) return 0;
  std::vector<std::string> rest(args.begin() + 1, args.end());
  const std::string& cmd = args[0];
  try {
    if (auto code = run_config_command(args)) return *code;
    if (cmd == "version" || cmd == "--version") return cmd_version(rest);
    if (cmd == "describe") return cmd_describe(rest);
    if (cmd == "list") return cmd_list(rest);
    if (cmd == "validate") return cmd_validate(rest);
    if (cmd == "terraform") return cmd_terraform(rest);
    if (cmd == "auth") return cmd_auth(rest);
    if (cmd == "completion") return cmd_completion(rest);
    if (cmd == "workflow") return cmd_workflow(rest);
    if (cmd == "vendor") return cmd_vendor(rest);
  } catch (Error& e) {
    add_usage_hints(e, args);
    throw;
  }
  Error e(ErrorKind::Usage, "unknown command \"" + cmd + "\" for \"atmos\"");
  auto near = closest_names(cmd, command_names(), 1);
  if (!near.empty()) e.hint("Did you mean " + near.front() + "?");
  e.hint("Run 'atmos --help' for usage.");
  throw e;
}

}  // namespace atmos::cli
