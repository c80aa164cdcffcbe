#include "terraform/runner.hpp"

#include <algorithm>
#include <filesystem>

#include "core/error.hpp"
#include "core/json_emit.hpp"
#include "core/json_parse.hpp"
#include "core/log.hpp"
#include "core/yaml_emit.hpp"
#include "terraform/generate_section.hpp"
#include "terraform/generated_files.hpp"
#include "terraform/guard.hpp"

namespace atmos::terraform {
namespace {

namespace fs = std::filesystem;

constexpr unsigned kVarfileMode = 0644;
constexpr unsigned kRunFileMode = 0600;  // backend and provider files written during a run may carry secrets
constexpr unsigned kGeneratedMode = 0644;
constexpr unsigned kCacheDirMode = 0755;

std::string str_of(const Value& v) { return v.is_string() ? v.as_string() : std::string(); }

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

bool has_prefix(const std::vector<std::string>& v, const std::string& prefix) {
  return std::any_of(v.begin(), v.end(), [&](const std::string& s) { return s.rfind(prefix, 0) == 0; });
}

Value vars_of(const Value& section) {
  Value vars = section.get("vars");
  return vars.is_map() ? vars : Value::empty_map();
}

std::string join(const std::string& dir, const std::string& file) { return (fs::path(dir) / file).string(); }

// Shell-style rendering of a command for dry-run notices.
std::string quoted(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n'\"\\$`") == std::string::npos) return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void check_restrictions(const Invocation& inv, const Target& target, const ComponentPaths& paths) {
  Value meta = target.section.get("metadata");
  std::string name = paths.folder_prefix.empty() ? paths.component : paths.folder_prefix + "/" + paths.component;
  const std::string& sub = inv.subcommand;
  if (str_of(meta.get("type")) == "abstract" && (sub == "plan" || sub == "apply" || sub == "deploy" || sub == "workspace"))
    throw Error(ErrorKind::Stack, "abstract component cannot be provisioned")
        .explain("the component '" + name + "' cannot be provisioned because it's marked as abstract (metadata.type: abstract)");
  Value locked = meta.get("locked");
  if (locked.is_bool() && locked.as_bool())
    for (const char* mutating : {"apply", "deploy", "destroy", "import", "state", "taint", "untaint"})
      if (sub == mutating)
        throw Error(ErrorKind::Stack, "locked component cannot be provisioned")
            .explain("component '" + name + "' cannot be modified (metadata.locked: true)");
  if (sub == "workspace" && str_of(target.section.get("backend_type")) == "http")
    throw Error(ErrorKind::Stack, "workspaces are not supported for the HTTP backend");
}

void warn_on_conflicting_env(const EnvMap& os_env) {
  std::string found;
  for (const auto& [k, v] : os_env) {
    if (k == "TF_CLI_ARGS" || k == "TF_WORKSPACE" || k.rfind("TF_VAR_", 0) == 0 || k.rfind("TF_CLI_ARGS_", 0) == 0)
      found += (found.empty() ? "" : " ") + k;
  }
  if (!found.empty())
    log::warn("Detected environment variables that may interfere with Atmos's control of Terraform variables=[{}]", found);
}

std::string tf_data_dir(const EnvMap& env, const std::string& component_dir) {
  auto it = env.find("TF_DATA_DIR");
  std::string dir = it == env.end() || it->second.empty() ? ".terraform" : it->second;
  fs::path p(dir);
  if (p.is_relative()) p = fs::path(component_dir) / p;
  return p.lexically_normal().string();
}

bool skips_workspace_setup(const Invocation& inv, const Target& target, const EnvMap& os_env) {
  if (inv.subcommand == "init" || (inv.subcommand == "workspace" && !inv.subcommand2.empty())) return true;
  if (inv.subcommand.rfind("providers", 0) == 0) return true;
  if (str_of(target.section.get("backend_type")) == "http") return true;
  auto it = os_env.find("TF_WORKSPACE");
  return it != os_env.end() && !it->second.empty();
}

}  // namespace

RunnerSettings runner_settings(const config::CliConfig& cfg, const std::string& cwd) {
  RunnerSettings s;
  auto tf = [&](std::initializer_list<std::string_view> path, bool fallback) {
    std::vector<std::string_view> full{"components", "terraform"};
    full.insert(full.end(), path.begin(), path.end());
    Value v = cfg.raw;
    for (auto p : full) v = v.get(p);
    return v.is_bool() ? v.as_bool() : fallback;
  };
  s.env.cli_config_path = cfg.config_dir;
  fs::path base(cfg.base_path);
  s.env.base_path_abs = (base.is_absolute() ? base : fs::path(cwd) / base).lexically_normal().string();
  if (s.env.base_path_abs.size() > 1 && s.env.base_path_abs.back() == '/') s.env.base_path_abs.pop_back();
  s.env.append_user_agent = cfg.get_string({"components", "terraform", "append_user_agent"});
  s.env.plugin_cache = tf({"plugin_cache"}, true);
  s.env.plugin_cache_dir = cfg.get_string({"components", "terraform", "plugin_cache_dir"});
  s.terraform_dir_abs = cfg.terraform_dir_abs;
  s.terraform_base_path = cfg.terraform_base_path;
  s.apply_auto_approve = tf({"apply_auto_approve"}, false);
  s.deploy_run_init = tf({"deploy_run_init"}, false);
  s.init_run_reconfigure = tf({"init_run_reconfigure"}, false);
  s.auto_generate_backend_file = tf({"auto_generate_backend_file"}, false);
  s.auto_generate_files = tf({"auto_generate_files"}, false);
  s.init_pass_vars = tf({"init", "pass_vars"}, false);
  s.skip_planfile = tf({"plan", "skip_planfile"}, false);
  s.shell_prompt = cfg.get_string({"components", "terraform", "shell", "prompt"});
  s.stores = cfg.raw.get("stores");
  return s;
}

std::vector<std::string> init_args(const std::string& subcommand, const RunnerSettings& s, const std::string& varfile) {
  std::vector<std::string> args{"init"};
  if (subcommand == "workspace" || s.init_run_reconfigure) args.push_back("-reconfigure");
  if (s.init_pass_vars) {
    args.push_back("-var-file");
    args.push_back(varfile);
  }
  return args;
}

Invocation normalise_deploy(Invocation inv, const RunnerSettings& s) {
  bool deploy = inv.subcommand == "deploy";
  if (deploy) inv.subcommand = "apply";
  if (inv.subcommand == "apply" && (deploy || s.apply_auto_approve) && !inv.from_plan && !contains(inv.args, "-auto-approve"))
    inv.args.push_back("-auto-approve");
  return inv;
}

std::vector<std::string> main_args(const Invocation& inv, const RunnerSettings& s, const ComponentPaths& paths,
                                   const std::string& workspace) {
  std::vector<std::string> args{inv.subcommand};
  const std::string& sub = inv.subcommand;
  if (sub == "plan") {
    args.insert(args.end(), {"-var-file", paths.varfile});
    if (!contains(inv.args, "-out") && !has_prefix(inv.args, "-out=") && !s.skip_planfile)
      args.insert(args.end(), {"-out", paths.planfile});
  } else if (sub == "destroy" || sub == "import" || sub == "refresh" || sub == "test") {
    args.insert(args.end(), {"-var-file", paths.varfile});
  } else if (sub == "apply") {
    if (!inv.from_plan) args.insert(args.end(), {"-var-file", paths.varfile});
  } else if (sub == "init") {
    if (s.init_run_reconfigure) args.push_back("-reconfigure");
    if (s.init_pass_vars) args.insert(args.end(), {"-var-file", paths.varfile});
  } else if (sub == "workspace") {
    if (inv.subcommand2 == "list" || inv.subcommand2 == "show") args.push_back(inv.subcommand2);
    else if (!inv.subcommand2.empty()) args.insert(args.end(), {inv.subcommand2, workspace});
  } else if (!inv.subcommand2.empty()) {
    args.push_back(inv.subcommand2);
  }
  args.insert(args.end(), inv.args.begin(), inv.args.end());
  if (sub == "apply" && inv.from_plan) args.push_back(inv.planfile.empty() ? paths.planfile : inv.planfile);
  return args;
}

Runner::Runner(RunnerSettings settings, RunnerServices services)
    : settings_(std::move(settings)), services_(std::move(services)) {}

ComponentPaths Runner::paths_of(const Target& target) const {
  return component_paths(target.component, str_of(target.section.get("component")), target.stack, settings_.terraform_dir_abs);
}

std::string Runner::command_of(const Target& target) const {
  if (!settings_.command.empty()) return settings_.command;
  std::string c = str_of(target.section.get("command"));
  return c.empty() ? "terraform" : c;
}

void Runner::write(const std::string& path, const Value& document, unsigned mode, bool dry_run) {
  if (dry_run) {
    std::fprintf(services_.notices, "Dry run: would write %s\n", path.c_str());
    return;
  }
  log::debug("Writing file={}", path);
  services_.files.write_file(path, file_text(document), mode);
}

ProcessResult Runner::execute(const std::string& command, std::vector<std::string> args, const std::string& cwd,
                              const EnvMap& env, bool dry_run, bool capture) {
  std::string line = quoted(command);
  for (const auto& a : args) line += " " + quoted(a);
  if (dry_run) {
    std::fprintf(services_.notices, "Dry run: would execute in %s: %s\n", cwd.c_str(), line.c_str());
    return {};
  }
  log::debug("Executing command=\"{}\" dir={}", line, cwd);
  ProcessSpec spec;
  spec.program = command;
  spec.args = std::move(args);
  spec.cwd = cwd;
  spec.env = env_entries(env);
  spec.capture_output = capture;
  spec.redirect_stderr = settings_.redirect_stderr;
  return services_.processes.run(spec);
}

int Runner::select_workspace(const std::string& command, const ComponentPaths& paths, const EnvMap& env,
                             const std::string& workspace, bool dry_run) {
  ProcessResult selected = execute(command, {"workspace", "select", "-or-create", workspace}, paths.dir, env, dry_run, true);
  if (selected.exit_code == 0) {
    log::debug("Selected workspace={} output={}", workspace, selected.output);
    return 0;
  }
  if (selected.exit_code != 1) {
    std::fputs(selected.output.c_str(), stderr);
    return selected.exit_code;
  }
  int created = execute(command, {"workspace", "new", workspace}, paths.dir, env, dry_run, false).exit_code;
  if (created != 1) return created;
  // `workspace new` also fails when the workspace is already current but its state directory was deleted.
  std::string env_file = join(tf_data_dir(env, paths.dir), "environment");
  std::string recorded = "default";  // no file (or an empty one) means the default workspace
  if (std::FILE* f = std::fopen(env_file.c_str(), "r")) {
    char buf[256];
    std::size_t n = std::fread(buf, 1, sizeof buf, f);
    std::fclose(f);
    std::string text(buf, n);
    text.erase(text.find_last_not_of(" \t\r\n") + 1);
    if (!text.empty()) recorded = text;
  }
  if (recorded == workspace) {
    log::warn("Workspace is already active but its state directory is missing workspace={}", workspace);
    return 0;
  }
  return created;
}

int Runner::run(const Invocation& requested, const Target& target) {
  const Value& section = target.section;
  Value enabled = section.at({"metadata", "enabled"});
  if (enabled.is_bool() && !enabled.as_bool()) {
    log::info("Component is not enabled and skipped component={}", target.component);
    return 0;
  }
  if (settings_.terraform_base_path.empty())
    throw Error(ErrorKind::Config,
                "Base path to terraform components must be provided in 'components.terraform.base_path' config or "
                "'ATMOS_COMPONENTS_TERRAFORM_BASE_PATH' ENV variable");
  if (!requested.outputs_for_functions) check_unevaluated_tags(section, settings_.env.base_path_abs);
  std::vector<UnsupportedSetting> unsupported =
      requested.outputs_for_functions ? std::vector<UnsupportedSetting>{}
                                      : unsupported_settings(section, settings_.stores, settings_.env.base_path_abs);
  if (!unsupported.empty() && !requested.ignore_unsupported) throw unsupported_error(target.component, target.stack, unsupported);
  for (const auto& u : unsupported)
    log::warn("Ignoring configuration this binary does not act on (--ignore-unsupported) setting=\"{}\" file={}", u.setting,
              u.source.empty() ? "(unknown)" : u.source);
  ComponentPaths paths = paths_of(target);
  const bool generates = !generated_file_names(section.get("generate")).empty();
  // Like upstream, a component may consist of generated files only: its directory is created for them.
  if (generates && settings_.auto_generate_files && !requested.dry_run && !services_.files.is_directory(paths.dir))
    services_.files.create_directories(paths.dir, kCacheDirMode);
  if (!services_.files.is_directory(paths.dir))
    throw Error(ErrorKind::Stack, "invalid Terraform component")
        .explain("'" + target.component + "' points to the Terraform component '" + paths.final_component +
                 "', but it does not exist in '" + settings_.terraform_dir_abs + "'");
  check_restrictions(requested, target, paths);

  const bool dry = requested.dry_run;
  const std::string command = command_of(target);
  IdentityEnvironment identity = services_.identity(section, requested.identity);

  if (requested.subcommand != "workspace") {
    if (log::enabled(log::Level::Debug))
      log::debug("Variables for the component in the stack component={} stack={}\n{}", target.component, target.stack,
                 to_yaml(vars_of(section)));
    if (!requested.from_plan) write(join(paths.dir, paths.varfile), vars_of(section), kVarfileMode, dry);
  }
  if (generates && settings_.auto_generate_files) {
    generate_files(target, dry, false);
  } else if (generates) {
    log::warn("The generate section of the component is not written because components.terraform.auto_generate_files "
              "is false; run `atmos terraform generate files {} -s {}` or enable it component={}",
              target.component, target.stack, target.component);
  }
  if (settings_.auto_generate_backend_file) {
    // Like upstream, a dry run does not build the document, so a missing backend_type is reported only for real.
    Value doc = dry ? Value() : backend_document(str_of(section.get("backend_type")), section.get("backend"), target.workspace);
    write(join(paths.dir, "backend.tf.json"), doc, kRunFileMode, dry);
  }
  Value providers = section.get("providers");
  if (providers.is_map() && !providers.empty())
    write(join(paths.dir, "providers_override.tf.json"), provider_override_document(providers), kRunFileMode, dry);
  if (auto doc = terraform_override_document(str_of(section.get("required_version")), section.get("required_providers")))
    write(join(paths.dir, "terraform_override.tf.json"), *doc, kGeneratedMode, dry);

  warn_on_conflicting_env(services_.os_env);
  std::string cache = plugin_cache_dir(services_.os_env, component_env_vars(section.get("env")), settings_.env);
  if (!cache.empty() && !dry) services_.files.create_directories(cache, kCacheDirMode);
  EnvMap env = child_environment(services_.os_env, section.get("env"), identity, settings_.env, cache);

  const std::string& sub = requested.subcommand;
  bool run_init = sub != "init" && !(sub == "deploy" && !settings_.deploy_run_init) && !requested.skip_init;
  if (requested.skip_init) log::debug("Skipping over 'terraform init' due to '--skip-init' flag being passed");
  if (run_init) {
    if (!dry) services_.files.remove_file(join(tf_data_dir(env, paths.dir), "environment"));
    int code = execute(command, init_args(sub, settings_, paths.varfile), paths.dir, env, dry, false).exit_code;
    if (code != 0) return code;
  }

  Invocation inv = normalise_deploy(requested, settings_);
  std::vector<std::string> args = main_args(inv, settings_, paths, target.workspace);
  if (!skips_workspace_setup(inv, target, services_.os_env)) {
    int code = select_workspace(command, paths, env, target.workspace, dry);
    if (code != 0) return code;
  }
  if (inv.subcommand == "import") {
    Value region = vars_of(section).get("region");
    if (region.is_string()) env["AWS_REGION"] = region.as_string();
  }
  if (inv.subcommand == "shell") return run_shell(target, paths, env, dry);
  if (!(inv.subcommand == "workspace" && inv.subcommand2.empty())) {
    int code = execute(command, args, paths.dir, env, dry, false).exit_code;
    if (code != 0) return code;
  }
  if (dry) return 0;
  if (inv.subcommand != "plan" && inv.subcommand != "show" && inv.planfile.empty())
    services_.files.remove_file(join(paths.dir, paths.planfile));
  if (inv.subcommand == "apply") services_.files.remove_file(join(paths.dir, paths.varfile));
  return 0;
}

int Runner::run_shell(const Target& target, const ComponentPaths& paths, EnvMap env, bool dry_run) {
  std::string var_file_arg = "-var-file=" + paths.varfile;
  for (const char* sub : {"plan", "apply", "refresh", "import", "destroy", "console"})
    env[std::string("TF_CLI_ARGS_") + sub] = var_file_arg;
  env["ATMOS_STACK"] = target.stack;
  env["ATMOS_COMPONENT"] = target.component;
  env["ATMOS_SHELL_WORKING_DIR"] = paths.dir;
  env["ATMOS_TERRAFORM_WORKSPACE"] = target.workspace;
  if (!settings_.shell_prompt.empty()) env["PS1"] = settings_.shell_prompt;
  auto it = services_.os_env.find("SHELL");
  std::string shell = it == services_.os_env.end() || it->second.empty() ? "/bin/sh" : it->second;
  return execute(shell, {}, paths.dir, env, dry_run, false).exit_code;
}

std::string Runner::generate_varfile(const Target& target, const std::string& file, bool dry_run) {
  check_unevaluated_tags(target.section, settings_.env.base_path_abs);
  ComponentPaths paths = paths_of(target);
  std::string path = file.empty() ? join(paths.dir, paths.varfile) : file;
  write(path, vars_of(target.section), kVarfileMode, dry_run);
  return path;
}

std::string Runner::generate_backend(const Target& target, bool dry_run) {
  const Value& section = target.section;
  check_unevaluated_tags(section, settings_.env.base_path_abs);
  std::string type = str_of(section.get("backend_type"));
  if (type.empty())
    throw Error(ErrorKind::Stack, "backend_type is required")
        .explain("'backend_type' is missing for the '" + target.component + "' component.");
  Value backend = section.get("backend");
  Value document = backend_document(type, backend, target.workspace);
  if (log::enabled(log::Level::Debug)) log::debug("Component backend config:\n{}", to_json(document));
  if (type == "s3" && !backend.get("workspace_key_prefix").is_string())
    throw Error(ErrorKind::Stack, "backend config for the '" + target.component + "' component is missing 'workspace_key_prefix'");
  if (type == "gcs" && !backend.get("bucket").is_string())
    throw Error(ErrorKind::Stack, "backend config for the '" + target.component + "' component is missing 'bucket'");
  ComponentPaths paths = paths_of(target);
  std::string path = join(paths.dir, "backend.tf.json");
  write(path, document, kGeneratedMode, dry_run);
  return path;
}

std::size_t Runner::generate_files(const Target& target, bool dry_run, bool clean) {
  Value generate = target.section.get("generate");
  std::vector<std::string> names = generated_file_names(generate);
  if (names.empty()) return 0;
  ComponentPaths paths = paths_of(target);
  if (clean) {
    for (const auto& name : names) {
      std::string path = join(paths.dir, name);
      if (dry_run) std::fprintf(services_.notices, "Would delete %s\n", path.c_str());
      else if (services_.files.remove_file(path)) std::fprintf(services_.notices, "Deleted %s\n", path.c_str());
    }
    return names.size();
  }
  check_unevaluated_tags(target.section, settings_.env.base_path_abs);
  Value context = generate_template_context(target.section, target.component, target.stack, target.workspace);
  std::vector<std::string> texts;
  for (const auto& name : names) texts.push_back(render_generated_file(name, generate.get(name), context));
  if (!dry_run && !services_.files.is_directory(paths.dir)) services_.files.create_directories(paths.dir, kCacheDirMode);
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string path = join(paths.dir, names[i]);
    if (dry_run) {
      std::fprintf(services_.notices, "Would generate %s\n", path.c_str());
      continue;
    }
    std::optional<std::string> existing = services_.files.read_file(path);
    if (existing && *existing == texts[i]) continue;
    services_.files.write_file(path, texts[i], kGeneratedMode);
    std::fprintf(services_.notices, "%s %s\n", existing ? "Updated" : "Created", path.c_str());
  }
  return names.size();
}

