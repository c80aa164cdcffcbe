#include "stacks/terraform_module.hpp"

#include "core/file.hpp"
#include "core/hcl.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <vector>

namespace atmos::stacks {
namespace fs = std::filesystem;
namespace {

Value pos(const std::string& file, int line) {
  return Value::ordered_map({{"filename", Value(file)}, {"line", Value(static_cast<std::int64_t>(line))}});
}

std::string text_attr(const hcl::Document& p, const hcl::Block& b, std::string_view name) {
  const hcl::Attribute* a = b.attribute(name);
  if (!a) return "";
  auto v = p.literal(*a);
  return v && v->is_string() ? v->as_string() : "";
}

bool bool_attr(const hcl::Document& p, const hcl::Block& b, std::string_view name) {
  const hcl::Attribute* a = b.attribute(name);
  if (!a) return false;
  auto v = p.literal(*a);
  return v && v->is_bool() && v->as_bool();
}

}  // namespace

Value inspect_terraform_module(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Value();
  std::vector<std::string> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file() && it->path().extension() == ".tf") files.push_back(it->path().string());
  std::sort(files.begin(), files.end());

  Map variables, outputs, providers, managed, data, modules, required_providers;
  List required_core;
  for (const auto& file : files) {
    std::string src = read_text_file(file);
    hcl::Document parser(src);
    for (const hcl::Block& b : parser.root().blocks) {
      if (b.type == "variable" && b.labels.size() == 1) {
        const hcl::Attribute* def = b.attribute("default");
        std::optional<Value> default_value = def ? parser.literal(*def) : std::nullopt;
        const hcl::Attribute* type = b.attribute("type");
        variables.emplace_back(b.labels[0], Value::ordered_map({
                                                {"name", Value(b.labels[0])},
                                                {"type", Value(type ? parser.source(*type) : "")},
                                                {"description", Value(text_attr(parser, b, "description"))},
                                                {"default", default_value.value_or(Value())},
                                                {"required", Value(def == nullptr)},
                                                {"sensitive", Value(bool_attr(parser, b, "sensitive"))},
                                                {"deprecated", Value(text_attr(parser, b, "deprecated"))},
                                                {"pos", pos(file, b.line)},
                                            }));
      } else if (b.type == "output" && b.labels.size() == 1) {
        outputs.emplace_back(b.labels[0], Value::ordered_map({
                                              {"name", Value(b.labels[0])},
                                              {"description", Value(text_attr(parser, b, "description"))},
                                              {"sensitive", Value(bool_attr(parser, b, "sensitive"))},
                                              {"deprecated", Value(text_attr(parser, b, "deprecated"))},
                                              {"pos", pos(file, b.line)},
                                              {"type", Value("")},
                                          }));
      } else if (b.type == "terraform") {
        if (const hcl::Attribute* rv = b.attribute("required_version")) {
          auto v = parser.literal(*rv);
          if (v && v->is_string()) required_core.push_back(*v);
        }
        for (const hcl::Block& rp : b.blocks) {
          if (rp.type != "required_providers") continue;
          for (const hcl::Attribute& a : rp.attributes) {
            auto v = parser.literal(a);
            std::string source, version;
            if (v && v->is_string()) version = v->as_string();
            if (v && v->is_map()) {
              if (v->get("source").is_string()) source = v->get("source").as_string();
              if (v->get("version").is_string()) version = v->get("version").as_string();
            }
            List constraints;
            if (!version.empty()) constraints.emplace_back(version);
            required_providers.emplace_back(a.name, Value::ordered_map({{"source", Value(source)},
                                                                         {"versionconstraints", Value::list(constraints)}}));
          }
        }
      } else if (b.type == "provider" && b.labels.size() == 1) {
        std::string alias = text_attr(parser, b, "alias");
        providers.emplace_back(alias.empty() ? b.labels[0] : b.labels[0] + "." + alias,
                               Value::ordered_map({{"name", Value(b.labels[0])}, {"alias", Value(alias)}}));
      } else if ((b.type == "resource" || b.type == "data") && b.labels.size() == 2) {
        const std::string& type = b.labels[0];
        std::string provider = type.substr(0, type.find('_'));
        Value resource = Value::ordered_map({
            {"mode", Value(static_cast<std::int64_t>(b.type == "resource" ? 'M' : 'D'))},
            {"type", Value(type)},
            {"name", Value(b.labels[1])},
            {"provider", Value::ordered_map({{"name", Value(provider)}, {"alias", Value("")}})},
            {"pos", pos(file, b.line)},
        });
        if (b.type == "resource") managed.emplace_back(type + "." + b.labels[1], resource);
        else data.emplace_back("data." + type + "." + b.labels[1], resource);
      } else if (b.type == "module" && b.labels.size() == 1) {
        modules.emplace_back(b.labels[0], Value::ordered_map({{"name", Value(b.labels[0])},
                                                              {"source", Value(text_attr(parser, b, "source"))},
                                                              {"version", Value(text_attr(parser, b, "version"))},
                                                              {"pos", pos(file, b.line)}}));
      }
    }
  }
  return Value::ordered_map({
      {"path", Value(dir)},
      {"variables", Value::map(std::move(variables))},
      {"outputs", Value::map(std::move(outputs))},
      {"requiredcore", Value::list(std::move(required_core))},
      {"requiredproviders", Value::map(std::move(required_providers))},
      {"providerconfigs", Value::map(std::move(providers))},
      {"managedresources", Value::map(std::move(managed))},
      {"dataresources", Value::map(std::move(data))},
      {"modulecalls", Value::map(std::move(modules))},
      {"diagnostics", Value::list({})},
  });
}

}  // namespace atmos::stacks
