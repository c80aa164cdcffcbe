#include "stacks/locals.hpp"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <vector>

#include "core/error.hpp"

namespace atmos::stacks {
namespace {

const std::string kLocals = "locals";

// Every `.locals.<name>` a template string refers to (upstream's ExtractFieldRefsByPrefix), in order, unique.
std::vector<std::string> string_deps(const std::string& s) {
  static const std::regex kRef(R"(\.locals\.([A-Za-z_][A-Za-z0-9_]*))");
  std::vector<std::string> out;
  if (s.find("{{") == std::string::npos) return out;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), kRef); it != std::sregex_iterator(); ++it) {
    std::string name = (*it)[1].str();
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

void collect_deps(const Value& v, std::vector<std::string>& out) {
  if (v.is_string()) {
    for (auto& d : string_deps(v.as_string()))
      if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  } else if (v.is_map()) {
    for (const auto& [k, item] : v.as_map()) collect_deps(item, out);
  } else if (v.is_list()) {
    for (const auto& item : v.as_list()) collect_deps(item, out);
  }
}

Value keep_mark(Value out, const Value& from) {
  if (const SourceMark* m = from.mark()) out = out.with_mark(*m);
  return out;
}

// Renders the templates of one string: a plain field reference takes the value itself, anything else renders
// with missingkey=error. Throws the renderer's Error.
Value render_string(const Value& v, const Value& data, const std::string& name, const TemplateRenderer& render) {
  const std::string& s = v.as_string();
  if (s.find("{{") == std::string::npos) return v;
  Value holder;
  if (const Value* ref = plain_field_ref(s, data, holder)) return *ref;
  Value out(render(name, s, data, true));
  if (!v.tag().empty()) out = out.with_tag(v.tag());
  return keep_mark(out, v);
}

// A string whose template cannot render yet (it needs the component's context) keeps its templates for the
// component's rendering, where locals are no longer visible; so its plain `{{ .locals.<path> }}` actions are
// replaced by their scalar values now ("{{ .locals.name }}-{{ .atmos_component }}" → "app-{{ .atmos_component }}").
Value substitute_locals(const Value& v, const Value& data) {
  static const std::regex kAction(R"(\{\{-?\s*\.locals((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*-?\}\})");
  const std::string& s = v.as_string();
  std::string out;
  std::size_t last = 0;
  bool changed = false;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), kAction); it != std::sregex_iterator(); ++it) {
    Value holder;
    const Value* found = plain_field_ref("{{ .locals" + (*it)[1].str() + " }}", data, holder);
    if (!found || found->is_map() || found->is_list() || found->is_null()) continue;
    out += s.substr(last, static_cast<std::size_t>(it->position()) - last);
    out += found->is_string() ? found->as_string() : describe_value(*found);
    last = static_cast<std::size_t>(it->position() + it->length());
    changed = true;
  }
  if (!changed) return v;
  Value result(out + s.substr(last));
  if (!v.tag().empty()) result = result.with_tag(v.tag());
  return keep_mark(result, v);
}

// `v` with every template string rendered; a string whose template fails keeps its other templates.
Value render_tree(const Value& v, const Value& data, const std::string& name, const TemplateRenderer& render) {
  if (v.is_string()) {
    try {
      return render_string(v, data, name, render);
    } catch (const Error&) {
      return substitute_locals(v, data);
    }
  }
  if (v.is_map()) {
    Map out;
    for (const auto& [k, item] : v.as_map()) out.emplace_back(k, render_tree(item, data, name, render));
    return keep_mark(Value::map(std::move(out)), v);
  }
  if (v.is_list()) {
    List out;
    for (const auto& item : v.as_list()) out.push_back(render_tree(item, data, name, render));
    Value l = Value::list(std::move(out));
    if (!v.tag().empty()) l = l.with_tag(v.tag());
    return keep_mark(l, v);
  }
  return v;
}

class Resolver {
 public:
  Resolver(const Value& locals, const std::string& file, const Value& context, const TemplateRenderer& render)
      : locals_(locals), file_(file), context_(context), render_(render) {}

  Value resolve(const Value& parent) {
    for (const auto& [name, value] : locals_.as_map()) {
      std::vector<std::string> deps;
      collect_deps(value, deps);
      deps_[name] = deps;
    }
    std::vector<std::string> order = topological_order();
    std::map<std::string, Value> resolved;
    if (parent.is_map())
      for (const auto& [k, v] : parent.as_map()) resolved[k] = v;
    for (const auto& name : order) {
      Map current;
      for (const auto& [k, v] : resolved) current.emplace_back(k, v);
      resolved[name] = resolve_value(*locals_.find(name), name, Value::sorted_map(std::move(current)));
    }
    Map out;
    for (auto& [k, v] : resolved) out.emplace_back(k, std::move(v));
    return Value::sorted_map(std::move(out));
  }

