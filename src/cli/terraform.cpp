// `atmos terraform <subcommand> <component> -s <stack> [flags] [-- terraform args]`, `terraform generate
// varfile|backend|files|varfiles|backends|planfile`, `terraform clean`, `terraform plan-diff`, `terraform version`
// (docs/architecture.md#one-command-from-argv-to-terraform) and runs over many instances (`--all`, `--affected`, …).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "cli/affected.hpp"
#include "cli/args.hpp"
#include "cli/auth_runtime.hpp"
#include "cli/child_credentials.hpp"
#include "cli/context.hpp"
#include "cli/hooks.hpp"
#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/glob.hpp"
#include "core/json_emit.hpp"
#include "core/log.hpp"
#include "core/yaml_emit.hpp"
#include "stacks/dependents.hpp"
#include "stacks/engine.hpp"
#include "stacks/provenance.hpp"
#include "stacks/validate.hpp"
#include "stacks/yq.hpp"
#include "terraform/generate_section.hpp"
#include "terraform/generated_files.hpp"
#include "terraform/guard.hpp"
#include "terraform/plan_diff.hpp"
#include "terraform/runner.hpp"

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
      {"ignore-unsupported", 0, true},
      {"orig", 0, false},
      {"new", 0, false},
      {"max-concurrency", 0, false},
      {"base", 0, false},
      {"ref", 0, false},
      {"sha", 0, false},
      {"repo-path", 0, false},
      {"clone-target-ref", 0, true},
      {"ssh-key", 0, false},
      {"ssh-key-password", 0, false},
      {"include-dependents", 0, true},
      {"exclude-locked", 0, true},
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
                                 stacks::StackComponent* found = nullptr, functions::CloudFunctions** cloud = nullptr) {
  stacks::StackEngine& engine = process_engine(cfg);
  if (args) {
    functions::CloudFunctions& installed = install_functions(engine, cfg, *args);
    if (cloud) *cloud = &installed;
  }
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

// Every non-abstract Terraform component instance, in manifest order, whose stack (canonical name, file key or the
// file key's last segment, each a glob) matches one of `stacks` and whose name is one of `components` (empty
// filters keep everything). Without `evaluate_functions` YAML functions stay unevaluated (what `clean` needs does
// not depend on them, and evaluating them may need credentials).
std::vector<terraform::Target> all_targets(const config::CliConfig& cfg, const ParsedArgs& args, const std::vector<std::string>& stacks,
                                           const std::vector<std::string>& components, const std::vector<std::string>& cli_args,
                                           bool evaluate_functions = true) {
  stacks::StackEngine& engine = process_engine(cfg);
  if (evaluate_functions) install_functions(engine, cfg, args);
  auto stack_matches = [&](const std::string& stack, const std::string& file_key) {
    if (stacks.empty()) return true;
    std::string base = std::filesystem::path(file_key).filename().string();
    for (const auto& pattern : stacks)
      if (glob_match(pattern, stack) || glob_match(pattern, file_key) || glob_match(pattern, base)) return true;
    return false;
  };
  std::vector<terraform::Target> out;
  for (const auto& m : engine.manifests()) {
    for (const auto& [name, section] : m.terraform.as_map()) {
      if (!components.empty() && std::find(components.begin(), components.end(), name) == components.end()) continue;
      if (section.at({"metadata", "type"}).is_string() && section.at({"metadata", "type"}).as_string() == "abstract") continue;
      std::string stack = engine.stack_name(m, section);
      if (!stack_matches(stack, m.file_key)) continue;
      stacks::StackComponent sc{&m, name, section, stack};
      out.push_back(terraform::Target{name, stack, engine.workspace(sc), engine.describe_component(sc, cli_args, false)});
    }
  }
  return out;
}

// ---- `atmos terraform <plan|apply|deploy|destroy> --affected|--all|--components|--query` (docs/affected.md#running-terraform-on-many-instances)

// The identity a run of the instance uses, for the plan of work and the summary (resolved, not authenticated).
std::string planned_identity(const config::CliConfig& cfg, stacks::StackEngine& engine, const stacks::StackComponent& sc,
                             const ParsedArgs& args) {
  ProcessEnvironment env;
  terraform::IdentitySelection selection = terraform::select_identity(args.last("identity"), env);
  using Mode = terraform::IdentitySelection::Mode;
  if (selection.mode == Mode::Disabled) return "(none)";
  if (selection.mode == Mode::Named) return selection.name;
  Value section = engine.describe_component(sc, {"terraform"}, false);
  auth::AuthConfig config = auth::AuthConfig::from(section.get("auth"), cfg.identity_files);
  if (config.empty()) return "(none)";
  auth::ResolutionRequest req;
  for (const auto& m : stacks::stack_default_identities(*sc.manifest, sc.component, sc.section))
    req.stack_defaults.push_back({m.identity, display_path(m.file, cfg)});
  req.config = &config;
  try {
    return auth::resolve_identity(req, nullptr).identity;
  } catch (const Error&) {
    return "(unresolved)";
  }
}

struct Job {
  std::size_t instance = 0;
  std::string name;      // "vpc in plat-use2-dev"
  std::string identity;
  std::vector<std::size_t> waits;  // jobs that must succeed first
  enum class State { Pending, Running, Ok, Failed, Skipped } state = State::Pending;
  pid_t pid = 0;
  int exit_code = 0;
  std::chrono::steady_clock::time_point start;
  double seconds = 0;
};

// The flags a child run keeps: everything but the selection, the base and the run's own.
std::vector<std::string> forwarded_flags(const ParsedArgs& args) {
  static const std::set<std::string> kDropped = {"all",  "affected",   "components", "query",     "stack",
                                                  "max-concurrency", "base", "ref", "sha", "repo-path",
                                                  "clone-target-ref", "ssh-key", "ssh-key-password",
                                                  "include-dependents", "exclude-locked", "dry-run", "chdir"};
  std::vector<std::string> out;
  for (const auto& [name, values] : args.values)
    if (!kDropped.count(name))
      for (const auto& v : values) out.push_back("--" + name + "=" + v);
  return out;
}

// Selected instance indexes of `graph`: --affected (with --include-dependents, their dependents too), else every
// instance; narrowed by --components and --query (kept when the expression is neither null nor false).
std::vector<std::size_t> select_instances(const ParsedArgs& args, const config::CliConfig& cfg, stacks::StackEngine& engine,
                                          const stacks::DependencyGraph& graph) {
  std::set<std::size_t> chosen;
  if (args.flag("affected")) {
    std::function<void(const Value&)> add = [&](const Value& list) {
      if (!list.is_list()) return;
      for (const Value& a : list.as_list()) {
        if (a.get("deleted").is_bool()) continue;
        std::size_t i = graph.find(a.get("component").as_string(), a.get("stack").as_string());
        if (i != stacks::DependencyGraph::npos) chosen.insert(i);
        add(a.get("dependents"));
      }
    };
    add(compute_affected(args, cfg, engine));
  } else {
    for (std::size_t i = 0; i < graph.instances().size(); ++i) chosen.insert(i);
  }
  std::vector<std::string> components = args.list("components");
  std::vector<std::size_t> out;
  for (std::size_t i : chosen) {
    const stacks::Instance& in = graph.instances()[i];
    if (in.component_type != "terraform") continue;
    if (!components.empty() && std::find(components.begin(), components.end(), in.component) == components.end()) continue;
    if (args.has("query")) {
      Value v = stacks::yq_evaluate(in.section, args.get("query"));
      if (v.is_null() || (v.is_bool() && !v.as_bool())) continue;
    }
    out.push_back(i);
  }
  return out;
}

// Jobs in `order` each wait for the earlier jobs they depend on (through any instances, selected or not);
// `reverse` (destroy) makes them wait for their dependents instead.
void link_jobs(std::vector<Job>& jobs, const stacks::DependencyGraph& graph, bool reverse) {
  std::map<std::size_t, std::size_t> job_of;
  for (std::size_t j = 0; j < jobs.size(); ++j) job_of[jobs[j].instance] = j;
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    std::set<std::size_t> seen;
    std::vector<std::size_t> todo{jobs[j].instance};
    while (!todo.empty()) {
      std::size_t v = todo.back();
      todo.pop_back();
      for (std::size_t d : reverse ? graph.dependents(v) : graph.dependencies(v)) {
        if (!seen.insert(d).second) continue;
        if (auto it = job_of.find(d); it != job_of.end()) jobs[j].waits.push_back(it->second);
        todo.push_back(d);
      }
    }
  }
}

