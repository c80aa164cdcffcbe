#include "stacks/affected.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "core/error.hpp"
#include "core/glob.hpp"
#include "stacks/integrations.hpp"
#include "stacks/terraform_module.hpp"

namespace atmos::stacks {
namespace fs = std::filesystem;

namespace {

std::string str_of(const Value& v) { return v.is_string() ? v.as_string() : std::string(); }

// Sections compared verbatim, in upstream's order (componentSectionChecks); the first changed one is the
// headline reason. `metadata` and `settings` are checked separately.
const std::pair<const char*, const char*> kSectionChecks[] = {
    {"vars", "stack.vars"},
    {"env", "stack.env"},
    {"providers", "stack.providers"},
    {"required_providers", "stack.required_providers"},
    {"required_version", "stack.required_version"},
    {"generate", "stack.generate"},
    {"backend", "stack.backend"},
    {"backend_type", "stack.backend_type"},
    {"remote_state_backend", "stack.remote_state_backend"},
    {"remote_state_backend_type", "stack.remote_state_backend_type"},
    {"auth", "stack.auth"},
    {"command", "stack.command"},
    {"dependencies", "stack.dependencies"},
    {"source", "stack.source"},
    {"provision", "stack.provision"},
};

bool under(const std::string& file, const std::string& dir) {
  return file.size() > dir.size() && file.compare(0, dir.size(), dir) == 0 && file[dir.size()] == '/';
}

class Finder {
 public:
  Finder(const config::CliConfig& cfg, const AffectedRequest& req) : cfg_(cfg), req_(req), names_(cfg) {}

  Value run() {
    std::vector<std::string> order;  // "stack\0type\0component", in the order found
    for (const auto& [stack, body] : map_or_empty(req_.current)) {
      if (!req_.stack.empty() && stack != req_.stack) continue;
      for (const auto& [type, by_name] : map_or_empty(body.get("components")))
        for (const auto& [name, section] : map_or_empty(by_name)) {
          if (!section.is_map()) continue;
          check(stack, type, name, section);
        }
    }
    std::vector<Value> items;
    for (auto& [key, item] : items_) items.push_back(item);
    std::sort(items.begin(), items.end(), [](const Value& a, const Value& b) {
      return std::make_tuple(str_of(a.get("stack")), str_of(a.get("component")), str_of(a.get("component_type"))) <
             std::make_tuple(str_of(b.get("stack")), str_of(b.get("component")), str_of(b.get("component_type")));
    });
    deleted(items);
    return Value::list(std::move(items));
  }

 private:
  static const Map& map_or_empty(const Value& v) {
    static const Map empty;
    return v.is_map() ? v.as_map() : empty;
  }

  Value base_component(const std::string& stack, const std::string& type, const std::string& name) const {
    return req_.base.get(stack).get("components").get(type).get(name);
  }

  void add(const std::string& stack, const std::string& type, const std::string& name, const Value& section,
           const std::string& reason, const std::string& file = "", const std::string& folder = "",
           bool admin_stacks = true) {
    std::string key = stack + '\0' + type + '\0' + name;
    auto it = items_.find(key);
    if (it != items_.end()) {
      Value all = it->second.get("affected_all");
      List l = all.as_list();
      l.emplace_back(reason);
      it->second = it->second.with("affected_all", Value::list(std::move(l)));
      return;
    }
    Map m{{"component", Value(name)},
          {"component_type", Value(type)},
          {"component_path", Value(component_path(cfg_, section, name))},
          {"stack", Value(stack)},
          {"stack_slug", Value(stack_slug(stack, name))}};
    if (type == "terraform") {
      std::string spacelift = names_.spacelift_stack(stack, name, section);
      std::string atlantis = names_.atlantis_project(name, section);
      if (!spacelift.empty()) m.emplace_back("spacelift_stack", Value(spacelift));
      if (!atlantis.empty()) m.emplace_back("atlantis_project", Value(atlantis));
    }
    m.emplace_back("affected", Value(reason));
    m.emplace_back("affected_all", Value::list({Value(reason)}));
    if (!file.empty()) m.emplace_back("file", Value(file));
    if (!folder.empty()) m.emplace_back("folder", Value(folder));
    m.emplace_back("dependents", Value());
    m.emplace_back("included_in_dependents", Value(false));
    m.emplace_back("settings", settings_value(section));
    items_.emplace(key, Value::ordered_map(std::move(m)));
    if (type == "terraform" && admin_stacks && req_.include_spacelift_admin_stacks) add_admin_stack(stack, name, section);
  }

