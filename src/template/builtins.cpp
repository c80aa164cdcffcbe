#include "template/builtins.hpp"

#include <array>

#include "template/go_fmt.hpp"
#include "template/unicode.hpp"

namespace atmos::tmpl {

namespace {

constexpr char kUpperHex[] = "0123456789ABCDEF";

[[noreturn]] void fail(std::string message) { throw BuiltinError{std::move(message)}; }

// indirectInterface: the concrete value inside an interface; a nil interface becomes invalid.
GoValue indirect_interface(const GoValue& v) { return v.boxed() ? v.unboxed() : v; }

// fmt's "%d" of an int.
std::string itoa(std::int64_t x) { return std::to_string(x); }

// evalArgs: fmt.Sprint of the arguments, with nils printed as "<no value>" (and a lone string as is).
std::string eval_args(std::span<const GoValue> args) {
  if (args.size() == 1 && args[0].kind() == GoKind::String) return args[0].as_string();
  std::vector<GoValue> printable(args.begin(), args.end());
  for (auto& a : printable) {
    if (a.is_nil()) a = GoValue::of_string("<no value>");
  }
  return gofmt::sprint(printable);
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\0': out += "\xEF\xBF\xBD"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

bool js_is_special(char32_t r) {
  switch (r) {
    case '\\':
    case '\'':
    case '"':
    case '<':
    case '>':
    case '&':
    case '=': return true;
    default: return r < ' ' || r >= unicode::kRuneSelf;
  }
}

std::string js_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (!js_is_special(c)) {
      out += static_cast<char>(c);
      continue;
    }
    if (c < unicode::kRuneSelf) {
      switch (c) {
        case '\\': out += "\\\\"; break;
        case '\'': out += "\\'"; break;
        case '"': out += "\\\""; break;
        case '<': out += "\\u003C"; break;
        case '>': out += "\\u003E"; break;
        case '&': out += "\\u0026"; break;
        case '=': out += "\\u003D"; break;
        default:
          out += "\\u00";
          out += kUpperHex[c >> 4];
          out += kUpperHex[c & 0xF];
      }
      continue;
    }
    unicode::Decoded d = unicode::decode(s.substr(i));
    if (unicode::is_print(d.rune)) {
      out += s.substr(i, static_cast<std::size_t>(d.width));
    } else {
      std::array<GoValue, 1> args{GoValue::of_int(d.rune)};
      out += gofmt::sprintf("\\u%04X", args);
    }
    i += static_cast<std::size_t>(d.width) - 1;
  }
  return out;
}

// url.QueryEscape.
std::string query_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kUpperHex[c >> 4];
      out += kUpperHex[c & 0xF];
    }
  }
  return out;
}

GoValue length(const GoValue& arg) {
  if (arg.kind() == GoKind::NilInterface) fail("len of nil pointer");
  GoValue item = arg.unboxed();
  switch (item.kind()) {
    case GoKind::Slice: return GoValue::of_int(static_cast<std::int64_t>(item.slice_len()));
    case GoKind::Map: return GoValue::of_int(static_cast<std::int64_t>(item.map_entries().size()));
    case GoKind::String: return GoValue::of_int(static_cast<std::int64_t>(item.as_string().size()));
    case GoKind::Invalid: fail("reflect: call of reflect.Value.Type on zero Value");
    default: fail("len of type " + std::string(item.concrete_type_name()));
  }
}

// indexArg: an index into something of length (or capacity) `cap`. `index` is taken as the function
// received it, so an index held in an interface is rejected as Go rejects it.
std::int64_t index_arg(const GoValue& index, std::size_t cap) {
  std::int64_t x;
  if (index.boxed()) fail("cannot index slice/array with type interface {}");
  switch (index.kind()) {
    case GoKind::Int: x = index.as_int(); break;
    case GoKind::Uint8:
    case GoKind::Uint64: x = static_cast<std::int64_t>(index.as_uint()); break;
    case GoKind::Invalid: fail("cannot index slice/array with nil");
    default: fail("cannot index slice/array with type " + std::string(index.concrete_type_name()));
  }
  if (x < 0 || static_cast<std::uint64_t>(x) > cap) fail("index out of range: " + itoa(x));
  return x;
}

