// Go's built-in template functions (text/template/funcs.go): their signatures, which decide how
// arguments are evaluated and checked, and their implementations over GoValue.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "template/go_value.hpp"

namespace atmos::tmpl {

// The Go parameter types that occur in built-in and FuncTable signatures.
enum class ParamType {
  ReflectValue,  // reflect.Value: receives the value as is (an invalid value stays invalid)
  String,        // string
  Any,           // interface{}: an invalid value becomes a nil interface
};

struct Signature {
  std::vector<ParamType> fixed;
  std::optional<ParamType> variadic;  // element type of a trailing ...T
};

// Thrown by a built-in; the executor reports `error calling NAME: <what()>`.
struct BuiltinError {
  std::string message;
};

enum class Builtin {
  And,
  Call,
  Html,
  Index,
  Slice,
  Js,
  Len,
  Not,
  Or,
  Print,
  Printf,
  Println,
  Urlquery,
  Eq,
  Ge,
  Gt,
  Le,
  Lt,
  Ne,
};

// The built-in named `name`, if any.
std::optional<Builtin> find_builtin(std::string_view name);
const Signature& builtin_signature(Builtin b);

// Evaluates a built-in other than and/or (which the executor short-circuits). Throws BuiltinError.
GoValue call_builtin(Builtin b, std::span<const GoValue> args);

// Go's truth (text/template isTrue on indirectInterface(v)): false for invalid, nil, zero, empty.
bool truth(const GoValue& v);

}  // namespace atmos::tmpl
