// Executes parsed templates (text/template/exec.go) over GoValue data, with Go's evaluation order,
// missingkey behaviour and error texts.
#pragma once

#include <string>

#include "core/value.hpp"
#include "template/parser.hpp"
#include "template/template.hpp"

namespace atmos::tmpl::detail {

// Everything one Template::parse produced; immutable once built.
struct TemplateSet {
  std::string name;  // the top-level template, also the name in error locations
  std::string text;  // the parsed source, for error locations
  Options opts;
  const FuncTable* funcs = nullptr;
  TreeSet trees;
};

// Executes template `tree` of `set` with `data` as dot, appending to `out`. Throws TemplateError.
void execute(const TemplateSet& set, const Tree& tree, const Value& data, std::string& out);

}  // namespace atmos::tmpl::detail
