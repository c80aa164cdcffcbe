// `atmos workflow NAME [-f FILE] [--from-step STEP] [--dry-run] [-s STACK] [--identity ID]`, `describe workflows`
// and `list workflows` (upstream's internal/exec/workflow.go, workflow_utils.go, describe_workflows.go).
//
// Steps of type `atmos` re-execute this binary (/proc/self/exe) with the step's command, `-s <stack>` appended and
// the step's identity as a leading `--identity`, so a Terraform step resolves and authenticates its identity exactly
// as `atmos terraform` does. Steps of type `shell` run `/bin/sh -c`; with an identity, through `atmos auth exec`.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "cli/context.hpp"
#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/file.hpp"
#include "core/glob.hpp"
#include "core/log.hpp"
#include "core/yaml_load.hpp"
#include "terraform/process.hpp"

extern char** environ;

namespace atmos::cli {
namespace {
namespace fs = std::filesystem;

struct WorkflowFile {
  std::string name;  // relative to the workflows directory, with extension
  std::string path;
  Value workflows;   // name → definition
};

std::string workflows_dir(const config::CliConfig& cfg) {
  Value base = cfg.get({"workflows", "base_path"});
  if (!base.is_string() || base.as_string().empty())
    throw Error(ErrorKind::Config, "'workflows.base_path' must be configured in 'atmos.yaml'");
  fs::path p(base.as_string());
  return (p.is_absolute() ? p : fs::path(cfg.base_path_abs) / p).lexically_normal().string();
}

WorkflowFile load_workflow_file(const std::string& path, const std::string& name) {
  Value doc = parse_yaml(read_manifest_file(path), path);
  if (!doc.is_map() || !doc.get("workflows").is_map())
    throw Error(ErrorKind::Config, "invalid workflow manifest")
        .explain("The workflow manifest `" + name + "` must be a map with the top-level `workflows:` key")
        .hint("Add a top-level 'workflows:' key to the manifest file");
  return {name, path, doc.get("workflows")};
}

// Every workflow manifest (*.yaml, *.yml) under the workflows directory, sorted; unreadable ones are skipped
// with a warning, as upstream does.
std::vector<WorkflowFile> all_workflow_files(const config::CliConfig& cfg) {
  std::string dir = workflows_dir(cfg);
  if (!fs::is_directory(dir))
    throw Error(ErrorKind::Config, "workflow directory does not exist: '" + dir + "'. Review 'workflows.base_path' in 'atmos.yaml'");
  std::vector<std::string> files = glob(dir + "/**/*.yaml");
  for (auto& f : glob(dir + "/**/*.yml")) files.push_back(f);
  std::sort(files.begin(), files.end());
  std::vector<WorkflowFile> out;
  for (const auto& f : files) {
    std::string name = fs::path(f).lexically_relative(dir).string();
    try {
      out.push_back(load_workflow_file(f, name));
    } catch (const Error& e) {
      log::warn("Skipping invalid workflow file file={} error={}", name, e.message());
    }
  }
  return out;
}

// Steps without a name are `step1`, `step2`, … (upstream's generateWorkflowStepNames).
std::vector<Value> steps_of(const Value& workflow) {
  std::vector<Value> out;
  Value steps = workflow.get("steps");
  if (!steps.is_list()) return out;
  for (std::size_t i = 0; i < steps.as_list().size(); ++i) {
    Value step = steps.as_list()[i].is_map() ? steps.as_list()[i] : Value::empty_map();
    if (!step.get("name").is_string() || step.get("name").as_string().empty())
      step = step.with("name", Value("step" + std::to_string(i + 1)));
    out.push_back(step);
  }
  return out;
}

std::string str(const Value& v) { return v.is_string() ? v.as_string() : v.is_null() ? "" : describe_value(v); }

// Splits a command line as a POSIX shell would split words: quotes and backslashes, no expansion.
std::vector<std::string> shell_words(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'') {
      std::size_t end = s.find('\'', i + 1);
      if (end == std::string::npos) throw Error(ErrorKind::Config, "unterminated quote in workflow command: " + s);
      cur += s.substr(i + 1, end - i - 1);
      i = end;
      in_word = true;
    } else if (c == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) ++i;
        cur += s[i];
      }
      if (i >= s.size()) throw Error(ErrorKind::Config, "unterminated quote in workflow command: " + s);
      in_word = true;
    } else if (c == '\\' && i + 1 < s.size()) {
      cur += s[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(cur);
  return out;
}

std::string self_exe() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("/proc/self/exe") : p.string();
}