  // upstream's addAffectedSpaceliftAdminStack: the instance's `settings.spacelift.admin_stack_selector` names
  // the Spacelift admin stack that manages it (a component plus context keys); that instance is affected too.
  // The selector's context keys override the instance's vars to compute the admin stack's name prefix, which
  // must equal the candidate's own (docs/affected.md#integrations).
  void add_admin_stack(const std::string& stack, const std::string& name, const Value& section) {
    Value settings = section.get("settings");
    Value selector = settings.get("spacelift").get("admin_stack_selector");
    if (!selector.is_map()) return;
    std::string admin = str_of(selector.get("component"));
    Value vars = section.get("vars").is_map() ? section.get("vars") : Value::empty_map();
    bool any = !admin.empty();
    for (const char* k : {"namespace", "tenant", "environment", "stage", "region"})
      if (!str_of(selector.get(k)).empty()) {
        vars = vars.with(k, Value(str_of(selector.get(k))));
        any = true;
      }
    if (!any) return;
    std::string admin_prefix = names_.context_prefix(stack, naming_context(selector, admin), vars, settings);
    for (const auto& [candidate_stack, body] : map_or_empty(req_.current)) {
      Value terraform = body.get("components").get("terraform");
      const Value* candidate = terraform.find(admin);
      if (!candidate || !candidate->is_map() || !candidate->get("vars").is_map()) continue;
      Value candidate_vars = candidate->get("vars");
      if (names_.context_prefix(candidate_stack, naming_context(candidate_vars, admin), candidate_vars,
                                candidate->get("settings")) != admin_prefix)
        continue;
      Value spacelift = candidate->get("settings").get("spacelift");
      if (!spacelift.is_map()) continue;
      Value enabled = spacelift.get("workspace_enabled");
      if (!enabled.is_bool() || !enabled.as_bool())
        throw Error(ErrorKind::Stack, "component '" + name + "' in the stack '" + stack +
                                          "' has the section 'settings.spacelift.admin_stack_selector' to point to the Spacelift admin component '" +
                                          admin + "' in the stack '" + candidate_stack +
                                          "', but that component has Spacelift workspace disabled in the 'settings.spacelift.workspace_enabled' "
                                          "section and can't be added to the affected stacks");
      add(candidate_stack, "terraform", admin, *candidate, "stack.settings.spacelift.admin_stack_selector", "", "", false);
    }
  }

  // upstream's resolveComponentSectionChecks: `describe.affected.sections` replaces the defaults; a section
  // without a labelled reason reports as `stack.<name>`.
  std::vector<std::pair<std::string, std::string>> section_checks() const {
    std::vector<std::pair<std::string, std::string>> out;
    if (req_.sections.empty()) {
      for (const auto& [key, reason] : kSectionChecks) out.emplace_back(key, reason);
      return out;
    }
    for (const auto& name : req_.sections) {
      std::string reason = "stack." + name;
      for (const auto& [key, r] : kSectionChecks)
        if (name == key) reason = r;
      out.emplace_back(name, reason);
    }
    return out;
  }

  Value settings_value(const Value& section) const {
    if (!req_.include_settings) return Value();
    Value s = section.get("settings");
    return s.is_map() ? s : Value::empty_map();
  }

