#include "stacks/component.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <set>
#include <vector>

#include "core/error.hpp"
#include "core/json_emit.hpp"
#include "core/merge.hpp"

namespace atmos::stacks {
namespace fs = std::filesystem;
namespace {

const char* const kBaseMapSections[] = {"vars",     "settings", "env",      "auth",     "secrets",
                                        "dependencies", "locals", "providers", "required_providers",
                                        "hooks",    "test",     "mocks",    "generate", "backend",
                                        "remote_state_backend", "source", "provision", "retry"};
const char* const kBaseScalarSections[] = {"command", "backend_type", "remote_state_backend_type", "required_version"};
const char* const kGlobalMetadataAllowed[] = {"labels", "tags", "custom", "enabled", "locked", "terraform_workspace_pattern"};

std::string str_of(const Value& v) { return v.is_string() ? v.as_string() : std::string(); }

Value map_or_empty(const Value& v) { return v.is_map() ? v : Value::empty_map(); }

// A section value that must be a map when present.
Value section(const Value& parent, const char* key, const std::string& where) {
  const Value* v = parent.find(key);
  if (!v || v->is_null()) return Value::empty_map();
  if (!v->is_map() && !(v->is_list() && std::string(key) == "providers"))
    throw Error(ErrorKind::Stack, std::string("invalid '") + key + "' section in the file '" + where + "'")
        .explain(std::string("The '") + key + "' section must be a map.");
  return *v;
}

// Upstream's type checks of a stack manifest merged with its imports (internal/exec/
// stack_processor_process_stacks.go, ProcessStackConfig), in its order and with its messages: a present section
// of the wrong type — null included, as Go's type assertions see it — fails, whether or not the manifest
// defines components.
struct SectionCheck {
  const char* parent;  // "" = the manifest's root
  const char* key;
  bool string;         // a string attribute rather than a map section
  const char* error;   // errors/errors.go text
};

const SectionCheck kGlobalChecks[] = {
    {"", "vars", false, "invalid vars section"},
    {"", "hooks", false, nullptr},
    {"", "settings", false, "invalid settings section"},
    {"", "env", false, "invalid env section"},
    {"", "generate", false, "invalid generate section"},
    {"", "terraform", false, "invalid terraform section"},
    {"", "helmfile", false, "invalid helmfile section"},
    {"", "packer", false, "invalid packer section"},
    {"", "ansible", false, "invalid ansible section"},
    {"", "kubernetes", false, "invalid configuration"},
    {"", "helm", false, "invalid configuration"},
    {"", "components", false, "invalid components section"},
    {"", "auth", false, "invalid auth section"},
    {"", "metadata", false, "invalid metadata section"},
    {"", "secrets", false, "invalid component secrets section"},
    {"terraform", "command", true, "invalid terraform command"},
    {"terraform", "vars", false, "invalid terraform vars section"},
    {"terraform", "hooks", false, nullptr},
    {"terraform", "generate", false, "invalid terraform generate section"},
    {"terraform", "settings", false, "invalid terraform settings section"},
    {"terraform", "env", false, "invalid terraform env section"},
    {"terraform", "providers", false, "invalid terraform providers section"},
    {"terraform", "auth", false, "invalid terraform auth section"},
    {"terraform", "backend_type", true, "invalid terraform backend_type"},
    {"terraform", "backend", false, "invalid terraform.backend section"},
    {"terraform", "remote_state_backend_type", true, "invalid terraform remote_state_backend_type"},
    {"terraform", "remote_state_backend", false, "invalid terraform remote_state_backend section"},
    {"terraform", "source", false, "invalid terraform source section"},
    {"terraform", "provision", false, "invalid terraform provision section"},
    {"", "dependencies", false, "invalid dependencies section"},
    {"terraform", "dependencies", false, "invalid terraform dependencies section"},
    {"helmfile", "command", true, "invalid helmfile command"},
    {"helmfile", "vars", false, "invalid helmfile vars section"},
    {"helmfile", "settings", false, "invalid helmfile settings section"},
    {"helmfile", "env", false, "invalid helmfile env section"},
    {"helmfile", "auth", false, "invalid helmfile auth section"},
    {"helmfile", "dependencies", false, "invalid helmfile dependencies section"},
    {"packer", "command", true, "invalid packer command"},
    {"packer", "vars", false, "invalid packer vars section"},
    {"packer", "settings", false, "invalid packer settings section"},
    {"packer", "env", false, "invalid packer env section"},
    {"packer", "auth", false, "invalid packer auth section"},
    {"packer", "dependencies", false, "invalid packer dependencies section"},
    {"ansible", "command", true, "invalid ansible command"},
    {"ansible", "vars", false, "invalid ansible vars section"},
    {"ansible", "settings", false, "invalid ansible settings section"},
    {"ansible", "env", false, "invalid ansible env section"},
    {"ansible", "auth", false, "invalid ansible auth section"},
    {"ansible", "dependencies", false, "invalid ansible dependencies section"},
};

// A Terraform component's own sections (stack_processor_process_stacks_helpers_extraction.go).
const SectionCheck kComponentChecks[] = {
    {"", "vars", false, "invalid component vars section"},
    {"", "locals", false, "invalid component locals section"},
    {"", "settings", false, "invalid component settings section"},
    {"settings", "spacelift", false, "invalid spacelift settings section"},
    {"", "env", false, "invalid component env section"},
    {"", "providers", false, "invalid component providers section"},
    {"", "mocks", false, "invalid configuration"},
    {"", "required_providers", false, "invalid component required_providers section"},
    {"", "required_version", true, "invalid component required_version attribute"},
    {"", "hooks", false, "invalid component hooks section"},
    {"", "test", false, "invalid configuration"},
    {"", "secrets", false, "invalid component secrets section"},
    {"", "auth", false, "invalid component auth section"},
    {"", "retry", false, "invalid configuration"},
    {"", "provision", false, "invalid component provision section"},
    {"", "metadata", false, "invalid component metadata section"},
    {"", "dependencies", false, "invalid component dependencies section"},
    {"", "backend_type", true, "invalid component backend_type attribute"},
    {"", "backend", false, "invalid component backend section"},
    {"", "remote_state_backend_type", true, "invalid component remote_state_backend_type attribute"},
    {"", "remote_state_backend", false, "invalid component remote_state_backend section"},
    {"", "source", false, "invalid component source section"},
    {"", "command", true, "invalid component command attribute"},
    {"", "generate", false, "invalid component generate section"},
};

// A component's `overrides` (stack_processor_process_stacks_helpers_overrides.go).
const SectionCheck kOverridesChecks[] = {
    {"", "vars", false, "invalid component overrides vars section"},
    {"", "settings", false, "invalid component overrides settings section"},
    {"", "env", false, "invalid component overrides env section"},
    {"", "secrets", false, "invalid component secrets section"},
    {"", "auth", false, "invalid component overrides auth section"},
    {"", "command", true, "invalid component overrides command attribute"},
    {"", "providers", false, "invalid component overrides providers section"},
    {"", "required_providers", false, "invalid component overrides required_providers section"},
    {"", "required_version", true, "invalid component overrides required_version attribute"},
    {"", "hooks", false, "invalid component overrides hooks section"},
    {"", "generate", false, "invalid component overrides generate section"},
    {"", "retry", false, "invalid configuration"},
};

bool fails(const SectionCheck& c, const Value& item) { return !(c.string ? item.is_string() : item.is_map()); }

// The first check (in table order) `v` fails, or null. A component holds a few sections, so its entries are
// looked up in the table rather than every check in the map.
const SectionCheck* failed_check(const Value& v, const SectionCheck* begin, const SectionCheck* end) {
  const SectionCheck* first = nullptr;
  for (const auto& [key, item] : v.as_map()) {
    for (const SectionCheck* c = begin; c != end && c != first; ++c) {
      if (key != c->parent && (*c->parent || key != c->key)) continue;
      if (!*c->parent) {
        if (fails(*c, item)) first = c;
        continue;
      }
      if (!item.is_map()) continue;
      if (const Value* nested = item.find(c->key); nested && fails(*c, *nested)) first = c;
    }
  }
  return first;
}

void check_manifest_sections(const Value& stack, const std::string& file_key) {
  if (const SectionCheck* c = failed_check(stack, std::begin(kGlobalChecks), std::end(kGlobalChecks))) {
    // The hooks errors are worded by pkg/errors.Wrapf and fmt ("%w '%s'") respectively.
    if (std::string_view(c->parent).empty() && std::string_view(c->key) == "hooks")
      throw Error(ErrorKind::Stack, " '" + file_key + "': invalid 'hooks' section in the file");
    if (std::string_view(c->key) == "hooks")
      throw Error(ErrorKind::Stack, "invalid 'terraform.hooks' section in the file '" + file_key + "'");
    throw Error(ErrorKind::Stack, std::string(c->error) + " in file '" + file_key + "'");
  }
  const Value* terraform = stack.get("components").find("terraform");
  if (!terraform) return;
  if (!terraform->is_map()) throw Error(ErrorKind::Stack, "invalid components.terraform section in file '" + file_key + "'");
  for (const auto& [name, raw] : terraform->as_map()) {
    if (!raw.is_map()) throw Error(ErrorKind::Stack, "invalid component map type for component " + name);
  }
  for (const auto& [name, raw] : terraform->as_map()) {
    std::string path = "'components.terraform." + name + ".";
    if (const SectionCheck* c = failed_check(raw, std::begin(kComponentChecks), std::end(kComponentChecks))) {
      std::string key = *c->parent ? std::string(c->parent) + "." + c->key : std::string(c->key);
      throw Error(ErrorKind::Stack, std::string(c->error) + ": " + path + key + "' in the file '" + file_key + "'");
    }
    const Value* overrides = raw.find("overrides");
    if (!overrides) continue;
    if (!overrides->is_map())
      throw Error(ErrorKind::Stack, "invalid component overrides section: " + path + "overrides' in the manifest '" + file_key + "'");
    if (const SectionCheck* c = failed_check(*overrides, std::begin(kOverridesChecks), std::end(kOverridesChecks)))
      throw Error(ErrorKind::Stack, std::string(c->error) + ": " + path + "overrides." + c->key + "' in the manifest '" +
                                        file_key + "'");
  }
}

// A fixed set of named slots (no allocation on lookup; names are the section keys above).
template <class T, std::size_t N>
struct Slots {
  const char* const* names;
  std::array<T, N> values{};
  T& operator[](std::string_view name) {
    for (std::size_t i = 0; i < N; ++i)
      if (name == names[i]) return values[i];
    throw std::logic_error("unknown section slot");
  }
};

struct BaseConfig {
  Slots<Value, std::size(kBaseMapSections)> maps{kBaseMapSections};
  Slots<std::string, std::size(kBaseScalarSections)> scalars{kBaseScalarSections};
  Value metadata = Value::empty_map();
  std::vector<std::string> inheritance;
};

class ComponentResolver {
 public:
  ComponentResolver(const config::CliConfig& cfg, const Value& all, const std::string& file_key)
      : cfg_(cfg), all_(all), file_key_(file_key) {}

