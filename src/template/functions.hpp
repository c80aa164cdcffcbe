// The template functions Atmos offers besides Go's built-ins: a subset of Sprig (https://masterminds.github.io/sprig)
// and of Gomplate's namespaced functions (`strings.*`), with their Go semantics. `env` reads through the
// Environment interface. Atmos's own atmos.Component and atmos.Store are added by the stack engine's renderer
// (stacks/engine.hpp, TemplateHooks); datasources are not provided.
#pragma once

#include "core/environment.hpp"
#include "template/template.hpp"

namespace atmos::tmpl {

// Sprig's functions when `sprig`, Gomplate's when `gomplate` (templates.settings.sprig/gomplate.enabled).
// The table must not outlive `env`.
FuncTable atmos_functions(const Environment& env, bool sprig, bool gomplate);

// Go's fmt %v rendering of a value as Sprig's `toString` gives it ("" for null).
std::string to_text(const Value& v);

}  // namespace atmos::tmpl
