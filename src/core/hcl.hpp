// A small HCL reader: blocks, attributes and literal expressions — enough for terraform-config-inspect's
// static view of a module and for `.tfvars` files. Expressions that need evaluation (references,
// functions, interpolated strings) are recognised and skipped, never fatal to parsing.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.hpp"

namespace atmos::hcl {

class Parser;

struct Attribute {
  std::string name;
  std::size_t first = 0, last = 0;  // token range of the expression
  int line = 0;
};

struct Block {
  std::string type;
  std::vector<std::string> labels;
  int line = 0;
  std::vector<Attribute> attributes;
  std::vector<Block> blocks;
  const Attribute* attribute(std::string_view name) const;
};

class Document {
 public:
  explicit Document(std::string source);
  const Block& root() const;
  // The literal value of an attribute (strings without interpolation, numbers, bools, null, lists, objects);
  // nullopt for anything that needs evaluation.
  std::optional<Value> literal(const Attribute& a) const;
  // The expression's source text (e.g. a variable's `type`).
  std::string source(const Attribute& a) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// The top-level attributes of a `.tfvars`/`.hcl` file as a map. Throws Error naming the file and line when a
// value is not a literal.
Value read_attributes(const std::string& text, const std::string& file);

}  // namespace atmos::hcl