  // Changed files under the component's folder, and under the local modules it calls (cached per folder).
  std::pair<bool, bool> folder_changes(const std::string& folder) {
    auto it = folder_cache_.find(folder);
    if (it != folder_cache_.end()) return it->second;
    std::string dir = (fs::path(cfg_.terraform_dir_abs) / folder).lexically_normal().string();
    bool component = false, module = false;
    for (const auto& f : req_.changed_files)
      if (under(f, dir)) component = true;
    Value calls = inspect_terraform_module(dir).get("modulecalls");
    for (const auto& [name, call] : map_or_empty(calls)) {
      if (!str_of(call.get("version")).empty() || str_of(call.get("source")).empty()) continue;
      std::string file = str_of(call.get("pos").get("filename"));
      std::string mod = (fs::path(file).parent_path() / str_of(call.get("source"))).lexically_normal().string();
      while (mod.size() > 1 && mod.back() == '/') mod.pop_back();
      for (const auto& f : req_.changed_files)
        if (under(f, mod)) module = true;
    }
    return folder_cache_[folder] = {component, module};
  }

  void check(const std::string& stack, const std::string& type, const std::string& name, const Value& section) {
    Value base = base_component(stack, type, name);
    Value md = section.get("metadata");
    if (md.is_map()) {
      if (skipped_instance(section)) return;
      Value locked = md.get("locked");
      if (req_.exclude_locked && locked.is_bool() && locked.as_bool()) return;
      if (!base.get("metadata").is_map() || base.get("metadata") != md) add(stack, type, name, section, "stack.metadata");
    }
    std::string folder = str_of(section.get("component"));
    if (folder.empty()) folder = name;
    if (type == "terraform") {
      auto [component, module] = folder_changes(folder);
      if (module) add(stack, type, name, section, "component.module");
      if (component) add(stack, type, name, section, "component");
    }
    for (const auto& [key, reason] : section_checks()) {
      const Value* v = section.find(key);
      if (!v) continue;
      const Value* b = base.is_map() ? base.find(key) : nullptr;
      if (!base.is_map() || !(b ? *b == *v : v->is_null())) add(stack, type, name, section, reason);
    }
    Value settings = section.get("settings");
    if (!settings.is_map()) return;
    if (!base.get("settings").is_map() || base.get("settings") != settings) add(stack, type, name, section, "stack.settings");
    for (const auto& [kind, path] : file_dependencies(section)) {
      std::string abs = (fs::path(req_.cwd) / path).lexically_normal().string();
      while (abs.size() > 1 && abs.back() == '/') abs.pop_back();
      std::string pattern = kind == "folder" ? abs + "/**" : abs;
      for (const auto& f : req_.changed_files)
        if (glob_match(pattern, f)) {
          add(stack, type, name, section, kind, kind == "file" ? path : "", kind == "folder" ? path : "");
          return;
        }
    }
  }

  // Instances in the base that the working tree no longer has (upstream's detectDeletedComponents).
  void deleted(std::vector<Value>& items) {
    for (const auto& [stack, body] : map_or_empty(req_.base)) {
      if (!req_.stack.empty() && stack != req_.stack) continue;
      const Value* current = req_.current.find(stack);
      Value current_components = current ? current->get("components") : Value();
      bool stack_gone = !current;
      bool no_components = current && !current_components.is_map();
      for (const char* type : {"terraform", "helmfile", "packer"})
        for (const auto& [name, section] : map_or_empty(body.get("components").get(type))) {
          if (!section.is_map() || str_of(section.get("metadata").get("type")) == "abstract") continue;
          if (!stack_gone && !no_components && current_components.get(type).find(name)) continue;
          std::string reason = stack_gone ? "deleted.stack" : "deleted";
          Map m{{"component", Value(name)},
                {"component_type", Value(type)},
                {"component_path", Value(component_path(cfg_, section, name))}};
          Value vars = section.get("vars");
          for (const char* k : {"namespace", "tenant", "environment", "stage"})
            if (!str_of(vars.get(k)).empty()) m.emplace_back(k, Value(str_of(vars.get(k))));
          m.emplace_back("stack", Value(stack));
          m.emplace_back("stack_slug", Value(stack_slug(stack, name)));
          if (std::string(type) == "terraform" && vars.is_map()) names_.append_if_named(stack, name, section, m);
          m.emplace_back("affected", Value(reason));
          m.emplace_back("affected_all", Value::list({Value(reason)}));
          m.emplace_back("dependents", Value());
          m.emplace_back("included_in_dependents", Value(false));
          m.emplace_back("settings", settings_value(section));
          m.emplace_back("deleted", Value(true));
          m.emplace_back("deletion_type", Value(stack_gone ? "stack" : "component"));
          items.push_back(Value::ordered_map(std::move(m)));
        }
    }
  }

