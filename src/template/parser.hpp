// Parser for Go's text/template (text/template/parse/parse.go): builds the trees of one template text —
// the top-level template and every {{define}}/{{block}} in it — with Go's exact error messages.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "template/node.hpp"
#include "template/template.hpp"

namespace atmos::tmpl {

struct Tree {
  std::string name;
  std::unique_ptr<ListNode> root;
};

using TreeSet = std::map<std::string, std::unique_ptr<Tree>, std::less<>>;

// Parses `text` as template `name`; `funcs` may be null. Throws TemplateError (Phase::Parse).
TreeSet parse_templates(std::string_view name, std::string_view text, const Options& opts, const FuncTable* funcs);

}  // namespace atmos::tmpl
