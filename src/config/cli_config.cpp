#include "config/cli_config.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/glob.hpp"
#include "core/log.hpp"
#include "core/yaml_load.hpp"

namespace atmos::config {
namespace fs = std::filesystem;
namespace {

bool exists(const std::string& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}
bool is_dir(const std::string& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}
std::string join(const std::string& a, const std::string& b) {
  if (b.empty()) return a;
  if (!b.empty() && b[0] == '/') return b;
  return (fs::path(a) / b).lexically_normal().string();
}
std::string clean(const std::string& p) {
  std::string s = fs::path(p).lexically_normal().string();
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s.empty() ? "." : s;
}
std::string dir_of(const std::string& file) { return fs::path(file).parent_path().string(); }

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto b = item.find_first_not_of(" \t");
    auto e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

// Evaluates the YAML functions atmos.yaml supports that need nothing beyond the environment.
Value eval_config_functions(const Value& v, const Environment& env, const std::string& cwd) {
  const std::string& tag = v.tag();
  if (v.is_string() && !tag.empty()) {
    const std::string& text = v.as_string();
    if (tag == "!env") {
      auto sp = text.find(' ');
      std::string name = text.substr(0, sp);
      auto val = env.get(name);
      if (val) return Value(*val);
      return Value(sp == std::string::npos ? std::string() : text.substr(sp + 1));
    }
    if (tag == "!cwd") return Value(cwd);
    return Value(text);
  }
  if (v.is_map()) {
    Map out;
    bool changed = false;
    for (const auto& [k, item] : v.as_map()) {
      if (item.tag() == "!unset") {
        changed = true;
        continue;
      }
      Value nv = eval_config_functions(item, env, cwd);
      if (nv.identity() != item.identity()) changed = true;
      out.emplace_back(k, nv);
    }
    return changed ? Value::sorted_map(std::move(out)) : v;
  }
  if (v.is_list()) {
    List out;
    bool changed = false;
    for (const auto& item : v.as_list()) {
      Value nv = eval_config_functions(item, env, cwd);
      if (nv.identity() != item.identity()) changed = true;
      out.push_back(nv);
    }
    if (!changed) return v;
    Value l = Value::list(std::move(out));
    return v.tag().empty() ? l : l.with_tag(v.tag());
  }
  return v;
}

// Files of a config directory (`atmos.d`, a profile): **/*.yaml + **/*.yml, .yaml preferred for the same
// stem, sorted by directory depth then path.
std::vector<std::string> config_dir_files(const std::string& dir) {
  std::vector<std::string> files = glob(dir + "/**/*.yaml");
  for (auto& f : glob(dir + "/**/*.yml")) {
    std::string stem = f.substr(0, f.size() - 4);
    if (std::find(files.begin(), files.end(), stem + ".yaml") == files.end()) files.push_back(f);
  }
  files.erase(std::remove_if(files.begin(), files.end(), [](const std::string& f) { return is_dir(f); }), files.end());
  auto depth = [](const std::string& p) { return std::count(p.begin(), p.end(), '/'); };
  std::sort(files.begin(), files.end(), [&](const std::string& a, const std::string& b) {
    auto da = depth(a), db = depth(b);
    if (da != db) return da < db;
    return a < b;
  });
  return files;
}

// Where profiles are looked up, first match wins (docs/stacks.md#cli-configuration, "Profiles").
std::vector<std::string> profile_roots_of(const Value& raw, const std::string& config_dir, const std::string& cwd,
                                          const Environment& env) {
  std::vector<std::string> roots;
  Value bp = raw.at({"profiles", "base_path"});
  if (bp.is_string() && !bp.as_string().empty()) roots.push_back(join(config_dir.empty() ? cwd : config_dir, bp.as_string()));
  if (!config_dir.empty()) roots.push_back(join(config_dir, ".atmos/profiles"));
  std::string xdg = env.get_or("ATMOS_XDG_CONFIG_HOME", env.get_or("XDG_CONFIG_HOME", ""));
  if (xdg.empty() && env.get("HOME")) xdg = join(*env.get("HOME"), ".config");
  if (!xdg.empty()) roots.push_back(join(xdg, "atmos/profiles"));
  if (!config_dir.empty()) roots.push_back(join(config_dir, "profiles"));
  return roots;
}

std::vector<std::string> profiles_in(const std::vector<std::string>& roots) {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& root : roots) {
    if (!is_dir(root)) continue;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_directory()) names.insert(it->path().filename().string());
  }
  return {names.begin(), names.end()};
}

