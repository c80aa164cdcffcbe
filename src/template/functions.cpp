#include "template/functions.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/json_emit.hpp"
#include "core/json_parse.hpp"
#include "core/merge.hpp"
#include "core/yaml_emit.hpp"
#include "core/yaml_load.hpp"
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
void add_sprig_collections(FuncTable& t);
void add_gomplate(FuncTable& t);

// Sprig's toInt64 (cast.ToInt64): numbers truncate, strings parse (0 when they do not), bools are 0/1.
std::int64_t to_int64(const Value& v) {
  switch (v.kind()) {
    case Kind::Bool: return v.as_bool() ? 1 : 0;
    case Kind::Int: return v.as_int();
    case Kind::Uint: return static_cast<std::int64_t>(v.as_uint());
    case Kind::Float: return static_cast<std::int64_t>(v.as_float());
    case Kind::String: {
      try {
        std::size_t used = 0;
        long long n = std::stoll(v.as_string(), &used, 0);
        return used == v.as_string().size() ? n : 0;
      } catch (const std::exception&) {
        return 0;
      }
    }
    default: return 0;
  }
}

const List& list_arg(const char* name, const Value& v) {
  static const List kEmpty;
  if (v.is_null()) return kEmpty;
  if (!v.is_list()) throw FunctionError("Cannot find " + std::string(name) + " on type " + kind_name(v.kind()));
  return v.as_list();
}

