// Test-only template functions, identical to those of the Go oracle (tests/oracle/template/main.go), so
// corpus cases that call them render the same on both sides.
#pragma once

#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "template/go_fmt.hpp"
#include "template/template.hpp"

namespace atmos::tmpl::testing {

inline std::string last_string(const std::string& name, std::span<const Value> args) {
  if (args.empty()) throw FunctionError(name + ": missing argument");
  if (!args.back().is_string()) throw FunctionError(name + ": argument is not a string");
  return args.back().as_string();
}

inline FuncTable test_functions() {
  FuncTable t;
  t.add("upper", [](std::span<const Value> args) {
    std::string s = last_string("upper", args);
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return Value(s);
  });
  t.add("list", [](std::span<const Value> args) { return Value::list(List(args.begin(), args.end())); });
  t.add("dict", [](std::span<const Value> args) {
    if (args.size() % 2 != 0) throw FunctionError("dict: odd number of arguments");
    Map m;
    for (std::size_t i = 0; i < args.size(); i += 2) {
      if (!args[i].is_string()) throw FunctionError("dict: key is not a string");
      m.emplace_back(args[i].as_string(), args[i + 1]);
    }
    return Value::map(std::move(m));
  });
  t.add("fail", [](std::span<const Value> args) -> Value {
    std::vector<GoValue> any;
    for (const Value& a : args) any.push_back(GoValue::from_element(a));
    throw FunctionError(gofmt::sprint(any));
  });
  t.add("null", [](std::span<const Value>) { return Value(); });
  t.add("strings.Title", [](std::span<const Value> args) {
    std::string s = last_string("Title", args);
    bool start = true;
    for (char& c : s) {
      if (start && c != ' ') c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      start = c == ' ';
    }
    return Value(s);
  });
  t.add("strings.Quote", [](std::span<const Value> args) { return Value("\"" + last_string("Quote", args) + "\""); });
  return t;
}

}  // namespace atmos::tmpl::testing