GoValue index(std::span<const GoValue> args) {
  GoValue item = indirect_interface(args[0]);
  if (!item.valid()) fail("index of untyped nil");
  for (const GoValue& raw : args.subspan(1)) {
    GoValue idx = indirect_interface(raw);
    if (item.kind() == GoKind::NilInterface) fail("index of nil pointer");
    item = item.unboxed();
    switch (item.kind()) {
      case GoKind::Slice: {
        auto x = static_cast<std::size_t>(index_arg(idx, item.slice_len()));
        if (x >= item.slice_len()) fail("reflect: slice index out of range");
        item = item.slice_elem(x);
        break;
      }
      case GoKind::String: {
        auto x = static_cast<std::size_t>(index_arg(idx, item.as_string().size()));
        if (x >= item.as_string().size()) fail("reflect: string index out of range");
        item = GoValue::of_uint8(static_cast<std::uint8_t>(item.as_string()[x]));
        break;
      }
      case GoKind::Map: {
        if (!idx.valid()) fail("value is nil; should be of type string");
        if (idx.kind() != GoKind::String) {
          fail("value has type " + std::string(idx.concrete_type_name()) + "; should be string");
        }
        const Value* found = item.ref().find(idx.as_string());
        item = found ? GoValue::from_element(*found) : GoValue::nil_interface();
        break;
      }
      default: fail("can't index item of type " + std::string(item.concrete_type_name()));
    }
  }
  return item;
}

GoValue slice(std::span<const GoValue> args) {
  GoValue item = indirect_interface(args[0]);
  if (!item.valid()) fail("slice of untyped nil");
  std::span<const GoValue> indexes = args.subspan(1);
  if (indexes.size() > 3) fail("too many slice indexes: " + itoa(static_cast<std::int64_t>(indexes.size())));
  std::size_t cap;
  std::size_t len;
  switch (item.kind()) {
    case GoKind::String:
      if (indexes.size() == 3) fail("cannot 3-index slice a string");
      cap = len = item.as_string().size();
      break;
    case GoKind::Slice:
      cap = item.slice_cap();
      len = item.slice_len();
      break;
    default: fail("can't slice item of type " + std::string(item.concrete_type_name()));
  }
  std::array<std::size_t, 3> idx{0, len, 0};
  for (std::size_t i = 0; i < indexes.size(); ++i) idx[i] = static_cast<std::size_t>(index_arg(indexes[i], cap));
  if (idx[0] > idx[1]) fail("invalid slice index: " + std::to_string(idx[0]) + " > " + std::to_string(idx[1]));
  if (indexes.size() < 3) {
    if (item.kind() == GoKind::String) return GoValue::of_string(item.as_string().substr(idx[0], idx[1] - idx[0]));
    return item.reslice(idx[0], idx[1], cap);
  }
  if (idx[1] > idx[2]) fail("invalid slice index: " + std::to_string(idx[1]) + " > " + std::to_string(idx[2]));
  return item.reslice(idx[0], idx[1], idx[2]);
}

GoValue call(const GoValue& fn) {
  GoValue f = indirect_interface(fn);
  if (!f.valid()) fail("call of nil");
  fail("non-function of type " + std::string(f.concrete_type_name()));
}

enum class BasicKind { Invalid, Bool, Complex, Int, Float, String, Uint };

BasicKind basic_kind(const GoValue& v) {
  switch (v.kind()) {
    case GoKind::Bool: return BasicKind::Bool;
    case GoKind::Int: return BasicKind::Int;
    case GoKind::Uint8:
    case GoKind::Uint64: return BasicKind::Uint;
    case GoKind::Float64: return BasicKind::Float;
    case GoKind::Complex128: return BasicKind::Complex;
    case GoKind::String: return BasicKind::String;
    default: return BasicKind::Invalid;
  }
}

const std::string kBadComparisonType = "invalid type for comparison";
const std::string kBadComparison = "incompatible types for comparison";

