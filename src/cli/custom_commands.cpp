#include "cli/custom_commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "cli/app.hpp"
#include "cli/args.hpp"
#include "cli/child_credentials.hpp"
#include "cli/context.hpp"
#include "cli/help.hpp"
#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "stacks/engine.hpp"
#include "template/functions.hpp"
#include "template/template.hpp"
#include "terraform/process.hpp"

extern char** environ;

namespace atmos::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxNesting = 16;      // levels of nested `commands`
constexpr int kMaxAliasExpansions = 16;

struct ArgumentDef {
  std::string name, description, def;
  bool required = false;
  std::vector<std::string> values;
};

struct FlagDef {
  std::string name, description, def;
  char shorthand = 0;
  bool boolean = false, required = false;
  std::vector<std::string> values;
};

struct EnvDef {
  std::string key, value, value_command;
  bool has_value = false, has_command = false;
};

struct CustomCommand {
  std::string path, description, identity, working_directory, origin;
  std::vector<ArgumentDef> arguments;
  std::vector<FlagDef> flags;
  std::vector<EnvDef> env;
  List steps;
  bool has_steps = false, verbose = false, internal = false;
  std::string component, stack;  // component_config
  std::vector<std::string> unsupported;
};

struct Registry {
  bool done = false;
  std::map<std::string, CustomCommand> commands;  // by path ("terraform provision")
  std::map<std::string, std::string> aliases;     // name → command line
};

Registry& registry() {
  static Registry r;
  return r;
}

// "atmos.yaml:12" for errors about a node, or the configuration files when the node has no mark.
std::string where(const Value& v, const std::string& fallback) {
  if (const SourceMark* m = v.mark(); m && m->file) return *m->file + (m->line ? ":" + std::to_string(m->line) : "");
  return fallback;
}

std::string scalar_text(const Value& v) { return v.is_string() ? v.as_string() : tmpl::to_text(v); }

std::vector<std::string> string_list(const Value& v, const std::string& what) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (!v.is_list()) throw Error(ErrorKind::Config, what + " must be a list of strings");
  for (const auto& item : v.as_list()) {
    if (item.is_map() || item.is_list()) throw Error(ErrorKind::Config, what + " must be a list of strings");
    out.push_back(scalar_text(item));
  }
  return out;
}

const Map& as_map_or_throw(const Value& v, const std::string& what) {
  if (!v.is_map()) throw Error(ErrorKind::Config, what + " must be a map");
  return v.as_map();
}

void parse_command(const Value& item, const std::string& parent, int depth, const std::string& files, Registry& reg);

void parse_list(const Value& list, const std::string& parent, int depth, const std::string& files, Registry& reg) {
  if (list.is_null()) return;
  std::string what = parent.empty() ? "commands" : "commands of '" + parent + "'";
  if (!list.is_list()) throw Error(ErrorKind::Config, "invalid custom commands in " + where(list, files)).explain("`" + what + "` must be a list");
  if (depth > kMaxNesting)
    throw Error(ErrorKind::Config, "invalid custom commands in " + where(list, files))
        .explain("custom commands are nested more than " + std::to_string(kMaxNesting) + " levels deep");
  for (const auto& item : list.as_list()) parse_command(item, parent, depth, files, reg);
}