std::vector<std::string> Runner::clean_paths(const Target& target, bool everything, bool skip_lock_file) const {
  const Value& section = target.section;
  ComponentPaths paths = paths_of(target);
  std::vector<std::string> out;
  std::string data_dir = tf_data_dir(services_.os_env, paths.dir);
  if (fs::path(data_dir).lexically_relative(paths.dir).string().rfind("..", 0) != 0 && data_dir != paths.dir)
    out.push_back(data_dir);
  else
    log::warn("Not removing TF_DATA_DIR outside the component directory dir={}", data_dir);
  for (const std::string& name : {paths.varfile, paths.planfile, paths.planfile + ".json", paths.planfile + ".yaml"})
    out.push_back(join(paths.dir, name));
  if (!skip_lock_file) out.push_back(join(paths.dir, ".terraform.lock.hcl"));
  if (settings_.auto_generate_backend_file) out.push_back(join(paths.dir, "backend.tf.json"));
  Value providers = section.get("providers");
  if (providers.is_map() && !providers.empty()) out.push_back(join(paths.dir, "providers_override.tf.json"));
  if (!str_of(section.get("required_version")).empty() ||
      (section.get("required_providers").is_map() && !section.get("required_providers").empty()))
    out.push_back(join(paths.dir, "terraform_override.tf.json"));
  for (const auto& name : generated_file_names(section.get("generate"))) out.push_back(join(paths.dir, name));
  if (everything && !target.workspace.empty()) out.push_back(join(join(paths.dir, "terraform.tfstate.d"), target.workspace));
  return out;
}

