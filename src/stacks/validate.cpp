#include "stacks/validate.hpp"

#include <rapidjson/document.h>
#include <valijson/adapters/rapidjson_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <filesystem>
#include <map>

#include "core/error.hpp"
#include "core/file.hpp"
#include "core/glob.hpp"
#include "core/yaml_load.hpp"

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
    return Value::sorted_map(std::move(out));
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

}  // namespace atmos::stacks
