#include "terraform/plan_diff.hpp"

#include <map>
#include <set>

#include "core/json_emit.hpp"

namespace atmos::terraform {
namespace {

constexpr const char* kSensitive = "(sensitive value)";
constexpr std::size_t kMaxShown = 200;  // longer strings show their head and tail

// A value as printed, and what is compared (a sensitive value that changed shows as changed, never its text).
struct Shown {
  std::string display;
  std::string raw;
};
using Values = std::map<std::string, Shown>;

Shown hidden(const Value& v) { return {kSensitive, to_json(v, JsonStyle::Compact)}; }

Shown shown(const Value& v) {
  std::string raw = to_json(v, JsonStyle::Compact);
  std::string text = v.is_string() ? v.as_string() : raw;
  if (text.size() > kMaxShown) text = text.substr(0, kMaxShown / 2) + "..." + text.substr(text.size() - kMaxShown / 2);
  return {text, raw};
}

// name → value of `variables` ({name: {value: …}}).
std::map<std::string, Value> variables(const Value& plan) {
  std::map<std::string, Value> out;
  Value vars = plan.get("variables");
  if (vars.is_map())
    for (const auto& [k, v] : vars.as_map())
      if (const Value* value = v.find("value")) out[k] = *value;
  return out;
}

void add_resources(const Value& list, std::map<std::string, Value>& out) {
  if (!list.is_list()) return;
  for (const auto& r : list.as_list()) {
    Value address = r.get("address");
    if (!address.is_string() || r.get("mode") == Value("data") || !r.get("mode").is_string()) continue;
    out[address.as_string()] = r;
  }
}

// address → resource: prior state, then planned values, then resource changes (later wins), data sources skipped.
std::map<std::string, Value> resources(const Value& plan) {
  std::map<std::string, Value> out;
  add_resources(plan.at({"prior_state", "values", "root_module", "resources"}), out);
  add_resources(plan.at({"planned_values", "root_module", "resources"}), out);
  add_resources(plan.get("resource_changes"), out);
  return out;
}

// Nested maps as dotted keys (`versioning.enabled`), sensitive values replaced by a marker.
void flatten(const Value& values, const Value& sensitive, const std::string& prefix, Values& out, int depth) {
  if (!values.is_map()) return;
  for (const auto& [k, v] : values.as_map()) {
    Value s = sensitive.get(k);
    if (s.is_bool() && s.as_bool()) out[prefix + k] = hidden(v);
    else if (v.is_map() && !v.empty() && depth < 16) flatten(v, s, prefix + k + ".", out, depth + 1);
    else out[prefix + k] = shown(v);
  }
}

// The attributes of a resource entry.
Values attributes(const Value& resource) {
  Value change = resource.get("change");
  Value values = change.is_map() ? change.get("after") : resource.get("values");
  Value sensitive = change.is_map() ? change.get("after_sensitive") : resource.get("sensitive_values");
  Values out;
  flatten(values, sensitive, "", out, 0);
  return out;
}

Values outputs(const Value& plan) {
  Values out;
  auto add = [&](const Value& outs, const char* value_key) {
    if (!outs.is_map()) return;
    for (const auto& [k, o] : outs.as_map()) {
      if (out.count(k)) continue;
      bool sensitive = (o.get("sensitive").is_bool() && o.get("sensitive").as_bool()) ||
                       (o.get("after_sensitive").is_bool() && o.get("after_sensitive").as_bool());
      if (sensitive) out[k] = hidden(o.get(value_key));
      else if (o.get("after_unknown") == Value(true)) out[k] = Shown{"(known after apply)", "(known after apply)"};
      else out[k] = shown(o.get(value_key));
    }
  };
  add(plan.at({"planned_values", "outputs"}), "value");
  add(plan.get("output_changes"), "after");
  return out;
}

template <class T, class Show>
std::string compare(const std::map<std::string, T>& a, const std::map<std::string, T>& b, Show show, const std::string& indent) {
  std::string out;
  for (const auto& [k, v] : b)
    if (!a.count(k)) out += indent + "+ " + k + show(v) + "\n";
  for (const auto& [k, v] : a)
    if (!b.count(k)) out += indent + "- " + k + show(v) + "\n";
  return out;
}

std::string value_diff(const Values& a, const Values& b, const std::string& indent) {
  std::string out = compare(a, b, [](const Shown& v) { return ": " + v.display; }, indent);
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it != b.end() && it->second.raw != v.raw) out += indent + "~ " + k + ": " + v.display + " => " + it->second.display + "\n";
  }
  return out;
}

}  // namespace

std::string plan_diff(const Value& orig, const Value& updated) {
  std::string out;
  auto as_text = [](const std::map<std::string, Value>& m) {
    Values t;
    for (const auto& [k, v] : m) t[k] = shown(v);
    return t;
  };
  std::string vars = value_diff(as_text(variables(orig)), as_text(variables(updated)), "");
  if (!vars.empty()) out += "Variables:\n----------\n" + vars + "\n";

  std::map<std::string, Value> ra = resources(orig), rb = resources(updated);
  std::string res = compare(ra, rb, [](const Value&) { return std::string(); }, "");
  for (const auto& [address, r] : ra) {
    auto it = rb.find(address);
    if (it == rb.end()) continue;
    std::string attrs = value_diff(attributes(r), attributes(it->second), "  ");
    if (!attrs.empty()) res += "~ " + address + "\n" + attrs;
  }
  if (!res.empty()) out += "Resources:\n-----------\n" + res + "\n";

  std::string outs = value_diff(outputs(orig), outputs(updated), "");
  if (!outs.empty()) out += "Outputs:\n--------\n" + outs;
  return out;
}

}  // namespace atmos::terraform
