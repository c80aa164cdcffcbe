// `atmos terraform <subcommand> <component> -s <stack> [flags] [-- terraform args]`, `terraform generate
// varfile|backend` and `terraform version` (docs/architecture.md#one-command-from-argv-to-terraform).
#include <filesystem>
#include <map>
#include <set>

#include "cli/args.hpp"
#include "cli/auth_runtime.hpp"
#include "cli/child_credentials.hpp"
#include "cli/context.hpp"
#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "stacks/provenance.hpp"
#include "stacks/engine.hpp"
#include "stacks/validate.hpp"
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
      {"credentials-endpoint", 0, true},
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
                                 const std::vector<std::string>& cli_args, const ParsedArgs* args,
                                 stacks::StackComponent* found = nullptr) {
  stacks::StackEngine& engine = process_engine(cfg);
  if (args) install_functions(engine, cfg, *args);
  stacks::StackComponent sc = engine.find_component(component, stack);
  if (found) *found = sc;
  return terraform::Target{component, sc.stack, engine.workspace(sc), engine.describe_component(sc, cli_args, false)};
}

// A path as a person reads it: relative to the repository's base path when inside it.
std::string display_path(const std::string& path, const config::CliConfig& cfg) {
  std::string rel = std::filesystem::path(path).lexically_relative(cfg.base_path_abs).string();
  return rel.empty() || rel.rfind("..", 0) == 0 ? path : rel;
}

// The account an identity lands in, as its configuration names it.
std::string account_of(const auth::AuthConfig& config, const std::string& identity) {
  const auth::Identity* id = config.find_identity(identity);
  if (!id) return "";
  if (id->kind == "aws/permission-set") {
    std::string account = id->str({"principal", "account", "name"});
    Value numeric = id->raw.at({"principal", "account", "id"});
    if (!numeric.is_null()) account = numeric.is_string() ? numeric.as_string() : describe_value(numeric);
    return account;
  }
  if (id->kind == "aws/assume-root") return id->str({"principal", "target_principal"});
  std::string arn = id->kind == "aws/user" ? id->str({"credentials", "mfa_arn"}) : id->str({"principal", "assume_role"});
  std::size_t start = 0;
  for (int field = 0; field < 4 && start != std::string::npos; ++field) start = arn.find(':', start) + 1;
  std::size_t end = arn.find(':', start);
  return start == 0 || end == std::string::npos ? "" : arn.substr(start, end - start);
}

// Picks the identity for the run (flag > ATMOS_IDENTITY > the stack's default > the profile's default), says on
// stderr which one and why, and authenticates it before Terraform starts, so a run never
// uses a wrong identity by surprise (docs/auth.md#which-identity-a-command-runs-as). A dry run resolves and reports but does not authenticate.
class TerraformIdentity {
 public:
  // With `endpoint`, every Terraform child of the run gets a credentials endpoint for the identity.
  TerraformIdentity(const config::CliConfig& cfg, const stacks::StackComponent& sc, bool dry_run, EndpointProcessRunner* endpoint)
      : cfg_(cfg), sc_(sc), dry_run_(dry_run), endpoint_(endpoint) {}

