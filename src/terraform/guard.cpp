#include "terraform/guard.hpp"

#include <algorithm>
#include <filesystem>

#include "stacks/manifest.hpp"

namespace atmos::terraform {
namespace {

namespace fs = std::filesystem;

std::string str_of(const Value& v) { return v.is_string() ? v.as_string() : std::string(); }

std::string display(const std::string& path, const std::string& base) {
  std::string rel = fs::path(path).lexically_relative(base).string();
  return rel.empty() || rel.rfind("..", 0) == 0 ? path : rel;
}

// The first source position found in `v` or below it (merged maps keep their leaves' marks).
const SourceMark* first_mark(const Value& v, int depth = 0) {
  if (const SourceMark* m = v.mark(); m && m->file && !m->file->empty()) return m;
  if (depth > 32) return nullptr;
  if (v.is_map())
    for (const auto& [k, item] : v.as_map())
      if (const SourceMark* m = first_mark(item, depth + 1)) return m;
  if (v.is_list())
    for (const auto& item : v.as_list())
      if (const SourceMark* m = first_mark(item, depth + 1)) return m;
  return nullptr;
}

std::string source_of(const Value& v, const std::string& base) {
  const SourceMark* m = first_mark(v);
  if (!m) return "";
  return display(*m->file, base) + (m->line ? ":" + std::to_string(m->line) : "");
}

bool present(const Value& v) { return !v.is_null() && !(v.is_map() && v.empty()) && !(v.is_list() && v.empty()); }

// The YAML function tag a string starts with, when it is one ("!secret db/password" → "!secret").
std::string tag_of(const std::string& s) {
  if (s.size() < 2 || s[0] != '!') return "";
  std::string tag = s.substr(0, s.find_first_of(" \t\n"));
  return stacks::is_deferred_function_tag(tag) ? tag : "";
}

void find_tag(const Value& v, const std::string& path, const std::string& base, int depth) {
  if (v.is_string()) {
    std::string tag = tag_of(v.as_string());
    if (tag.empty()) return;
    std::string where = source_of(v, base);
    throw Error(ErrorKind::Stack, "the YAML function `" + tag + "` in " + (where.empty() ? "the stack manifests" : "'" + where + "'") +
                                      " was not evaluated")
        .explain("`" + path + "` is `" + v.as_string() + "`: Terraform would receive that text as the value. This binary "
                 "evaluates !terraform.state, !terraform.output, !store, !store.get, !template, !exec, !env, !repo-root, "
                 "!cwd, !random, !unset, !version, !git.* and !aws.* (account_id, caller_identity_arn, caller_identity_user_id, "
                 "region, organization_id).")
        .hint("Replace the function with a value, or do not skip it (--skip, --process-functions=false)");
  }
  if (depth > 64) return;
  if (v.is_map())
    for (const auto& [k, item] : v.as_map()) find_tag(item, path + "." + k, base, depth + 1);
  if (v.is_list())
    for (std::size_t i = 0; i < v.size(); ++i) find_tag(v.as_list()[i], path + "[" + std::to_string(i) + "]", base, depth + 1);
}

}  // namespace

bool runs_store_hook(const Value& hook) {
  std::string kind = str_of(hook.get("kind"));
  if (kind.empty()) kind = str_of(hook.get("command"));
  Value events = hook.get("events");
  if (kind != "store" || !events.is_list() || events.empty()) return false;
  for (const auto& e : events.as_list()) {
    std::string event = str_of(e);
    std::replace(event.begin(), event.end(), '-', '.');
    if (event != "after.terraform.apply" && event != "after.terraform.deploy") return false;
  }
  return true;
}

std::vector<UnsupportedSetting> unsupported_settings(const Value& section, const Value& stores, const std::string& base) {
  std::vector<UnsupportedSetting> found;
  Value hooks = section.get("hooks");
  if (hooks.is_map()) {
    for (const auto& [name, hook] : hooks.as_map()) {
      if (runs_store_hook(hook)) continue;
      std::string kind = str_of(hook.get("kind"));
      if (kind.empty()) kind = str_of(hook.get("command"));
      found.push_back({"hooks." + name + (kind.empty() ? "" : " (kind `" + kind + "`)"), source_of(hook, base)});
    }
  }
  for (const char* key : {"source", "provision", "retry"}) {
    Value v = section.get(key);
    if (present(v)) found.push_back({key, source_of(v, base)});
  }
  Value tools = section.at({"dependencies", "tools"});
  if (present(tools)) found.push_back({"dependencies.tools", source_of(tools, base)});
  if (stores.is_map()) {
    for (const auto& [name, store] : stores.as_map()) {
      std::string type = str_of(store.get("type"));
      if (type.empty()) type = str_of(store.get("kind"));
      if (type != "aws-ssm-parameter-store") found.push_back({"stores." + name + " (type `" + type + "`)", source_of(store, base)});
    }
  }
  return found;
}

Error unsupported_error(const std::string& component, const std::string& stack, const std::vector<UnsupportedSetting>& found) {
  std::string list;
  for (const auto& f : found) list += "\n  - " + f.setting + (f.source.empty() ? "" : " in " + f.source);
  Error e(ErrorKind::Stack, "component '" + component + "' in stack '" + stack + "' uses configuration this binary does not act on");
  e.explain("Upstream Atmos would act on these; this binary would skip them:" + list);
  e.hint("Remove them, or pass --ignore-unsupported to run without them");
  return e;
}

void check_unevaluated_tags(const Value& section, const std::string& base) {
  for (const char* key : {"vars", "env", "backend", "providers", "required_providers", "generate"}) find_tag(section.get(key), key, base, 0);
}

}  // namespace atmos::terraform
