#include "stacks/validate.hpp"

#include <rapidjson/document.h>
#include <valijson/adapters/rapidjson_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <rapidjson/error/en.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/error.hpp"
#include "core/file.hpp"
#include "core/glob.hpp"
#include "core/log.hpp"
#include "core/yaml_load.hpp"

extern char** environ;

namespace atmos::stacks {
namespace fs = std::filesystem;
namespace {

const char kSchemaText[] =
#include "manifest_schema.inc"
    ;

void to_rapidjson(const Value& v, rapidjson::Value& out, rapidjson::Document::AllocatorType& a) {
  switch (v.kind()) {
    case Kind::Null: out.SetNull(); break;
    case Kind::Bool: out.SetBool(v.as_bool()); break;
    case Kind::Int: out.SetInt64(v.as_int()); break;
    case Kind::Uint: out.SetUint64(v.as_uint()); break;
    case Kind::Float: out.SetDouble(v.as_float()); break;
    case Kind::String: out.SetString(v.as_string().c_str(), static_cast<rapidjson::SizeType>(v.as_string().size()), a); break;
    case Kind::List:
      out.SetArray();
      for (const auto& item : v.as_list()) {
        rapidjson::Value e;
        to_rapidjson(item, e, a);
        out.PushBack(e, a);
      }
      break;
    case Kind::Map:
      out.SetObject();
      for (const auto& [k, item] : v.as_map()) {
        rapidjson::Value key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()), a);
        rapidjson::Value e;
        to_rapidjson(item, e, a);
        out.AddMember(key, e, a);
      }
      break;
  }
}

// Tags become strings the way upstream rewrites them before validating.
Value untag(const Value& v) {
  if (v.is_string() && !v.tag().empty() && v.tag().rfind("!!", 0) != 0)
    return Value(v.as_string().empty() ? v.tag() : v.tag() + " " + v.as_string());
  if (v.is_map()) {
    Map out;
    for (const auto& [k, item] : v.as_map()) out.emplace_back(k, untag(item));
    return Value::map(std::move(out));
  }
  if (v.is_list()) {
    List out;
    for (const auto& item : v.as_list()) out.push_back(untag(item));
    return Value::list(std::move(out));
  }
  return v;
}

const valijson::Schema& manifest_schema() {
  static const valijson::Schema* schema = [] {
    static rapidjson::Document doc;
    doc.Parse(kSchemaText);
    auto* s = new valijson::Schema();
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::RapidJsonAdapter adapter(doc);
    parser.populateSchema(adapter, *s);
    return s;
  }();
  return *schema;
}

}  // namespace

std::vector<std::string> schema_errors(const Value& manifest) {
  rapidjson::Document doc;
  to_rapidjson(untag(manifest), doc, doc.GetAllocator());
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::RapidJsonAdapter target(doc);
  std::vector<std::string> out;
  if (validator.validate(manifest_schema(), target, &results)) return out;
  valijson::ValidationResults::Error err;
  while (results.popError(err)) {
    std::string path;
    for (const auto& p : err.context) path += p;
    out.push_back(path + ": " + err.description);
  }
  return out;
}