class Loader {
 public:
  Loader(const ConfigRequest& req) : req_(req), env_(*req.env) {}

  // Upstream decodes atmos.yaml into its configuration struct with mapstructure (go-viper/mapstructure/v2); a
  // section of the wrong type fails that decode with its message. Null sections decode as empty.
  static void check_section_types(const Value& raw) {
    static const char* const kStructs[] = {"auth",   "components", "describe", "integrations", "list",      "logs",
                                           "schemas", "settings",  "stacks",   "templates",    "validate", "workflows"};
    static const char* const kStrings[] = {"base_path"};
    auto kind = [](const Value& v) -> std::string {
      switch (v.kind()) {
        case Kind::Bool: return "bool";
        case Kind::Int: return "int";
        case Kind::Uint: return "uint64";
        case Kind::Float: return "float64";
        case Kind::String: return "string";
        case Kind::List: return "slice";
        default: return "map";
      }
    };
    auto fail = [](const std::string& text) {
      throw Error(ErrorKind::Config, "decoding failed due to the following error(s):\n\n" + text);
    };
    for (const char* key : kStructs) {
      const Value* v = raw.find(key);
      if (v && !v->is_null() && !v->is_map()) fail(std::string("'") + key + "' expected a map or struct, got \"" + kind(*v) + "\"");
    }
    for (const char* key : {"terraform", "helmfile", "packer"}) {
      const Value* v = raw.get("components").find(key);
      if (v && !v->is_null() && !v->is_map())
        fail(std::string("'components.") + key + "' expected a map or struct, got \"" + kind(*v) + "\"");
    }
    for (const char* key : kStrings) {
      const Value* v = raw.find(key);
      if (v && (v->is_map() || v->is_list()))
        fail(std::string("'") + key + "' expected type 'string', got unconvertible type '" +
             (v->is_map() ? "map[string]interface {}" : "[]interface {}") + "'");
    }
  }

  CliConfig load() {
    CliConfig cfg;
    std::vector<std::string> files = discover();
    for (const auto& f : files) merge_file(f, 0);
    cfg.any_file = !loaded_.empty();
    cfg.loaded_files = loaded_;
    if (!loaded_.empty()) cfg.config_dir = dir_of(loaded_.back());
    Value base = defaults();
    if (!cfg.any_file) base = deep_merge(base, builtin_cli_config());
    raw_ = deep_merge(base, raw_);
    check_section_types(raw_);

    apply_profiles(cfg);
    cfg.raw = raw_;
    cfg.identity_files = identity_files_;
    apply_env_and_flags(cfg);
    derive(cfg);
    return cfg;
  }

 private:
  std::vector<std::string> discover() {
    std::vector<std::string> out;
    auto add = [&](const std::string& f) {
      if (f.empty() || !exists(f) || is_dir(f)) return;
      std::string c = fs::weakly_canonical(f).string();
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    };
    auto in_dir = [&](const std::string& d) -> std::string {
      for (const char* n : {"atmos.yaml", "atmos.yml"}) {
        std::string p = join(d, n);
        if (exists(p)) return p;
      }
      return "";
    };

    std::vector<std::string> cfg_files = req_.config_files;
    std::vector<std::string> cfg_dirs = req_.config_dirs;
    if (cfg_files.empty() && cfg_dirs.empty()) {
      if (auto v = env_.get("ATMOS_CONFIG"); v && !v->empty()) cfg_files = split_list(*v);
      if (auto v = env_.get("ATMOS_CONFIG_PATH"); v && !v->empty()) cfg_dirs = split_list(*v);
    }
    if (!cfg_files.empty() || !cfg_dirs.empty()) {
      for (const auto& f : cfg_files) {
        std::string p = join(req_.cwd, f);
        if (!exists(p)) throw Error(ErrorKind::Config, "config file not found: " + f);
        add(p);
      }
      for (const auto& d : cfg_dirs) {
        std::string dir = join(req_.cwd, d);
        std::string p = in_dir(dir);
        if (p.empty() && exists(join(dir, ".atmos.yaml"))) p = join(dir, ".atmos.yaml");
        if (p.empty()) throw Error(ErrorKind::Config, "atmos.yaml not found in config path: " + d);
        add(p);
      }
      return out;
    }

    add(in_dir("/usr/local/etc/atmos"));
    if (auto home = env_.get("HOME"); home && !home->empty()) add(in_dir(join(*home, ".atmos")));

    bool cli_config_path_set = env_.get("ATMOS_CLI_CONFIG_PATH").has_value();
    bool local = false;
    for (const char* n : {"atmos.yaml", ".atmos.yaml", ".atmos", ".atmos.d", "atmos.d"})
      if (exists(join(req_.cwd, n))) local = true;
    if (!cli_config_path_set && !local) {
      for (fs::path p = fs::path(req_.cwd); ; p = p.parent_path()) {
        std::string f = in_dir(p.string());
        if (!f.empty()) {
          add(f);
          break;
        }
        if (p == p.root_path() || p.parent_path() == p) break;
      }
      if (env_.get_or("ATMOS_GIT_ROOT_BASEPATH", "") != "false") {
        std::string root = git_root(req_.cwd);
        if (!root.empty()) add(in_dir(root));
      }
    }
    add(in_dir(req_.cwd));
    if (auto p = env_.get("ATMOS_CLI_CONFIG_PATH"); p && !p->empty()) add(in_dir(join(req_.cwd, *p)));
    return out;
  }