  // Follows legacy `component:` pointers to the deepest Atmos component.
  std::string legacy_root(const std::string& name) {
    std::string cur = name;
    std::set<std::string> seen;
    for (;;) {
      seen.insert(cur);
      std::string next = str_of(all_.get(cur).get("component"));
      if (next.empty() || next == cur || !all_.has(next) || seen.count(next)) return cur;
      cur = next;
    }
  }

  // Folds base `base` (with its own bases) into `acc`, as upstream's depth-first visit does. Lists in the
  // chain merge with `s`: the list merge strategy of the component whose bases these are (upstream's
  // effectiveAtmosConfig of its own settings and overrides.settings, issue #2396), for the whole chain.
  void visit(const std::string& component, const std::string& base, BaseConfig& acc,
             std::vector<std::pair<std::string, std::string>>& path, ListMergeStrategy s) {
    if (base == component) return;
    combine(acc, resolved(component, base, path, s), s);
  }

  // Later `b` wins for maps and scalars; its chain goes in front of the accumulated inheritance.
  static void combine(BaseConfig& acc, const BaseConfig& b, ListMergeStrategy s) {
    for (std::size_t i = 0; i < b.maps.values.size(); ++i)
      if (!b.maps.values[i].empty()) acc.maps.values[i] = deep_merge(acc.maps.values[i], b.maps.values[i], s);
    acc.scalars = b.scalars;
    acc.metadata = deep_merge(acc.metadata, b.metadata, s);
    std::vector<std::string> chain = b.inheritance;
    for (const auto& c : acc.inheritance)
      if (std::find(chain.begin(), chain.end(), c) == chain.end()) chain.push_back(c);
    acc.inheritance = std::move(chain);
  }