std::vector<std::string> step_environment(const Value& workflow_env, const Value& step_env) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const Value& layer : {workflow_env, step_env})
    if (layer.is_map())
      for (const auto& [k, v] : layer.as_map()) env[k] = str(v);
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::string quote_if_needed(const std::string& s) {
  return s.find_first_of(" \t'\"") == std::string::npos ? s : "'" + s + "'";
}

// Resolves `-f` (a name relative to the workflows directory, extension optional) or finds the one file that
// defines `workflow`.
WorkflowFile find_workflow_file(const config::CliConfig& cfg, const std::string& file, const std::string& workflow) {
  if (!file.empty()) {
    std::string dir = workflows_dir(cfg);
    fs::path p = fs::path(file).is_absolute() ? fs::path(file) : fs::path(dir) / file;
    if (p.extension() != ".yaml" && p.extension() != ".yml") p += ".yaml";
    if (!fs::is_regular_file(p))
      throw Error(ErrorKind::Config, "workflow file not found")
          .explain("The workflow manifest file `" + p.lexically_relative(cfg.base_path_abs).string() + "` does not exist");
    return load_workflow_file(p.string(), p.lexically_relative(dir).string());
  }
  std::vector<WorkflowFile> matches;
  for (auto& f : all_workflow_files(cfg))
    if (f.workflows.has(workflow)) matches.push_back(std::move(f));
  if (matches.empty())
    throw Error(ErrorKind::Config, "no workflow found")
        .explain("No workflow found with name `" + workflow + "`")
        .hint("Use 'atmos describe workflows' to see all available workflows");
  if (matches.size() > 1) {
    std::string names;
    for (const auto& m : matches) names += (names.empty() ? "" : ", ") + m.name;
    throw Error(ErrorKind::Config, "no workflow found")
        .explain("Multiple workflow files contain workflow `" + workflow + "`\n\nMatching files: " + names)
        .hint("Use --file flag to specify which one: atmos workflow " + workflow + " --file <file>");
  }
  return std::move(matches.front());
}

