// `atmos terraform <subcommand> <component> -s <stack>`: the pipeline of upstream's internal/exec/terraform.go for one resolved
// component — restrictions, generated files, environment, `init`, workspace selection, the main command, cleanup.
//
// Everything outside the process (files, child processes, the identity's credentials) goes through RunnerServices,
// so the pipeline is tested with fakes. Not thread-safe; one Runner per command.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "config/cli_config.hpp"
#include "core/value.hpp"
#include "terraform/child_environment.hpp"
#include "terraform/filesystem.hpp"
#include "terraform/identity.hpp"
#include "terraform/names.hpp"
#include "terraform/process.hpp"

namespace atmos::terraform {

// What the command line asked for, with atmos' own flags already taken out.
struct Invocation {
  std::string subcommand;          // plan, apply, deploy, init, workspace, output, state, …
  std::string subcommand2;         // workspace list|select|new|delete|show, state list|mv|…, providers lock|…
  std::vector<std::string> args;   // Terraform's flags and arguments in order, then everything after `--`
  bool dry_run = false;            // write nothing, run nothing; what would run is described on stderr
  bool skip_init = false;
  bool from_plan = false;          // apply a saved plan instead of the varfile
  std::string planfile;            // --planfile (implies from_plan and keeps the file)
  bool ignore_unsupported = false; // run although the component uses configuration this binary does not act on
  // `output` run for a YAML function or hook (!terraform.output, atmos.Component): the section's own functions are
  // not evaluated and its other configuration is not acted on, so neither the guard nor the unevaluated-function
  // check applies (Terraform reads no variables for `output`).
  bool outputs_for_functions = false;
  IdentitySelection identity;
};

// The component instance the command acts on.
struct Target {
  std::string component;  // as given on the command line
  std::string stack;      // canonical stack name
  std::string workspace;  // docs/stacks.md#finding-a-component-in-a-stack
  Value section;          // final section, decorated, templates rendered
};

// components.terraform settings after command-line overrides.
struct RunnerSettings {
  EnvironmentSettings env;
  std::string terraform_dir_abs;
  std::string terraform_base_path;  // as configured; required to be non-empty
  bool apply_auto_approve = false;
  bool deploy_run_init = false;
  bool init_run_reconfigure = false;
  bool auto_generate_backend_file = false;
  bool auto_generate_files = false;  // write the `generate` section before every command
  bool init_pass_vars = false;
  bool skip_planfile = false;
  std::string command;          // --terraform-command; empty = the section's `command`
  std::string redirect_stderr;  // --redirect-stderr: Terraform's stderr goes to this file ("/dev/stdout" allowed)
  std::string shell_prompt;     // components.terraform.shell.prompt (PS1 of `terraform shell`)
  Value stores;                 // atmos.yaml `stores` (terraform/guard.hpp)
};

// Settings from atmos.yaml; `cwd` anchors ATMOS_BASE_PATH.
RunnerSettings runner_settings(const config::CliConfig& cfg, const std::string& cwd);

struct RunnerServices {
  FileSystem& files;
  ProcessRunner& processes;
  EnvMap os_env;
  IdentityResolver identity = no_authentication;
  std::FILE* notices = stderr;  // dry-run descriptions
};

// `init [-reconfigure] [-var-file <varfile>]` for the init pre-step.
std::vector<std::string> init_args(const std::string& subcommand, const RunnerSettings& s, const std::string& varfile);

// The main command's argv after the binary. `inv.subcommand` must already be normalised (deploy → apply,
// -auto-approve added).
std::vector<std::string> main_args(const Invocation& inv, const RunnerSettings& s, const ComponentPaths& paths,
                                   const std::string& workspace);

// `deploy` becomes `apply -auto-approve` (unless applying a plan or already given); `apply` gets -auto-approve when
// `apply_auto_approve` is set.
Invocation normalise_deploy(Invocation inv, const RunnerSettings& s);

class Runner {
 public:
  Runner(RunnerSettings settings, RunnerServices services);

  // Runs the pipeline; returns the exit code atmos should exit with (Terraform's, unchanged). Throws Error for
  // atmos' own refusals (locked, abstract, missing directory, …).
  int run(const Invocation& inv, const Target& target);

  // `atmos terraform generate varfile`: writes the vars (to `file` when non-empty); returns the path.
  std::string generate_varfile(const Target& target, const std::string& file, bool dry_run);
  // `atmos terraform generate backend`: writes backend.tf.json; returns the path.
  std::string generate_backend(const Target& target, bool dry_run);
  // `atmos terraform generate files`: writes (or with `clean` removes) the files of the `generate` section, reporting
  // each change on the notices stream. All files are rendered before any is written, so a bad one writes nothing.
  // Returns the number of files in the section.
  std::size_t generate_files(const Target& target, bool dry_run, bool clean);
  // What `atmos terraform clean` removes for the target (absolute paths, which may not exist): the Terraform data
  // directory when inside the component directory, the varfile, the planfile (and its .json/.yaml renderings), the
  // lock file (unless `skip_lock_file`), the backend and override files atmos writes for this configuration, the
  // files of the `generate` section and, with `everything`, the local state of the target's workspace. Nothing else.
  std::vector<std::string> clean_paths(const Target& target, bool everything, bool skip_lock_file) const;
  // `terraform show -json <planfile>` in the component directory with the run's environment (planfile relative to
  // the component directory unless absolute); `init` first unless `inv.skip_init`. Returns the plan document.
  // Throws Error when Terraform fails or prints no JSON.
  Value show_plan(const Invocation& inv, const Target& target, const std::string& planfile);
  // `atmos terraform version`: no stack needed.
  int version(const std::string& command);

  // Where the target's component directory and the files atmos names for it are.
  ComponentPaths paths_of(const Target& target) const;

 private:
  std::string command_of(const Target& target) const;
  void write(const std::string& path, const Value& document, unsigned mode, bool dry_run);
  ProcessResult execute(const std::string& command, std::vector<std::string> args, const std::string& cwd,
                        const EnvMap& env, bool dry_run, bool capture);
  int run_shell(const Target& target, const ComponentPaths& paths, EnvMap env, bool dry_run);
  int select_workspace(const std::string& command, const ComponentPaths& paths, const EnvMap& env,
                       const std::string& workspace, bool dry_run);

  RunnerSettings settings_;
  RunnerServices services_;
};

}  // namespace atmos::terraform