bool eq(std::span<const GoValue> args) {
  GoValue arg1 = indirect_interface(args[0]);
  if (args.size() < 2) fail("missing argument for comparison");
  BasicKind k1 = basic_kind(arg1);
  for (const GoValue& raw : args.subspan(1)) {
    GoValue arg = indirect_interface(raw);
    BasicKind k2 = basic_kind(arg);
    bool truth = false;
    if (k1 != k2) {
      if (k1 == BasicKind::Int && k2 == BasicKind::Uint) {
        truth = arg1.as_int() >= 0 && static_cast<std::uint64_t>(arg1.as_int()) == arg.as_uint();
      } else if (k1 == BasicKind::Uint && k2 == BasicKind::Int) {
        truth = arg.as_int() >= 0 && arg1.as_uint() == static_cast<std::uint64_t>(arg.as_int());
      } else if (arg1.valid() && arg.valid()) {
        fail(kBadComparison);
      }
    } else {
      switch (k1) {
        case BasicKind::Bool: truth = arg1.as_bool() == arg.as_bool(); break;
        case BasicKind::Complex: truth = arg1.as_float() == arg.as_float() && arg1.imag() == arg.imag(); break;
        case BasicKind::Float: truth = arg1.as_float() == arg.as_float(); break;
        case BasicKind::Int: truth = arg1.as_int() == arg.as_int(); break;
        case BasicKind::String: truth = arg1.as_string() == arg.as_string(); break;
        case BasicKind::Uint: truth = arg1.as_uint() == arg.as_uint(); break;
        case BasicKind::Invalid:
          // Lists and maps: comparable only with nil, and never nil themselves.
          if (arg1.kind() != arg.kind() && arg1.valid() && arg.valid()) {
            fail("non-comparable types " + gofmt::sprint_reflect(arg1, 's') + ": " +
                 std::string(arg1.concrete_type_name()) + ", " + std::string(arg.concrete_type_name()) + ": " +
                 gofmt::sprint_reflect(arg, 'v'));
          }
          if (!arg1.valid() || !arg.valid()) {
            truth = arg1.valid() == arg.valid();
          } else {
            fail("non-comparable type " + gofmt::sprint_reflect(arg, 's') + ": " +
                 std::string(arg.concrete_type_name()));
          }
          break;
      }
    }
    if (truth) return true;
  }
  return false;
}

bool lt(const GoValue& a, const GoValue& b) {
  GoValue arg1 = indirect_interface(a);
  BasicKind k1 = basic_kind(arg1);
  if (k1 == BasicKind::Invalid) fail(kBadComparisonType);
  GoValue arg2 = indirect_interface(b);
  BasicKind k2 = basic_kind(arg2);
  if (k2 == BasicKind::Invalid) fail(kBadComparisonType);
  if (k1 != k2) {
    if (k1 == BasicKind::Int && k2 == BasicKind::Uint) {
      return arg1.as_int() < 0 || static_cast<std::uint64_t>(arg1.as_int()) < arg2.as_uint();
    }
    if (k1 == BasicKind::Uint && k2 == BasicKind::Int) {
      return arg2.as_int() >= 0 && arg1.as_uint() < static_cast<std::uint64_t>(arg2.as_int());
    }
    fail(kBadComparison);
  }
  switch (k1) {
    case BasicKind::Float: return arg1.as_float() < arg2.as_float();
    case BasicKind::Int: return arg1.as_int() < arg2.as_int();
    case BasicKind::String: return arg1.as_string() < arg2.as_string();
    case BasicKind::Uint: return arg1.as_uint() < arg2.as_uint();
    default: fail(kBadComparisonType);
  }
}

bool le(const GoValue& a, const GoValue& b) {
  if (lt(a, b)) return true;
  std::array<GoValue, 2> args{a, b};
  return eq(args);
}

}  // namespace