std::string base64_encode(const std::string& in) {
  static const char* kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    for (int k = 3; k >= 0; --k) out += kChars[(n >> (6 * k)) & 63];
  }
  if (i < in.size()) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kChars[(n >> 18) & 63];
    out += kChars[(n >> 12) & 63];
    out += i + 1 < in.size() ? kChars[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Sprig's b64dec: the decoded text, or Go's error text when the input is not standard base64.
std::string base64_decode(const std::string& in) {
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
          : c == '+' ? 62 : c == '/' ? 63 : -1;
    if (c == '=') {
      ++pad;
      continue;
    }
    if (v < 0 || pad) return "illegal base64 data at input byte " + std::to_string(i);
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  if ((in.size() % 4) != 0) return "illegal base64 data at input byte " + std::to_string(in.size());
  return out;
}

std::string indent_text(std::int64_t n, const std::string& s) {
  std::string pad(n > 0 ? static_cast<std::size_t>(n) : 0, ' ');
  std::string out = pad;
  for (char c : s) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

}  // namespace

std::string to_text(const Value& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.as_string();
  GoValue g = GoValue::from_value(v);
  return gofmt::sprint(std::span<const GoValue>(&g, 1));
}

FuncTable atmos_functions(const Environment& env, bool sprig, bool gomplate) {
  FuncTable t;
  if (sprig) {
    add_sprig(t, env);
    add_sprig_collections(t);
  }
  if (gomplate) add_gomplate(t);
  return t;
}

namespace {

// Sprig's contains/hasPrefix/hasSuffix and Gomplate's strings.Contains/HasPrefix/HasSuffix: (needle, haystack),
// named `prefix` + name in the table and by the bare name in arity errors, as each library names them.
void add_substring_tests(FuncTable& t, const std::string& prefix, const char* contains, const char* has_prefix,
                         const char* has_suffix) {
  t.add(prefix + contains, [contains](Args a) {
    arity(contains, a, 2);
    return Value(to_text(a[1]).find(to_text(a[0])) != std::string::npos);
  });
  t.add(prefix + has_prefix, [has_prefix](Args a) {
    arity(has_prefix, a, 2);
    return Value(to_text(a[1]).rfind(to_text(a[0]), 0) == 0);
  });
  t.add(prefix + has_suffix, [has_suffix](Args a) {
    arity(has_suffix, a, 2);
    std::string s = to_text(a[1]), x = to_text(a[0]);
    return Value(s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0);
  });
}

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
  add_substring_tests(t, "", "contains", "hasPrefix", "hasSuffix");
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

void add_sprig_collections(FuncTable& t) {
  t.add("required", [](Args a) {
    arity("required", a, 2);
    if (a[1].is_null() || (a[1].is_string() && a[1].as_string().empty())) throw FunctionError(to_text(a[0]));
    return a[1];
  });
  t.add("fromJson", [](Args a) {
    arity("fromJson", a, 1);
    try {
      return parse_json(to_text(a[0]), true);
    } catch (const Error&) {
      return Value::empty_map();
    }
  });
  t.add("toString", [](Args a) {
    arity("toString", a, 1);
    return Value(to_text(a[0]));
  });
  t.add("atoi", [](Args a) {
    arity("atoi", a, 1);
    return Value(a[0].is_string() ? to_int64(a[0]) : 0);
  });
  t.add("int", [](Args a) {
    arity("int", a, 1);
    return Value(to_int64(a[0]));
  });
  t.add("int64", [](Args a) {
    arity("int64", a, 1);
    return Value(to_int64(a[0]));
  });
  t.add("add", [](Args a) {
    std::int64_t sum = 0;
    for (const auto& v : a) sum += to_int64(v);
    return Value(sum);
  });
  t.add("sub", [](Args a) {
    arity("sub", a, 2);
    return Value(to_int64(a[0]) - to_int64(a[1]));
  });
  t.add("mul", [](Args a) {
    std::int64_t product = 1;
    for (const auto& v : a) product *= to_int64(v);
    return Value(product);
  });
  t.add("div", [](Args a) {
    arity("div", a, 2);
    if (to_int64(a[1]) == 0) throw FunctionError("runtime error: integer divide by zero");
    return Value(to_int64(a[0]) / to_int64(a[1]));
  });
  t.add("mod", [](Args a) {
    arity("mod", a, 2);
    if (to_int64(a[1]) == 0) throw FunctionError("runtime error: integer divide by zero");
    return Value(to_int64(a[0]) % to_int64(a[1]));
  });
  t.add("split", [](Args a) {
    arity("split", a, 2);
    std::string sep = to_text(a[0]), s = to_text(a[1]);
    Map out;
    std::size_t i = 0, pos = 0;
    for (std::size_t next; !sep.empty() && (next = s.find(sep, pos)) != std::string::npos; pos = next + sep.size())
      out.emplace_back("_" + std::to_string(i++), Value(s.substr(pos, next - pos)));
    out.emplace_back("_" + std::to_string(i), Value(s.substr(pos)));
    return Value::map(std::move(out));
  });
  t.add("splitList", [](Args a) {
    arity("splitList", a, 2);
    std::string sep = to_text(a[0]), s = to_text(a[1]);
    List out;
    std::size_t pos = 0;
    for (std::size_t next; !sep.empty() && (next = s.find(sep, pos)) != std::string::npos; pos = next + sep.size())
      out.emplace_back(s.substr(pos, next - pos));
    out.emplace_back(s.substr(pos));
    return Value::list(std::move(out));
  });
  t.add("first", [](Args a) {
    arity("first", a, 1);
    const List& l = list_arg("first", a[0]);
    return l.empty() ? Value() : l.front();
  });
  t.add("last", [](Args a) {
    arity("last", a, 1);
    const List& l = list_arg("last", a[0]);
    return l.empty() ? Value() : l.back();
  });
  t.add("uniq", [](Args a) {
    arity("uniq", a, 1);
    List out;
    for (const auto& v : list_arg("uniq", a[0]))
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    return Value::list(std::move(out));
  });
  t.add("compact", [](Args a) {
    arity("compact", a, 1);
    List out;
    for (const auto& v : list_arg("compact", a[0]))
      if (!is_empty(v)) out.push_back(v);
    return Value::list(std::move(out));
  });
  t.add("append", [](Args a) {
    arity("append", a, 2);
    List out = list_arg("append", a[0]);
    out.push_back(a[1]);
    return Value::list(std::move(out));
  });
  t.add("concat", [](Args a) {
    List out;
    for (const auto& v : a) {
      const List& l = list_arg("concat", v);
      out.insert(out.end(), l.begin(), l.end());
    }
    return Value::list(std::move(out));
  });
  t.add("has", [](Args a) {
    arity("has", a, 2);
    const List& l = list_arg("has", a[1]);
    return Value(std::find(l.begin(), l.end(), a[0]) != l.end());
  });
  t.add("sortAlpha", [](Args a) {
    arity("sortAlpha", a, 1);
    std::vector<std::string> texts;
    for (const auto& v : list_arg("sortAlpha", a[0])) texts.push_back(to_text(v));
    std::sort(texts.begin(), texts.end());
    List out(texts.begin(), texts.end());
    return Value::list(std::move(out));
  });
  // Go's map order is random; keys come sorted here, which `keys | sortAlpha` (the usual idiom) also gives.
  t.add("keys", [](Args a) {
    List out;
    for (const auto& d : a)
      if (d.is_map())
        for (const auto& entry : d.as_map()) out.emplace_back(entry.first);
    return Value::list(std::move(out));
  });
  t.add("values", [](Args a) {
    arity("values", a, 1);
    List out;
    if (a[0].is_map())
      for (const auto& entry : a[0].as_map()) out.push_back(entry.second);
    return Value::list(std::move(out));
  });
  t.add("get", [](Args a) {
    arity("get", a, 2);
    const Value* v = a[0].is_map() ? a[0].find(to_text(a[1])) : nullptr;
    return v ? *v : Value("");
  });
  t.add("pick", [](Args a) {
    if (a.empty()) throw FunctionError("wrong number of args for pick: want at least 1 got 0");
    Map out;
    for (std::size_t i = 1; i < a.size(); ++i)
      if (const Value* v = a[0].is_map() ? a[0].find(to_text(a[i])) : nullptr) out.emplace_back(to_text(a[i]), *v);
    return Value::map(std::move(out));
  });
  t.add("omit", [](Args a) {
    if (a.empty()) throw FunctionError("wrong number of args for omit: want at least 1 got 0");
    Value out = a[0].is_map() ? a[0] : Value::empty_map();
    for (std::size_t i = 1; i < a.size(); ++i) out = out.without(to_text(a[i]));
    return out;
  });
  // Sprig's merge: the first dict wins over the later ones, recursively.
  t.add("merge", [](Args a) {
    if (a.empty()) throw FunctionError("wrong number of args for merge: want at least 1 got 0");
    std::vector<Value> layers;
    for (std::size_t i = a.size(); i > 0; --i)
      if (a[i - 1].is_map()) layers.push_back(a[i - 1]);
    return layers.empty() ? Value::empty_map() : deep_merge(layers);
  });
  t.add("b64enc", [](Args a) {
    arity("b64enc", a, 1);
    return Value(base64_encode(to_text(a[0])));
  });
  t.add("b64dec", [](Args a) {
    arity("b64dec", a, 1);
    return Value(base64_decode(to_text(a[0])));
  });
  t.add("indent", [](Args a) {
    arity("indent", a, 2);
    return Value(indent_text(to_int64(a[0]), to_text(a[1])));
  });
  t.add("nindent", [](Args a) {
    arity("nindent", a, 2);
    return Value("\n" + indent_text(to_int64(a[0]), to_text(a[1])));
  });
  t.add("repeat", [](Args a) {
    arity("repeat", a, 2);
    std::string out, s = to_text(a[1]);
    for (std::int64_t i = 0; i < to_int64(a[0]) && out.size() < (1u << 24); ++i) out += s;
    return Value(out);
  });
}

void add_gomplate(FuncTable& t) {
  t.add("strings.Split", [](Args a) {
    arity("Split", a, 2);
    std::string sep = to_text(a[0]), s = to_text(a[1]);
    List out;
    std::size_t pos = 0;
    for (std::size_t next; !sep.empty() && (next = s.find(sep, pos)) != std::string::npos; pos = next + sep.size())
      out.emplace_back(s.substr(pos, next - pos));
    out.emplace_back(s.substr(pos));
    return Value::list(std::move(out));
  });
  t.add("strings.ReplaceAll", [](Args a) {
    arity("ReplaceAll", a, 3);
    std::string from = to_text(a[0]), to = to_text(a[1]), s = to_text(a[2]);
    if (from.empty()) return Value(s);
    for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
    return Value(s);
  });
  add_substring_tests(t, "strings.", "Contains", "HasPrefix", "HasSuffix");
  t.add("strings.Trim", [](Args a) {
    arity("Trim", a, 2);
    return Value(trim_set(to_text(a[1]), to_text(a[0]), true, true));
  });
  t.add("conv.ToString", [](Args a) {
    arity("ToString", a, 1);
    return Value(to_text(a[0]));
  });
  t.add("conv.ToInt64", [](Args a) {
    arity("ToInt64", a, 1);
    return Value(to_int64(a[0]));
  });
  t.add("conv.ToBool", [](Args a) {
    arity("ToBool", a, 1);
    if (a[0].is_bool()) return a[0];
    std::string s = to_text(a[0]);
    return Value(s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True" || s == "yes" || s == "on");
  });
  t.add("data.JSON", [](Args a) {
    arity("JSON", a, 1);
    try {
      return parse_json(to_text(a[0]), true);
    } catch (const Error& e) {
      throw FunctionError(e.message());
    }
  });
  t.add("data.YAML", [](Args a) {
    arity("YAML", a, 1);
    try {
      return parse_yaml(to_text(a[0]));
    } catch (const Error& e) {
      throw FunctionError(e.message());
    }
  });
  t.add("data.ToJSON", [](Args a) {
    arity("ToJSON", a, 1);
    return Value(to_json(a[0], JsonStyle::Compact));
  });
  t.add("data.ToYAML", [](Args a) {
    arity("ToYAML", a, 1);
    return Value(to_yaml(a[0]));
  });
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
