// YAML functions for the commands that evaluate them (describe stacks|component, terraform *): the evaluator,
// the external functions over AWS and Terraform, and the identities they read as.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

#include "cli/auth_runtime.hpp"
#include "cli/context.hpp"
#include "core/error.hpp"
#include "core/json_parse.hpp"
#include "core/log.hpp"
#include "functions/cloud.hpp"
#include "stacks/functions.hpp"
#include "stacks/provenance.hpp"
#include "terraform/runner.hpp"

namespace atmos::cli {
namespace {

// atmos.Component inside a component that atmos.Component describes, and so on.
constexpr int kMaxComponentDepth = 8;

std::string display_path(const std::string& path, const config::CliConfig& cfg) {
  std::string rel = std::filesystem::path(path).lexically_relative(cfg.base_path_abs).string();
  return rel.empty() || rel.rfind("..", 0) == 0 ? path : rel;
}

std::string profiles_text(const config::CliConfig& cfg) {
  std::string out;
  for (const auto& p : cfg.active_profiles) out += (out.empty() ? "" : ", ") + p;
  return out.empty() ? "(none)" : out;
}

// The identities reads are made as. One AuthRuntime (atmos.yaml + the active profile) for the whole command, so
// each provider signs in at most once and each identity is authenticated once.
class CommandIdentities final : public functions::Identities {
 public:
  CommandIdentities(const config::CliConfig& cfg, std::optional<std::string> flag) : cfg_(cfg), flag_(std::move(flag)) {
    ProcessEnvironment env;
    if (!flag_) {
      if (auto v = env.get("ATMOS_IDENTITY"); v && !v->empty()) flag_ = *v;
    }
  }

  std::optional<functions::ReadIdentity> for_component(const stacks::StackComponent& sc, const Value&) override {
    if (flag_) {
      if (flag_->empty() || auth::is_disabled_value(*flag_)) return std::nullopt;
      return named(*flag_);
    }
    auto marks = stacks::stack_default_identities(*sc.manifest, sc.component, sc.section);
    if (marks.empty()) return std::nullopt;
    if (marks.size() > 1) {
      std::string list;
      for (const auto& m : marks) list += "\n  - " + m.identity + " (set in " + display_path(m.file, cfg_) + ")";
      throw Error(ErrorKind::Auth, "multiple default identities for component `" + sc.component + "` in stack `" + sc.stack + "`")
          .explain("A YAML function reads this component's state as its stack's default identity, but several are marked:" + list)
          .hint("Keep one default, or pass --identity <name>");
    }
    const std::string& identity = marks.front().identity;
    if (!runtime().config.find_identity(identity)) {
      Error e(ErrorKind::Auth, "identity `" + identity + "` is not defined in the active profile (" + profiles_text(cfg_) + ")");
      e.explain("Component `" + sc.component + "` in stack `" + sc.stack + "` is read as its stack's default identity `" +
                identity + "` (set in " + display_path(marks.front().file, cfg_) + "), which the active configuration does " +
                "not define. Reading it with another identity's credentials would reach the wrong account, so nothing was read.");
      add_profile_hints(e, cfg_, {identity});
      throw e;
    }
    log::debug("YAML function reads as the stack default identity={} component={} stack={} file={}", identity, sc.component,
               sc.stack, display_path(marks.front().file, cfg_));
    return named(identity);
  }

  functions::ReadIdentity named(const std::string& identity) override {
    std::string key = auth::lower(identity);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    AuthRuntime& rt = runtime();
    const auth::Identity* id = rt.config.find_identity(identity);
    if (!id) {
      Error e(ErrorKind::Auth, "identity `" + identity + "` is not defined in the active profile (" + profiles_text(cfg_) + ")");
      add_profile_hints(e, cfg_, {identity});
      throw e;
    }
    auth::AuthOptions options;
    options.interactive = true;
    options.login_command = "atmos auth login --identity " + id->name;
    options.mfa_token = rt.env.get_or("ATMOS_MFA_TOKEN", "");
    auth::AuthSession session = rt.manager.authenticate(id->name, options);
    functions::ReadIdentity out;
    out.name = id->name;
    out.credentials = session.credentials.aws;
    out.region = rt.manager.region(id->name);
    if (out.region.empty()) out.region = session.credentials.region;
    auth::ChildEnvironment env = rt.manager.environment(id->name, true);
    out.env_set = env.set;
    out.env_unset = env.unset;
    log::debug("Authenticated for YAML functions identity={} reused={}", id->name, session.reused);
    return cache_.emplace(key, out).first->second;
  }