void parse_command(const Value& item, const std::string& parent, int depth, const std::string& files, Registry& reg) {
  std::string at = where(item, files);
  auto bad = [&](const std::string& text) { return Error(ErrorKind::Config, "invalid custom command in " + at).explain(text); };
  if (!item.is_map()) throw bad("each entry of `commands` must be a map with at least `name`");
  Value name = item.get("name");
  if (!name.is_string() || name.as_string().find_first_not_of(' ') == std::string::npos)
    throw bad("a custom command needs a `name`");
  // Path-based names ("list stacks") expand into nested commands.
  std::istringstream words(name.as_string());
  std::string word, path = parent;
  std::vector<std::string> segments;
  while (words >> word) segments.push_back(word);
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    path = path.empty() ? segments[i] : path + " " + segments[i];
    auto& group = reg.commands[path];
    if (group.path.empty()) {
      group.path = path;
      group.origin = at;
    }
  }
  path = path.empty() ? segments.back() : path + " " + segments.back();
  CustomCommand c;
  c.path = path;
  c.origin = at;
  std::string label = "custom command '" + path + "'";
  for (const auto& [key, v] : item.as_map()) {
    if (key == "name" || key == "commands") continue;
    try {
      if (key == "description") {
        c.description = scalar_text(v);
      } else if (key == "identity") {
        c.identity = scalar_text(v);
      } else if (key == "working_directory") {
        if (!v.tag().empty()) throw Error(ErrorKind::Config, "`working_directory` with the YAML tag " + v.tag() + " is not supported");
        c.working_directory = scalar_text(v);
      } else if (key == "verbose") {
        c.verbose = v.is_bool() ? v.as_bool() : parse_go_bool(scalar_text(v)).value_or(false);
      } else if (key == "internal") {
        c.internal = v.is_bool() ? v.as_bool() : parse_go_bool(scalar_text(v)).value_or(false);
      } else if (key == "steps") {
        if (!v.is_list()) throw Error(ErrorKind::Config, "`steps` must be a list");
        c.steps = v.as_list();
        c.has_steps = !c.steps.empty();
      } else if (key == "arguments") {
        if (!v.is_list()) throw Error(ErrorKind::Config, "`arguments` must be a list");
        for (const auto& a : v.as_list()) {
          const Map& m = as_map_or_throw(a, "each argument");
          ArgumentDef d;
          for (const auto& [k, x] : m) {
            if (k == "name") d.name = scalar_text(x);
            else if (k == "description") d.description = scalar_text(x);
            else if (k == "default") d.def = scalar_text(x);
            else if (k == "required") d.required = x.is_bool() ? x.as_bool() : parse_go_bool(scalar_text(x)).value_or(false);
            else if (k == "values") d.values = string_list(x, "argument `values`");
            else throw Error(ErrorKind::Config, "argument setting `" + k + "` is not supported");
          }
          if (d.name.empty()) throw Error(ErrorKind::Config, "an argument needs a `name`");
          c.arguments.push_back(std::move(d));
        }
      } else if (key == "flags") {
        if (!v.is_list()) throw Error(ErrorKind::Config, "`flags` must be a list");
        for (const auto& f : v.as_list()) {
          const Map& m = as_map_or_throw(f, "each flag");
          FlagDef d;
          for (const auto& [k, x] : m) {
            if (k == "name") d.name = scalar_text(x);
            else if (k == "description") d.description = scalar_text(x);
            else if (k == "default") d.def = scalar_text(x);
            else if (k == "required") d.required = x.is_bool() ? x.as_bool() : parse_go_bool(scalar_text(x)).value_or(false);
            else if (k == "values") d.values = string_list(x, "flag `values`");
            else if (k == "shorthand") {
              std::string s = scalar_text(x);
              if (s.size() != 1) throw Error(ErrorKind::Config, "flag shorthand '" + s + "' must be one character");
              d.shorthand = s[0];
            } else if (k == "type") {
              std::string t = scalar_text(x);
              if (t != "string" && t != "bool" && !t.empty())
                throw Error(ErrorKind::Config, "flag type '" + t + "' is not supported (string or bool)");
              d.boolean = t == "bool";
            } else {
              throw Error(ErrorKind::Config, "flag setting `" + k + "` is not supported");
            }
          }
          if (d.name.empty()) throw Error(ErrorKind::Config, "a flag needs a `name`");
          if (d.name == "identity" || d.name == "help")
            throw Error(ErrorKind::Config, "flag name '" + d.name + "' is reserved");
          for (const auto& g : global_flags())
            if (g.name == d.name || (d.shorthand && g.shorthand == d.shorthand))
              throw Error(ErrorKind::Config, "flag '" + d.name + "' conflicts with the global flag --" + g.name);
          if (d.shorthand == 'h') throw Error(ErrorKind::Config, "flag shorthand 'h' is reserved for --help");
          for (const auto& other : c.flags)
            if (other.name == d.name || (d.shorthand && other.shorthand == d.shorthand))
              throw Error(ErrorKind::Config, "flag '" + d.name + "' is defined twice");
          c.flags.push_back(std::move(d));
        }
      } else if (key == "env") {
        if (!v.is_list()) throw Error(ErrorKind::Config, "`env` must be a list of key/value entries");
        for (const auto& e : v.as_list()) {
          const Map& m = as_map_or_throw(e, "each env entry");
          EnvDef d;
          for (const auto& [k, x] : m) {
            if (k == "key") d.key = scalar_text(x);
            else if (k == "value") d.value = scalar_text(x), d.has_value = true;
            else if (k == "valueCommand") d.value_command = scalar_text(x), d.has_command = true;
            else throw Error(ErrorKind::Config, "env setting `" + k + "` is not supported");
          }
          if (d.key.empty()) throw Error(ErrorKind::Config, "an env entry needs a `key`");
          if (d.has_value && d.has_command)
            throw Error(ErrorKind::Config, "either 'value' or 'valueCommand' can be specified for the ENV var '" + d.key + "', but not both");
          c.env.push_back(std::move(d));
        }
      } else if (key == "component_config") {
        for (const auto& [k, x] : as_map_or_throw(v, "`component_config`")) {
          if (k == "component") c.component = scalar_text(x);
          else if (k == "stack") c.stack = scalar_text(x);
          else throw Error(ErrorKind::Config, "component_config setting `" + k + "` is not supported");
        }
      } else {
        c.unsupported.push_back(key);
      }
    } catch (Error& e) {
      if (e.message().rfind("invalid custom command", 0) == 0) throw;
      throw bad(label + ": " + e.message());
    }
  }
  reg.commands[path] = std::move(c);
  parse_list(item.get("commands"), path, depth + 1, files, reg);
}