 private:
  bool is_local(const std::string& name) const { return locals_.find(name) != nullptr; }

  // Kahn's algorithm with a sorted queue (upstream's topologicalSort); what is left over is a cycle.
  std::vector<std::string> topological_order() {
    std::map<std::string, int> in_degree;
    for (const auto& [name, deps] : deps_) {
      int n = 0;
      for (const auto& d : deps) n += is_local(d);
      in_degree[name] = n;
    }
    std::set<std::string> queue;
    for (const auto& [name, n] : in_degree)
      if (n == 0) queue.insert(name);
    std::vector<std::string> order;
    while (!queue.empty()) {
      std::string name = *queue.begin();
      queue.erase(queue.begin());
      order.push_back(name);
      for (const auto& [dependent, deps] : deps_)
        for (const auto& d : deps)
          if (d == name && --in_degree[dependent] == 0) queue.insert(dependent);
    }
    if (order.size() != deps_.size())
      throw Error(ErrorKind::Stack, "circular dependency in locals at " + file_)
          .explain("Dependency cycle detected:\n  " + find_cycle())
          .hint("Fix the circular dependency in '" + file_ + "': locals must not reference each other in a cycle");
    return order;
  }

  std::string find_cycle() const {
    std::set<std::string> visited, on_stack;
    std::vector<std::string> path;
    std::function<bool(const std::string&)> dfs = [&](const std::string& name) {
      visited.insert(name);
      on_stack.insert(name);
      path.push_back(name);
      for (const auto& d : deps_.at(name)) {
        if (!is_local(d)) continue;
        if (!visited.count(d)) {
          if (dfs(d)) return true;
        } else if (on_stack.count(d)) {
          path.erase(path.begin(), std::find(path.begin(), path.end(), d));
          path.push_back(d);
          return true;
        }
      }
      path.pop_back();
      on_stack.erase(name);
      return false;
    };
    for (const auto& [name, deps] : deps_)
      if (!visited.count(name) && dfs(name)) break;
    std::string out;
    for (const auto& n : path) out += (out.empty() ? "" : " \xE2\x86\x92 ") + n;
    return out;
  }

  Value resolve_value(const Value& v, const std::string& name, const Value& resolved) {
    if (v.is_map()) {
      Map out;
      for (const auto& [k, item] : v.as_map()) out.emplace_back(k, resolve_value(item, name, resolved));
      return Value::map(std::move(out));
    }
    if (v.is_list()) {
      List out;
      for (const auto& item : v.as_list()) out.push_back(resolve_value(item, name, resolved));
      return Value::list(std::move(out));
    }
    if (!v.is_string()) return v;
    if (v.tag() == "!env") {
      // `!env NAME [default]`, resolved here so other locals can build on it (upstream resolves YAML functions
      // before templates).
      std::string arg = v.as_string();
      std::string var = arg.substr(0, arg.find(' '));
      std::string fallback = arg.find(' ') == std::string::npos ? "" : arg.substr(arg.find(' ') + 1);
      const char* value = std::getenv(var.c_str());
      return Value(value ? std::string(value) : fallback);
    }
    if (!v.tag().empty() && v.tag().rfind("!!", 0) != 0)
      throw Error(ErrorKind::Stack, "failed to process YAML function in local \"" + name + "\" in " + file_)
          .explain("The YAML function " + v.tag() + " is not evaluated in locals; only !env is.");
    Value data = context_.with(kLocals, resolved);
    try {
      return render_string(v, data, name, render_);
    } catch (const Error& e) {
      std::string available;
      for (const auto& [k, item] : resolved.as_map()) available += "  - " + k + "\n";
      throw Error(ErrorKind::Stack, "failed to resolve local \"" + name + "\" in " + file_ + ": " + e.message())
          .explain("Available locals at this scope:\n" + (available.empty() ? "  (none)\n" : available));
    }
  }

  const Value& locals_;
  std::string file_;
  Value context_;
  const TemplateRenderer& render_;
  std::map<std::string, std::vector<std::string>> deps_;
};

// The file's settings/vars/env (maps only) as the template context of its locals.
Value section_context(const Value& base, const Value& section) {
  Value out = base.is_map() ? base : Value::empty_map();
  for (const char* key : {"settings", "vars", "env"}) {
    Value own = section.get(key);
    if (!own.is_map()) continue;
    Value merged = out.get(key);
    Map entries = merged.is_map() ? merged.as_map() : Map{};
    for (const auto& [k, v] : own.as_map()) entries.emplace_back(k, v);
    out = out.with(key, Value::map(std::move(entries)));
  }
  return out;
}

}  // namespace

