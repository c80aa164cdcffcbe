#include "stacks/integrations.hpp"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "core/error.hpp"
#include "stacks/engine.hpp"

namespace atmos::stacks {

namespace {

std::string str_of(const Value& v) { return v.is_string() ? v.as_string() : std::string(); }

std::string dashed(std::string s) {
  std::replace(s.begin(), s.end(), '/', '-');
  return s;
}

}  // namespace

NamingContext naming_context(const Value& vars, const std::string& component) {
  NamingContext c;
  c.namespace_ = str_of(vars.get("namespace"));
  c.tenant = str_of(vars.get("tenant"));
  c.environment = str_of(vars.get("environment"));
  c.stage = str_of(vars.get("stage"));
  c.region = str_of(vars.get("region"));
  c.component = dashed(component);
  if (vars.get("attributes").is_list())
    for (const Value& a : vars.get("attributes").as_list()) c.attributes.push_back(a.is_string() ? a.as_string() : describe_value(a));
  return c;
}

std::string replace_context_tokens(const NamingContext& c, const std::string& pattern) {
  std::string attributes;
  for (const auto& a : c.attributes) attributes += (attributes.empty() ? "" : "-") + a;
  const std::pair<const char*, const std::string*> tokens[] = {
      {"{base-component}", nullptr}, {"{component}", &c.component},     {"{component-path}", nullptr},
      {"{namespace}", &c.namespace_}, {"{environment}", &c.environment}, {"{region}", &c.region},
      {"{tenant}", &c.tenant},        {"{stage}", &c.stage},             {"{workspace}", nullptr},
      {"{terraform_workspace}", nullptr}, {"{attributes}", &attributes},
  };
  std::string out;
  for (std::size_t i = 0; i < pattern.size();) {
    bool replaced = false;
    if (pattern[i] == '{')
      for (const auto& [token, value] : tokens)
        if (pattern.compare(i, std::strlen(token), token) == 0) {
          if (value) out += *value;
          i += std::strlen(token);
          replaced = true;
          break;
        }
    if (!replaced) out += pattern[i++];
  }
  return out;
}

std::string IntegrationNames::context_prefix(const std::string& stack, const NamingContext& context, const Value& vars,
                                             const Value& settings) {
  if (!cfg_.name_template.empty()) {
    if (!renderer_) renderer_ = go_template_renderer(cfg_);
    Value data = Value::ordered_map({{"vars", vars.is_map() ? vars : Value::empty_map()},
                                     {"settings", settings.is_map() ? settings : Value::empty_map()}});
    return (*renderer_)("name-template", cfg_.name_template, data, !cfg_.ignore_missing_template_values);
  }
  if (cfg_.name_pattern.empty())
    throw Error(ErrorKind::Config, "'stacks.name_template' (or the deprecated 'stacks.name_pattern') needs to be specified in 'atmos.yaml'")
        .explain("the Spacelift stack of a component with 'settings.spacelift.workspace_enabled: true' in the stack '" + stack +
                 "' is named after the stack name template or pattern");
  std::string prefix;
  std::stringstream ss(cfg_.name_pattern);
  std::string part;
  while (std::getline(ss, part, '-')) {
    const std::pair<const char*, const std::string*> parts[] = {
        {"namespace", &context.namespace_}, {"tenant", &context.tenant}, {"environment", &context.environment}, {"stage", &context.stage}};
    for (const auto& [name, value] : parts) {
      if (part != std::string("{") + name + "}") continue;
      if (value->empty())
        throw Error(ErrorKind::Stack, "stack name pattern references a context part that is not defined in the stack file")
            .explain("the stack name pattern '" + cfg_.name_pattern + "' specifies '" + name + "', but the stack '" + stack +
                     "' does not have " + (std::strcmp(name, "environment") == 0 ? "an " : "a ") + name +
                     " defined in the stack file '" + stack + "'");
      prefix += (prefix.empty() ? "" : "-") + *value;
    }
  }
  return prefix;
}

std::string IntegrationNames::spacelift_stack(const std::string& stack, const std::string& component, const Value& section) {
  Value settings = section.get("settings");
  Value spacelift = settings.get("spacelift");
  Value enabled = spacelift.get("workspace_enabled");
  if (!enabled.is_bool() || !enabled.as_bool()) return "";
  Value vars = section.get("vars");
  NamingContext context = naming_context(vars, component);
  std::string prefix = context_prefix(stack, context, vars, settings);
  if (spacelift.get("stack_name_pattern").is_string()) return replace_context_tokens(context, spacelift.get("stack_name_pattern").as_string());
  if (spacelift.get("stack_name").is_string()) return spacelift.get("stack_name").as_string();
  return dashed(prefix + "-" + context.component);
}

void IntegrationNames::append_if_named(const std::string& stack, const std::string& component, const Value& section, Map& out) {
  try {
    std::string spacelift = spacelift_stack(stack, component, section);
    if (!spacelift.empty()) out.emplace_back("spacelift_stack", Value(spacelift));
  } catch (const Error&) {
  }
  std::string atlantis = atlantis_project(component, section);
  if (!atlantis.empty()) out.emplace_back("atlantis_project", Value(atlantis));
}

std::string IntegrationNames::atlantis_project(const std::string& component, const Value& section) const {
  Value atlantis = section.get("settings").get("atlantis");
  if (!atlantis.is_map()) return "";
  Value tmpl = atlantis.get("project_template");
  if (!tmpl.is_map()) {
    std::string name = str_of(atlantis.get("project_template_name"));
    if (name.empty()) return "";
    tmpl = cfg_.get({"integrations", "atlantis", "project_templates", name});
  }
  std::string name = str_of(tmpl.get("name"));
  if (name.empty()) return "";
  return replace_context_tokens(naming_context(section.get("vars"), component), name);
}

}  // namespace atmos::stacks
