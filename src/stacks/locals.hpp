// File-scoped `locals` (upstream's pkg/locals/resolver.go and internal/exec/stack_processor_locals.go): a manifest's
// root `locals`, its `terraform.locals` (inheriting the root's) and each of its components' `locals` (inheriting
// both) are resolved in dependency order within that one file, never across imports. Strings reference other
// locals and the file's own `settings`, `vars` and `env` through Go templates (`{{ .locals.name }}`); a string that
// is just one field reference (`{{ .locals.tags }}`) takes the referenced value itself (a map stays a map).
#pragma once

#include <string>

#include "core/value.hpp"
#include "stacks/manifest.hpp"

namespace atmos::stacks {

// Resolves one `locals` map over `parent` (the enclosing scope's resolved locals, null for none) with `context`
// (settings/vars/env) visible to its templates. Errors: `locals` not a map ("locals must be a map in <file>"),
// a cycle ("circular dependency in locals at <file>" naming the cycle `a → b → a`), a template that fails.
Value resolve_locals(const Value& locals, const Value& parent, const std::string& file, const Value& context,
                     const TemplateRenderer& render);

// A plain field reference `{{ .a.b }}` looked up in `data`; null when `text` is anything else or the path is absent.
const Value* plain_field_ref(const std::string& text, const Value& data, Value& holder);

// The raw `locals` a component of `components` (a manifest's components.terraform) defines, over those of the
// bases it names in `metadata.inherits` within the same map, in inheritance order.
Value component_locals(const Value& components, const std::string& name, std::size_t depth = 0);

// True when the parsed manifest has a `locals` section at its root or in `terraform`.
bool has_file_locals(const Value& manifest);

// The manifest with its locals applied: every string outside the `locals` sections that holds a template is
// rendered with {locals, settings, vars, env} (plus `import_context`); a string whose template fails (it needs
// what only the component's context has, like `.atmos_component`) is left for the component's rendering, with its
// plain `{{ .locals.x }}` actions replaced by their values. The `locals` sections are removed. `resolved` receives {locals: …, terraform: {locals: …}} as `describe locals`
// prints it (section-specific locals only).
Value apply_file_locals(const Value& manifest, const std::string& file, const Value& import_context,
                        const TemplateRenderer& render, Value* resolved = nullptr);

}  // namespace atmos::stacks