  terraform::IdentityEnvironment operator()(const Value& section, const terraform::IdentitySelection& selection) {
    using Mode = terraform::IdentitySelection::Mode;
    if (selection.mode == Mode::Disabled) {
      log::debug("Authentication explicitly disabled, skipping identity authentication");
      return {};
    }
    Value auth = section.get("auth");
    auth::AuthConfig probe = auth::AuthConfig::from(auth, cfg_.identity_files);
    if (probe.empty() && selection.mode == Mode::Default) return {};
    runtime_ = std::make_unique<AuthRuntime>(cfg_, auth);

    auth::ResolutionRequest req;
    if (selection.mode == Mode::Select) req.flag = "";
    if (selection.mode == Mode::Named) (selection.source == "env" ? req.env : req.flag) = selection.name;
    for (const auto& m : stacks::stack_default_identities(*sc_.manifest, sc_.component, sc_.section))
      req.stack_defaults.push_back({m.identity, display_path(m.file, cfg_)});
    req.config = &runtime_->config;
    req.config_files = cfg_.loaded_files;
    for (const auto& f : cfg_.profile_files) req.config_files.push_back(f);
    TerminalChooser chooser(runtime_->terminal);
    auth::IdentityChoice choice;
    try {
      choice = auth::resolve_identity(req, runtime_->interactive() ? &chooser : nullptr);
    } catch (Error& e) {
      std::vector<std::string> named;
      if (req.flag && !req.flag->empty()) named.push_back(*req.flag);
      if (req.env) named.push_back(*req.env);
      for (const auto& m : req.stack_defaults) named.push_back(m.identity);
      add_profile_hints(e, cfg_, named);
      throw;
    }
    if (choice.source == auth::IdentitySource::Disabled) return {};

    std::string profiles;
    for (const auto& p : cfg_.active_profiles) profiles += (profiles.empty() ? "" : ",") + p;
    std::string account = account_of(runtime_->config, choice.identity);
    description_ = choice.identity + (account.empty() ? "" : ", account " + account) + ", profile " +
                   (profiles.empty() ? "(none)" : profiles);
    std::fprintf(stderr, "%s %s (%s), account %s, profile %s\n", dry_run_ ? "Would run as" : "Running as",
                 choice.identity.c_str(), choice.reason().c_str(), account.empty() ? "(unknown)" : account.c_str(),
                 profiles.empty() ? "(none)" : profiles.c_str());
    log::debug("Identity resolved identity={} reason={} stack={} component={}", choice.identity, choice.reason(),
               sc_.stack, sc_.component);
    if (!dry_run_) {
      auth::AuthOptions options;
      // Terraform may sign in (device flow, MFA prompt): the provider decides from CI, the terminal and $BROWSER.
      options.interactive = true;
      options.login_command = "atmos auth login --identity " + choice.identity;
      options.mfa_token = runtime_->env.get_or("ATMOS_MFA_TOKEN", "");
      // Pre-flight: credentials with less than the configured minimum left are re-minted before Terraform starts.
      runtime_->manager.set_min_validity(credentials_min_validity(cfg_));
      auth::AuthSession session = runtime_->manager.authenticate(choice.identity, options);
      if (endpoint_) endpoint_->serve(runtime_->manager, session.identity, session.credentials.aws);
      // Identities marked `required: true` are signed in too (upstream's hook), without failing the run.
      for (const auto& id : runtime_->config.identities()) {
        if (!id.raw.get("required").is_bool() || !id.raw.get("required").as_bool() || auth::lower(id.name) == auth::lower(choice.identity))
          continue;
        try {
          runtime_->manager.authenticate(id.name, options);
        } catch (const Error& e) {
          log::warn("Failed to authenticate additional identity (non-fatal) identity={} error={}", id.name, e.message());
        }
      }
    }
    auth::ChildEnvironment env = runtime_->manager.environment(choice.identity, true);
    return terraform::IdentityEnvironment{env.set, env.unset};
  }

  // One line after a failed run, so the identity is in view next to Terraform's error.
  void report_failure(int exit_code) const {
    if (exit_code != 0 && !description_.empty())
      std::fprintf(stderr, "Terraform exited with code %d running as %s\n", exit_code, description_.c_str());
  }

 private:
  const config::CliConfig& cfg_;
  const stacks::StackComponent& sc_;
  bool dry_run_;
  EndpointProcessRunner* endpoint_;
  std::unique_ptr<AuthRuntime> runtime_;
  std::string description_;
};

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
  terraform::Target target = resolve_target(cfg, args.positionals[0], args.get("stack"), {"terraform", "generate", argv[0]}, &args);
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
  terraform::RealProcessRunner real_processes;
  EndpointProcessRunner processes(real_processes);
  bool endpoint = credentials_endpoint_enabled(cfg, args);
  terraform::RunnerServices services{files, processes, os_environment()};
  if (inv.subcommand == "version") {
    terraform::Runner runner(settings, services);
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

  stacks::StackComponent sc;
  terraform::Target target =
      resolve_target(cfg, component, args.get("stack"), {"terraform", inv.subcommand, inv.subcommand2}, &args, &sc);
  // The component's `settings.validation` policies (upstream's validateTerraformComponent): a violation stops the
  // run before anything is written, authenticated or run.
  stacks::validate_component_policies(cfg, component, target.stack, target.section);
  TerraformIdentity identity(cfg, sc, inv.dry_run, endpoint ? &processes : nullptr);
  services.identity = std::ref(identity);
  terraform::Runner runner(settings, services);
  int code = runner.run(inv, target);
  identity.report_failure(code);
  return code;
}

}  // namespace atmos::cli