  functions::ReadIdentity ambient() override {
    // --identity=false: no Atmos authentication at all, the environment's credentials only.
    if (!flag_ || !auth::is_disabled_value(*flag_)) {
      AuthRuntime& rt = runtime();
      std::vector<std::string> defaults;
      for (const auto& id : rt.config.identities())
        if (id.is_default) defaults.push_back(id.name);
      if (defaults.size() == 1) return named(defaults.front());
    }
    ProcessEnvironment env;
    std::string key = env.get_or("AWS_ACCESS_KEY_ID", "");
    std::string secret = env.get_or("AWS_SECRET_ACCESS_KEY", "");
    if (key.empty() || secret.empty())
      throw Error(ErrorKind::Auth, "no identity to read as")
          .explain("Neither the referenced component's stack, the calling component's stack nor the active profile (" +
                   profiles_text(cfg_) + ") sets a default identity, and no AWS credentials are in the environment.")
          .hint("Mark a default identity in the stack's _defaults.yaml, or pass --identity <name>");
    functions::ReadIdentity out;
    out.credentials.access_key_id = key;
    out.credentials.secret_access_key = Secret(secret);
    out.credentials.session_token = Secret(env.get_or("AWS_SESSION_TOKEN", ""));
    out.region = env.get_or("AWS_REGION", env.get_or("AWS_DEFAULT_REGION", ""));
    return out;
  }

  AuthRuntime& runtime() {
    if (!runtime_) runtime_ = std::make_unique<AuthRuntime>(cfg_);
    return *runtime_;
  }