std::string files_text(const config::CliConfig& cfg) {
  std::string out;
  for (const auto& f : cfg.loaded_files) out += (out.empty() ? "" : ", ") + f;
  return out.empty() ? "atmos.yaml" : out;
}

// The configuration the global flags select, read without changing directory or logging.
std::optional<config::CliConfig> peek_config(const std::vector<std::string>& args) {
  ParsedArgs g;
  for (std::size_t i = 0; i < args.size() && args[i] != "--"; ++i) {
    const std::string& a = args[i];
    for (const auto& f : global_flags()) {
      if (f.boolean) continue;
      std::string long_form = "--" + f.name;
      std::string short_form = f.shorthand ? std::string("-") + f.shorthand : "";
      if (a.rfind(long_form + "=", 0) == 0) g.values[f.name].push_back(a.substr(long_form.size() + 1));
      else if ((a == long_form || (!short_form.empty() && a == short_form)) && i + 1 < args.size()) g.values[f.name].push_back(args[++i]);
      else if (!short_form.empty() && a.size() > 2 && a.rfind(short_form, 0) == 0) g.values[f.name].push_back(a.substr(2));
    }
  }
  ProcessEnvironment env;
  config::ConfigRequest req;
  req.env = &env;
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (ec) return std::nullopt;
  std::string chdir_to = g.get("chdir", env.get_or("ATMOS_CHDIR", ""));
  req.cwd = chdir_to.empty() ? cwd.string() : (cwd / chdir_to).lexically_normal().string();
  req.config_files = g.list("config");
  req.config_dirs = g.list("config-path");
  if (g.has("base-path")) req.base_path = g.get("base-path");
  req.profiles = g.list("profile");
  try {
    return config::load_cli_config(req);
  } catch (const Error& e) {
    log::debug("Custom commands not loaded error={}", e.message());
    return std::nullopt;
  }
}

HelpCommand help_node(const CustomCommand& c) {
  HelpCommand h;
  h.path = c.path;
  h.summary = c.description.substr(0, c.description.find('\n'));
  if (!c.has_steps) {
    if (h.summary.empty()) h.summary = "Commands under '" + c.path + "'";
    h.usage = c.path + " [command]";
    h.examples.push_back("atmos " + c.path + " --help");
    return h;
  }
  h.usage = c.path;
  std::string example = "atmos " + c.path;
  for (const auto& a : c.arguments) {
    h.usage += a.required && a.def.empty() ? " <" + a.name + ">" : " [" + a.name + "]";
    example += " <" + a.name + ">";
  }
  h.usage += " [flags]";
  for (const auto& f : c.flags) {
    h.flags.push_back({f.name, f.shorthand, f.boolean ? "" : "string", f.description + (f.required ? " (required)" : ""), f.def});
    if (f.required && f.def.empty()) example += " --" + f.name + (f.boolean ? "" : " <" + f.name + ">");
  }
  h.flags.push_back({"identity", 0, "string", "Identity to use for authentication (overrides identity in command config)", c.identity});
  h.flags.push_back({"mfa-token", 0, "string", "The MFA code for an IAM user identity (ATMOS_MFA_TOKEN)", ""});
  h.examples.push_back(example);
  return h;
}

std::string self_path() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "atmos";
}

// A word a POSIX shell reads back as itself.
std::string shell_word(const std::string& v) {
  bool plain = !v.empty() && std::all_of(v.begin(), v.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || std::string_view("/._-+=:,@%").find(ch) != std::string_view::npos;
  });
  if (plain) return v;
  std::string out = "'";
  for (char ch : v) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