  // The configuration a base contributes, computed once per manifest and strategy (most components share bases).
  const BaseConfig& resolved(const std::string& component, const std::string& base,
                             std::vector<std::pair<std::string, std::string>>& path, ListMergeStrategy s) {
    if (auto it = cache_.find({base, s}); it != cache_.end()) return it->second;
    std::pair<std::string, std::string> edge{component, base};
    if (std::find(path.begin(), path.end(), edge) != path.end()) {
      std::string cycle;
      for (const auto& [c, b] : path) cycle += c + " -> ";
      cycle += base;
      throw Error(ErrorKind::Stack, "circular component inheritance")
          .explain("The component '" + component + "' in the stack manifest '" + file_key_ +
                   "' inherits from itself through: " + cycle);
    }
    path.push_back(edge);
    const Value& b = *all_.find(base);
    if (!b.is_map()) throw Error(ErrorKind::Stack, "invalid component '" + base + "' in the stack manifest '" + file_key_ + "'");
    BaseConfig fresh;
    Value meta = map_or_empty(b.get("metadata"));
    bool abstract = str_of(meta.get("type")) == "abstract";
    std::string legacy = str_of(b.get("component"));
    if (!abstract && !legacy.empty() && legacy != base && all_.has(legacy)) visit(base, legacy, fresh, path, s);
    for (const auto& inh : inherits_of(base, meta)) visit(base, inh, fresh, path, s);
    for (const char* key : kBaseMapSections) fresh.maps[key] = deep_merge(fresh.maps[key], section(b, key, file_key_), s);
    for (const char* key : kBaseScalarSections) fresh.scalars[key] = str_of(b.get(key));
    if (cfg_.inherit_metadata) fresh.metadata = deep_merge(fresh.metadata, meta.without("inherits").without("type"), s);
    std::vector<std::string> chain{base};
    for (const auto& c : fresh.inheritance)
      if (c != base) chain.push_back(c);
    fresh.inheritance = std::move(chain);
    path.pop_back();
    return cache_.emplace(std::make_pair(base, s), std::move(fresh)).first->second;
  }