Value Runner::show_plan(const Invocation& inv, const Target& target, const std::string& planfile) {
  ComponentPaths paths = paths_of(target);
  const std::string command = command_of(target);
  IdentityEnvironment identity = services_.identity(target.section, inv.identity);
  std::string cache = plugin_cache_dir(services_.os_env, component_env_vars(target.section.get("env")), settings_.env);
  EnvMap env = child_environment(services_.os_env, target.section.get("env"), identity, settings_.env, cache);
  if (!inv.skip_init) {
    int code = execute(command, init_args("plan", settings_, paths.varfile), paths.dir, env, false, true).exit_code;
    if (code != 0) throw Error(ErrorKind::Stack, "terraform init failed in '" + paths.dir + "' (exit code " + std::to_string(code) + ")");
  }
  ProcessResult shown = execute(command, {"show", "-json", planfile}, paths.dir, env, false, true);
  if (shown.exit_code != 0)
    throw Error(ErrorKind::Stack, "terraform show -json " + planfile + " failed (exit code " + std::to_string(shown.exit_code) + ")")
        .explain(shown.output);
  // Output is stdout and stderr together: the plan is the line that holds the JSON document.
  std::size_t start = 0;
  while (start < shown.output.size()) {
    std::size_t end = shown.output.find('\n', start);
    if (end == std::string::npos) end = shown.output.size();
    if (shown.output[start] == '{') return parse_json(std::string_view(shown.output).substr(start, end - start), false);
    start = end + 1;
  }
  throw Error(ErrorKind::Stack, "terraform show -json " + planfile + " printed no plan").explain(shown.output);
}

int Runner::version(const std::string& command) {
  return execute(command, {"version"}, "", services_.os_env, false, false).exit_code;
}

}  // namespace atmos::terraform