class Renderer {
 public:
  explicit Renderer(const CustomCommand& c) : command_(c), funcs_(tmpl::atmos_functions(env_, true, true)) {}

  std::string operator()(const std::string& what, const std::string& text, const Value& data) const {
    try {
      return tmpl::render(what, text, data, {}, &funcs_);
    } catch (const tmpl::TemplateError& e) {
      throw Error(ErrorKind::Config, "custom command '" + command_.path + "': " + what + ": " + e.what()).hint("Defined in " + command_.origin);
    }
  }

 private:
  const CustomCommand& command_;
  ProcessEnvironment env_;
  tmpl::FuncTable funcs_;
};

int execute(const CustomCommand& c, const std::vector<std::string>& rest) {
  if (!c.unsupported.empty()) {
    std::string list;
    for (const auto& k : c.unsupported) list += (list.empty() ? "`" : ", `") + k + "`";
    throw Error(ErrorKind::Config, "custom command '" + c.path + "' uses settings this atmos does not support: " + list)
        .explain("Defined in " + c.origin + ".")
        .hint("Remove the setting, or run the command with upstream Atmos");
  }
  std::vector<FlagSpec> flag_specs;
  for (const auto& f : c.flags) flag_specs.push_back({f.name, f.shorthand, f.boolean});
  flag_specs.push_back({"identity", 0, false});
  flag_specs.push_back({"mfa-token", 0, false});
  ParsedArgs args = parse_args(rest, flag_specs);
  std::string command_name = "atmos " + c.path;

  // Arguments: cobra's NoArgs / RangeArgs, then upstream's text for missing required ones.
  const auto& given = args.positionals;
  if (c.arguments.empty() && !given.empty())
    throw Error(ErrorKind::Usage, "unknown command \"" + given.front() + "\" for \"" + command_name + "\"");
  std::size_t required = 0;
  for (const auto& a : c.arguments) required += a.required && a.def.empty();
  if (given.size() > c.arguments.size())
    throw Error(ErrorKind::Usage, "accepts between " + std::to_string(required) + " and " + std::to_string(c.arguments.size()) +
                                      " arg(s), received " + std::to_string(given.size()));
  if (given.size() < required) {
    std::string text = "Command requires at least " + std::to_string(required) + " argument(s) (no defaults provided for them):\n";
    int n = 1;
    for (const auto& a : c.arguments)
      if (a.required && a.def.empty()) text += "  " + std::to_string(n++) + ". " + a.name + "\n";
    if (!given.empty()) {
      text += "\nReceived " + std::to_string(given.size()) + " argument(s): ";
      for (std::size_t i = 0; i < given.size(); ++i) text += (i ? ", " : "") + given[i];
    }
    throw Error(ErrorKind::Usage, text);
  }
  Map arguments;
  for (std::size_t i = 0; i < c.arguments.size(); ++i) {
    const auto& a = c.arguments[i];
    std::string v = i < given.size() ? given[i] : a.def;
    if (!a.values.empty() && std::find(a.values.begin(), a.values.end(), v) == a.values.end()) {
      std::string allowed;
      for (const auto& x : a.values) allowed += (allowed.empty() ? "" : ", ") + x;
      throw Error(ErrorKind::Usage, "invalid value \"" + v + "\" for argument " + a.name + " (valid values: " + allowed + ")");
    }
    arguments.emplace_back(a.name, Value(v));
  }

  // Flags: required ones, allowed values, then the template data (bool flags as booleans).
  std::vector<std::string> missing;
  Map flags;
  for (const auto& f : c.flags) {
    if (f.required && f.def.empty() && !args.has(f.name)) missing.push_back("\"" + f.name + "\"");
    std::string v = args.get(f.name, f.def);
    if (!f.values.empty() && args.has(f.name) && std::find(f.values.begin(), f.values.end(), v) == f.values.end()) {
      std::string allowed;
      for (const auto& x : f.values) allowed += (allowed.empty() ? "" : ", ") + x;
      throw Error(ErrorKind::Usage, "invalid value \"" + v + "\" for flag --" + f.name + " (valid values: " + allowed + ")");
    }
    if (f.boolean) {
      auto b = parse_go_bool(v.empty() ? "false" : v);
      if (!b) throw Error(ErrorKind::Config, "custom command '" + c.path + "': the default of flag --" + f.name + " is not a boolean");
      flags.emplace_back(f.name, Value(*b));
    } else {
      flags.emplace_back(f.name, Value(v));
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw Error(ErrorKind::Usage, "required flag(s) " + list + " not set");
  }

  config::CliConfig cfg = load_config(args);
  std::string trailing;
  for (const auto& t : args.passthrough) trailing += (trailing.empty() ? "" : " ") + shell_word(t);
  std::string cwd = fs::current_path().string();
  Value flags_value = Value::map(flags);
  Map data_entries{{"Arguments", Value::map(arguments)}, {"Flags", flags_value}, {"flags", flags_value},
                   {"TrailingArgs", Value(trailing)}, {"Cwd", Value(cwd)}, {"cwd", Value(cwd)}};
  Renderer render(c);

  // component_config: the component's full section in the stack, as `describe component` shows it.
  if (!c.component.empty() || !c.stack.empty()) {
    Value data = Value::map(data_entries);
    std::string component = render("component_config.component", c.component, data);
    std::string stack = render("component_config.stack", c.stack, data);
    for (const auto& [field, v] : {std::pair{"component", component}, std::pair{"stack", stack}})
      if (v.empty() || v == "<no value>")
        throw Error(ErrorKind::Config, "the command defines an invalid component_config value")
            .explain("component_config." + std::string(field) + " of custom command '" + c.path + "' renders to '" + v + "' (" + c.origin + ")");
    stacks::StackEngine& engine = process_engine(cfg);
    install_functions(engine, cfg, args);
    stacks::StackComponent sc = engine.find_component(component, stack);
    data_entries.emplace_back("ComponentConfig", engine.describe_component(sc, {"describe", "component"}));
  }
  Value data = Value::map(data_entries);

  // The environment of every step: this process's, atmos.yaml's `env`, the command's `env` (templated).
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    if (auto eq = kv.find('='); eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (Value global_env = cfg.raw.get("env"); global_env.is_map())
    for (const auto& [k, v] : global_env.as_map()) env[k] = scalar_text(v);
  std::string self = self_path();
  env["ATMOS_CLI_PATH"] = self;
  env["PATH"] = fs::path(self).parent_path().string() + (env.count("PATH") ? ":" + env["PATH"] : "");
  auto env_list = [&] {
    std::vector<std::string> out;
    for (const auto& [k, v] : env) out.push_back(k + "=" + v);
    return out;
  };
  std::string workdir = cwd;
  if (!c.working_directory.empty()) {
    fs::path w = c.working_directory;
    workdir = (w.is_absolute() ? w : fs::path(cfg.base_path_abs) / w).lexically_normal().string();
    if (!fs::is_directory(workdir))
      throw Error(ErrorKind::Config, "invalid working_directory").explain("custom command '" + c.path + "': directory '" + workdir + "' does not exist");
  }
  terraform::RealProcessRunner runner;
  for (const auto& e : c.env) {
    if (e.has_command) {
      terraform::ProcessSpec spec;
      spec.program = "/bin/sh";
      spec.args = {"-c", render("env " + e.key, e.value_command, data)};
      spec.cwd = workdir;
      spec.env = env_list();
      spec.capture_output = true;
      terraform::ProcessResult r = runner.run(spec);
      if (r.exit_code != 0)
        throw Error(ErrorKind::Config, "valueCommand of env '" + e.key + "' failed with exit code " + std::to_string(r.exit_code))
            .explain("custom command '" + c.path + "' (" + c.origin + ")");
      while (!r.output.empty() && (r.output.back() == '\n' || r.output.back() == '\r')) r.output.pop_back();
      env[e.key] = r.output;
    } else {
      env[e.key] = render("env " + e.key, e.value, data);
    }
  }

  // Every step rendered before the first runs, so a template error runs nothing.
  std::vector<terraform::ProcessSpec> specs;
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    const Value& step = c.steps[i];
    std::string label = "step " + std::to_string(i + 1);
    std::string type = "shell", text;
    if (step.is_map()) {
      for (const auto& [k, v] : step.as_map()) {
        if (k == "type") type = scalar_text(v);
        else if (k == "command") text = scalar_text(v);
        else if (k != "name")
          throw Error(ErrorKind::Config, "custom command '" + c.path + "' " + label + ": step setting `" + k + "` is not supported")
              .explain("Defined in " + c.origin + ".");
      }
    } else if (step.is_string()) {
      text = step.as_string();
    } else {
      throw Error(ErrorKind::Config, "custom command '" + c.path + "' " + label + " must be a string or a map").explain("Defined in " + c.origin + ".");
    }
    std::string rendered = render(label, text, data);
    terraform::ProcessSpec spec;
    spec.cwd = workdir;
    spec.env = env_list();
    if (type == "shell") {
      spec.program = "/bin/sh";
      spec.args = {"-c", rendered};
    } else if (type == "atmos") {
      spec.program = self;
      std::istringstream words(rendered);
      for (std::string w; words >> w;) spec.args.push_back(w);
    } else {
      throw Error(ErrorKind::Config, "custom command '" + c.path + "' " + label + ": unsupported step type \"" + type + "\"")
          .explain("Defined in " + c.origin + ".")
          .hint("Supported step types: shell, atmos");
    }
    if (c.verbose) std::fprintf(stderr, "Executing command: %s\n", rendered.c_str());
    log::debug("Custom command step command={} step={} run={}", c.path, i + 1, rendered);
    specs.push_back(std::move(spec));
  }

  std::string identity = args.has("identity") ? args.get("identity") : c.identity;
  if (!identity.empty()) return run_as_identity(args, identity, specs);
  for (const auto& spec : specs)
    if (int code = runner.run(spec).exit_code; code != 0) return code;
  return 0;
}

}  // namespace