std::string format_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", s);
  return buf;
}

void print_summary(const std::vector<Job>& jobs) {
  std::vector<std::vector<std::string>> rows{{"INSTANCE", "IDENTITY", "RESULT", "DURATION"}};
  for (const Job& j : jobs) {
    std::string result = j.state == Job::State::Ok       ? "ok"
                         : j.state == Job::State::Failed ? "failed (exit " + std::to_string(j.exit_code) + ")"
                                                         : "skipped (a dependency failed)";
    rows.push_back({j.name, j.identity, result, j.state == Job::State::Skipped ? "-" : format_seconds(j.seconds)});
  }
  std::vector<std::size_t> width(4, 0);
  for (const auto& r : rows)
    for (std::size_t i = 0; i < 4; ++i) width[i] = std::max(width[i], r[i].size());
  std::fputs("\n", stderr);
  for (const auto& r : rows)
    std::fprintf(stderr, "%-*s  %-*s  %-*s  %s\n", static_cast<int>(width[0]), r[0].c_str(), static_cast<int>(width[1]),
                 r[1].c_str(), static_cast<int>(width[2]), r[2].c_str(), r[3].c_str());
}

int run_instances(const ParsedArgs& args) {
  std::string sub = args.positionals.empty() ? "" : args.positionals.front();
  if (sub != "plan" && sub != "apply" && sub != "deploy" && sub != "destroy")
    throw Error(ErrorKind::Usage, "--all, --affected, --components and --query run plan, apply, deploy or destroy, not '" + sub + "'");
  if (args.positionals.size() > 1)
    throw Error(ErrorKind::Usage, "--all, --affected, --components and --query select the components: do not name one ('" +
                                      args.positionals[1] + "')");
  long concurrency = 1;
  if (args.has("max-concurrency")) {
    char* end = nullptr;
    std::string v = args.get("max-concurrency");
    concurrency = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end || concurrency < 1 || concurrency > 64)
      throw Error(ErrorKind::Usage, "invalid --max-concurrency '" + v + "': a number from 1 to 64");
  }
  config::CliConfig cfg = load_config(args);
  stacks::StackEngine& engine = process_engine(cfg);
  install_functions(engine, cfg, args);
  stacks::StackEngine::DescribeStacksOptions opts;
  opts.stack = args.get("stack");
  stacks::DependencyGraph graph(engine.describe_stacks(opts));
  std::vector<std::size_t> order = graph.order(select_instances(args, cfg, engine, graph));
  bool reverse = sub == "destroy";
  if (reverse) std::reverse(order.begin(), order.end());

  std::vector<Job> jobs;
  for (std::size_t i : order) {
    const stacks::Instance& in = graph.instances()[i];
    stacks::StackComponent sc = engine.find_component(in.component, in.stack);
    Job job;
    job.instance = i;
    job.name = in.component + " in " + in.stack;
    job.identity = planned_identity(cfg, engine, sc, args);
    jobs.push_back(std::move(job));
  }
  link_jobs(jobs, graph, reverse);
  std::vector<std::string> flags = forwarded_flags(args);
  auto child_args = [&](const Job& j) {
    const stacks::Instance& in = graph.instances()[j.instance];
    std::vector<std::string> a{"atmos", "terraform", sub, in.component, "-s", in.stack};
    a.insert(a.end(), flags.begin(), flags.end());
    if (!args.passthrough.empty()) {
      a.push_back("--");
      a.insert(a.end(), args.passthrough.begin(), args.passthrough.end());
    }
    return a;
  };
  auto command_line = [&](const Job& j) {
    std::string line;
    for (const auto& w : child_args(j)) line += (line.empty() ? "" : " ") + w;
    return line;
  };

  if (args.flag("dry-run")) {
    std::printf("Plan of work: terraform %s on %zu instance%s (%s), at most %ld at once\n", sub.c_str(), jobs.size(),
                jobs.size() == 1 ? "" : "s", reverse ? "dependents first" : "dependencies first", concurrency);
    for (std::size_t j = 0; j < jobs.size(); ++j) {
      std::string after;
      for (std::size_t w : jobs[j].waits) after += (after.empty() ? "" : ", ") + jobs[w].name;
      std::printf("%zu. %s as %s%s\n   %s\n", j + 1, jobs[j].name.c_str(), jobs[j].identity.c_str(),
                  after.empty() ? "" : (" after " + after).c_str(), command_line(jobs[j]).c_str());
    }
    return 0;
  }
  if (jobs.empty()) {
    std::fputs("No component instances selected\n", stderr);
    return 0;
  }

  std::size_t done = 0, running = 0;
  auto finish = [&](Job& j) {
    ++done;
    std::fprintf(stderr, "[%zu/%zu] %s: %s (%s)\n", done, jobs.size(), j.name.c_str(),
                 j.state == Job::State::Ok ? "ok" : j.state == Job::State::Failed ? "failed" : "skipped, a dependency failed",
                 format_seconds(j.seconds).c_str());
  };
  while (done < jobs.size()) {
    for (Job& j : jobs) {
      if (j.state != Job::State::Pending || static_cast<long>(running) >= concurrency) continue;
      bool blocked = false, broken = false;
      for (std::size_t w : j.waits) {
        Job::State st = jobs[w].state;
        if (st == Job::State::Failed || st == Job::State::Skipped) broken = true;
        else if (st != Job::State::Ok) blocked = true;
      }
      if (broken) {
        j.state = Job::State::Skipped;
        finish(j);
        continue;
      }
      if (blocked) continue;
      std::vector<std::string> a = child_args(j);
      std::fprintf(stderr, "[%zu/%zu] %s as %s: %s\n", done + running + 1, jobs.size(), j.name.c_str(), j.identity.c_str(),
                   command_line(j).c_str());
      std::fflush(stdout);
      std::fflush(stderr);
      std::vector<char*> argv;
      for (auto& w : a) argv.push_back(w.data());
      argv.push_back(nullptr);
      j.start = std::chrono::steady_clock::now();
      pid_t pid = fork();
      if (pid == 0) {
        execv("/proc/self/exe", argv.data());
        _exit(127);
      }
      if (pid < 0) throw Error(ErrorKind::Io, "failed to start a child run for " + j.name);
      j.pid = pid;
      j.state = Job::State::Running;
      ++running;
    }
    if (running == 0) continue;  // everything left was skipped just now
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) continue;
    for (Job& j : jobs) {
      if (j.state != Job::State::Running || j.pid != pid) continue;
      --running;
      j.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - j.start).count();
      j.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      j.state = j.exit_code == 0 ? Job::State::Ok : Job::State::Failed;
      finish(j);
    }
  }
  print_summary(jobs);
  for (const Job& j : jobs)
    if (j.state != Job::State::Ok) return 1;
  return 0;
}