  std::vector<std::string> inherits_of(const std::string& component, const Value& meta) {
    const Value* inh = meta.find("inherits");
    if (!inh || inh->is_null()) return {};
    if (!inh->is_list())
      throw Error(ErrorKind::Stack, "invalid 'metadata.inherits' section")
          .explain("The component '" + component + "' in the stack manifest '" + file_key_ +
                   "' has 'metadata.inherits' that is not a list of component names.");
    std::vector<std::string> out;
    for (const auto& item : inh->as_list()) {
      if (!item.is_string())
        throw Error(ErrorKind::Stack, "invalid 'metadata.inherits' section")
            .explain("The component '" + component + "' in the stack manifest '" + file_key_ +
                     "' has a non-string entry in 'metadata.inherits'.");
      const std::string& name = item.as_string();
      if (name != component && !all_.has(name))
        throw Error(ErrorKind::Stack, "component not defined in any config files")
            .explain("The component '" + component + "' in the stack manifest '" + file_key_ + "' inherits from '" +
                     name + "' (using 'metadata.inherits'), but '" + name + "' is not defined in any config files for the stack '" +
                     file_key_ + "'.");
      out.push_back(name);
    }
    return out;
  }

 private:
  const config::CliConfig& cfg_;
  const Value& all_;
  const std::string& file_key_;
  std::map<std::pair<std::string, ListMergeStrategy>, BaseConfig> cache_;
};

// atmos.yaml's `auth` under a manifest's stack-wide `auth`. Many manifests carry equal stack-wide `auth` (the
// same stage's default identity), so the merge is done once per distinct content and the result is shared too —
// which also lets the printers render this (often large) subtree once for all of them. The stack-wide section is
// small (default markers), so its JSON text is the key; the atmos.yaml section is one node per process.
Value global_auth(const Value& atmos_auth, const Value& stack_auth, ListMergeStrategy s) {
  struct Entry {
    Value atmos_auth, merged;
  };
  static std::mutex mutex;
  static std::map<std::pair<const void*, std::string>, Entry> cache;
  std::pair<const void*, std::string> key{atmos_auth.identity(), to_json(stack_auth, JsonStyle::Compact)};
  {
    std::lock_guard lock(mutex);
    if (auto it = cache.find(key); it != cache.end()) return it->second.merged;
  }
  Value merged = deep_merge(atmos_auth, stack_auth, s);
  std::lock_guard lock(mutex);
  return cache.emplace(std::move(key), Entry{atmos_auth, merged}).first->second.merged;
}

Value merge_chain(std::initializer_list<Value> layers, ListMergeStrategy s) { return deep_merge(std::vector<Value>(layers), s); }

std::string last_non_empty(std::initializer_list<std::string> values, std::string fallback = "") {
  std::string out = std::move(fallback);
  for (const auto& v : values)
    if (!v.empty()) out = v;
  return out;
}

}  // namespace

Value process_terraform_components(const config::CliConfig& cfg, const Value& stack, const std::string& file_key) {
  check_manifest_sections(stack, file_key);
  Value components = stack.at({"components", "terraform"});
  if (components.is_null() || components.empty()) return Value::empty_map();

  Value tf = map_or_empty(stack.get("terraform"));
  Value g_meta = section(stack, "metadata", file_key);
  for (const auto& [k, v] : g_meta.as_map()) {
    (void)v;
    if (std::find_if(std::begin(kGlobalMetadataAllowed), std::end(kGlobalMetadataAllowed),
                     [&](const char* a) { return k == a; }) == std::end(kGlobalMetadataAllowed))
      throw Error(ErrorKind::Stack, "metadata field is not allowed at global (stack-wide) scope")
          .explain("The field 'metadata." + k + "' in the stack manifest '" + file_key +
                   "' can only be set on a component. Allowed at global scope: labels, tags, custom, enabled, locked, "
                   "terraform_workspace_pattern.");
  }
  ListMergeStrategy strategy = cfg.list_merge_strategy;
  Value g_vars = merge_chain({section(stack, "vars", file_key), section(tf, "vars", file_key)}, strategy);
  Value g_settings = merge_chain({section(stack, "settings", file_key), section(tf, "settings", file_key)}, strategy);
  Value g_env = merge_chain({map_or_empty(cfg.raw.get("env")), section(stack, "env", file_key), section(tf, "env", file_key)}, strategy);
  Value g_auth = merge_chain({section(stack, "auth", file_key), section(tf, "auth", file_key)}, strategy);
  Value g_hooks = merge_chain({section(stack, "hooks", file_key), section(tf, "hooks", file_key)}, strategy);
  Value g_generate = merge_chain({section(stack, "generate", file_key), section(tf, "generate", file_key)}, strategy);
  Value g_deps = merge_chain({section(stack, "dependencies", file_key), section(tf, "dependencies", file_key)}, strategy);
  Value g_providers = section(tf, "providers", file_key);
  Value g_backend = section(tf, "backend", file_key);
  Value g_rsb = section(tf, "remote_state_backend", file_key);
  Value g_source = section(tf, "source", file_key);
  Value g_provision = section(tf, "provision", file_key);
  // atmos.yaml's auth sits under the stack's auth layers; merged once per manifest.
  Value g_auth_with_atmos = global_auth(map_or_empty(cfg.raw.get("auth")), g_auth, strategy);
  Value github_integration = cfg.raw.at({"integrations", "github"});
  std::string separator = cfg.get_string({"components", "terraform", "workspace", "prefix_separator"}, "-");

  Map out;
  ComponentResolver resolver(cfg, components, file_key);
  for (const auto& [name, raw] : components.as_map()) {
    std::string where = file_key + "' component '" + name;
    Value meta = section(raw, "metadata", where);

    Value overrides = section(raw, "overrides", where);
    auto ov = [&](const char* key) { return map_or_empty(overrides.get(key)); };
    std::string own_lms =
        last_non_empty({str_of(section(raw, "settings", where).get("list_merge_strategy")), str_of(ov("settings").get("list_merge_strategy"))});
    ListMergeStrategy chain_strategy = own_lms.empty() ? strategy : parse_list_merge_strategy(own_lms);

    BaseConfig base;
    std::vector<std::pair<std::string, std::string>> path;
    std::string legacy_base;
    std::string legacy = str_of(raw.get("component"));
    if (!legacy.empty() && legacy != name) {
      if (components.has(legacy)) {
        resolver.visit(name, legacy, base, path, chain_strategy);
        legacy_base = resolver.legacy_root(legacy);
      } else if (!fs::is_directory(fs::path(cfg.terraform_dir_abs) / legacy)) {
        throw Error(ErrorKind::Stack, "invalid base component")
            .explain("The component '" + name + "' inherits from the base component '" + legacy +
                     "' (using 'component:' attribute), but `" + legacy + "' is not defined in any of the config files for the stack '" +
                     file_key + "'");
      }
    }
    for (const auto& inh : resolver.inherits_of(name, meta)) resolver.visit(name, inh, base, path, chain_strategy);

    // Per-component list merge strategy: settings.list_merge_strategy from the most specific layer.
    std::string lms = last_non_empty({str_of(g_settings.get("list_merge_strategy")),
                                      str_of(base.maps["settings"].get("list_merge_strategy")),
                                      str_of(section(raw, "settings", where).get("list_merge_strategy")),
                                      str_of(ov("settings").get("list_merge_strategy"))});
    ListMergeStrategy s = lms.empty() ? strategy : parse_list_merge_strategy(lms);

    auto layered = [&](const Value& global, const char* key, bool with_overrides) {
      std::vector<Value> layers{global, base.maps[key], section(raw, key, where)};
      if (with_overrides) layers.push_back(ov(key));
      return deep_merge(layers, s);
    };

    Value vars = layered(g_vars, "vars", true);
    Value settings = layered(g_settings, "settings", true);
    if (github_integration.is_map())
      settings = deep_merge(settings, Value::empty_map().with("integrations", Value::empty_map().with("github", github_integration)), s);
    Value env = layered(g_env, "env", true);
    Value auth = layered(g_auth_with_atmos, "auth", true);
    Value providers = layered(g_providers, "providers", true);
    Value hooks = layered(g_hooks, "hooks", true);
    Value generate = layered(g_generate, "generate", true);
    Value dependencies = layered(g_deps, "dependencies", false);
    Value locals = layered(Value::empty_map(), "locals", false);
    Value required_providers = layered(Value::empty_map(), "required_providers", true);
    Value source = layered(g_source, "source", false);
    Value provision = layered(g_provision, "provision", false);
    Value secrets = layered(Value::empty_map(), "secrets", true);
    Value retry = layered(Value::empty_map(), "retry", false);
    Value test = layered(Value::empty_map(), "test", false);
    Value mocks = layered(Value::empty_map(), "mocks", false);

    Value metadata = deep_merge(g_meta, base.metadata, s);
    metadata = deep_merge(metadata, meta, s);

    std::string command = last_non_empty({cfg.terraform_command, str_of(tf.get("command")), base.scalars["command"],
                                          str_of(raw.get("command")), str_of(overrides.get("command"))},
                                         "terraform");
    std::string required_version = last_non_empty(
        {base.scalars["required_version"], str_of(raw.get("required_version")), str_of(overrides.get("required_version"))});

    // Terraform directory / base component (2.8): own metadata.component, else the legacy base, else the name;
    // inherited metadata.component applies at run time, so the merged value is what we report.
    std::string component_dir = str_of(meta.get("component"));
    if (component_dir.empty()) component_dir = legacy_base;
    if (component_dir.empty()) component_dir = str_of(metadata.get("component"));
    if (component_dir.empty()) component_dir = name;

    // Backend (2.10).
    std::string backend_type = last_non_empty({str_of(tf.get("backend_type")), base.scalars["backend_type"], str_of(raw.get("backend_type"))});
    Value backends = layered(g_backend, "backend", false);
    Value backend = Value::empty_map();
    if (!backend_type.empty()) {
      const Value* b = backends.find(backend_type);
      if (b && b->is_map()) {
        backend = *b;
      } else if (!backends.empty()) {
        throw Error(ErrorKind::Stack, "backend_type does not match any key configured under backend")
            .explain("The component '" + name + "' in the stack '" + file_key + "' has backend_type '" + backend_type +
                     "', but the 'backend' section has no '" + backend_type + "' key.");
      }
      auto default_prefix = [&]() {
        std::string p = str_of(metadata.get("name"));
        if (p.empty()) p = component_dir;
        std::string outp;
        for (char c : p) {
          if (c == '/') outp += separator;
          else outp += c;
        }
        return outp;
      };
      if (backend_type == "s3" && str_of(backend.get("workspace_key_prefix")).empty())
        backend = backend.with("workspace_key_prefix", Value(default_prefix()));
      if (backend_type == "gcs" && str_of(backend.get("prefix")).empty())
        backend = backend.with("prefix", Value(default_prefix()));
      if (backend_type == "azurerm" && str_of(section(raw, "backend", where).at({"azurerm", "key"})).empty() &&
          str_of(base.maps["backend"].at({"azurerm", "key"})).empty()) {
        std::string global_key = str_of(g_backend.at({"azurerm", "key"}));
        std::string key_name = str_of(metadata.get("name")).empty() ? component_dir : str_of(metadata.get("name"));
        for (auto& c : key_name)
          if (c == '/') c = '-';
        backend = backend.with("key", Value((global_key.empty() ? "" : global_key + "/") + key_name + ".terraform.tfstate"));
      }
    }
    std::string rsb_type = last_non_empty({backend_type, str_of(tf.get("remote_state_backend_type")),
                                           base.scalars["remote_state_backend_type"], str_of(raw.get("remote_state_backend_type"))});
    Value rsb = Value::empty_map();
    if (!rsb_type.empty()) {
      Value rsbs = layered(g_rsb, "remote_state_backend", false);
      rsb = deep_merge(rsb_type == backend_type ? backend : Value::empty_map(), map_or_empty(rsbs.get(rsb_type)), s);
    }

    if (str_of(metadata.get("type")) == "abstract") {
      Value spacelift = settings.get("spacelift");
      if (spacelift.is_map() && spacelift.has("workspace_enabled"))
        settings = settings.with("spacelift", spacelift.without("workspace_enabled"));
    }

    List inheritance;
    for (const auto& i : base.inheritance) inheritance.emplace_back(i);

    Map sec{
        {"auth", auth},
        {"backend", backend},
        {"backend_type", Value(backend_type)},
        {"command", Value(command)},
        {"component", Value(component_dir)},
        {"env", env},
        {"generate", generate},
        {"hooks", hooks},
        {"inheritance", Value::list(std::move(inheritance))},
        {"metadata", metadata},
        {"overrides", overrides},
        {"providers", providers},
        {"provision", provision},
        {"remote_state_backend", rsb},
        {"remote_state_backend_type", Value(rsb_type)},
        {"required_providers", required_providers},
        {"required_version", Value(required_version)},
        {"settings", settings},
        {"source", source},
        {"vars", vars},
    };
    if (!dependencies.empty()) sec.emplace_back("dependencies", dependencies);
    if (!locals.empty()) sec.emplace_back("locals", locals);
    if (!retry.empty()) sec.emplace_back("retry", retry);
    if (!secrets.empty()) sec.emplace_back("secrets", secrets);
    if (!test.empty()) sec.emplace_back("test", test);
    if (!mocks.empty()) sec.emplace_back("mocks", mocks);
    out.emplace_back(name, Value::map(std::move(sec)));
  }
  return Value::sorted_map(std::move(out));
}

}  // namespace atmos::stacks
