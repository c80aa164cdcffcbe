#include "terraform/generated_files.hpp"

#include <map>
#include <vector>

#include "core/error.hpp"
#include "core/json_emit.hpp"

namespace atmos::terraform {
namespace {

std::string replace_token(std::string s, const std::string& token, const std::string& value) {
  for (std::size_t pos = 0; (pos = s.find(token, pos)) != std::string::npos; pos += value.size()) s.replace(pos, token.size(), value);
  return s;
}

Value replace_in_tree(const Value& v, const std::string& token, const std::string& value) {
  if (v.is_string()) return Value(replace_token(v.as_string(), token, value));
  if (v.is_list()) {
    List out;
    for (const auto& item : v.as_list()) out.push_back(replace_in_tree(item, token, value));
    return Value::list(std::move(out));
  }
  if (v.is_map()) {
    Map out;
    for (const auto& [k, item] : v.as_map()) out.emplace_back(replace_token(k, token, value), replace_in_tree(item, token, value));
    return Value::map(std::move(out));
  }
  return v;
}

}  // namespace

Value backend_document(const std::string& backend_type, const Value& backend, const std::string& workspace) {
  if (backend_type.empty()) throw Error(ErrorKind::Stack, "backend_type is required");
  Value body = backend.is_null() ? Value::empty_map() : backend;
  if (backend_type == "cloud") {
    if (!workspace.empty()) body = replace_in_tree(body, "{terraform_workspace}", workspace);
    return Value::map({{"terraform", Value::map({{"cloud", body}})}});
  }
  return Value::map({{"terraform", Value::map({{"backend", Value::map({{backend_type, body}})}})}});
}

Value provider_override_document(const Value& providers) {
  if (!providers.is_map()) return Value::map({{"provider", providers}});
  std::map<std::string, std::vector<std::string>> aliases;  // base name → aliased keys, sorted
  for (const auto& [key, block] : providers.as_map()) {
    auto dot = key.find('.');
    if (dot != std::string::npos && dot > 0) aliases[key.substr(0, dot)].push_back(key);
  }
  if (aliases.empty()) return Value::map({{"provider", providers}});
  Map out;
  for (const auto& [base, keys] : aliases) {
    List blocks;
    if (const Value* b = providers.find(base)) blocks.push_back(*b);
    for (const auto& key : keys) {
      Value block = providers.get(key);
      if (block.is_map() && !block.has("alias")) block = block.with("alias", Value(key.substr(base.size() + 1)));
      blocks.push_back(block);
    }
    out.emplace_back(base, Value::list(std::move(blocks)));
  }
  // Keys with a dot never stand for themselves (upstream's alias convention), not even a leading one.
  for (const auto& [key, block] : providers.as_map())
    if (key.find('.') == std::string::npos && !aliases.count(key)) out.emplace_back(key, block);
  return Value::map({{"provider", Value::map(std::move(out))}});
}

std::optional<Value> terraform_override_document(const std::string& required_version, const Value& required_providers) {
  bool has_providers = required_providers.is_map() && !required_providers.empty();
  if (required_version.empty() && !has_providers) return std::nullopt;
  Map block;
  if (!required_version.empty()) block.emplace_back("required_version", Value(required_version));
  if (has_providers) {
    for (const auto& [name, config] : required_providers.as_map())
      if (!config.is_map() || !config.has("source"))
        throw Error(ErrorKind::Stack, "required_provider missing 'source' field")
            .explain("The required provider '" + name + "' has no 'source' field.");
    block.emplace_back("required_providers", required_providers);
  }
  return Value::map({{"terraform", Value::map(std::move(block))}});
}

std::string file_text(const Value& document) { return to_json(document); }

}  // namespace atmos::terraform