  static std::string git_root(const std::string& from) {
    for (fs::path p = fs::path(from);; p = p.parent_path()) {
      if (exists((p / ".git").string())) return p.string();
      if (p == p.root_path() || p.parent_path() == p) return "";
    }
  }

  Value read(const std::string& file) {
    Value v;
    try {
      v = load_yaml_file(file);
    } catch (const YamlError& e) {
      throw Error(ErrorKind::Config, "failed to parse config file '" + file + "'")
          .explain(e.located(file));
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::Yaml)
        throw Error(ErrorKind::Config, "failed to parse config file '" + file + "'").explain(file + ": " + e.message());
      throw;
    }
    if (v.is_null()) return Value::empty_map();
    if (!v.is_map()) throw Error(ErrorKind::Config, "invalid config file '" + file + "': the root must be a map");
    return eval_config_functions(v, env_, req_.cwd);
  }

  // Merges one atmos.yaml with its default imports (atmos.d, .atmos.d) and `import:` list; the file's own
  // content is re-applied last so it overrides what it imported.
  void merge_file(const std::string& file, int depth) {
    Value content = read(file);
    loaded_.push_back(file);
    if (depth == 0) {
      std::string dir = dir_of(file);
      std::vector<std::string> excluded = split_list(env_.get_or("TEST_EXCLUDE_ATMOS_D", ""));
      std::vector<std::string> dirs;
      std::string root = git_root(dir);
      if (!root.empty() && root != dir) dirs.push_back(root);
      dirs.push_back(dir);
      for (const auto& d : dirs) {
        bool skip = false;
        for (const auto& ex : excluded)
          if (!ex.empty() && clean(ex) == clean(d)) skip = true;
        if (skip) continue;
        for (const char* sub : {"atmos.d", ".atmos.d"}) {
          std::string sd = join(d, sub);
          if (!is_dir(sd)) continue;
          for (const auto& f : config_dir_files(sd)) merge_content(read(f), f);
        }
      }
    }
    merge_content(content, file);
    process_imports(file, content, depth);
    merge_content(content, file);
    raw_ = raw_.without("import");
  }

  // Deep-merges one file's content. Auth identities are the exception: a file that defines an identity
  // replaces it wholesale (names compared case-insensitively), as upstream re-reads them per file.
  void merge_content(const Value& content, const std::string& file) {
    Value incoming = content.at({"auth", "identities"});
    if (incoming.is_map() && !incoming.empty()) {
      Value existing = raw_.at({"auth", "identities"});
      for (const auto& [name, identity] : incoming.as_map()) {
        (void)identity;
        std::string key = lower(name);
        std::vector<std::string> same;
        for (const auto& entry : existing.as_map())
          if (lower(entry.first) == key) same.push_back(entry.first);
        for (const auto& old : same) existing = existing.without(old);
        identity_files_[key] = file;
      }
      if (raw_.at({"auth", "identities"}).is_map())
        raw_ = raw_.with("auth", raw_.get("auth").with("identities", existing));
    }
    raw_ = deep_merge(raw_, content);
  }

  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  void process_imports(const std::string& file, const Value& content, int depth) {
    const Value* imports = content.find("import");
    if (!imports || !imports->is_list()) return;
    if (depth >= 10) return;
    std::string base = resolve_import_base(file, content);
    for (const auto& item : imports->as_list()) {
      if (!item.is_string() || item.as_string().empty()) continue;
      const std::string& entry = item.as_string();
      if (entry.find("://") != std::string::npos || entry.rfind("git::", 0) == 0) {
        log::warn("remote config imports are not supported; skipping import '{}'", entry);
        continue;
      }
      for (const auto& f : resolve_import(join(base, entry))) {
        Value imported = read(f);
        loaded_.push_back(f);
        merge_content(imported, f);
        process_imports(f, imported, depth + 1);
        raw_ = raw_.without("import");
      }
    }
  }

  std::string resolve_import_base(const std::string& file, const Value& content) {
    std::string bp = content.get("base_path").is_string() ? content.get("base_path").as_string()
                                                           : raw_.get("base_path").is_string() ? raw_.get("base_path").as_string() : "";
    std::string dir = dir_of(file);
    if (bp.empty()) return dir;
    if (bp[0] == '/') return bp;
    return join(dir, bp);
  }

  static std::vector<std::string> resolve_import(const std::string& path) {
    std::vector<std::string> files;
    if (is_dir(path)) {
      files = glob(path + "/**/*.yaml");
      for (auto& f : glob(path + "/**/*.yml")) files.push_back(f);
    } else if (has_glob_meta(path)) {
      files = glob(path);
    } else if (exists(path)) {
      files = {path};
    } else {
      for (const char* ext : {".yaml", ".yml"})
        if (exists(path + ext)) {
          files = {path + ext};
          break;
        }
    }
    std::vector<std::string> out;
    for (auto& f : files) {
      if (is_dir(f)) continue;
      if (f.size() > 4 && f.compare(f.size() - 4, 4, ".yml") == 0 &&
          std::find(files.begin(), files.end(), f.substr(0, f.size() - 4) + ".yaml") != files.end())
        continue;
      std::string ext = fs::path(f).extension().string();
      if (ext != ".yaml" && ext != ".yml") continue;
      out.push_back(f);
    }
    auto depth = [](const std::string& p) { return std::count(p.begin(), p.end(), '/'); };
    std::stable_sort(out.begin(), out.end(), [&](const std::string& a, const std::string& b) {
      auto da = depth(a), db = depth(b);
      if (da != db) return da < db;
      return a < b;
    });
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // Viper defaults that sit under every configuration.
  static Value defaults() {
    return parse_yaml(
        "logs:\n  file: /dev/stderr\n  level: Warning\n"
        "components:\n  terraform:\n    plugin_cache: true\n    append_user_agent: \"" +
        default_user_agent() +
        "\"\n"
        "describe:\n  provenance: true\n  component:\n    filter: schema\n  settings:\n    include_empty: true\n"
        "stacks:\n  inherit:\n    metadata: true\n");
  }

  // pkg/config/default.go: used only when no atmos.yaml was found anywhere.
  static Value builtin_cli_config() {
    return parse_yaml(
        "base_path: .\n"
        "components:\n  terraform:\n    base_path: components/terraform\n    apply_auto_approve: false\n"
        "    deploy_run_init: true\n    init_run_reconfigure: true\n    auto_generate_backend_file: true\n"
        "stacks:\n  base_path: stacks\n  included_paths: ['orgs/**/*']\n  excluded_paths: ['**/_defaults.yaml']\n"
        "  name_pattern: '{tenant}-{environment}-{stage}'\n"
        "settings:\n  list_merge_strategy: replace\n"
        "templates:\n  settings:\n    enabled: true\n    sprig:\n      enabled: true\n    gomplate:\n      enabled: true\n");
  }

  void apply_profiles(CliConfig& cfg) {
    std::vector<std::string> names;
    for (const auto& p : req_.profiles)
      for (auto& n : split_list(p)) names.push_back(n);
    if (names.empty()) {
      std::string from_env = env_.get_or("ATMOS_PROFILE", "");
      if (from_env.empty()) {
        // A repository may pin ATMOS_PROFILE through atmos.yaml's env section.
        Value pinned = raw_.at({"env", "ATMOS_PROFILE"});
        if (pinned.is_string()) from_env = pinned.as_string();
      }
      names = split_list(from_env);
    }
    if (names.empty()) {
      Value def = raw_.at({"profiles", "default"});
      if (def.is_string() && !def.as_string().empty()) names = {def.as_string()};
    }
    if (names.empty()) return;
    for (const auto& name : names) {
      std::string dir = find_profile(cfg, name);
      if (dir.empty()) {
        std::vector<std::string> available = list_profiles(cfg);
        std::string list;
        for (const auto& a : available) list += (list.empty() ? "" : ", ") + a;
        Error e(ErrorKind::Config, "profile not found", 2);
        e.explain("Profile `" + name + "` does not exist.");
        if (available.empty())
          e.hint("No profiles are defined: create `profiles/" + name + "/atmos.yaml` next to atmos.yaml");
        else
          e.hint("Available profiles are: " + list);
        throw e;
      }
      std::vector<std::string> files = config_dir_files(dir);
      std::stable_partition(files.begin(), files.end(), [&](const std::string& f) {
        auto n = fs::path(f).filename().string();
        return dir_of(f) == clean(dir) && (n == "atmos.yaml" || n == "atmos.yml");
      });
      for (const auto& f : files) {
        Value content = read(f);
        content = content.at({"profiles"}).is_map() ? content.with("profiles", content.get("profiles").without("default")) : content;
        merge_content(content, f);
        process_imports(f, content, 1);
        merge_content(content, f);
        raw_ = raw_.without("import");
        cfg.profile_files.push_back(f);
      }
      cfg.active_profiles.push_back(name);
      log::debug("Profile loaded name={} dir={}", name, dir);
    }
  }

  std::vector<std::string> profile_roots(const CliConfig& cfg) const {
    return profile_roots_of(raw_, cfg.config_dir, req_.cwd, env_);
  }

  std::string find_profile(const CliConfig& cfg, const std::string& name) const {
    if (name.empty() || name.find("..") != std::string::npos) return "";
    for (const auto& root : profile_roots(cfg)) {
      std::string d = join(root, name);
      if (is_dir(d)) return d;
    }
    return "";
  }

  std::vector<std::string> list_profiles(const CliConfig& cfg) const { return profiles_in(profile_roots(cfg)); }

  void set(CliConfig& cfg, std::initializer_list<std::string_view> path, Value v) {
    std::vector<std::string_view> keys(path);
    std::function<Value(const Value&, std::size_t)> rec = [&](const Value& node, std::size_t i) -> Value {
      Value base = node.is_map() ? node : Value::empty_map();
      if (i + 1 == keys.size()) return base.with(keys[i], v);
      return base.with(keys[i], rec(base.get(keys[i]), i + 1));
    };
    cfg.raw = rec(cfg.raw, 0);
  }

  void apply_env_and_flags(CliConfig& cfg) {
    auto env_str = [&](const char* name, std::initializer_list<std::string_view> path) {
      if (auto v = env_.get(name); v && !v->empty()) set(cfg, path, Value(*v));
    };
    auto env_bool = [&](const char* name, std::initializer_list<std::string_view> path) {
      if (auto v = env_.get(name); v && !v->empty()) {
        auto b = parse_go_bool(*v);
        if (!b) throw Error(ErrorKind::Config, std::string("invalid boolean value '") + *v + "' for " + name);
        set(cfg, path, Value(*b));
      }
    };
    env_str("ATMOS_STACKS_BASE_PATH", {"stacks", "base_path"});
    if (auto v = env_.get("ATMOS_STACKS_INCLUDED_PATHS"); v && !v->empty()) {
      List l;
      for (auto& s : split_list(*v)) l.emplace_back(s);
      set(cfg, {"stacks", "included_paths"}, Value::list(l));
    }
    if (auto v = env_.get("ATMOS_STACKS_EXCLUDED_PATHS"); v && !v->empty()) {
      List l;
      for (auto& s : split_list(*v)) l.emplace_back(s);
      set(cfg, {"stacks", "excluded_paths"}, Value::list(l));
    }
    env_str("ATMOS_STACKS_NAME_PATTERN", {"stacks", "name_pattern"});
    env_str("ATMOS_STACKS_NAME_TEMPLATE", {"stacks", "name_template"});
    env_str("ATMOS_COMPONENTS_TERRAFORM_COMMAND", {"components", "terraform", "command"});
    env_str("ATMOS_COMPONENTS_TERRAFORM_BASE_PATH", {"components", "terraform", "base_path"});
    env_bool("ATMOS_COMPONENTS_TERRAFORM_APPLY_AUTO_APPROVE", {"components", "terraform", "apply_auto_approve"});
    env_bool("ATMOS_COMPONENTS_TERRAFORM_DEPLOY_RUN_INIT", {"components", "terraform", "deploy_run_init"});
    env_bool("ATMOS_COMPONENTS_TERRAFORM_INIT_RUN_RECONFIGURE", {"components", "terraform", "init_run_reconfigure"});
    env_bool("ATMOS_COMPONENTS_TERRAFORM_INIT_PASS_VARS", {"components", "terraform", "init", "pass_vars"});
    env_bool("ATMOS_COMPONENTS_TERRAFORM_PLAN_SKIP_PLANFILE", {"components", "terraform", "plan", "skip_planfile"});
    env_bool("ATMOS_COMPONENTS_TERRAFORM_AUTO_GENERATE_BACKEND_FILE", {"components", "terraform", "auto_generate_backend_file"});
    env_str("ATMOS_COMPONENTS_TERRAFORM_APPEND_USER_AGENT", {"components", "terraform", "append_user_agent"});
    env_str("ATMOS_SETTINGS_LIST_MERGE_STRATEGY", {"settings", "list_merge_strategy"});
    env_str("ATMOS_DESCRIBE_COMPONENT_FILTER", {"describe", "component", "filter"});
    env_bool("ATMOS_DESCRIBE_PROVENANCE", {"describe", "provenance"});
    env_str("ATMOS_LOGS_LEVEL", {"logs", "level"});
    env_str("ATMOS_LOGS_FILE", {"logs", "file"});
    if (env_.is_true("ATMOS_VERBOSE")) set(cfg, {"logs", "level"}, Value("Debug"));

    if (req_.stacks_dir) set(cfg, {"stacks", "base_path"}, Value(*req_.stacks_dir));
    if (req_.terraform_dir) set(cfg, {"components", "terraform", "base_path"}, Value(*req_.terraform_dir));
    if (req_.terraform_command) set(cfg, {"components", "terraform", "command"}, Value(*req_.terraform_command));
    if (req_.list_merge_strategy) set(cfg, {"settings", "list_merge_strategy"}, Value(*req_.list_merge_strategy));
    if (req_.logs_level) set(cfg, {"logs", "level"}, Value(*req_.logs_level));
    if (req_.logs_file) set(cfg, {"logs", "file"}, Value(*req_.logs_file));
  }

  // docs/stacks.md#cli-configuration, "Paths" (upstream pkg/config/config.go resolveAbsolutePath).
  std::string resolve_base_path(const CliConfig& cfg, const std::string& bp, bool runtime) const {
    std::string config_dir = cfg.config_dir.empty() ? req_.cwd : cfg.config_dir;
    bool git_allowed = env_.get_or("ATMOS_GIT_ROOT_BASEPATH", "") != "false";
    std::string root = git_allowed ? git_root(req_.cwd) : "";
    if (!bp.empty() && bp[0] == '/') return clean(bp);
    bool dotted = bp == "." || bp == ".." || bp.rfind("./", 0) == 0 || bp.rfind("../", 0) == 0;
    if (dotted) return clean(join(runtime ? req_.cwd : config_dir, bp));
    if (bp.empty()) return clean(!root.empty() ? root : config_dir);
    if (runtime) {
      if (exists(join(req_.cwd, bp))) return clean(join(req_.cwd, bp));
    }
    if (!root.empty()) {
      if (exists(join(root, bp))) return clean(join(root, bp));
      if (exists(join(req_.cwd, bp))) return clean(join(req_.cwd, bp));
      return clean(join(root, bp));
    }
    if (exists(join(config_dir, bp))) return clean(join(config_dir, bp));
    return clean(join(req_.cwd, bp));
  }

  void derive(CliConfig& cfg) {
    const Value& r = cfg.raw;
    bool runtime = false;
    std::string bp = r.get("base_path").is_string() ? r.get("base_path").as_string() : "";
    if (auto v = env_.get("ATMOS_BASE_PATH"); v && !v->empty()) {
      bp = *v;
      runtime = true;
    }
    if (req_.base_path) {
      bp = *req_.base_path;
      runtime = true;
    }
    if (runtime) cfg.raw = cfg.raw.with("base_path", Value(bp));
    cfg.base_path = bp;
    cfg.base_path_abs = resolve_base_path(cfg, bp, runtime);

    cfg.stacks_base_path = cfg.get_string({"stacks", "base_path"});
    cfg.stacks_base_abs = clean(join(cfg.base_path_abs, cfg.stacks_base_path));
    for (const auto& p : cfg.get({"stacks", "included_paths"}).as_list())
      if (p.is_string()) {
        cfg.included_paths.push_back(p.as_string());
        cfg.included_abs.push_back(join(cfg.stacks_base_abs, p.as_string()));
      }
    for (const auto& p : cfg.get({"stacks", "excluded_paths"}).as_list())
      if (p.is_string()) {
        cfg.excluded_paths.push_back(p.as_string());
        cfg.excluded_abs.push_back(join(cfg.stacks_base_abs, p.as_string()));
      }
    cfg.name_pattern = cfg.get_string({"stacks", "name_pattern"});
    cfg.name_template = cfg.get_string({"stacks", "name_template"});
    cfg.terraform_base_path = cfg.get_string({"components", "terraform", "base_path"});
    cfg.terraform_dir_abs = clean(join(cfg.base_path_abs, cfg.terraform_base_path));
    cfg.terraform_command = cfg.get_string({"components", "terraform", "command"});
    cfg.inherit_metadata = cfg.get_bool({"stacks", "inherit", "metadata"}, true);
    cfg.list_merge_strategy_name = cfg.get_string({"settings", "list_merge_strategy"});
    cfg.list_merge_strategy = parse_list_merge_strategy(cfg.list_merge_strategy_name);
    cfg.templates_enabled = cfg.get_bool({"templates", "settings", "enabled"}, false);
    cfg.ignore_missing_template_values = cfg.get_bool({"templates", "settings", "ignore_missing_template_values"}, false);
    cfg.log_level = cfg.get_string({"logs", "level"}, "Warning");
    cfg.log_file = cfg.get_string({"logs", "file"}, "/dev/stderr");
    log::parse_level(cfg.log_level);
  }

  const ConfigRequest& req_;
  const Environment& env_;
  Value raw_ = Value::empty_map();
  std::vector<std::string> loaded_;
  std::map<std::string, std::string> identity_files_;
};

}  // namespace