// `atmos terraform generate files [<component> -s <stack> | --all [--stacks ...] [--components ...]] [--dry-run] [--clean]`.
int generate_files(const std::vector<std::string>& argv) {
  std::vector<FlagSpec> specs = terraform_flags();
  specs.push_back({"clean", 0, true});
  specs.push_back({"stacks", 0, false});
  ParsedArgs args = parse_args(argv, specs);
  bool all = args.flag("all");
  if (all && !args.positionals.empty())
    throw Error(ErrorKind::Usage, "invalid flag: cannot specify both a component and --all");
  if (!all && args.positionals.size() != 1)
    throw Error(ErrorKind::Usage, "invalid arguments. The command requires one argument `component` (or --all)");
  if (!all && args.get("stack").empty()) throw Error(ErrorKind::Usage, "`--stack` (`-s`) is required with a component");
  if (!all && (args.has("stacks") || args.has("components")))
    throw Error(ErrorKind::Usage, "`--stacks` and `--components` filter `--all`; with a component use `-s <stack>`");
  config::CliConfig cfg = load_config(args);
  const std::vector<std::string> cli_args{"terraform", "generate", "files"};
  std::vector<terraform::Target> targets;
  if (all) targets = all_targets(cfg, args, args.list("stacks"), args.list("components"), cli_args);
  else targets.push_back(resolve_target(cfg, args.positionals[0], args.get("stack"), cli_args, &args));
  terraform::RealFileSystem files;
  terraform::RealProcessRunner processes;
  terraform::Runner runner(settings_from(cfg, args), terraform::RunnerServices{files, processes, terraform::process_environment()});
  std::size_t count = 0;
  for (const auto& target : targets) count += runner.generate_files(target, args.flag("dry-run"), args.flag("clean"));
  if (count == 0) log::info("No generate section found");
  return 0;
}

