#include "core/yaml_load.hpp"

#include <yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "core/error.hpp"

namespace atmos {
namespace {

constexpr const char* kTagPrefix = "tag:yaml.org,2002:";

std::string short_tag(const std::string& tag) {
  if (tag.rfind(kTagPrefix, 0) == 0) return "!!" + tag.substr(std::strlen(kTagPrefix));
  return tag;
}

// Go's strconv.ParseInt(s, 0, 64) / ParseUint for the syntax yaml.v3 feeds it (underscores already removed).
bool parse_go_int(std::string_view s, bool allow_sign, bool& negative, std::uint64_t& mag) {
  negative = false;
  if (s.empty()) return false;
  if (s[0] == '+' || s[0] == '-') {
    if (!allow_sign) return false;
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  int base = 10;
  if (s[0] == '0' && s.size() > 1) {
    char c = static_cast<char>(s[1] | 0x20);
    if (c == 'x') {
      base = 16;
      s.remove_prefix(2);
    } else if (c == 'o') {
      base = 8;
      s.remove_prefix(2);
    } else if (c == 'b') {
      base = 2;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
    if (s.empty()) return false;
  }
  std::uint64_t v = 0;
  for (char ch : s) {
    int d;
    if (ch >= '0' && ch <= '9') d = ch - '0';
    else if (ch >= 'a' && ch <= 'z') d = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'Z') d = ch - 'A' + 10;
    else return false;
    if (d >= base) return false;
    if (v > (std::numeric_limits<std::uint64_t>::max() - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base)) return false;
    v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
  }
  mag = v;
  return true;
}

// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool yaml_style_float(std::string_view s) {
  std::size_t i = 0, n = s.size();
  auto digit = [&](std::size_t k) { return k < n && s[k] >= '0' && s[k] <= '9'; };
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < n && s[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  } else {
    if (!digit(i)) return false;
    while (digit(i)) ++i;
    if (i < n && s[i] == '.') {
      ++i;
      while (digit(i)) ++i;
    }
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == n;
}

// Go's strconv.ParseFloat(s, 64) for decimal input; rejects what Go rejects for the inputs yaml.v3 passes.
bool parse_go_float(std::string_view s, double& out) {
  if (s.empty()) return false;
  std::string str(s);
  // strtod accepts hex floats, "inf", "nan", leading spaces; Go accepts inf/infinity/nan too (case-insensitive),
  // hex floats with p exponent. Reject leading whitespace which Go rejects.
  if (std::isspace(static_cast<unsigned char>(str[0]))) return false;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(str.c_str(), &end);
  if (end != str.c_str() + str.size()) return false;
  if (errno == ERANGE && std::isinf(v)) return false;
  out = v;
  return true;
}

bool all_digits_then_dash(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i == 4 && i < s.size() && s[i] == '-';
}

}  // namespace

Value resolve_plain_scalar(std::string_view in) {
  if (in.empty() || in == "~" || in == "null" || in == "Null" || in == "NULL") return Value();
  if (in == "true" || in == "True" || in == "TRUE") return Value(true);
  if (in == "false" || in == "False" || in == "FALSE") return Value(false);
  if (in == ".nan" || in == ".NaN" || in == ".NAN") return Value(std::numeric_limits<double>::quiet_NaN());
  if (in == ".inf" || in == ".Inf" || in == ".INF" || in == "+.inf" || in == "+.Inf" || in == "+.INF")
    return Value(std::numeric_limits<double>::infinity());
  if (in == "-.inf" || in == "-.Inf" || in == "-.INF") return Value(-std::numeric_limits<double>::infinity());

  char c = in[0];
  if (c == '.') {
    double f;
    if (parse_go_float(in, f)) return Value(f);
    return Value(std::string(in));
  }
  bool sign = c == '+' || c == '-';
  bool digit = c >= '0' && c <= '9';
  if (!sign && !digit) return Value(std::string(in));

  // Timestamps (YYYY-...) stay strings when decoded into `any`.
  if (all_digits_then_dash(in)) return Value(std::string(in));

  std::string plain;
  plain.reserve(in.size());
  for (char ch : in)
    if (ch != '_') plain.push_back(ch);

  bool neg;
  std::uint64_t mag;
  if (parse_go_int(plain, true, neg, mag)) {
    if (!neg && mag <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return Value(static_cast<std::int64_t>(mag));
    if (neg && mag <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1)
      return Value(static_cast<std::int64_t>(0 - mag));
    if (!neg && plain[0] != '+') return Value::from_uint(mag);
    if (!neg) return Value::from_uint(mag);
  }
  if (yaml_style_float(plain)) {
    double f;
    if (parse_go_float(plain, f)) return Value(f);
  }
  return Value(std::string(in));
}

namespace {

struct Event {
  yaml_event_t ev;
  Event() { std::memset(&ev, 0, sizeof ev); }
  ~Event() { yaml_event_delete(&ev); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
};

class Loader {
 public:
  Loader(std::string_view text, const std::string& file) : file_(std::make_shared<const std::string>(file)) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  ~Loader() { yaml_parser_delete(&parser_); }

  Value run() {
    Event e;
    next(e);  // STREAM-START
    Event d;
    next(d);
    if (d.ev.type == YAML_STREAM_END_EVENT) return Value();
    // DOCUMENT-START
    Event first;
    next(first);
    Value root = node(first);
    if (!errors_.empty()) {
      std::string msg = "yaml: unmarshal errors:";
      for (const auto& m : errors_) msg += "\n  " + m;
      throw YamlError(msg, first_error_line_, first_error_column_);
    }
    return root;
  }

 private:
  void next(Event& e) {
    if (!yaml_parser_parse(&parser_, &e.ev)) fail();
  }

  [[noreturn]] void fail() {
    // yaml.v3's formula: prefer the context mark's line (0-based), scanner errors add one.
    std::size_t line = parser_.context_mark.line ? parser_.context_mark.line : parser_.problem_mark.line;
    if (line != 0 && parser_.error == YAML_SCANNER_ERROR) ++line;
    std::string msg = "yaml: ";
    if (line != 0) msg += "line " + std::to_string(line) + ": ";
    msg += parser_.problem ? parser_.problem : "unknown error";
    throw YamlError(msg, parser_.problem_mark.line + 1, parser_.problem_mark.column + 1);
  }

  SourceMark mark_of(const yaml_event_t& ev) const {
    return SourceMark{file_, static_cast<std::uint32_t>(ev.start_mark.line + 1),
                      static_cast<std::uint32_t>(ev.start_mark.column + 1)};
  }

  Value finish(Value v, const yaml_event_t& ev, const std::string& tag) {
    v = v.with_mark(mark_of(ev));
    if (!tag.empty()) v = v.with_tag(tag);
    return v;
  }

  static std::string str(const yaml_char_t* s) { return s ? reinterpret_cast<const char*>(s) : ""; }

  Value node(Event& e) {
    switch (e.ev.type) {
      case YAML_ALIAS_EVENT: {
        std::string name = str(e.ev.data.alias.anchor);
        auto it = anchors_.find(name);
        if (it == anchors_.end())
          throw YamlError("yaml: unknown anchor '" + name + "' referenced", e.ev.start_mark.line + 1, e.ev.start_mark.column + 1);
        return it->second;
      }
      case YAML_SCALAR_EVENT: {
        std::string text(reinterpret_cast<const char*>(e.ev.data.scalar.value), e.ev.data.scalar.length);
        std::string tag = short_tag(str(e.ev.data.scalar.tag));
        bool plain = e.ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        Value v;
        std::string kept_tag;
        if (tag.empty() || tag == "!") {
          v = plain ? resolve_plain_scalar(text) : Value(text);
        } else if (tag == "!!str" || tag == "!!binary" || tag == "!!timestamp") {
          v = Value(text);
        } else if (tag == "!!null") {
          v = Value();
        } else if (tag == "!!int" || tag == "!!float" || tag == "!!bool") {
          v = resolve_plain_scalar(text);
          bool ok = (tag == "!!bool" && v.is_bool()) ||
                    (tag == "!!int" && (v.kind() == Kind::Int || v.kind() == Kind::Uint)) ||
                    (tag == "!!float" && v.is_number());
          if (!ok) {
            add_error("line " + std::to_string(e.ev.start_mark.line + 1) + ": cannot unmarshal " + tag + " `" + text +
                          "` into " + tag.substr(2),
                      e.ev.start_mark);
          }
          if (tag == "!!float" && v.is_number()) v = Value(v.as_float());
        } else {
          v = Value(text);
          kept_tag = tag;
        }
        v = finish(std::move(v), e.ev, kept_tag);
        if (plain && text == "<<" && (tag.empty() || tag == "!" || tag == "!!merge")) v = merge_marker();
        remember(e.ev.data.scalar.anchor, v);
        return v;
      }
      case YAML_SEQUENCE_START_EVENT: {
        std::string tag = short_tag(str(e.ev.data.sequence_start.tag));
        if (tag == "!!seq" || tag == "!") tag.clear();
        List items;
        for (;;) {
          Event c;
          next(c);
          if (c.ev.type == YAML_SEQUENCE_END_EVENT) break;
          items.push_back(node(c));
        }
        Value v = finish(Value::list(std::move(items)), e.ev, tag);
        remember(e.ev.data.sequence_start.anchor, v);
        return v;
      }
      case YAML_MAPPING_START_EVENT: {
        std::string tag = short_tag(str(e.ev.data.mapping_start.tag));
        if (tag == "!!map" || tag == "!") tag.clear();
        Value v = finish(mapping(), e.ev, tag);
        remember(e.ev.data.mapping_start.anchor, v);
        return v;
      }
      default:
        throw Error(ErrorKind::Yaml, "yaml: unexpected event");
    }
  }

  Value merge_marker() {
    static const Value kMarker = Value("<<").with_tag("!!merge");
    return kMarker;
  }
  static bool is_merge(const Value& v) { return v.tag() == "!!merge"; }

  static std::string key_text(const Value& k) {
    switch (k.kind()) {
      case Kind::Null: return "";
      case Kind::Bool: return k.as_bool() ? "true" : "false";
      case Kind::String: return k.as_string();
      default: return std::string();
    }
  }

  Value mapping() {
    struct Seen {
      std::uint32_t line;
    };
    Map entries;
    std::map<std::string, Seen, std::less<>> seen;
    List merges;
    for (;;) {
      Event ke;
      next(ke);
      if (ke.ev.type == YAML_MAPPING_END_EVENT) break;
      std::string raw_key;
      if (ke.ev.type == YAML_SCALAR_EVENT)
        raw_key.assign(reinterpret_cast<const char*>(ke.ev.data.scalar.value), ke.ev.data.scalar.length);
      std::uint32_t key_line = static_cast<std::uint32_t>(ke.ev.start_mark.line + 1);
      Value key = node(ke);
      Event ve;
      next(ve);
      Value val = node(ve);
      if (is_merge(key)) {
        merges.push_back(val);
        continue;
      }
      if (key.is_map() || key.is_list()) {
        add_error("line " + std::to_string(key_line) + ": invalid map key: " + describe_value(key), ke.ev.start_mark);
        continue;
      }
      std::string k = key.is_string() ? key.as_string() : (key.is_null() || key.is_bool() ? key_text(key) : raw_key);
      auto it = seen.find(k);
      if (it != seen.end()) {
        std::string shown = key.is_string() ? go_quote(k) : raw_key;
        add_error("line " + std::to_string(key_line) + ": mapping key " + shown + " already defined at line " +
                      std::to_string(it->second.line),
                  ke.ev.start_mark);
        continue;
      }
      seen.emplace(k, Seen{key_line});
      entries.emplace_back(std::move(k), std::move(val));
    }
    // Merge keys: explicit keys win; among merged maps, earlier ones win.
    for (const Value& m : merges) {
      if (m.is_map()) {
        add_merged(entries, seen, m);
      } else if (m.is_list()) {
        for (const Value& item : m.as_list()) {
          if (!item.is_map()) throw Error(ErrorKind::Yaml, "yaml: map merge requires map or sequence of maps as the value");
          add_merged(entries, seen, item);
        }
      } else {
        throw Error(ErrorKind::Yaml, "yaml: map merge requires map or sequence of maps as the value");
      }
    }
    return Value::map(std::move(entries));
  }

  template <class SeenMap>
  static void add_merged(Map& entries, SeenMap& seen, const Value& m) {
    for (const auto& [k, v] : m.as_map()) {
      if (seen.count(k)) continue;
      seen.emplace(k, typename SeenMap::mapped_type{0});
      entries.emplace_back(k, v);
    }
  }

  static std::string go_quote(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
    return out + "\"";
  }

  void add_error(std::string text, const yaml_mark_t& mark) {
    if (errors_.empty()) {
      first_error_line_ = mark.line + 1;
      first_error_column_ = mark.column + 1;
    }
    errors_.push_back(std::move(text));
  }

  void remember(const yaml_char_t* anchor, const Value& v) {
    if (anchor) anchors_[str(anchor)] = v;
  }

  yaml_parser_t parser_;
  std::shared_ptr<const std::string> file_;
  std::map<std::string, Value> anchors_;
  std::vector<std::string> errors_;
  std::size_t first_error_line_ = 0;
  std::size_t first_error_column_ = 0;
};

}  // namespace

Value parse_yaml(std::string_view text, const std::string& file) {
  Loader loader(text, file);
  return loader.run();
}

Value load_yaml_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::Io, "failed to read file '" + path + "': " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_yaml(ss.str(), path);
}

}  // namespace atmos
