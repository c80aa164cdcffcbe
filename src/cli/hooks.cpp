#include "cli/hooks.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "terraform/guard.hpp"

namespace atmos::cli {
namespace {

std::string where(const stacks::StackComponent& sc) {
  return "component `" + sc.component + "` in stack `" + sc.stack + "`";
}

}  // namespace

std::vector<StoreHook> store_hooks(const config::CliConfig& cfg, const stacks::StackComponent& sc, const Value& section) {
  std::vector<StoreHook> out;
  Value hooks = section.get("hooks");
  if (hooks.is_null()) return out;
  if (!hooks.is_map()) throw Error(ErrorKind::Stack, "invalid `hooks` section of " + where(sc) + ": it must be a map");
  for (const auto& [name, hook] : hooks.as_map()) {
    auto fail = [&](const std::string& what) {
      return Error(ErrorKind::Stack, "hook `" + name + "` of " + where(sc) + ": " + what);
    };
    if (!hook.is_map()) throw fail("it must be a map");
    if (!terraform::runs_store_hook(hook)) continue;  // the guard reports it
    StoreHook h{name, hook.get("name").is_string() ? hook.get("name").as_string() : "", {}};
    if (h.store.empty()) throw fail("`name` must name a store of atmos.yaml");
    Value store = cfg.raw.at({"stores", h.store});
    if (!store.is_map()) throw fail("store `" + h.store + "` not found in the `stores` section of atmos.yaml");
    Value outputs = hook.get("outputs");
    if (!outputs.is_map() || outputs.size() == 0) throw fail("`outputs` must map store keys to outputs");
    for (const auto& [key, value] : outputs.as_map()) {
      if (!value.is_string()) throw fail("output `" + key + "` must be a string (`.name` of a Terraform output, or a literal)");
      h.outputs.emplace_back(key, value.as_string());
    }
    out.push_back(std::move(h));
  }
  return out;
}

void run_store_hooks(functions::CloudFunctions& cloud, const stacks::StackComponent& sc, const std::vector<StoreHook>& hooks) {
  std::optional<Value> outputs;
  bool read = false;
  for (const auto& hook : hooks) {
    for (const auto& [key, source] : hook.outputs) {
      Value value(source);
      if (!source.empty() && source[0] == '.') {
        if (!read) {
          outputs = cloud.fresh_terraform_output(sc);
          read = true;
        }
        std::string output = source.substr(1);
        Value found = outputs && outputs->is_map() ? outputs->get(output) : Value();
        if (!outputs || !outputs->is_map() || !outputs->has(output))
          throw Error(ErrorKind::Stack, "hook `" + hook.name + "` (event `after.terraform.apply`) could not find the terraform output `" +
                                            output + "` of " + where(sc));
        value = found;
      }
      log::debug("Store hook writes hook={} store={} key={} component={} stack={}", hook.name, hook.store, key, sc.component, sc.stack);
      try {
        cloud.store_set(sc, hook.store, key, value);
      } catch (const Error& e) {
        throw Error(e.kind(), "hook `" + hook.name + "` failed to write `" + key + "` to store `" + hook.store + "` for " +
                                  where(sc) + ": " + e.message())
            .explain(e.explanation());
      }
    }
  }
}

}  // namespace atmos::cli
