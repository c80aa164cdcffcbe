#include "template/functions.hpp"

#include <algorithm>
#include <cctype>

#include "core/json_emit.hpp"
#include "core/yaml_emit.hpp"
#include "template/go_fmt.hpp"
#include "template/go_value.hpp"

namespace atmos::tmpl {
namespace {

using Args = std::span<const Value>;

void arity(const char* name, Args a, std::size_t want) {
  if (a.size() != want)
    throw FunctionError("wrong number of args for " + std::string(name) + ": want " + std::to_string(want) + " got " +
                        std::to_string(a.size()));
}

// Sprig's `empty`: Go zero values are empty.
bool is_empty(const Value& v) {
  switch (v.kind()) {
    case Kind::Null: return true;
    case Kind::Bool: return !v.as_bool();
    case Kind::Int: return v.as_int() == 0;
    case Kind::Uint: return v.as_uint() == 0;
    case Kind::Float: return v.as_float() == 0;
    case Kind::String:
    case Kind::List:
    case Kind::Map: return v.empty();
  }
  return true;
}

std::string go_quote(const std::string& s) {
  GoValue v = GoValue::of_string(s);
  return gofmt::sprintf("%q", std::span<const GoValue>(&v, 1));
}

std::string title(const std::string& s) {
  std::string out = s;
  bool start = true;
  for (auto& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80 || c == '_' || c == '\'') {
      if (start && u < 0x80) c = static_cast<char>(std::toupper(u));
      start = false;
    } else {
      start = true;
    }
  }
  return out;
}

std::string map_chars(std::string s, int (*f)(int)) {
  for (auto& c : s) c = static_cast<char>(f(static_cast<unsigned char>(c)));
  return s;
}

std::string trim_set(const std::string& s, const std::string& cut, bool left, bool right) {
  std::size_t b = 0, e = s.size();
  while (left && b < e && cut.find(s[b]) != std::string::npos) ++b;
  while (right && e > b && cut.find(s[e - 1]) != std::string::npos) --e;
  return s.substr(b, e - b);
}

// Go's os.ExpandEnv: $NAME and ${NAME} become the variable's value ("" when unset).
std::string expand_env(const std::string& s, const Environment& env) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '$' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    std::size_t j = i + 1;
    std::string name;
    if (s[j] == '{') {
      std::size_t close = s.find('}', j);
      if (close == std::string::npos) {
        out += s.substr(i);
        break;
      }
      name = s.substr(j + 1, close - j - 1);
      i = close;
    } else {
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      if (j == i + 1) {
        out += '$';
        continue;
      }
      name = s.substr(i + 1, j - i - 1);
      i = j - 1;
    }
    out += env.get_or(name, "");
  }
  return out;
}

Value str_fn(std::string (*f)(const std::string&), Args a, const char* name) {
  arity(name, a, 1);
  return Value(f(to_text(a[0])));
}

void add_sprig(FuncTable& t, const Environment& env);
void add_gomplate(FuncTable& t);

}  // namespace

std::string to_text(const Value& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.as_string();
  GoValue g = GoValue::from_value(v);
  return gofmt::sprint(std::span<const GoValue>(&g, 1));
}

FuncTable atmos_functions(const Environment& env, bool sprig, bool gomplate) {
  FuncTable t;
  if (sprig) add_sprig(t, env);
  if (gomplate) add_gomplate(t);
  return t;
}