void register_config_commands(const std::vector<std::string>& args) {
  Registry& reg = registry();
  if (reg.done) return;
  reg.done = true;
  std::optional<config::CliConfig> cfg = peek_config(args);
  if (!cfg) return;
  std::string files = files_text(*cfg);
  parse_list(cfg->raw.get("commands"), "", 0, files, reg);
  Value aliases = cfg->raw.get("aliases");
  if (!aliases.is_null() && !aliases.is_map())
    throw Error(ErrorKind::Config, "invalid aliases in " + where(aliases, files)).explain("`aliases` must be a map of name to command");
  if (aliases.is_map())
    for (const auto& [name, target] : aliases.as_map()) {
      if (!target.is_string() || target.as_string().find_first_not_of(' ') == std::string::npos)
        throw Error(ErrorKind::Config, "invalid alias '" + name + "' in " + where(target, files)).explain("an alias names the command it stands for");
      if (is_builtin_command(name)) {
        log::debug("Alias shadows a built-in command and is ignored alias={}", name);
        continue;
      }
      reg.aliases[name] = target.as_string();
    }

  std::vector<HelpCommand> nodes;
  for (const auto& [path, c] : reg.commands) {
    if (c.internal || (!c.has_steps && is_builtin_command(path))) continue;
    nodes.push_back(help_node(c));
  }
  for (const auto& [name, target] : reg.aliases)
    nodes.push_back({name, "alias for `" + target + "`", name + " [args] [flags]", {}, {"atmos " + name}, true});
  extend_command_tree(std::move(nodes));
}