// `atmos terraform clean [<component>] [-s <stack>] [--everything] [--force] [--skip-lock-file] [--dry-run]`: removes
// what atmos and the Terraform runs it started created for the selected component instances (all without a
// component), nothing else; asks first unless --force, and refuses without a terminal to ask on.
// `atmos terraform plan-diff <component> -s <stack> --orig <planfile> [--new <planfile>]`: without --new the current
// configuration is planned into a temporary planfile first. Exit 0 when the plans agree, 2 when they differ.
int run_plan_diff(terraform::Runner& runner, terraform::Invocation inv, const terraform::Target& target, const ParsedArgs& args) {
  std::string orig = args.get("orig");
  if (orig.empty()) throw Error(ErrorKind::Usage, "original plan file (--orig) is required");
  terraform::ComponentPaths paths = runner.paths_of(target);
  const std::string& dir = paths.dir;
  auto located = [&](const std::string& file) {
    std::filesystem::path p(file);
    return (p.is_absolute() ? p : std::filesystem::path(dir) / p).lexically_normal().string();
  };
  orig = located(orig);
  if (!std::filesystem::exists(orig)) throw Error(ErrorKind::Usage, "original plan file '" + orig + "' does not exist");
  std::string updated = args.get("new");
  bool temporary = updated.empty();
  if (temporary) {
    updated = located(paths.planfile + ".plan-diff");
    terraform::Invocation plan = inv;
    plan.subcommand = "plan";
    plan.args.insert(plan.args.end(), {"-out", updated});
    int code = runner.run(plan, target);
    if (code != 0) return code;
    inv.skip_init = true;
  } else {
    updated = located(updated);
    if (!std::filesystem::exists(updated)) throw Error(ErrorKind::Usage, "new plan file '" + updated + "' does not exist");
  }
  std::string diff;
  try {
    Value a = runner.show_plan(inv, target, orig);
    inv.skip_init = true;
    diff = terraform::plan_diff(a, runner.show_plan(inv, target, updated));
  } catch (...) {
    if (temporary) std::filesystem::remove(updated);
    throw;
  }
  if (temporary) std::filesystem::remove(updated);
  if (diff.empty()) {
    std::fputs("The planfiles are identical\n", stdout);
    return 0;
  }
  std::fputs(("\nDiff Output\n=========\n\n" + diff).c_str(), stdout);
  return 2;
}