std::string CliConfig::get_string(std::initializer_list<std::string_view> path, std::string fallback) const {
  Value v = raw.at(path);
  if (v.is_string()) return v.as_string();
  if (v.is_null()) return fallback;
  return describe_value(v);
}

bool CliConfig::get_bool(std::initializer_list<std::string_view> path, bool fallback) const {
  Value v = raw.at(path);
  if (v.is_bool()) return v.as_bool();
  if (v.is_string()) {
    auto b = parse_go_bool(v.as_string());
    if (b) return *b;
  }
  return fallback;
}

namespace {

Value bool_or(const Value& v, bool fallback) { return v.is_bool() ? v : Value(fallback); }
Value str_or(const Value& v) { return v.is_string() ? v : Value(""); }

}  // namespace

Value terraform_settings_dump(const CliConfig& cfg) {
  Value t = cfg.get({"components", "terraform"});
  return Value::ordered_map({
      {"base_path", str_or(t.get("base_path"))},
      {"apply_auto_approve", bool_or(t.get("apply_auto_approve"), false)},
      {"append_user_agent", str_or(t.get("append_user_agent"))},
      {"deploy_run_init", bool_or(t.get("deploy_run_init"), false)},
      {"init_run_reconfigure", bool_or(t.get("init_run_reconfigure"), false)},
      {"auto_generate_backend_file", bool_or(t.get("auto_generate_backend_file"), false)},
      {"auto_generate_files", bool_or(t.get("auto_generate_files"), false)},
      {"command", str_or(t.get("command"))},
      {"shell", Value::ordered_map({{"prompt", str_or(t.at({"shell", "prompt"}))}})},
      {"init", Value::ordered_map({{"pass_vars", bool_or(t.at({"init", "pass_vars"}), false)}})},
      {"plan", Value::ordered_map({{"skip_planfile", bool_or(t.at({"plan", "skip_planfile"}), false)}})},
      {"plugin_cache", bool_or(t.get("plugin_cache"), true)},
      {"auto_provision_workdir_for_outputs", bool_or(t.get("auto_provision_workdir_for_outputs"), true)},
  });
}