 private:
  const config::CliConfig& cfg_;
  std::optional<std::string> flag_;
  std::unique_ptr<AuthRuntime> runtime_;
  std::map<std::string, functions::ReadIdentity> cache_;
};

// Runs Terraform for `!terraform.output`: init and workspace quietly (their output kept for errors), `output`
// with its stdout captured.
class CapturingProcesses final : public terraform::ProcessRunner {
 public:
  terraform::ProcessResult run(const terraform::ProcessSpec& spec) override {
    if (spec.args.empty() || spec.args.front() != "output") {
      terraform::ProcessSpec quiet = spec;
      quiet.capture_output = true;
      terraform::ProcessResult r = real_.run(quiet);
      if (r.exit_code != 0) log_ += r.output;
      return r;
    }
    std::string path_value;
    for (const auto& e : spec.env)
      if (e.rfind("PATH=", 0) == 0) path_value = e.substr(5);
    std::string program = terraform::find_program(spec.program, path_value);
    if (program.empty()) throw Error(ErrorKind::Io, "'" + spec.program + "' was not found in PATH");
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw Error(ErrorKind::Io, std::string("pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
    std::vector<std::string> argv_s{program};
    argv_s.insert(argv_s.end(), spec.args.begin(), spec.args.end());
    std::vector<char*> argv, envp;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_s = spec.env;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) {
      close(out[0]);
      throw Error(ErrorKind::Io, "failed to run '" + program + "': " + std::strerror(rc));
    }
    terraform::ProcessResult result;
    char buf[65536];
    for (;;) {
      ssize_t n = read(out[0], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      result.output.append(buf, static_cast<std::size_t>(n));
    }
    close(out[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    output = result.output;
    return result;
  }

  std::string output;  // the `output -json` text
  std::string log_;    // output of failed steps

 private:
  terraform::RealProcessRunner real_;
};

std::optional<Value> terraform_outputs(const config::CliConfig& cfg, const stacks::StackComponent& sc, const Value& section,
                                       const functions::ReadIdentity& who) {
  terraform::RealFileSystem files;
  CapturingProcesses processes;
  terraform::RunnerServices services{files, processes, terraform::process_environment()};
  services.identity = [&who](const Value&, const terraform::IdentitySelection&) {
    return terraform::IdentityEnvironment{who.env_set, who.env_unset};
  };
  terraform::RunnerSettings settings = terraform::runner_settings(cfg, std::filesystem::current_path().string());
  terraform::Runner runner(settings, services);
  terraform::Invocation inv;
  inv.subcommand = "output";
  inv.args = {"-json"};
  inv.outputs_for_functions = true;
  std::string workspace = section.get("workspace").is_string() ? section.get("workspace").as_string() : "default";
  terraform::Target target{sc.component, sc.stack, workspace, section};
  // The runner prints nothing of its own on stdout for `output`; Terraform's stdout is captured above.
  int code = runner.run(inv, target);
  if (code != 0)
    throw Error(ErrorKind::Stack, "terraform output failed for component `" + sc.component + "` in stack `" + sc.stack +
                                      "` (exit code " + std::to_string(code) + ")")
        .explain(processes.log_.empty() ? std::string("Terraform printed nothing.") : processes.log_);
  Value parsed;
  try {
    parsed = parse_json(processes.output, true);
  } catch (const Error& e) {
    throw Error(ErrorKind::Stack, "terraform output -json of component `" + sc.component + "` in stack `" + sc.stack +
                                      "` is not JSON: " + e.message());
  }
  if (!parsed.is_map()) return std::nullopt;
  Map outputs;
  for (const auto& [name, output] : parsed.as_map()) outputs.emplace_back(name, output.get("value"));
  return Value::sorted_map(std::move(outputs));
}

}  // namespace

functions::CloudFunctions& install_functions(stacks::StackEngine& engine, const config::CliConfig& cfg, const ParsedArgs& args) {
  ProcessEnvironment env_probe;
  stacks::FunctionOptions options;
  if (auto v = env_probe.get("ATMOS_PROCESS_FUNCTIONS"); v && !v->empty())
    options.enabled = parse_go_bool(*v).value_or(true);
  if (args.has("process-functions")) options.enabled = args.flag("process-functions");
  options.skip = args.list("skip");
  std::optional<std::string> identity = args.last("identity");
  // Objects live as long as the process, like the engine itself.
  auto* env = new ProcessEnvironment();
  auto* identities = new CommandIdentities(cfg, identity);
  auto* transport = new LazyCurlTransport(*env);
  auto* clock = new aws::SystemClock();
  auto* external = new functions::CloudFunctions(
      cfg, engine, *identities, *transport, *clock, *env,
      [&cfg](const stacks::StackComponent& sc, const Value& section, const functions::ReadIdentity& who) {
        return terraform_outputs(cfg, sc, section, who);
      });
  auto* evaluator = new stacks::FunctionEvaluator(cfg, *env, options, external);
  engine.set_functions(evaluator);
  if (const auto& hooks = engine.template_hooks()) {
    // Templates render on the engine's worker threads too; the engine and the caches are used by one at a time.
    auto* lock = new std::recursive_mutex();
    hooks->component = [&engine, external, lock](const std::string& component, const std::string& stack) {
      static thread_local int depth = 0;
      if (depth >= kMaxComponentDepth)
        throw Error(ErrorKind::Stack, "atmos.Component calls nest more than " + std::to_string(kMaxComponentDepth) +
                                          " levels deep (components referencing each other in a cycle?)");
      std::lock_guard guard(*lock);
      ++depth;
      struct Leave {
        ~Leave() { --depth; }
      } leave;
      stacks::StackComponent sc = engine.find_component(component, stack);
      Value section = engine.describe_component(sc, {}, false);
      std::optional<Value> outputs = external->terraform_output(sc, component, stack);
      return section.with("outputs", outputs ? *outputs : Value::empty_map());
    };
    hooks->store = [&engine, external, lock](const std::string& store, const std::string& stack, const std::string& component,
                                             const std::string& key) {
      static thread_local int depth = 0;
      if (depth >= kMaxComponentDepth)
        throw Error(ErrorKind::Stack, "atmos.Store calls nest more than " + std::to_string(kMaxComponentDepth) + " levels deep");
      std::lock_guard guard(*lock);
      ++depth;
      struct Leave {
        ~Leave() { --depth; }
      } leave;
      if (!engine.config().raw.at({"stores", store}).is_map()) throw Error(ErrorKind::Stack, "store `" + store + "` not found");
      stacks::StackComponent sc = engine.find_component(component, stack);
      std::optional<Value> value = external->store_get(sc, store, stack, component, key);
      if (!value) throw Error(ErrorKind::Stack, "key `" + key + "` not found in store `" + store + "`");
      return *value;
    };
  }
  return *external;
}

}  // namespace atmos::cli