std::vector<std::string> validate_stacks(StackEngine& engine) {
  const config::CliConfig& cfg = engine.config();
  std::vector<std::string> problems;
  if (!fs::is_directory(cfg.stacks_base_abs)) return problems;
  try {
    std::vector<Error> failed;
    const auto& manifests = engine.manifests(failed);
    for (const auto& e : failed) problems.push_back(e.message() + (e.explanation().empty() ? "" : "\n" + e.explanation()));
    // Duplicate component definitions for one stack name (docs/stacks.md#what-describe-and-list-print).
    if (cfg.name_template.empty() && cfg.name_pattern.empty()) {
      bool any = false;
      for (const auto& m : manifests) any |= !m.terraform.empty();
      if (any)
        problems.push_back(
            "'stacks.name_template' (or the deprecated 'stacks.name_pattern') needs to be specified in 'atmos.yaml' to "
            "detect duplicate component configurations");
    } else {
      std::map<std::pair<std::string, std::string>, std::vector<const Manifest*>> seen;
      std::map<std::pair<std::string, std::string>, Value> first;
      for (const auto& m : manifests) {
        for (const auto& [name, section] : m.terraform.as_map()) {
          if (section.at({"metadata", "type"}) == Value("abstract")) continue;
          std::string stack;
          try {
            stack = engine.stack_name(m, section);
          } catch (const Error& e) {
            problems.push_back(e.message() + (e.explanation().empty() ? "" : ": " + e.explanation()));
            continue;
          }
          auto key = std::make_pair(name, stack);
          auto it = first.find(key);
          if (it == first.end()) {
            first.emplace(key, section);
            seen[key].push_back(&m);
          } else if (it->second != section) {
            seen[key].push_back(&m);
            std::string files;
            for (const auto* f : seen[key]) files += "\n- " + f->file_key;
            problems.push_back("the Atmos component '" + name + "' in the stack '" + stack +
                               "' is defined in more than one top-level stack manifest file: " + files +
                               "\n\nThe component configurations in the stack manifests are different.\n"
                               "To check and compare the component configurations in the stack manifests, run the following commands:\n"
                               "- atmos describe component " + name + " -s " + stack);
          }
        }
      }
    }
  } catch (const Error& e) {
    problems.push_back(e.message() + (e.explanation().empty() ? "" : "\n" + e.explanation()));
  }
  // Schema validation of every manifest file under the stacks directory (docs/stacks.md#what-describe-and-list-print).
  for (const auto& file : glob(cfg.stacks_base_abs + "/**/*")) {
    std::string ext = fs::path(file).extension().string();
    if ((ext != ".yaml" && ext != ".yml") || !fs::is_regular_file(file)) continue;
    bool excluded = false;
    for (const auto& ex : cfg.excluded_abs)
      if (glob_match(ex, file)) excluded = true;
    if (excluded) continue;
    Value v;
    try {
      v = parse_yaml(read_manifest_file(file), file);
    } catch (const Error& e) {
      problems.push_back(file + ": " + e.message());
      continue;
    }
    if (v.is_null()) continue;
    for (const auto& err : schema_errors(v))
      problems.push_back("Atmos manifest JSON Schema validation error in the file '" +
                         fs::path(file).lexically_relative(cfg.stacks_base_abs).string() + "': " + err);
  }
  return problems;
}

namespace {

// valijson's context ("<root>", "[vars]", "[0]") as a JSON pointer ("/vars/0").
std::string instance_location(const std::vector<std::string>& context) {
  std::string out;
  for (const auto& part : context) {
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']') {
      std::string key = part.substr(1, part.size() - 2);
      if (key.size() >= 2 && key.front() == '"' && key.back() == '"') key = key.substr(1, key.size() - 2);
      out += "/" + key;
    }
  }
  return out.empty() ? "/" : out;
}

// The schema's own messages, innermost first: an error whose location encloses another error's is only the
// consequence of that one ("Failed to validate against schema associated with property name 'vars'").
std::vector<std::string> policy_messages(valijson::ValidationResults& results) {
  std::vector<valijson::ValidationResults::Error> errors;
  valijson::ValidationResults::Error err;
  while (results.popError(err)) errors.push_back(err);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < errors.size(); ++i) {
    bool enclosing = false;
    for (std::size_t j = 0; j < errors.size() && !enclosing; ++j) {
      const auto& a = errors[i].context;
      const auto& b = errors[j].context;
      enclosing = b.size() > a.size() && std::equal(a.begin(), a.end(), b.begin());
    }
    if (enclosing) continue;
    std::string line = instance_location(errors[i].context) + ": " + errors[i].description;
    if (std::find(out.begin(), out.end(), line) == out.end()) out.push_back(line);
  }
  return out;
}

std::string join_path(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  return (fs::path(a) / fs::path(b).relative_path()).lexically_normal().string();
}

// Upstream's resolution: the path as given when that file exists, else under `schemas.<type>.base_path`.
std::string schema_file(const config::CliConfig& cfg, const std::string& path, const std::string& type) {
  std::error_code ec;
  if (!path.empty() && fs::is_regular_file(path, ec)) return path;
  Value base = cfg.get({"schemas", type, "base_path"});
  std::string file = join_path(join_path(cfg.base_path_abs, base.is_string() ? base.as_string() : ""), path);
  if (path.empty() || !fs::is_regular_file(file, ec))
    throw Error(ErrorKind::Stack, "the file '" + path + "' does not exist for schema type '" + type + "'");
  return file;
}

}  // namespace

