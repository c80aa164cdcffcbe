// YAML loading with libyaml's event API, typed exactly as Go's yaml.v3 decodes into `any`.
//
// - Plain scalars are resolved by yaml.v3's rules (resolve.go): only true/True/TRUE/false/... are bools,
//   `yes`/`on` stay strings, 0777 and 0o777 are octal, 1_000 is 1000, .inf/.nan are floats, ints that do not
//   fit int64 become uint64 then float; timestamps become strings tagged !!timestamp (see parse_yaml_timestamp).
// - Quoted and block scalars are strings; `!!str`/`!!int`/... honoured.
// - Custom tags (`!env`, `!include`, `!append`, ...) are kept on the node (Value::tag()); a tagged scalar keeps
//   its text as a string.
// - Every node carries its SourceMark (file, 1-based line and column, as yaml.v3's Node.Line/Column).
// - Anchors, aliases and merge keys (`<<: *a`, `<<: [*a, *b]`; explicit keys win, earlier list items win).
// - Only the first document is read. Duplicate keys are an error with yaml.v3's text.
// - yaml.v3's limits: more than 10,000 nested flow collections or block indentation levels is "exceeded max
//   depth of 10000", and alias expansion beyond decode.go's ratio is "document contains excessive aliasing".
//   The loader recurses once per level: call it on a deep stack (core/deep_stack.hpp).
// Errors throw atmos::Error(ErrorKind::Yaml) whose message is yaml.v3's text (e.g.
// "yaml: line 3: did not find expected key"); the caller adds the file name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/value.hpp"

namespace atmos {

// A YAML syntax error: message() is yaml.v3's text; line/column (1-based) locate the problem itself
// (yaml.v3's text may cite the enclosing context's line instead); 0 when the error concerns the whole
// document (excessive aliasing).
class YamlError : public Error {
 public:
  YamlError(std::string message, std::size_t line, std::size_t column)
      : Error(ErrorKind::Yaml, std::move(message)), line_(line), column_(column) {}
  std::size_t line() const { return line_; }
  std::size_t column() const { return column_; }
  // "<file>:<line>:<column>: <message>", or "<file>: <message>" for an error of the whole document (line 0).
  std::string located(const std::string& file) const {
    if (line_ == 0) return file + ": " + message();
    return file + ":" + std::to_string(line_) + ":" + std::to_string(column_) + ": " + message();
  }

 private:
  std::size_t line_;
  std::size_t column_;
};

// Parses `text`; `file` is recorded in marks. Empty input yields null.
Value parse_yaml(std::string_view text, const std::string& file = "");

// Reads and parses a file. I/O failures throw Error(ErrorKind::Io).
Value load_yaml_file(const std::string& path);

// A yaml.v3 timestamp as Go prints the time.Time it decodes to (e.g. "2024-01-01T00:00:00Z"); nullopt
// when `text` is not one. Loaded timestamps are strings tagged "!!timestamp" holding this text.
std::optional<std::string> parse_yaml_timestamp(std::string_view text);

// yaml.v3's resolution of a plain scalar (exposed for tests and for re-typing tag arguments).
Value resolve_plain_scalar(std::string_view text);

}  // namespace atmos