// Asks on the terminal before deleting what `listed` shows (--force skips it); false when the answer is no.
bool confirm_deletion(const ParsedArgs& args, const std::string& what, const std::function<void()>& listed) {
  if (args.flag("force")) return true;
  if (!isatty(STDIN_FILENO))
    throw Error(ErrorKind::Usage, "refusing to delete " + what + " without confirmation")
        .hint("Pass --force to delete without asking, or --dry-run to see the list");
  listed();
  std::fprintf(stderr, "Delete %s? [y/N] ", what.c_str());
  std::string answer;
  for (int c; (c = std::fgetc(stdin)) != EOF && c != '\n';) answer += static_cast<char>(c);
  if (answer == "y" || answer == "Y" || answer == "yes") return true;
  std::fputs("Nothing deleted\n", stderr);
  return false;
}

// `terraform clean --cache`: the plugin cache atmos gives Terraform (upstream's cleanPluginCache), nothing else.
int clean_plugin_cache(const config::CliConfig& cfg, const ParsedArgs& args) {
  terraform::RunnerSettings settings = settings_from(cfg, args);
  std::string dir = terraform::atmos_plugin_cache_dir(terraform::process_environment(), settings.env);
  std::error_code ec;
  std::string canonical = std::filesystem::weakly_canonical(dir, ec).string();
  std::optional<std::string> home = ProcessEnvironment().get("HOME");
  if (dir.empty() || canonical == "/" || (home && canonical == std::filesystem::weakly_canonical(*home, ec).string()))
    throw Error(ErrorKind::Config, "refusing to delete the plugin cache directory '" + dir + "'")
        .hint("Set components.terraform.plugin_cache_dir in atmos.yaml to a directory used only for Terraform's plugins");
  if (std::filesystem::symlink_status(dir, ec).type() == std::filesystem::file_type::not_found) {
    std::fputs("Plugin cache directory does not exist, nothing to clean\n", stderr);
    return 0;
  }
  if (args.flag("dry-run")) {
    std::fprintf(stderr, "Would delete %s\n", dir.c_str());
    return 0;
  }
  if (!confirm_deletion(args, "the Terraform plugin cache directory " + dir, [] {})) return 0;
  std::filesystem::remove_all(dir, ec);
  if (ec) throw Error(ErrorKind::Io, "failed to delete the plugin cache directory '" + dir + "': " + ec.message());
  std::fprintf(stderr, "Deleted plugin cache directory: %s\n", dir.c_str());
  return 0;
}

int run_clean(const std::vector<std::string>& argv) {
  std::vector<FlagSpec> specs = terraform_flags();
  specs.push_back({"everything", 0, true});
  specs.push_back({"force", 'f', true});
  specs.push_back({"skip-lock-file", 0, true});
  specs.push_back({"cache", 0, true});
  ParsedArgs args = parse_args(argv, specs);
  if (args.positionals.size() > 1) throw Error(ErrorKind::Usage, "invalid arguments: `atmos terraform clean [<component>] [-s <stack>]`");
  config::CliConfig cfg = load_config(args);
  std::optional<std::string> cache_env = ProcessEnvironment().get("ATMOS_TERRAFORM_CLEAN_CACHE");
  if (args.flag("cache") || (!args.has("cache") && cache_env && (*cache_env == "true" || *cache_env == "1")))
    return clean_plugin_cache(cfg, args);
  const std::vector<std::string> cli_args{"terraform", "clean"};
  std::vector<terraform::Target> targets;
  std::string stack = args.get("stack");
  if (!args.positionals.empty() && !stack.empty()) {
    targets.push_back(resolve_target(cfg, args.positionals[0], stack, cli_args, nullptr));
  } else {
    std::vector<std::string> components;
    if (!args.positionals.empty()) components.push_back(args.positionals[0]);
    targets = all_targets(cfg, args, stack.empty() ? std::vector<std::string>{} : std::vector<std::string>{stack}, components,
                          cli_args, false);
    if (targets.empty() && !args.positionals.empty())
      throw Error(ErrorKind::Stack, "component '" + args.positionals[0] + "' is not defined in any stack" +
                                        (stack.empty() ? std::string() : " matching '" + stack + "'"));
  }
  terraform::RealFileSystem files;
  terraform::RealProcessRunner processes;
  terraform::Runner runner(settings_from(cfg, args), terraform::RunnerServices{files, processes, terraform::process_environment()});
  std::vector<std::string> found;
  std::set<std::string> seen;
  for (const auto& target : targets) {
    for (const auto& path : runner.clean_paths(target, args.flag("everything"), args.flag("skip-lock-file"))) {
      std::error_code ec;
      if (std::filesystem::symlink_status(path, ec).type() != std::filesystem::file_type::not_found && !ec && seen.insert(path).second)
        found.push_back(path);
    }
  }
  if (found.empty()) {
    std::fputs("Nothing to delete\n", stderr);
    return 0;
  }
  if (args.flag("dry-run")) {
    for (const auto& path : found) std::fprintf(stderr, "Would delete %s\n", display_path(path, cfg).c_str());
    return 0;
  }
  if (!confirm_deletion(args, std::to_string(found.size()) + " files and directories", [&] {
        for (const auto& path : found) std::fprintf(stderr, "  %s\n", display_path(path, cfg).c_str());
      }))
    return 0;
  for (const auto& path : found) {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) throw Error(ErrorKind::Io, "failed to delete '" + path + "': " + ec.message());
    std::fprintf(stderr, "Deleted %s\n", display_path(path, cfg).c_str());
  }
  return 0;
}