namespace {

void add_sprig(FuncTable& t, const Environment& env) {
  // Sprig: defaults and flow.
  t.add("env", [&env](Args a) {
    arity("env", a, 1);
    return Value(env.get_or(to_text(a[0]), ""));
  });
  t.add("expandenv", [&env](Args a) {
    arity("expandenv", a, 1);
    return Value(expand_env(to_text(a[0]), env));
  });
  t.add("default", [](Args a) {
    if (a.empty()) throw FunctionError("wrong number of args for default: want at least 1 got 0");
    if (a.size() == 1) return a[0];
    return is_empty(a[1]) ? a[0] : a[1];
  });
  t.add("empty", [](Args a) {
    arity("empty", a, 1);
    return Value(is_empty(a[0]));
  });
  t.add("coalesce", [](Args a) {
    for (const auto& v : a)
      if (!is_empty(v)) return v;
    return Value();
  });
  t.add("ternary", [](Args a) {
    arity("ternary", a, 3);
    return a[2].is_bool() && a[2].as_bool() ? a[0] : a[1];
  });
  // Sprig: strings.
  t.add("upper", [](Args a) { return Value(map_chars(to_text((arity("upper", a, 1), a[0])), ::toupper)); });
  t.add("lower", [](Args a) { return Value(map_chars(to_text((arity("lower", a, 1), a[0])), ::tolower)); });
  t.add("title", [](Args a) { return str_fn(title, a, "title"); });
  t.add("trim", [](Args a) { return Value(trim_set(to_text((arity("trim", a, 1), a[0])), " \t\r\n\v\f", true, true)); });
  t.add("trimSuffix", [](Args a) {
    arity("trimSuffix", a, 2);
    std::string s = to_text(a[1]), suffix = to_text(a[0]);
    if (!suffix.empty() && s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0)
      s.resize(s.size() - suffix.size());
    return Value(s);
  });
  t.add("trimPrefix", [](Args a) {
    arity("trimPrefix", a, 2);
    std::string s = to_text(a[1]), prefix = to_text(a[0]);
    if (!prefix.empty() && s.rfind(prefix, 0) == 0) s = s.substr(prefix.size());
    return Value(s);
  });
  t.add("replace", [](Args a) {
    arity("replace", a, 3);
    std::string from = to_text(a[0]), to = to_text(a[1]), s = to_text(a[2]), out;
    if (from.empty()) return Value(s);
    for (std::size_t i = 0; i < s.size();) {
      if (s.compare(i, from.size(), from) == 0) {
        out += to;
        i += from.size();
      } else {
        out += s[i++];
      }
    }
    return Value(out);
  });
  t.add("contains", [](Args a) {
    arity("contains", a, 2);
    return Value(to_text(a[1]).find(to_text(a[0])) != std::string::npos);
  });
  t.add("hasPrefix", [](Args a) {
    arity("hasPrefix", a, 2);
    return Value(to_text(a[1]).rfind(to_text(a[0]), 0) == 0);
  });
  t.add("hasSuffix", [](Args a) {
    arity("hasSuffix", a, 2);
    std::string s = to_text(a[1]), x = to_text(a[0]);
    return Value(s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0);
  });
  t.add("quote", [](Args a) {
    std::string out;
    for (const auto& v : a)
      if (!v.is_null()) out += (out.empty() ? "" : " ") + go_quote(to_text(v));
    return Value(out);
  });
  t.add("squote", [](Args a) {
    std::string out;
    for (const auto& v : a)
      if (!v.is_null()) out += (out.empty() ? "" : " ") + ("'" + to_text(v) + "'");
    return Value(out);
  });
  t.add("join", [](Args a) {
    arity("join", a, 2);
    std::string sep = to_text(a[0]), out;
    bool first = true;
    for (const auto& v : a[1].as_list()) {
      out += (first ? "" : sep) + to_text(v);
      first = false;
    }
    return Value(out);
  });
  // Sprig: collections and encoding.
  t.add("list", [](Args a) { return Value::list(List(a.begin(), a.end())); });
  t.add("hasKey", [](Args a) {
    arity("hasKey", a, 2);
    return Value(a[0].is_map() && a[0].has(to_text(a[1])));
  });
  t.add("dict", [](Args a) {
    Map m;
    for (std::size_t i = 0; i + 1 < a.size(); i += 2) m.emplace_back(to_text(a[i]), a[i + 1]);
    if (a.size() % 2) m.emplace_back(to_text(a.back()), Value(""));
    return Value::map(std::move(m));
  });
  t.add("toJson", [](Args a) {
    arity("toJson", a, 1);
    return Value(to_json(a[0], JsonStyle::Compact));
  });
  t.add("toPrettyJson", [](Args a) {
    arity("toPrettyJson", a, 1);
    std::string s = to_json(a[0], JsonStyle::Indented);
    if (!s.empty() && s.back() == '\n') s.pop_back();
    return Value(s);
  });
  t.add("toYaml", [](Args a) {
    arity("toYaml", a, 1);
    std::string s = to_yaml(a[0]);
    if (!s.empty() && s.back() == '\n') s.pop_back();
    return Value(s);
  });
}

void add_gomplate(FuncTable& t) {
  t.add("strings.Title", [](Args a) { return str_fn(title, a, "Title"); });
  t.add("strings.Quote", [](Args a) {
    arity("Quote", a, 1);
    return Value(go_quote(to_text(a[0])));
  });
  t.add("strings.ToUpper", [](Args a) { return Value(map_chars(to_text((arity("ToUpper", a, 1), a[0])), ::toupper)); });
  t.add("strings.ToLower", [](Args a) { return Value(map_chars(to_text((arity("ToLower", a, 1), a[0])), ::tolower)); });
  t.add("strings.TrimSpace", [](Args a) {
    arity("TrimSpace", a, 1);
    return Value(trim_set(to_text(a[0]), " \t\r\n\v\f", true, true));
  });
}

}  // namespace

}  // namespace atmos::tmpl