Value component_locals(const Value& components, const std::string& name, std::size_t depth) {
  Value component = components.get(name);
  if (!component.is_map() || depth > components.size()) return Value::empty_map();
  Map entries;
  Value inherits = component.at({"metadata", "inherits"});
  if (inherits.is_list())
    for (const auto& base : inherits.as_list()) {
      if (!base.is_string()) continue;
      Value inherited = component_locals(components, base.as_string(), depth + 1);
      if (inherited.is_map())
        for (const auto& [k, v] : inherited.as_map()) entries.emplace_back(k, v);
    }
  Value own = component.get(kLocals);
  if (!own.is_null() && !own.is_map()) return own;
  if (own.is_map())
    for (const auto& [k, v] : own.as_map()) entries.emplace_back(k, v);
  return Value::map(std::move(entries));
}

const Value* plain_field_ref(const std::string& text, const Value& data, Value& holder) {
  static const std::regex kPlain(R"(^\{\{-?\s*((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*-?\}\}$)");
  std::smatch m;
  if (!std::regex_match(text, m, kPlain)) return nullptr;
  std::string path = m[1].str();
  holder = data;
  std::size_t pos = 1;
  while (pos <= path.size()) {
    std::size_t next = path.find('.', pos);
    std::string key = path.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    const Value* child = holder.find(key);
    if (!child) return nullptr;
    holder = *child;
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return &holder;
}

Value resolve_locals(const Value& locals, const Value& parent, const std::string& file, const Value& context,
                     const TemplateRenderer& render) {
  if (!locals.is_map()) throw Error(ErrorKind::Stack, "locals must be a map in " + file);
  return Resolver(locals, file, context, render).resolve(parent);
}

bool has_file_locals(const Value& manifest) {
  return manifest.has(kLocals) || manifest.get("terraform").has(kLocals);
}

Value apply_file_locals(const Value& manifest, const std::string& file, const Value& import_context,
                        const TemplateRenderer& render, Value* resolved) {
  Value root_context = section_context(Value::empty_map(), manifest);
  Value global = manifest.has(kLocals) ? resolve_locals(manifest.get(kLocals), Value(), file, root_context, render)
                                       : Value::empty_map();
  Value terraform = manifest.get("terraform");
  Value merged = global;
  Value terraform_own;
  if (terraform.has(kLocals)) {
    Value tf = resolve_locals(terraform.get(kLocals), global, file, section_context(root_context, terraform), render);
    merged = tf;
    Map own;
    for (const auto& [k, v] : tf.as_map())
      if (terraform.get(kLocals).has(k)) own.emplace_back(k, v);
    terraform_own = Value::sorted_map(std::move(own));
  }
  if (resolved) {
    Map out;
    if (manifest.has(kLocals)) out.emplace_back(kLocals, global);
    if (terraform.has(kLocals)) out.emplace_back("terraform", Value::map({{kLocals, terraform_own}}));
    *resolved = Value::map(std::move(out));
  }

  // The file's settings, vars and env with the locals applied join the context (upstream's
  // extractAndAddLocalsToContext), each seeing the ones before it.
  Value data = (import_context.is_map() ? import_context : Value::empty_map()).without(kLocals).with(kLocals, merged);
  for (const char* key : {"settings", "vars", "env"})
    if (manifest.get(key).is_map()) data = data.with(key, render_tree(manifest.get(key), data, file, render));

  Map out;
  for (const auto& [key, section] : manifest.as_map()) {
    if (key == kLocals) continue;
    if (key == "terraform" && section.is_map()) {
      out.emplace_back(key, render_tree(section.without(kLocals), data, file, render));
      continue;
    }
    if (key == "components" && section.get("terraform").is_map()) {
      Map components;
      for (const auto& [name, component] : section.get("terraform").as_map()) {
        Value chain = component_locals(section.get("terraform"), name, 0);
        if (!component.is_map() || (chain.is_map() && chain.empty())) {
          components.emplace_back(name, render_tree(component, data, file, render));
          continue;
        }
        // Component-level locals (its bases' in this file, then its own) inherit the file's and see the
        // component's own settings/vars/env.
        Value own = resolve_locals(chain, merged, file + " (component " + name + ")", section_context(data, component), render);
        components.emplace_back(name, render_tree(component.without(kLocals), data.with(kLocals, own), file, render));
      }
      out.emplace_back(key, keep_mark(section.with("terraform", keep_mark(Value::map(std::move(components)),
                                                                          section.get("terraform"))),
                                      section));
      continue;
    }
    out.emplace_back(key, render_tree(section, data, file, render));
  }
  return keep_mark(Value::map(std::move(out)), manifest);
}

}  // namespace atmos::stacks
