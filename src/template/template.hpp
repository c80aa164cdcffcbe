// Go's text/template language (as of Go 1.19) over atmos::Value data.
//
// Output and error texts are byte-identical to Go executing the same template on the map[string]any
// that yaml.v3 decodes from the same document (proven against Go itself by the corpus under
// tests/unit/template/data). Functions beyond Go's built-ins plug in through FuncTable; a dotted name
// such as `strings.Title` is looked up as one function when its first segment is not itself a function,
// which is how Gomplate's namespaced functions are reached.
//
// Not supported (Go values templates on YAML data never hold): method calls, struct fields, channels,
// pointers, and `call` on function values (every `call` reports its argument is not a function).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/value.hpp"

namespace atmos::tmpl {

// Go: Option("missingkey=default|invalid"), "missingkey=zero", "missingkey=error".
enum class MissingKey { Default, Zero, Error };

struct Options {
  std::string left_delim = "{{";  // empty means "{{", as in Go
  std::string right_delim = "}}";
  MissingKey missing_key = MissingKey::Default;
};

// Thrown by a Function to fail the template; Go reports it as `error calling NAME: <what()>`.
class FunctionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A template function. Receives its already-evaluated arguments (a missing value or nil arrives as a null
// Value) and returns its result (null is Go's nil). May throw FunctionError.
using Function = std::function<Value(std::span<const Value> args)>;

// Functions available to templates besides Go's built-ins; a function here shadows a built-in of the same
// name, as Go's Funcs does. Not thread-safe to modify while templates that use it parse or execute.
class FuncTable {
 public:
  // Adds or replaces `name` (which may contain dots, e.g. "strings.Title").
  void add(std::string name, Function f);
  // Null when absent.
  const Function* find(std::string_view name) const;

 private:
  std::map<std::string, Function, std::less<>> funcs_;
};

// A parse or execution error; what() is Go's exact error text, e.g.
// `template: t:1:2: executing "t" at <.a.b>: map has no entry for key "b"`.
class TemplateError : public std::runtime_error {
 public:
  enum class Phase { Parse, Execute };
  TemplateError(Phase phase, const std::string& message) : std::runtime_error(message), phase_(phase) {}
  Phase phase() const { return phase_; }

 private:
  Phase phase_;
};

namespace detail {
struct TemplateSet;
}

// A parsed template together with the templates it defines ({{define}}, {{block}}). Immutable after
// parse(); execute() may run concurrently from many threads.
class Template {
 public:
  // Parses `text` as template `name`. `funcs` may be null; otherwise it must outlive the Template.
  // Throws TemplateError (Phase::Parse).
  static Template parse(std::string_view name, std::string_view text, const Options& opts = {},
                        const FuncTable* funcs = nullptr);

  const std::string& name() const;

  // Executes the template with `data` as dot and returns its output. Throws TemplateError
  // (Phase::Execute); Go's partial output is discarded.
  std::string execute(const Value& data) const;

 private:
  explicit Template(std::shared_ptr<const detail::TemplateSet> set) : set_(std::move(set)) {}
  std::shared_ptr<const detail::TemplateSet> set_;
};

// Parse and execute in one call. `name` is the template name used in Go's error texts.
std::string render(std::string_view name, std::string_view text, const Value& data, const Options& opts,
                   const FuncTable* funcs = nullptr);

}  // namespace atmos::tmpl