Value stacks_settings_dump(const CliConfig& cfg) {
  List inc, exc;
  for (const auto& p : cfg.included_paths) inc.emplace_back(p);
  for (const auto& p : cfg.excluded_paths) exc.emplace_back(p);
  return Value::ordered_map({
      {"base_path", Value(cfg.stacks_base_path)},
      {"included_paths", Value::list(inc)},
      {"excluded_paths", Value::list(exc)},
      {"name_pattern", Value(cfg.name_pattern)},
      {"name_template", Value(cfg.name_template)},
      {"inherit", Value::ordered_map({{"metadata", Value(cfg.inherit_metadata)}})},
  });
}

Value atmos_cli_config_dump(const CliConfig& cfg) {
  Value c = cfg.get({"components"});
  auto s = [&](std::initializer_list<std::string_view> path) { return str_or(c.at(path)); };
  auto b = [&](std::initializer_list<std::string_view> path) { return bool_or(c.at(path), false); };
  Value components = Value::ordered_map({
      {"terraform", terraform_settings_dump(cfg)},
      {"helmfile", Value::ordered_map({
                       {"base_path", s({"helmfile", "base_path"})},
                       {"use_eks", b({"helmfile", "use_eks"})},
                       {"kubeconfig_path", s({"helmfile", "kubeconfig_path"})},
                       {"helm_aws_profile_pattern", s({"helmfile", "helm_aws_profile_pattern"})},
                       {"cluster_name_pattern", s({"helmfile", "cluster_name_pattern"})},
                       {"cluster_name_template", s({"helmfile", "cluster_name_template"})},
                       {"cluster_name", s({"helmfile", "cluster_name"})},
                       {"command", s({"helmfile", "command"})},
                       {"auto_generate_files", b({"helmfile", "auto_generate_files"})},
                   })},
      {"packer", Value::ordered_map({{"base_path", s({"packer", "base_path"})},
                                     {"command", s({"packer", "command"})},
                                     {"auto_generate_files", b({"packer", "auto_generate_files"})}})},
      {"ansible", Value::ordered_map({{"base_path", s({"ansible", "base_path"})},
                                      {"command", s({"ansible", "command"})},
                                      {"auto_generate_files", b({"ansible", "auto_generate_files"})}})},
      {"kubernetes", Value::ordered_map({{"base_path", s({"kubernetes", "base_path"})},
                                         {"provider", s({"kubernetes", "provider"})},
                                         {"auto_generate_files", b({"kubernetes", "auto_generate_files"})}})},
      {"helm", Value::ordered_map({{"base_path", s({"helm", "base_path"})},
                                   {"auto_generate_files", b({"helm", "auto_generate_files"})}})},
  });
  Value columns = cfg.get({"workflows", "list", "columns"});
  Value workflows = Value::ordered_map({
      {"base_path", str_or(cfg.get({"workflows", "base_path"}))},
      {"list", Value::ordered_map({{"format", str_or(cfg.get({"workflows", "list", "format"}))},
                                   {"columns", columns.is_list() ? columns : Value::list({})}})},
  });
  return Value::ordered_map({{"base_path", Value(cfg.base_path)},
                             {"components", components},
                             {"stacks", stacks_settings_dump(cfg)},
                             {"workflows", workflows}});
}

std::vector<std::string> available_profiles(const CliConfig& cfg, const Environment& env) {
  return profiles_in(profile_roots_of(cfg.raw, cfg.config_dir, fs::current_path().string(), env));
}

std::string default_user_agent() { return std::string("Atmos/") + ATMOS_VERSION_STRING + " (Cloud Posse; +https://atmos.tools)"; }

CliConfig load_cli_config(const ConfigRequest& request) {
  ProcessEnvironment process_env;
  ConfigRequest req = request;
  if (!req.env) req.env = &process_env;
  if (req.cwd.empty()) req.cwd = fs::current_path().string();
  Loader loader(req);
  return loader.load();
}

}  // namespace atmos::config