  const config::CliConfig& cfg_;
  const AffectedRequest& req_;
  IntegrationNames names_;
  std::map<std::string, Value> items_;
  std::map<std::string, std::pair<bool, bool>> folder_cache_;
};

// Is `slug` anywhere in the dependents trees of `list` (skipping index `skip`)?
bool in_dependents(const List& list, const std::string& slug, std::size_t skip) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i == skip) continue;
    Value deps = list[i].get("dependents");
    if (!deps.is_list()) continue;
    for (const Value& d : deps.as_list())
      if (str_of(d.get("stack_slug")) == slug) return true;
    if (in_dependents(deps.as_list(), slug, static_cast<std::size_t>(-1))) return true;
  }
  return false;
}

// upstream's processPeerDependencies: a dependent already in a peer's dependents tree is marked included.
Value mark_peers(const Value& deps) {
  if (!deps.is_list()) return deps;
  List l = deps.as_list();
  List out;
  for (std::size_t i = 0; i < l.size(); ++i) {
    Value d = l[i].with("included_in_dependents", Value(in_dependents(l, str_of(l[i].get("stack_slug")), i)));
    out.push_back(d.with("dependents", mark_peers(d.get("dependents"))));
  }
  return Value::list(std::move(out));
}

}  // namespace

Value dependents_tree(const config::CliConfig& cfg, const DependencyGraph& graph, std::size_t i, bool include_settings,
                      IntegrationNames& names) {
  std::vector<std::string> cycle = graph.cycle_from(i);
  if (!cycle.empty()) throw_cycle(cycle);
  List out;
  for (std::size_t d : graph.dependents(i))
    out.push_back(dependent_value(cfg, graph.instances()[d], include_settings, names)
                      .with("dependents", dependents_tree(cfg, graph, d, include_settings, names)));
  return Value::list(std::move(out));
}

Value find_affected(const config::CliConfig& cfg, const AffectedRequest& req) {
  Value affected = Finder(cfg, req).run();
  if (!req.include_dependents) return affected;
  DependencyGraph graph(req.current);
  IntegrationNames names(cfg);
  List with;
  for (const Value& a : affected.as_list()) {
    std::size_t i = a.get("deleted").is_bool() ? DependencyGraph::npos
                                                : graph.find(str_of(a.get("component")), str_of(a.get("stack")));
    with.push_back(a.with("dependents", i == DependencyGraph::npos ? Value::list({})
                                                                   : dependents_tree(cfg, graph, i, req.include_settings, names)));
  }
  List out;
  for (std::size_t i = 0; i < with.size(); ++i) {
    bool included = in_dependents(with, str_of(with[i].get("stack_slug")), i);
    Value a = with[i].with("included_in_dependents", Value(included));
    if (!included) a = a.with("dependents", mark_peers(a.get("dependents")));
    out.push_back(a);
  }
  return Value::list(std::move(out));
}

}  // namespace atmos::stacks
