#include "stacks/dependents.hpp"

#include <algorithm>
#include <filesystem>
#include <queue>

#include "core/error.hpp"

namespace atmos::stacks {
namespace fs = std::filesystem;

namespace {

std::string str_of(const Value& v) { return v.is_string() ? v.as_string() : std::string(); }

// Entries of a map (any keys) or a list, in order.
std::vector<Value> entries_of(const Value& v) {
  std::vector<Value> out;
  if (v.is_map())
    for (const auto& [k, item] : v.as_map()) out.push_back(item);
  else if (v.is_list())
    out = v.as_list();
  return out;
}

ComponentDependency from_context(const Value& e, bool new_format) {
  ComponentDependency d;
  d.component = str_of(e.get("component"));
  d.stack = str_of(e.get("stack"));
  d.namespace_ = str_of(e.get("namespace"));
  d.tenant = str_of(e.get("tenant"));
  d.environment = str_of(e.get("environment"));
  d.stage = str_of(e.get("stage"));
  d.new_format = new_format;
  return d;
}

// The component dependencies of a section, from the first of: dependencies.components, settings.depends_on,
// a component-level depends_on (upstream's getComponentDependencies).
std::vector<ComponentDependency> component_dependencies(const Value& section) {
  std::vector<ComponentDependency> out;
  Value deps = section.get("dependencies");
  if (deps.is_map() && deps.has("components")) {
    for (const Value& e : entries_of(deps.get("components"))) {
      std::string kind = str_of(e.get("kind"));
      if (!e.is_map() || (!kind.empty() && kind != "component") || str_of(e.get("component")).empty()) continue;
      out.push_back(from_context(e, true));
    }
    if (!out.empty()) return out;
  }
  for (const Value& holder : {section.get("settings").get("depends_on"), section.get("depends_on")}) {
    for (const Value& e : entries_of(holder))
      if (e.is_map()) out.push_back(from_context(e, false));
    if (!out.empty()) return out;
  }
  return out;
}

bool field_matches(const std::string& dep, const Value& provided_vars, const Value& own_vars, const char* key) {
  std::string provided = str_of(provided_vars.get(key));
  return dep.empty() ? provided == str_of(own_vars.get(key)) : provided == dep;
}

// Does `x` (with dependency `d`) depend on `y`? (upstream's isDependencyMatch)
bool depends_on(const Instance& x, const ComponentDependency& d, const Instance& y) {
  if (d.component != y.component || x.component == y.component) return false;
  if (d.new_format) return d.stack.empty() ? y.stack == x.stack : y.stack == d.stack;
  if (!d.stack.empty()) {
    if (y.stack != d.stack) return false;
  } else if (d.namespace_.empty() && d.tenant.empty() && d.environment.empty() && d.stage.empty()) {
    if (y.stack != x.stack) return false;
  }
  Value xv = x.section.get("vars"), yv = y.section.get("vars");
  if (!xv.is_map() || !yv.is_map()) return false;
  return field_matches(d.namespace_, yv, xv, "namespace") && field_matches(d.tenant, yv, xv, "tenant") &&
         field_matches(d.environment, yv, xv, "environment") && field_matches(d.stage, yv, xv, "stage");
}

std::string member(const Instance& in) { return in.component + " in " + in.stack; }

}  // namespace

std::vector<std::pair<std::string, std::string>> file_dependencies(const Value& section) {
  std::vector<std::pair<std::string, std::string>> out;
  Value deps = section.get("dependencies");
  if (deps.is_map()) {
    for (const Value& e : entries_of(deps.get("components"))) {
      std::string kind = str_of(e.get("kind"));
      if ((kind == "file" || kind == "folder") && !str_of(e.get("path")).empty()) out.emplace_back(kind, str_of(e.get("path")));
    }
    for (const Value& e : entries_of(deps.get("files")))
      if (!str_of(e).empty()) out.emplace_back("file", str_of(e));
    for (const Value& e : entries_of(deps.get("folders")))
      if (!str_of(e).empty()) out.emplace_back("folder", str_of(e));
    if (!out.empty()) return out;
  }
  for (const Value& e : entries_of(section.get("settings").get("depends_on"))) {
    if (!str_of(e.get("file")).empty()) out.emplace_back("file", str_of(e.get("file")));
    if (!str_of(e.get("folder")).empty()) out.emplace_back("folder", str_of(e.get("folder")));
  }
  return out;
}

std::string component_path(const config::CliConfig& cfg, const Value& section, const std::string& component) {
  std::string folder = str_of(section.get("component"));
  if (folder.empty()) folder = component;
  std::string p = (fs::path(cfg.base_path) / cfg.terraform_base_path / folder).lexically_normal().string();
  if (p.rfind("./", 0) == 0) p = p.substr(2);
  return p;
}

std::string stack_slug(const std::string& stack, const std::string& component) {
  std::string c = component;
  std::replace(c.begin(), c.end(), '/', '-');
  return stack + "-" + c;
}

bool skipped_instance(const Value& section) {
  Value md = section.get("metadata");
  if (!md.is_map()) return false;
  if (str_of(md.get("type")) == "abstract") return true;
  Value enabled = md.get("enabled");
  return enabled.is_bool() && !enabled.as_bool();
}

DependencyGraph::DependencyGraph(const Value& stacks) {
  if (stacks.is_map())
    for (const auto& [stack, body] : stacks.as_map()) {
      Value comps = body.get("components");
      if (!comps.is_map()) continue;
      for (const auto& [type, by_name] : comps.as_map()) {
        if (!by_name.is_map()) continue;
        for (const auto& [name, section] : by_name.as_map())
          if (section.is_map() && !skipped_instance(section)) instances_.push_back({stack, name, type, section});
      }
    }
  std::sort(instances_.begin(), instances_.end(), [](const Instance& a, const Instance& b) {
    return std::tie(a.stack, a.component_type, a.component) < std::tie(b.stack, b.component_type, b.component);
  });
  std::map<std::string, std::vector<std::size_t>> by_component;
  for (std::size_t i = 0; i < instances_.size(); ++i) by_component[instances_[i].component].push_back(i);
  dependents_.resize(instances_.size());
  dependencies_.resize(instances_.size());
  for (std::size_t x = 0; x < instances_.size(); ++x) {
    for (const ComponentDependency& d : component_dependencies(instances_[x].section)) {
      auto it = by_component.find(d.component);
      if (it == by_component.end()) continue;
      for (std::size_t y : it->second)
        if (depends_on(instances_[x], d, instances_[y]) &&
            std::find(dependencies_[x].begin(), dependencies_[x].end(), y) == dependencies_[x].end()) {
          dependencies_[x].push_back(y);
          dependents_[y].push_back(x);
        }
    }
  }
  for (auto& list : dependents_)
    std::sort(list.begin(), list.end(), [&](std::size_t a, std::size_t b) {
      const Instance& ia = instances_[a];
      const Instance& ib = instances_[b];
      return std::make_tuple(stack_slug(ia.stack, ia.component), ia.component, ia.stack) <
             std::make_tuple(stack_slug(ib.stack, ib.component), ib.component, ib.stack);
    });
}

std::size_t DependencyGraph::find(const std::string& component, const std::string& stack) const {
  for (std::size_t i = 0; i < instances_.size(); ++i)
    if (instances_[i].component == component && instances_[i].stack == stack) return i;
  return npos;
}

std::vector<std::size_t> DependencyGraph::order(const std::vector<std::size_t>& selected) const {
  // Everything the selection depends on, transitively: the order must respect paths through those too.
  std::vector<char> in_scope(instances_.size(), 0), wanted(instances_.size(), 0);
  std::vector<std::size_t> todo(selected.begin(), selected.end());
  for (std::size_t s : selected) wanted[s] = 1;
  while (!todo.empty()) {
    std::size_t v = todo.back();
    todo.pop_back();
    if (in_scope[v]) continue;
    in_scope[v] = 1;
    for (std::size_t d : dependencies_[v]) todo.push_back(d);
  }
  std::vector<std::size_t> pending(instances_.size(), 0);
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  std::size_t scope_size = 0;
  for (std::size_t v = 0; v < instances_.size(); ++v) {
    if (!in_scope[v]) continue;
    ++scope_size;
    pending[v] = dependencies_[v].size();
    if (pending[v] == 0) ready.push(v);
  }
  std::vector<std::size_t> out;
  std::size_t done = 0;
  while (!ready.empty()) {
    std::size_t v = ready.top();
    ready.pop();
    ++done;
    if (wanted[v]) out.push_back(v);
    for (std::size_t d : dependents_[v])
      if (in_scope[d] && --pending[d] == 0) ready.push(d);
  }
  if (done != scope_size) {
    // Every instance left waits on another one left: following those waits must come back round.
    std::size_t v = 0;
    while (!in_scope[v] || pending[v] == 0) ++v;
    std::vector<std::size_t> path;
    std::vector<long> pos(instances_.size(), -1);
    while (pos[v] < 0) {
      pos[v] = static_cast<long>(path.size());
      path.push_back(v);
      for (std::size_t d : dependencies_[v])
        if (in_scope[d] && pending[d] > 0) {
          v = d;
          break;
        }
    }
    std::vector<std::string> members;
    for (std::size_t k = static_cast<std::size_t>(pos[v]); k < path.size(); ++k) members.push_back(member(instances_[path[k]]));
    members.push_back(member(instances_[v]));
    throw_cycle(members);
  }
  return out;
}

std::vector<std::string> DependencyGraph::cycle_from(std::size_t start) const {
  // Iterative depth-first search along dependents; a dependent already on the path closes a cycle.
  std::vector<char> state(instances_.size(), 0);  // 0 new, 1 on path, 2 done
  std::vector<std::pair<std::size_t, std::size_t>> stack{{start, 0}};
  state[start] = 1;
  while (!stack.empty()) {
    auto& [v, next] = stack.back();
    if (next == dependents_[v].size()) {
      state[v] = 2;
      stack.pop_back();
      continue;
    }
    std::size_t d = dependents_[v][next++];
    if (state[d] == 1) {
      std::vector<std::string> members;
      auto it = std::find_if(stack.begin(), stack.end(), [&](const auto& e) { return e.first == d; });
      for (; it != stack.end(); ++it) members.push_back(member(instances_[it->first]));
      members.push_back(member(instances_[d]));
      return members;
    }
    if (state[d] == 0) {
      state[d] = 1;
      stack.emplace_back(d, 0);
    }
  }
  return {};
}

Value dependent_value(const config::CliConfig& cfg, const Instance& in, bool include_settings, IntegrationNames& names) {
  Value vars = in.section.get("vars");
  Map m{{"component", Value(in.component)},
        {"component_type", Value(in.component_type)},
        {"component_path", Value(component_path(cfg, in.section, in.component))}};
  for (const char* k : {"namespace", "tenant", "environment", "stage"})
    if (!str_of(vars.get(k)).empty()) m.emplace_back(k, Value(str_of(vars.get(k))));
  m.emplace_back("stack", Value(in.stack));
  m.emplace_back("stack_slug", Value(stack_slug(in.stack, in.component)));
  if (in.component_type == "terraform") names.append_if_named(in.stack, in.component, in.section, m);
  m.emplace_back("dependents", Value());
  m.emplace_back("included_in_dependents", Value(false));
  Value settings = in.section.get("settings");
  m.emplace_back("settings", include_settings ? (settings.is_map() ? settings : Value::empty_map()) : Value());
  return Value::ordered_map(std::move(m));
}

void throw_cycle(const std::vector<std::string>& members) {
  std::string text;
  for (const auto& m : members) text += (text.empty() ? "" : " → ") + m;
  throw Error(ErrorKind::Stack, "dependency cycle: " + text)
      .hint("Remove one of these `settings.depends_on` (or `dependencies.components`) entries so the instances can be ordered");
}

}  // namespace atmos::stacks