void validate_component_policies(const config::CliConfig& cfg, const std::string& component, const std::string& stack,
                                 const Value& section, const PolicyOverrides& overrides) {
  std::vector<std::pair<std::string, Value>> policies;
  if (!overrides.schema_path.empty() && !overrides.schema_type.empty()) {
    policies.emplace_back("--schema-path", Value());
  } else {
    Value validation = section.at({"settings", "validation"});
    if (validation.is_map())
      for (const auto& [name, item] : validation.as_map()) policies.emplace_back(name, item);
  }
  if (policies.empty()) return;

  Value input = untag(section);
  if (input.is_map()) {
    std::map<std::string, std::string> vars;
    for (char** e = environ; e && *e; ++e) {
      std::string entry(*e);
      auto eq = entry.find('=');
      if (eq != std::string::npos) vars.emplace(entry.substr(0, eq), entry.substr(eq + 1));
    }
    Map env;
    for (auto& [k, v] : vars) env.emplace_back(k, Value(v));
    input = input.with("process_env", Value::sorted_map(std::move(env)));
  }
  rapidjson::Document instance;
  to_rapidjson(input, instance, instance.GetAllocator());
  valijson::adapters::RapidJsonAdapter target(instance);

  for (const auto& [name, item] : policies) {
    auto field = [&item = item](const char* key) {
      Value v = item.is_map() ? item.get(key) : Value();
      return v.is_string() ? v.as_string() : std::string();
    };
    if (item.get("disabled") == Value(true)) continue;
    std::string path = overrides.schema_path.empty() ? field("schema_path") : overrides.schema_path;
    std::string type = overrides.schema_type.empty() ? field("schema_type") : overrides.schema_type;
    std::string where = "the component '" + component + "' in the stack '" + stack + "'";
    if (type != "jsonschema" && type != "opa")
      throw Error(ErrorKind::Stack, "invalid schema type '" + type + "'. Supported types: jsonschema, opa")
          .explain("Validation policy '" + name + "' of " + where + ".");
    if (type == "opa")
      throw Error(ErrorKind::Stack, "OPA policies are not supported")
          .explain("The validation policy '" + name + "' of " + where + " uses the OPA policy '" + path +
                   "'. This atmos evaluates JSON Schema policies only (schema_type: jsonschema); it does not skip a "
                   "policy it cannot evaluate.")
          .hint("Express the policy as a JSON Schema, or set 'disabled: true' on it to run without it knowingly.");
    std::string file = schema_file(cfg, path, type);
    if (!field("description").empty()) log::debug("{}", field("description"));
    log::debug("Validating component={} schema={} file={}", component, type, file);

    rapidjson::Document schema_doc;
    std::string text = read_text_file(file);
    schema_doc.Parse(text.c_str(), text.size());
    if (schema_doc.HasParseError())
      throw Error(ErrorKind::Stack, "invalid JSON Schema '" + file + "'")
          .explain(std::string(rapidjson::GetParseError_En(schema_doc.GetParseError())) + " (offset " +
                   std::to_string(schema_doc.GetErrorOffset()) + ")");
    valijson::Schema schema;
    try {
      valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
      valijson::adapters::RapidJsonAdapter adapter(schema_doc);
      parser.populateSchema(adapter, schema);
    } catch (const std::exception& e) {
      throw Error(ErrorKind::Stack, "invalid JSON Schema '" + file + "'").explain(e.what());
    }
    valijson::Validator validator;
    valijson::ValidationResults results;
    if (validator.validate(schema, target, &results)) continue;
    std::string text_out = "T" + where.substr(1) + " violates the JSON Schema policy '" + name + "' (" + file + "):";
    for (const auto& m : policy_messages(results)) text_out += "\n- " + m;
    throw Error(ErrorKind::Stack, "validation failed").explain(text_out);
  }
}

}  // namespace atmos::stacks
