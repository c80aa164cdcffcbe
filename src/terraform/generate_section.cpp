#include "terraform/generate_section.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>

#include "core/error.hpp"
#include "core/json_emit.hpp"
#include "core/yaml_emit.hpp"
#include "template/template.hpp"

namespace atmos::terraform {
namespace {

namespace fs = std::filesystem;

std::string str_of(const Value& v) { return v.is_string() ? v.as_string() : std::string(); }
Value map_or_empty(const Value& v) { return v.is_map() ? v : Value::empty_map(); }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Upstream renders with a bare text/template: Go's built-in functions only.
std::string render_template(const std::string& name, const std::string& text, const Value& context) {
  return tmpl::render(name, text, context, tmpl::Options{});
}

Value render_tree(const std::string& name, const Value& v, const Value& context) {
  if (v.is_string()) return Value(render_template(name, v.as_string(), context));
  if (v.is_map()) {
    Map out;
    for (const auto& [k, item] : v.as_map()) out.emplace_back(k, render_tree(k, item, context));
    return Value::map(std::move(out));
  }
  if (v.is_list()) {
    List out;
    for (std::size_t i = 0; i < v.size(); ++i) out.push_back(render_tree("[" + std::to_string(i) + "]", v.as_list()[i], context));
    return Value::list(std::move(out));
  }
  return v;
}

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; });
}