int run_workflow(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, {{"file", 'f', false},
                                      {"from-step", 0, false},
                                      {"dry-run", 0, true},
                                      {"stack", 's', false},
                                      {"identity", 'i', false}});
  if (args.positionals.size() != 1)
    throw Error(ErrorKind::Usage, "invalid arguments. The command requires one argument `workflow`")
        .hint("Use 'atmos list workflows' to see the available workflows");
  const std::string workflow_name = args.positionals[0];
  config::CliConfig cfg = load_config(args);
  WorkflowFile file = find_workflow_file(cfg, args.get("file"), workflow_name);
  Value workflow = file.workflows.get(workflow_name);
  if (!workflow.is_map()) {
    std::string names;
    for (const auto& [k, v] : file.workflows.as_map()) names += "\n- " + k;
    throw Error(ErrorKind::Config, "no workflow found")
        .explain("No workflow exists with name `" + workflow_name + "`")
        .hint("Available workflows in " + fs::path(file.name).filename().string() + ":\n" + names);
  }
  std::vector<Value> steps = steps_of(workflow);
  if (steps.empty())
    throw Error(ErrorKind::Config, "workflow has no steps defined")
        .explain("Workflow `" + workflow_name + "` is empty and requires at least one step to execute.");
  std::string from_step = args.get("from-step");
  if (!from_step.empty()) {
    auto it = std::find_if(steps.begin(), steps.end(), [&](const Value& s) { return str(s.get("name")) == from_step; });
    if (it == steps.end()) {
      std::string names;
      for (const auto& s : steps) names += "\n- " + str(s.get("name"));
      throw Error(ErrorKind::Usage, "invalid from-step flag")
          .explain("The `--from-step` flag was set to `" + from_step + "`, but this step does not exist in workflow `" +
                   workflow_name + "`.\n\n### Available steps:\n" + names);
    }
    steps.erase(steps.begin(), it);
  }
  bool dry_run = args.flag("dry-run");
  std::string cli_stack = args.get("stack"), cli_identity = args.get("identity");
  std::string file_key = fs::path(file.name).replace_extension().string();
  terraform::RealProcessRunner runner;
  for (const auto& step : steps) {
    std::string name = str(step.get("name")), command = str(step.get("command"));
    std::string type = str(step.get("type")).empty() ? "atmos" : str(step.get("type"));
    std::string stack = !cli_stack.empty() ? cli_stack : !str(step.get("stack")).empty() ? str(step.get("stack")) : str(workflow.get("stack"));
    std::string identity = !str(step.get("identity")).empty() ? str(step.get("identity")) : cli_identity;
    if (type != "atmos" && type != "shell")
      throw Error(ErrorKind::Config, "invalid workflow step type")
          .explain("Workflow `" + workflow_name + "` step `" + name + "` uses unsupported type `" + type + "`.")
          .hint("Each step must specify a valid type: 'atmos' or 'shell'");
    terraform::ProcessSpec spec;
    spec.cwd = fs::current_path().string();
    spec.env = step_environment(workflow.get("env"), step.get("env"));
    std::string display;
    if (type == "atmos") {
      spec.program = self_exe();
      if (!identity.empty()) spec.args.push_back("--identity=" + identity);
      for (auto& w : shell_words(command)) spec.args.push_back(w);
      if (!stack.empty()) spec.args.insert(spec.args.end(), {"-s", stack});
      display = "atmos " + command + (stack.empty() ? "" : " -s " + quote_if_needed(stack));
    } else {
      if (identity.empty()) {
        spec.program = "/bin/sh";
        spec.args = {"-c", command};
      } else {
        spec.program = self_exe();
        spec.args = {"auth", "exec", "--identity", identity, "--", "/bin/sh", "-c", command};
      }
      display = command;
    }
    std::fprintf(stderr, "%s step %s: %s%s\n", dry_run ? "Would run" : "Running", name.c_str(), display.c_str(),
                 identity.empty() ? "" : (" (identity " + identity + ")").c_str());
    if (dry_run) continue;
    terraform::ProcessResult result = runner.run(spec);
    if (result.exit_code == 0) continue;
    std::string resume = "atmos workflow " + workflow_name + " -f " + file_key + " --from-step '" + name + "'";
    if (!stack.empty()) resume += " -s '" + stack + "'";
    if (!cli_identity.empty()) resume += " --identity '" + cli_identity + "'";
    throw Error(ErrorKind::Stack, "workflow step execution failed", result.exit_code)
        .explain("The following command failed to execute (exit code " + std::to_string(result.exit_code) + "):\n\n```shell\n" +
                 display + "\n```")
        .hint("To resume the workflow from this step, run:\n\n```shell\n" + resume + "\n```");
  }
  return 0;
}

}  // namespace

int cmd_workflow(const std::vector<std::string>& args) { return run_workflow(args); }

// `describe workflows [--output list|map|all] [-f yaml|json] [-q QUERY]`.
Value describe_workflows_value(const config::CliConfig& cfg, const std::string& output) {
  List list;
  Map by_file, all;
  for (const auto& f : all_workflow_files(cfg)) {
    List names;
    Map workflows;
    for (const auto& [name, definition] : f.workflows.as_map()) {
      names.push_back(Value(name));
      list.push_back(Value::ordered_map({{"file", Value(f.name)}, {"workflow", Value(name)}}));
      Value d = definition.is_map() ? definition : Value::empty_map();
      List steps;
      for (auto& s : steps_of(d)) steps.push_back(s);
      workflows.emplace_back(name, d.with("steps", Value::list(std::move(steps))));
    }
    by_file.emplace_back(f.name, Value::list(std::move(names)));
    all.emplace_back(f.name, Value::map({{"workflows", Value::map(std::move(workflows))}}));
  }
  if (output.empty() || output == "list") return Value::list(std::move(list));
  if (output == "map") return Value::map(std::move(by_file));
  if (output == "all") return Value::map(std::move(all));
  throw Error(ErrorKind::Usage, "invalid '--output' flag '" + output + "'. Valid values are 'list' (default), 'map' and 'all'");
}

// One row per workflow for `list workflows`: file, workflow, description, steps.
std::vector<Value> workflow_rows(const config::CliConfig& cfg, const std::string& file_filter) {
  std::vector<Value> out;
  for (const auto& f : all_workflow_files(cfg)) {
    if (!file_filter.empty() && f.name != file_filter && fs::path(f.name).replace_extension().string() != file_filter) continue;
    for (const auto& [name, definition] : f.workflows.as_map())
      out.push_back(Value::map({{"file", Value(f.name)},
                                {"workflow", Value(name)},
                                {"description", Value(str(definition.get("description")))},
                                {"steps", Value::from_uint(steps_of(definition).size())}}));
  }
  return out;
}

}  // namespace atmos::cli
