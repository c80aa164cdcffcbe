#include "stacks/provenance.hpp"

#include <algorithm>
#include <set>

namespace atmos::stacks {
namespace {

constexpr const char* kType = "terraform";

struct Dependency {
  std::string type, file, section;
  Value value;
  bool operator==(const Dependency& o) const {
    return type == o.type && file == o.file && section == o.section && value == o.value;
  }
};

// Looks `name` up in `container[section][subsection]`; false when any level is missing or not a map.
bool lookup(const Value& container, const std::string& section, const std::string& subsection, const std::string& name,
            Value& out) {
  Value v = container.get(section);
  if (!v.is_map()) return false;
  if (!subsection.empty()) {
    v = v.get(subsection);
    if (!v.is_map()) return false;
  }
  const Value* found = v.find(name);
  if (!found) return false;
  out = *found;
  return true;
}

class Collector {
 public:
  Collector(const Manifest& m, std::string section, std::string subsection)
      : m_(m), section_(std::move(section)), subsection_(std::move(subsection)) {}

  std::vector<Dependency> collect(const std::string& component, const std::vector<std::string>& chain,
                                  const std::string& name) {
    out_.clear();
    component_inline(component, name);
    component_imports(component, name);
    for (const auto& base : chain) {
      component_inline(base, name);
      component_imports(base, name);
    }
    // Upstream repeats the stack-wide lookups once per base; they find the same entries, which dedupe away.
    type_inline(name);
    global_inline(name);
    type_imports(name);
    global_imports(name);
    return out_;
  }

 private:
  std::string qualified(const std::string& prefix) const {
    return prefix + section_ + (subsection_.empty() ? "" : "." + subsection_);
  }
  void add(Dependency d) {
    if (std::find(out_.begin(), out_.end(), d) == out_.end()) out_.push_back(std::move(d));
  }

  void component_inline(const std::string& component, const std::string& name) {
    Value v;
    if (lookup(m_.own_content.at({"components", kType, component}), section_, subsection_, name, v))
      add({"inline", m_.file_key, qualified(std::string("components.") + kType + "."), v});
  }
  void type_inline(const std::string& name) {
    Value v;
    if (lookup(m_.own_content.get(kType), section_, subsection_, name, v))
      add({"inline", m_.file_key, qualified(std::string(kType) + "."), v});
  }
  void global_inline(const std::string& name) {
    Value v;
    if (lookup(m_.own_content, section_, subsection_, name, v)) add({"inline", m_.file_key, qualified(""), v});
  }

  // Upstream stops scanning the imports when a subsection (the backend type) is missing from one of them.
  template <class Find>
  void imports(const std::string& prefix, Find find, const std::string& name) {
    for (const auto& [key, content] : m_.import_contents) {
      Value container = find(content);
      Value sec = container.get(section_);
      if (!sec.is_map()) continue;
      if (!subsection_.empty()) {
        sec = sec.get(subsection_);
        if (!sec.is_map()) return;
      }
      const Value* v = sec.find(name);
      if (!v) continue;
      add({"import", key, qualified(prefix), *v});
    }
  }
  void component_imports(const std::string& component, const std::string& name) {
    imports(std::string("components.") + kType + ".", [&](const Value& c) { return c.at({"components", kType, component}); }, name);
  }
  void type_imports(const std::string& name) {
    imports(std::string(kType) + ".", [](const Value& c) { return c.get(kType); }, name);
  }
  void global_imports(const std::string& name) {
    imports("", [](const Value& c) { return c; }, name);
  }

  const Manifest& m_;
  std::string section_, subsection_;
  std::vector<Dependency> out_;
};

std::vector<std::string> chain_of(const Value& section) {
  std::vector<std::string> out;
  for (const auto& c : section.get("inheritance").as_list())
    if (c.is_string()) out.push_back(c.as_string());
  return out;
}

bool any_non_empty(const Value& container, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    const Value* v = container.find(k);
    if (v && !v->empty()) return true;
  }
  return false;
}

}  // namespace

Value config_sources(const Manifest& m, const std::string& component, const Value& section) {
  std::vector<std::string> chain = chain_of(section);
  std::string backend_type = section.get("backend_type").is_string() ? section.get("backend_type").as_string() : "";
  Map result;
  for (const char* name : {"backend", "env", "settings", "vars"}) {
    Collector collector(m, name, std::string(name) == "backend" ? backend_type : "");
    Map items;
    for (const auto& [key, final_value] : section.get(name).as_map()) {
      List deps;
      for (const auto& d : collector.collect(component, chain, key))
        deps.push_back(Value::map({{"dependency_type", Value(d.type)},
                                   {"stack_file", Value(d.file)},
                                   {"stack_file_section", Value(d.section)},
                                   {"variable_value", d.value}}));
      items.emplace_back(key, Value::map({{"final_value", final_value},
                                          {"name", Value(key)},
                                          {"stack_dependencies", Value::list(std::move(deps))}}));
    }
    result.emplace_back(name, Value::map(std::move(items)));
  }
  return Value::map(std::move(result));
}

std::vector<StackDefaultIdentity> stack_default_identities(const Manifest& m, const std::string& component,
                                                           const Value& section) {
  std::vector<std::string> chain = chain_of(section);
  Collector collector(m, "auth", "identities");
  std::vector<StackDefaultIdentity> out;
  for (const auto& [name, identity] : section.at({"auth", "identities"}).as_map()) {
    (void)identity;
    for (const auto& d : collector.collect(component, chain, name)) {
      Value flag = d.value.get("default");
      if (!flag.is_bool()) continue;
      if (flag.as_bool()) {
        const SourceMark* mark = d.value.mark();
        out.push_back({name, mark && mark->file && !mark->file->empty() ? *mark->file : d.file});
      }
      break;
    }
  }
  return out;
}

std::vector<std::string> component_dependencies(const Manifest& m, const std::string& component, const Value& section) {
  static const std::initializer_list<const char*> kSections = {"backend", "backend_type", "env", "remote_state_backend",
                                                               "remote_state_backend_type", "settings", "vars"};
  std::vector<std::string> bases = chain_of(section);
  std::set<std::string> deps{m.file_key};
  for (const auto& [key, content] : m.import_contents) {
    if (any_non_empty(content, kSections) || any_non_empty(content.get(kType), kSections)) {
      deps.insert(key);
      continue;
    }
    Value type_section = content.at({"components", kType});
    if (!type_section.is_map()) continue;
    if (!type_section.get(component).empty() && type_section.get(component).is_map()) {
      deps.insert(key);
      continue;
    }
    for (const auto& base : bases) {
      Value base_section = type_section.get(base);
      if (!base_section.is_map() || base_section.empty()) continue;
      // A base defined by this import itself (not just re-exported from what it imports) is a dependency.
      bool inherited = false;
      for (const auto& imp : content.get("import").as_list()) {
        std::string path = imp.is_string() ? imp.as_string() : (imp.get("path").is_string() ? imp.get("path").as_string() : "");
        auto it = m.import_contents.find(path);
        if (it != m.import_contents.end() && it->second.at({"components", kType, base}) == base_section) inherited = true;
      }
      if (!inherited) {
        deps.insert(key);
        break;
      }
    }
  }
  return {deps.begin(), deps.end()};
}

}  // namespace atmos::stacks