std::optional<int> run_config_command(const std::vector<std::string>& args) {
  Registry& reg = registry();
  if (args.empty()) return std::nullopt;
  if (auto it = reg.aliases.find(args[0]); it != reg.aliases.end()) {
    static int expansions = 0;
    if (++expansions > kMaxAliasExpansions)
      throw Error(ErrorKind::Config, "alias '" + args[0] + "' expands into itself").hint("Check `aliases` in atmos.yaml");
    std::vector<std::string> expanded;
    std::istringstream words(it->second);
    for (std::string w; words >> w;) expanded.push_back(w);
    expanded.insert(expanded.end(), args.begin() + 1, args.end());
    log::debug("Alias alias={} command={}", args[0], it->second);
    return run(expanded);
  }
  std::string path;
  std::size_t i = 0;
  for (; i < args.size() && !args[i].empty() && args[i][0] != '-'; ++i) {
    std::string next = path.empty() ? args[i] : path + " " + args[i];
    if (!reg.commands.count(next)) break;
    path = next;
  }
  if (path.empty()) return std::nullopt;
  const CustomCommand& c = reg.commands.at(path);
  if (!c.has_steps) {
    if (is_builtin_command(path)) return std::nullopt;
    if (i < args.size() && args[i][0] != '-')
      throw Error(ErrorKind::Usage, "unknown command \"" + args[i] + "\" for \"atmos " + path + "\"");
    std::vector<std::string> words;
    std::istringstream ss(path);
    for (std::string w; ss >> w;) words.push_back(w);
    std::fputs(help_text(find_command(words), 2).c_str(), stderr);
    return 1;
  }
  return execute(c, std::vector<std::string>(args.begin() + static_cast<long>(i), args.end()));
}

}  // namespace atmos::cli