// hclwrite's quoted string literal: backslash escapes, and `${` / `%{` doubled so they stay literal text.
std::string hcl_string(const std::string& s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if ((c == '$' || c == '%') && i + 1 < s.size() && s[i + 1] == '{') {
          out += c;
          out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string hcl_value(const Value& v, int indent);

std::string hcl_key(const std::string& k) { return is_identifier(k) ? k : hcl_string(k); }

// Attribute lines of a body at `indent`: runs of single-line attributes have their `=` aligned, as `terraform fmt`
// does; a multi-line value ends the run.
std::string hcl_attributes(const std::vector<std::pair<std::string, std::string>>& attrs, int indent) {
  std::string out;
  std::string pad(static_cast<std::size_t>(indent), ' ');
  std::size_t i = 0;
  while (i < attrs.size()) {
    std::size_t j = i;
    std::size_t width = 0;
    while (j < attrs.size() && attrs[j].second.find('\n') == std::string::npos) width = std::max(width, attrs[j++].first.size());
    for (std::size_t k = i; k < j; ++k)
      out += pad + attrs[k].first + std::string(width - attrs[k].first.size(), ' ') + " = " + attrs[k].second + "\n";
    if (j < attrs.size()) out += pad + attrs[j].first + " = " + attrs[j].second + "\n", ++j;
    i = j;
  }
  return out;
}

std::string hcl_value(const Value& v, int indent) {
  switch (v.kind()) {
    case Kind::Null: return "null";
    case Kind::Bool: return v.as_bool() ? "true" : "false";
    case Kind::Int: return std::to_string(v.as_int());
    case Kind::Uint: return std::to_string(v.as_uint());
    case Kind::Float: return format_go_float(v.as_float(), 'f');
    case Kind::String: return hcl_string(v.as_string());
    case Kind::List: {
      std::string out = "[";
      for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + hcl_value(v.as_list()[i], indent);
      return out + "]";
    }
    case Kind::Map: {
      if (v.empty()) return "{}";
      std::vector<std::pair<std::string, std::string>> attrs;
      for (const auto& [k, item] : v.as_map()) attrs.emplace_back(hcl_key(k), hcl_value(item, indent + 2));
      return "{\n" + hcl_attributes(attrs, indent + 2) + std::string(static_cast<std::size_t>(indent), ' ') + "}";
    }
  }
  return "null";
}

std::vector<std::pair<std::string, std::string>> body_attributes(const Value& map, int indent) {
  std::vector<std::pair<std::string, std::string>> attrs;
  for (const auto& [k, item] : map.as_map()) {
    if (!is_identifier(k)) throw Error(ErrorKind::Stack, "'" + k + "' is not a valid HCL attribute name");
    attrs.emplace_back(k, hcl_value(item, indent));
  }
  return attrs;
}

std::string hcl_block(const std::string& type, const std::vector<std::string>& labels, const Value& body) {
  std::string out = type;
  for (const auto& l : labels) out += " " + hcl_string(l);
  return out + " {\n" + hcl_attributes(body_attributes(body, 2), 2) + "}\n";
}

int label_count(const std::string& key) {
  if (key == "variable" || key == "output" || key == "provider" || key == "module") return 1;
  if (key == "resource" || key == "data") return 2;
  return 0;
}

}  // namespace

Value generate_template_context(const Value& section, const std::string& atmos_component, const std::string& stack,
                                const std::string& workspace) {
  Value vars = map_or_empty(section.get("vars"));
  std::string component = str_of(section.get("component"));
  if (component.empty()) component = atmos_component;
  Map ctx{
      {"atmos_component", Value(atmos_component)},
      {"atmos_stack", Value(stack)},
      {"atmos_stack_file", Value(str_of(section.get("atmos_stack_file")))},
      {"component", Value(component)},
      {"base_component", Value(component == atmos_component ? std::string() : component)},
      {"workspace", Value(workspace)},
      {"vars", vars},
      {"settings", map_or_empty(section.get("settings"))},
      {"env", map_or_empty(section.get("env"))},
      {"backend", map_or_empty(section.get("backend"))},
      {"backend_type", Value(str_of(section.get("backend_type")))},
      {"providers", map_or_empty(section.get("providers"))},
      {"metadata", map_or_empty(section.get("metadata"))},
  };
  for (const char* key : {"namespace", "tenant", "environment", "stage", "region"}) ctx.emplace_back(key, Value(str_of(vars.get(key))));
  return Value::map(std::move(ctx));
}

std::string to_hcl(const Value& map, bool tfvars) {
  if (tfvars) return hcl_attributes(body_attributes(map, 0), 0);
  std::string out;
  std::vector<std::pair<std::string, std::string>> attrs;
  auto flush = [&] {
    out += hcl_attributes(attrs, 0);
    attrs.clear();
  };
  for (const auto& [key, value] : map.as_map()) {
    int labels = label_count(key);
    bool block = value.is_map() && (labels > 0 || key == "locals" || key == "terraform");
    if (!block) {
      if (!is_identifier(key)) throw Error(ErrorKind::Stack, "'" + key + "' is not a valid HCL attribute name");
      attrs.emplace_back(key, hcl_value(value, 0));
      continue;
    }
    flush();
    if (labels == 0) {
      out += hcl_block(key, {}, value);
      continue;
    }
    for (const auto& [first, inner] : value.as_map()) {
      if (!inner.is_map())
        throw Error(ErrorKind::Stack, "labeled block " + key + " \"" + first + "\" expects a map, got " + describe_value(inner));
      if (labels == 1) {
        out += hcl_block(key, {first}, inner);
        continue;
      }
      for (const auto& [second, body] : inner.as_map()) {
        if (!body.is_map())
          throw Error(ErrorKind::Stack, "labeled block " + key + " \"" + first + "\" \"" + second + "\" expects a map, got " +
                                            describe_value(body));
        out += hcl_block(key, {first, second}, body);
      }
    }
  }
  flush();
  return out;
}

std::string hcl_backend_block(const std::string& backend_type, const Value& backend) {
  Value body = backend.is_map() ? backend : Value::empty_map();
  return "terraform {\n  backend " + hcl_string(backend_type) + " {\n" + hcl_attributes(body_attributes(body, 4), 4) + "  }\n}\n";
}

std::string render_generated_file(const std::string& filename, const Value& content, const Value& context) {
  try {
    if (content.is_string()) return render_template(filename, content.as_string(), context);
    if (!content.is_map())
      throw Error(ErrorKind::Stack, "unsupported content type " + describe_value(content) + ": use a map or a string");
    Value rendered = render_tree(filename, content, context);
    std::string ext = lower(fs::path(filename).extension().string());
    if (ext == ".yaml" || ext == ".yml") return to_yaml(rendered);
    if (ext == ".tf" || ext == ".hcl") return to_hcl(rendered, false);
    if (ext == ".tfvars") return to_hcl(rendered, true);
    std::string json = to_json(rendered);  // json.MarshalIndent: no trailing newline
    if (!json.empty() && json.back() == '\n') json.pop_back();
    return json;
  } catch (const tmpl::TemplateError& e) {
    throw Error(ErrorKind::Template, "failed to render the generated file '" + filename + "'").explain(e.what());
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Stack && e.message().rfind("failed to render", 0) != 0)
      throw Error(ErrorKind::Stack, "failed to render the generated file '" + filename + "'").explain(e.message());
    throw;
  }
}

std::vector<std::string> generated_file_names(const Value& generate) {
  std::vector<std::string> names;
  if (!generate.is_map()) return names;
  for (const auto& [name, content] : generate.as_map()) {
    fs::path p(name);
    bool escapes = name.empty() || p.is_absolute() ||
                   std::any_of(p.begin(), p.end(), [](const fs::path& part) { return part == ".." || part == "."; });
    if (escapes)
      throw Error(ErrorKind::Stack, "invalid file name '" + name + "' in the generate section")
          .explain("Generated files are written inside the component directory: use a relative path without '.' or '..'.");
    names.push_back(name);
  }
  return names;
}

}  // namespace atmos::terraform