std::optional<Builtin> find_builtin(std::string_view name) {
  static const std::pair<std::string_view, Builtin> kNames[] = {
      {"and", Builtin::And},
      {"call", Builtin::Call},
      {"html", Builtin::Html},
      {"index", Builtin::Index},
      {"slice", Builtin::Slice},
      {"js", Builtin::Js},
      {"len", Builtin::Len},
      {"not", Builtin::Not},
      {"or", Builtin::Or},
      {"print", Builtin::Print},
      {"printf", Builtin::Printf},
      {"println", Builtin::Println},
      {"urlquery", Builtin::Urlquery},
      {"eq", Builtin::Eq},
      {"ge", Builtin::Ge},
      {"gt", Builtin::Gt},
      {"le", Builtin::Le},
      {"lt", Builtin::Lt},
      {"ne", Builtin::Ne},
  };
  for (const auto& [n, b] : kNames) {
    if (n == name) return b;
  }
  return std::nullopt;
}

const Signature& builtin_signature(Builtin b) {
  static const Signature kValueVariadic{{ParamType::ReflectValue}, ParamType::ReflectValue};
  static const Signature kAnyVariadic{{}, ParamType::Any};
  static const Signature kPrintf{{ParamType::String}, ParamType::Any};
  static const Signature kOneValue{{ParamType::ReflectValue}, std::nullopt};
  static const Signature kTwoValues{{ParamType::ReflectValue, ParamType::ReflectValue}, std::nullopt};
  switch (b) {
    case Builtin::And:
    case Builtin::Or:
    case Builtin::Call:
    case Builtin::Index:
    case Builtin::Slice:
    case Builtin::Eq: return kValueVariadic;
    case Builtin::Html:
    case Builtin::Js:
    case Builtin::Urlquery:
    case Builtin::Print:
    case Builtin::Println: return kAnyVariadic;
    case Builtin::Printf: return kPrintf;
    case Builtin::Len:
    case Builtin::Not: return kOneValue;
    case Builtin::Ge:
    case Builtin::Gt:
    case Builtin::Le:
    case Builtin::Lt:
    case Builtin::Ne: return kTwoValues;
  }
  return kOneValue;
}

bool truth(const GoValue& raw) {
  GoValue v = indirect_interface(raw);
  switch (v.kind()) {
    case GoKind::Invalid:
    case GoKind::NilInterface: return false;
    case GoKind::Bool: return v.as_bool();
    case GoKind::Int: return v.as_int() != 0;
    case GoKind::Uint8:
    case GoKind::Uint64: return v.as_uint() != 0;
    case GoKind::Float64: return v.as_float() != 0;
    case GoKind::Complex128: return v.as_float() != 0 || v.imag() != 0;
    case GoKind::String: return !v.as_string().empty();
    case GoKind::Slice: return v.slice_len() > 0;
    case GoKind::Map: return !v.map_entries().empty();
  }
  return false;
}

GoValue call_builtin(Builtin b, std::span<const GoValue> args) {
  switch (b) {
    case Builtin::Call: return call(args[0]);
    case Builtin::Html: return GoValue::of_string(html_escape(eval_args(args)));
    case Builtin::Js: return GoValue::of_string(js_escape(eval_args(args)));
    case Builtin::Urlquery: return GoValue::of_string(query_escape(eval_args(args)));
    case Builtin::Index: return index(args);
    case Builtin::Slice: return slice(args);
    case Builtin::Len: return length(args[0]);
    case Builtin::Not: return GoValue::of_bool(!truth(args[0]));
    case Builtin::Print: return GoValue::of_string(gofmt::sprint(args));
    case Builtin::Printf: return GoValue::of_string(gofmt::sprintf(args[0].as_string(), args.subspan(1)));
    case Builtin::Println: return GoValue::of_string(gofmt::sprintln(args));
    case Builtin::Eq: return GoValue::of_bool(eq(args));
    case Builtin::Ne: return GoValue::of_bool(!eq(args));
    case Builtin::Lt: return GoValue::of_bool(lt(args[0], args[1]));
    case Builtin::Le: return GoValue::of_bool(le(args[0], args[1]));
    case Builtin::Gt: return GoValue::of_bool(!le(args[0], args[1]));
    case Builtin::Ge: return GoValue::of_bool(!lt(args[0], args[1]));
    case Builtin::And:
    case Builtin::Or: break;
  }
  return GoValue();
}

}  // namespace atmos::tmpl