// The file name of `--file-template` for a component (upstream ReplaceContextTokens): {namespace}, {tenant},
// {environment}, {region}, {stage} and {attributes} from vars, {component} (with `/` as `-`), {base-component},
// {component-path}, {workspace} and {terraform_workspace}.
std::string file_from_template(const std::string& tmpl, const terraform::Target& target, const terraform::ComponentPaths& paths) {
  Value vars = target.section.get("vars");
  auto var = [&](const char* k) { return vars.get(k).is_string() ? vars.get(k).as_string() : std::string(); };
  std::string attributes;
  if (vars.get("attributes").is_list())
    for (const auto& a : vars.get("attributes").as_list()) attributes += (attributes.empty() ? "" : "-") + (a.is_string() ? a.as_string() : describe_value(a));
  std::string component = target.component;
  std::replace(component.begin(), component.end(), '/', '-');
  const std::pair<const char*, std::string> tokens[] = {
      {"{base-component}", paths.base_component}, {"{component}", component}, {"{component-path}", paths.dir},
      {"{namespace}", var("namespace")},         {"{environment}", var("environment")}, {"{region}", var("region")},
      {"{tenant}", var("tenant")},               {"{stage}", var("stage")},             {"{workspace}", target.workspace},
      {"{terraform_workspace}", target.workspace}, {"{attributes}", attributes}};
  std::string out;
  for (std::size_t i = 0; i < tmpl.size();) {
    bool replaced = false;
    for (const auto& [token, value] : tokens) {
      std::string_view t(token);
      if (std::string_view(tmpl).substr(i, t.size()) == t) {
        out += value;
        i += t.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += tmpl[i++];
  }
  return out;
}

void write_text_file(const std::string& path, const std::string& text) {
  std::filesystem::path p = std::filesystem::absolute(path);
  terraform::RealFileSystem files;
  files.create_directories(p.parent_path().string(), 0755);
  files.write_file(p.string(), text, 0644);
}

// `atmos terraform generate varfiles --file-template <path> [--stacks ...] [--components ...] [--format json|yaml|hcl]`.
int generate_varfiles(const std::vector<std::string>& argv) {
  std::vector<FlagSpec> specs = terraform_flags();
  specs.insert(specs.end(), {{"file-template", 0, false}, {"stacks", 0, false}, {"format", 0, false}});
  ParsedArgs args = parse_args(argv, specs);
  if (!args.positionals.empty()) throw Error(ErrorKind::Usage, "`atmos terraform generate varfiles` takes no arguments");
  std::string tmpl = args.get("file-template");
  if (tmpl.empty()) throw Error(ErrorKind::Usage, "`--file-template` is required").hint("e.g. --file-template varfiles/{stage}/{component}.tfvars.json");
  std::string format = args.get("format", "json");
  if (format != "json" && format != "yaml" && format != "hcl")
    throw Error(ErrorKind::Usage, "invalid '--format' argument '" + format + "'. Valid values are 'json' (default), 'yaml' and 'hcl'");
  config::CliConfig cfg = load_config(args);
  terraform::RealFileSystem files;
  terraform::RealProcessRunner processes;
  terraform::Runner runner(settings_from(cfg, args), terraform::RunnerServices{files, processes, terraform::process_environment()});
  for (const auto& target : all_targets(cfg, args, args.list("stacks"), args.list("components"), {"terraform", "generate", "varfiles"})) {
    terraform::check_unevaluated_tags(target.section, cfg.base_path_abs);
    Value vars = target.section.get("vars").is_map() ? target.section.get("vars") : Value::empty_map();
    std::string file = file_from_template(tmpl, target, runner.paths_of(target));
    std::string text = format == "json" ? to_json(vars) : format == "yaml" ? to_yaml(vars) : terraform::to_hcl(vars, true);
    if (args.flag("dry-run")) {
      std::fprintf(stderr, "Would write %s\n", file.c_str());
      continue;
    }
    write_text_file(file, text);
    log::debug("Wrote varfile file={} component={} stack={}", file, target.component, target.stack);
  }
  return 0;
}

// `atmos terraform generate backends [--file-template <path>] [--stacks ...] [--components ...] [--format hcl|json|backend-config]`:
// without a template, `backend.tf` (or `backend.tf.json`) in each Terraform component's directory, once per directory.
int generate_backends(const std::vector<std::string>& argv) {
  std::vector<FlagSpec> specs = terraform_flags();
  specs.insert(specs.end(), {{"file-template", 0, false}, {"stacks", 0, false}, {"format", 0, false}});
  ParsedArgs args = parse_args(argv, specs);
  if (!args.positionals.empty()) throw Error(ErrorKind::Usage, "`atmos terraform generate backends` takes no arguments");
  std::string format = args.get("format", "hcl");
  if (format != "hcl" && format != "json" && format != "backend-config")
    throw Error(ErrorKind::Usage, "invalid '--format' argument '" + format + "'. Valid values are 'hcl' (default), 'json' and 'backend-config'");
  std::string tmpl = args.get("file-template");
  config::CliConfig cfg = load_config(args);
  terraform::RealFileSystem files;
  terraform::RealProcessRunner processes;
  terraform::Runner runner(settings_from(cfg, args), terraform::RunnerServices{files, processes, terraform::process_environment()});
  std::set<std::string> written;
  for (const auto& target : all_targets(cfg, args, args.list("stacks"), args.list("components"), {"terraform", "generate", "backends"})) {
    terraform::ComponentPaths paths = runner.paths_of(target);
    if (tmpl.empty() && !written.insert(paths.dir).second) continue;
    std::string type = target.section.get("backend_type").is_string() ? target.section.get("backend_type").as_string() : "";
    if (type.empty()) {
      log::warn("Skipping backend generation: backend_type is not set component={} stack={}", target.component, target.stack);
      continue;
    }
    terraform::check_unevaluated_tags(target.section, cfg.base_path_abs);
    Value backend = target.section.get("backend");
    std::string file = !tmpl.empty() ? file_from_template(tmpl, target, paths)
                                     : (std::filesystem::path(paths.dir) / (format == "json" ? "backend.tf.json" : "backend.tf")).string();
    std::string text = format == "json" ? terraform::file_text(terraform::backend_document(type, backend, target.workspace))
                       : format == "hcl" ? terraform::hcl_backend_block(type, backend)
                                         : terraform::to_hcl(backend.is_map() ? backend : Value::empty_map(), true);
    if (args.flag("dry-run")) {
      std::fprintf(stderr, "Would write %s\n", file.c_str());
      continue;
    }
    write_text_file(file, text);
  }
  return 0;
}

// `atmos terraform generate planfile <component> -s <stack> [--file <path>] [--format json|yaml]`: plans into a
// temporary planfile and writes its `terraform show -json` document (by default `<planfile>.<format>` in the
// component directory; a relative --file is relative to it).
int generate_planfile(const std::vector<std::string>& argv) {
  std::vector<FlagSpec> specs = terraform_flags();
  specs.insert(specs.end(), {{"file", 'f', false}, {"format", 0, false}});
  ParsedArgs args = parse_args(normalise_identity_flag(argv), specs);
  if (args.positionals.size() != 1) throw Error(ErrorKind::Usage, "invalid arguments. The command requires one argument `component`");
  std::string format = args.get("format", "json");
  if (format != "json" && format != "yaml")
    throw Error(ErrorKind::Usage, "invalid format: " + format + ". Supported formats are 'json' and 'yaml'");
  config::CliConfig cfg = load_config(args);
  stacks::StackComponent sc;
  terraform::Target target =
      resolve_target(cfg, args.positionals[0], args.get("stack"), {"terraform", "generate", "planfile"}, &args, &sc);
  terraform::RealFileSystem files;
  terraform::RealProcessRunner processes;
  terraform::RunnerServices services{files, processes, terraform::process_environment()};
  TerraformIdentity identity(cfg, sc, false, nullptr);
  services.identity = std::ref(identity);
  terraform::Runner runner(settings_from(cfg, args), services);
  terraform::ComponentPaths paths = runner.paths_of(target);

  terraform::Invocation inv;
  inv.subcommand = "plan";
  inv.skip_init = args.flag("skip-init");
  inv.ignore_unsupported = args.flag("ignore-unsupported");
  inv.identity = terraform::select_identity(args.last("identity"), ProcessEnvironment());
  std::string tmp = (std::filesystem::path(paths.dir) / (paths.planfile + ".generate-planfile")).string();
  inv.args = {"-out", tmp};
  if (args.flag("dry-run")) {
    inv.dry_run = true;
    return runner.run(inv, target);
  }
  Value plan;
  try {
    int code = runner.run(inv, target);
    if (code != 0) {
      std::filesystem::remove(tmp);
      return code;
    }
    inv.skip_init = true;
    plan = runner.show_plan(inv, target, tmp);
  } catch (...) {
    std::filesystem::remove(tmp);
    throw;
  }
  std::filesystem::remove(tmp);
  std::string file = args.get("file");
  std::filesystem::path out = file.empty() ? std::filesystem::path(paths.dir) / (paths.planfile + "." + format)
                              : std::filesystem::path(file).is_absolute() ? std::filesystem::path(file)
                                                                          : std::filesystem::path(paths.dir) / file;
  write_text_file(out.string(), format == "json" ? to_json(plan) : to_yaml(plan));
  std::fprintf(stderr, "Wrote %s\n", display_path(out.string(), cfg).c_str());
  return 0;
}

int run_generate(const std::vector<std::string>& argv) {
  std::string sub = argv.empty() ? std::string() : argv[0];
  std::vector<std::string> rest(argv.begin() + (argv.empty() ? 0 : 1), argv.end());
  if (sub == "files") return generate_files(rest);
  if (sub == "varfiles") return generate_varfiles(rest);
  if (sub == "backends") return generate_backends(rest);
  if (sub == "planfile") return generate_planfile(rest);
  if (sub != "varfile" && sub != "backend")
    throw Error(ErrorKind::Usage, "unknown command \"" + sub + "\" for \"atmos terraform generate\": use varfile, varfiles, backend, "
                                                                 "backends, files or planfile");
  std::vector<FlagSpec> specs = terraform_flags();
  if (sub == "varfile") specs.push_back({"file", 'f', false});
  ParsedArgs args = parse_args(rest, specs);
  if (args.positionals.size() != 1)
    throw Error(ErrorKind::Usage, "invalid arguments. The command requires one argument `component`");
  config::CliConfig cfg = load_config(args);
  terraform::Target target = resolve_target(cfg, args.positionals[0], args.get("stack"), {"terraform", "generate", sub}, &args);
  terraform::RealFileSystem files;
  terraform::RealProcessRunner processes;
  terraform::Runner runner(settings_from(cfg, args), terraform::RunnerServices{files, processes, terraform::process_environment()});
  if (sub == "varfile") runner.generate_varfile(target, args.get("file"), args.flag("dry-run"));
  else runner.generate_backend(target, args.flag("dry-run"));
  return 0;
}

}  // namespace

int cmd_terraform(const std::vector<std::string>& argv) {
  if (argv.empty()) throw Error(ErrorKind::Usage, "missing subcommand for \"atmos terraform\": e.g. plan, apply, deploy");
  if (argv[0] == "generate") return run_generate(std::vector<std::string>(argv.begin() + 1, argv.end()));
  if (argv[0] == "clean") return run_clean(std::vector<std::string>(argv.begin() + 1, argv.end()));
  ParsedArgs args = parse_args(normalise_identity_flag(argv), terraform_flags(), true);
  if (args.flag("all") || args.flag("affected") || args.has("components") || args.has("query")) return run_instances(args);

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
  terraform::RunnerServices services{files, processes, terraform::process_environment()};
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
  inv.ignore_unsupported = args.flag("ignore-unsupported");
  ProcessEnvironment env;
  inv.identity = terraform::select_identity(args.last("identity"), env);

  stacks::StackComponent sc;
  functions::CloudFunctions* cloud = nullptr;
  terraform::Target target =
      resolve_target(cfg, component, args.get("stack"), {"terraform", inv.subcommand, inv.subcommand2}, &args, &sc, &cloud);
  // The component's `settings.validation` policies (upstream's validateTerraformComponent): a violation stops the
  // run before anything is written, authenticated or run.
  stacks::validate_component_policies(cfg, component, target.stack, target.section);
  // Hooks are checked before Terraform runs, so an unsupported one stops the command before anything changes.
  bool applies = inv.subcommand == "apply" || inv.subcommand == "deploy";
  std::vector<StoreHook> hooks;
  if (applies || inv.subcommand == "plan") hooks = store_hooks(cfg, sc, target.section);
  TerraformIdentity identity(cfg, sc, inv.dry_run, endpoint ? &processes : nullptr);
  services.identity = std::ref(identity);
  terraform::Runner runner(settings, services);
  if (inv.subcommand == "plan-diff") return run_plan_diff(runner, inv, target, args);
  if (args.has("orig") || args.has("new")) throw Error(ErrorKind::Usage, "--orig and --new are flags of `atmos terraform plan-diff`");
  int code = runner.run(inv, target);
  identity.report_failure(code);
  if (code == 0 && applies && !inv.dry_run && !hooks.empty()) run_store_hooks(*cloud, sc, hooks);
  return code;
}

}  // namespace atmos::cli
