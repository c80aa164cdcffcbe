#include "core/yaml_load.hpp"

#include <yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <unordered_set>

#include "core/error.hpp"
#include "core/file.hpp"
#include "core/json_emit.hpp"

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

// Reads 1–`max` digits (Go's getnum for non-fixed layout fields); false when there are none.
bool read_num(std::string_view s, std::size_t& i, int max, int& out) {
  std::size_t start = i;
  out = 0;
  while (i < s.size() && i - start < static_cast<std::size_t>(max) && s[i] >= '0' && s[i] <= '9') out = out * 10 + (s[i++] - '0');
  return i > start;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

// yaml.v3's timestamp formats (time.Parse layouts "2006-1-2T15:4:5.999999999Z07:00", the same with "t",
// "2006-1-2 15:4:5.999999999" and "2006-1-2"), printed as Go prints a time.Time (RFC 3339 with nanoseconds,
// trailing zeros dropped, "Z" for a zero offset).
std::optional<std::string> parse_yaml_timestamp(std::string_view s) {
  std::size_t i = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (s.size() < 4) return std::nullopt;
  for (; i < 4; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    year = year * 10 + (s[i] - '0');
  }
  if (i >= s.size() || s[i++] != '-' || !read_num(s, i, 2, month) || i >= s.size() || s[i++] != '-' ||
      !read_num(s, i, 2, day))
    return std::nullopt;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0)) return std::nullopt;
  std::string frac;
  std::string zone = "Z";
  if (i < s.size()) {
    char sep = s[i];
    bool with_zone = sep == 'T' || sep == 't';
    if (!with_zone && sep != ' ') return std::nullopt;
    ++i;
    // A space in a Go layout matches any run of spaces.
    if (!with_zone)
      while (i < s.size() && s[i] == ' ') ++i;
    if (!read_num(s, i, 2, hour) || i >= s.size() || s[i++] != ':' || !read_num(s, i, 2, minute) || i >= s.size() ||
        s[i++] != ':' || !read_num(s, i, 2, second))
      return std::nullopt;
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      std::size_t start = ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == start || i - start > 9) return std::nullopt;
      frac = std::string(s.substr(start, i - start));
    }
    if (with_zone) {
      if (i >= s.size()) return std::nullopt;
      if (s[i] == 'Z') {
        ++i;
      } else if (s[i] == '+' || s[i] == '-') {
        char sign = s[i++];
        int zh = 0, zm = 0;
        std::size_t before = i;
        if (!read_num(s, i, 2, zh) || i - before != 2 || i >= s.size() || s[i++] != ':') return std::nullopt;
        before = i;
        if (!read_num(s, i, 2, zm) || i - before != 2) return std::nullopt;
        if (zh > 24 || zm > 59) return std::nullopt;
        if (zh != 0 || zm != 0) {
          char buf[16];
          std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, zh % 100, zm % 100);
          zone = buf;
        }
      } else {
        return std::nullopt;
      }
    }
    if (i != s.size()) return std::nullopt;
  }
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, hour, minute, second);
  std::string out = buf;
  if (!frac.empty()) out += "." + frac;
  return out + zone;
}

namespace {

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
  if (all_digits_then_dash(in)) {
    if (auto ts = parse_yaml_timestamp(in)) return Value(*ts).with_tag("!!timestamp");
  }

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
  Loader(std::string_view text, const std::string& file)
      : text_(text), file_(std::make_shared<const std::string>(file)) {
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
    count_decoded(1, 0);  // yaml.v3 decodes the document node itself first
    Event first;
    next(first);
    Value root = node(first);
    Event end;
    next(end);  // DOCUMENT-END: yaml.v3 parses up to it before decoding
    // yaml.v3 decodes only after parsing the whole document and stops at the first fatal error in decode
    // order; excessive aliasing is one, found where the expansion crossed the limit.
    std::size_t decoded = excessive_aliasing_ ? errors_before_excess_ : errors_.size();
    for (std::size_t i = 0; i < decoded; ++i) {
      const auto& e = errors_[i];
      if (e.fatal) throw YamlError("yaml: " + e.text, e.line, e.column);
    }
    if (excessive_aliasing_) throw YamlError("yaml: document contains excessive aliasing", 0, 0);
    if (!errors_.empty()) {
      std::string msg = "yaml: unmarshal errors:";
      for (const auto& e : errors_) msg += "\n  " + e.text;
      throw YamlError(msg, errors_.front().line, errors_.front().column);
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

  Value finish(Value v, const yaml_event_t& ev, const std::string& tag) { return Value::annotate(std::move(v), mark_of(ev), tag); }

  static std::string str(const yaml_char_t* s) { return s ? reinterpret_cast<const char*>(s) : ""; }

  Value node(Event& e) {
    switch (e.ev.type) {
      case YAML_ALIAS_EVENT: {
        std::string name = str(e.ev.data.alias.anchor);
        if (open_anchors_.count(name)) {
          add_fatal("anchor '" + name + "' value contains itself", e.ev.start_mark);
          return Value();
        }
        auto it = anchors_.find(name);
        if (it == anchors_.end())
          throw YamlError("yaml: unknown anchor '" + name + "' referenced", e.ev.start_mark.line + 1, e.ev.start_mark.column + 1);
        note_simple_key(e.ev);
        // The alias node, then its target decoded again (every node of it counts as alias-driven).
        count_decoded(1, 0);
        count_decoded(it->second.decoded, it->second.decoded);
        if (!excessive_aliasing_) errors_.insert(errors_.end(), it->second.errors.begin(), it->second.errors.end());
        return it->second.value;
      }
      case YAML_SCALAR_EVENT: {
        std::size_t first_error = errors_.size();
        std::uint64_t first_decoded = decode_count_;
        count_decoded(1, 0);
        if (e.ev.data.scalar.style != YAML_LITERAL_SCALAR_STYLE && e.ev.data.scalar.style != YAML_FOLDED_SCALAR_STYLE)
          note_simple_key(e.ev);
        if (e.ev.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) check_escapes(e.ev);
        std::string text(reinterpret_cast<const char*>(e.ev.data.scalar.value), e.ev.data.scalar.length);
        std::string tag = short_tag(str(e.ev.data.scalar.tag));
        bool plain = e.ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        Value v;
        std::string kept_tag;
        if (tag.empty() || tag == "!") {
          v = plain ? resolve_plain_scalar(text) : Value(text);
        } else if (tag == "!!str") {
          v = Value(text);
        } else if (tag == "!!timestamp") {
          auto ts = parse_yaml_timestamp(text);
          if (!ts) add_fatal("cannot decode !!str `" + text + "` as a !!timestamp", e.ev.start_mark);
          v = ts ? Value(*ts).with_tag("!!timestamp") : Value(text);
        } else if (tag == "!!binary") {
          std::string data;
          if (!decode_base64(text, data)) add_fatal("!!binary value contains invalid base64 data", e.ev.start_mark);
          v = Value(std::move(data));
        } else if (tag == "!!null" || tag == "!!int" || tag == "!!float" || tag == "!!bool") {
          // resolve.go with an explicit tag: the text must resolve to that type (an int may become a float).
          v = resolve_plain_scalar(text);
          std::string resolved = resolved_tag(v);
          if (tag == "!!float" && resolved == "!!int") {
            v = Value(v.as_float());
          } else if (resolved != tag) {
            add_fatal("cannot decode " + resolved + " `" + text + "` as a " + tag, e.ev.start_mark);
          }
        } else {
          v = Value(text);
          kept_tag = tag;
        }
        v = finish(std::move(v), e.ev, kept_tag);
        if (plain && text == "<<" && (tag.empty() || tag == "!" || tag == "!!merge")) {
          // A merge key is not decoded by yaml.v3 (only its value is, when merging).
          v = merge_marker();
          uncount_decoded(1);
        }
        remember(e.ev.data.scalar.anchor, v, first_error, first_decoded);
        return v;
      }
      case YAML_SEQUENCE_START_EVENT: {
        std::string tag = short_tag(str(e.ev.data.sequence_start.tag));
        if (tag == "!!seq" || tag == "!") tag.clear();
        std::size_t first_error = errors_.size();
        std::uint64_t first_decoded = decode_count_;
        count_decoded(1, 0);
        bool flow = e.ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
        if (e.ev.data.sequence_start.anchor || e.ev.data.sequence_start.tag) note_simple_key(e.ev);
        bool indented = flow ? enter_flow(e.ev) : enter_block_sequence(e.ev);
        AnchorScope scope(open_anchors_, e.ev.data.sequence_start.anchor);
        List items;
        for (;;) {
          Event c;
          next(c);
          if (c.ev.type == YAML_SEQUENCE_END_EVENT) break;
          items.push_back(node(c));
        }
        leave_collection(flow, indented);
        Value v = finish(Value::list(std::move(items)), e.ev, tag);
        remember(e.ev.data.sequence_start.anchor, v, first_error, first_decoded);
        return v;
      }
      case YAML_MAPPING_START_EVENT: {
        std::string tag = short_tag(str(e.ev.data.mapping_start.tag));
        if (tag == "!!map" || tag == "!") tag.clear();
        std::size_t first_error = errors_.size();
        std::uint64_t first_decoded = decode_count_;
        count_decoded(1, 0);
        bool flow = e.ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
        if (e.ev.data.mapping_start.anchor || e.ev.data.mapping_start.tag) note_simple_key(e.ev);
        bool indented = flow ? enter_flow(e.ev) : enter_block_mapping(e.ev);
        AnchorScope scope(open_anchors_, e.ev.data.mapping_start.anchor);
        Value v = finish(mapping(), e.ev, tag);
        leave_collection(flow, indented);
        remember(e.ev.data.mapping_start.anchor, v, first_error, first_decoded);
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

  static std::string resolved_tag(const Value& v) {
    switch (v.kind()) {
      case Kind::Null: return "!!null";
      case Kind::Bool: return "!!bool";
      case Kind::Int:
      case Kind::Uint: return "!!int";
      case Kind::Float: return "!!float";
      default: return "!!str";
    }
  }

  // Go's base64.StdEncoding.DecodeString, which skips line breaks.
  static bool decode_base64(std::string_view in, std::string& out) {
    std::string s;
    for (char c : in) {
      if (c != '\n' && c != '\r') s += c;
    }
    if (s.size() % 4 != 0) return false;
    auto sextet = [](char c) -> int {
      if (c >= 'A' && c <= 'Z') return c - 'A';
      if (c >= 'a' && c <= 'z') return c - 'a' + 26;
      if (c >= '0' && c <= '9') return c - '0' + 52;
      if (c == '+') return 62;
      if (c == '/') return 63;
      return -1;
    };
    for (std::size_t i = 0; i < s.size(); i += 4) {
      bool last = i + 4 == s.size();
      int pad = (s[i + 3] == '=') + (s[i + 2] == '=' && s[i + 3] == '=');
      if (pad && !last) return false;
      std::uint32_t n = 0;
      for (int k = 0; k < 4 - pad; ++k) {
        int d = sextet(s[i + static_cast<std::size_t>(k)]);
        if (d < 0) return false;
        n |= static_cast<std::uint32_t>(d) << (18 - 6 * k);
      }
      out += static_cast<char>(n >> 16);
      if (pad < 2) out += static_cast<char>((n >> 8) & 0xFF);
      if (pad < 1) out += static_cast<char>(n & 0xFF);
    }
    return true;
  }

  // yaml.v3's scanner knows no `\/` escape (libyaml does): reject it in double-quoted scalars with the error
  // yaml.v3 gives (a scanner error citing the scalar's line).
  void check_escapes(const yaml_event_t& ev) {
    if (!has_slash_escape_) return;
    std::size_t end = offset_of(ev.end_mark);
    for (std::size_t i = offset_of(ev.start_mark); i + 1 < end; ++i) {
      if (text_[i] != '\\') continue;
      if (text_[i + 1] == '/') {
        std::size_t problem_line =
            1 + static_cast<std::size_t>(std::count(text_.begin(), text_.begin() + static_cast<long>(i), '\n'));
        std::size_t line_start = text_.rfind('\n', i);
        std::size_t column = line_start == std::string_view::npos ? i + 1 : i - line_start;
        std::size_t shown = ev.start_mark.line ? ev.start_mark.line + 1 : (problem_line > 1 ? problem_line : 0);
        std::string msg = "yaml: ";
        if (shown) msg += "line " + std::to_string(shown) + ": ";
        throw YamlError(msg + "found unknown escape character", problem_line, column);
      }
      ++i;
    }
  }

  // Byte offset of a libyaml mark (its line and column count characters).
  std::size_t offset_of(const yaml_mark_t& mark) const {
    std::size_t pos = 0;
    for (std::size_t l = 0; l < mark.line && pos != std::string_view::npos; ++l) {
      pos = text_.find('\n', pos);
      if (pos != std::string_view::npos) ++pos;
    }
    if (pos == std::string_view::npos) return text_.size();
    for (std::size_t c = 0; c < mark.column && pos < text_.size(); ++c) {
      ++pos;
      while (pos < text_.size() && (static_cast<unsigned char>(text_[pos]) & 0xC0) == 0x80) ++pos;
    }
    return pos;
  }

  // A mapping key as yaml.v3's duplicate check sees it: node kind and text (an alias's text is its anchor name,
  // a collection's is empty).
  struct KeyRecord {
    yaml_event_type_t kind;
    std::string text;
    yaml_mark_t mark;
  };

  Value mapping() {
    std::size_t base = errors_.size();
    std::vector<KeyRecord> keys;
    Map entries;
    std::optional<Value> merge;             // yaml.v3 merges the last `<<` value
    std::vector<DecodeError> merge_errors;  // decoded after every explicit key
    yaml_mark_t merge_mark{};
    for (;;) {
      Event ke;
      next(ke);
      if (ke.ev.type == YAML_MAPPING_END_EVENT) break;
      KeyRecord rec{ke.ev.type, "", ke.ev.start_mark};
      if (ke.ev.type == YAML_SCALAR_EVENT) {
        rec.text.assign(reinterpret_cast<const char*>(ke.ev.data.scalar.value), ke.ev.data.scalar.length);
      } else if (ke.ev.type == YAML_ALIAS_EVENT) {
        rec.text = str(ke.ev.data.alias.anchor);
      }
      Value key = node(ke);
      Event ve;
      next(ve);
      std::size_t value_errors = errors_.size();
      Value val = node(ve);
      keys.push_back(rec);
      if (is_merge(key)) {
        merge = val;
        merge_errors.assign(errors_.begin() + static_cast<long>(value_errors), errors_.end());
        errors_.resize(value_errors);
        merge_mark = ve.ev.start_mark;
        continue;
      }
      if (key.is_map() || key.is_list()) {
        errors_.insert(errors_.begin() + static_cast<long>(value_errors),
                       DecodeError{true, invalid_key_text(key), rec.mark.line + 1, rec.mark.column + 1});
        continue;
      }
      if (key.is_null()) {
        // A null key does not decode into a string: yaml.v3 drops the entry without decoding its value.
        errors_.resize(value_errors);
        continue;
      }
      // Other scalar keys keep their source text, as when yaml.v3 decodes into map[string]any.
      entries.emplace_back(key.is_string() ? key.as_string() : rec.text, std::move(val));
    }
    if (report_duplicates(keys, base)) return Value::map(std::move(entries));
    if (merge) {
      errors_.insert(errors_.end(), merge_errors.begin(), merge_errors.end());
      std::set<std::string, std::less<>> seen;
      for (const auto& e : entries) seen.insert(e.first);
      bool ok = merge->is_map() || merge->is_list();
      if (merge->is_map()) add_merged(entries, seen, *merge);
      for (const Value& item : merge->as_list()) {
        if (!item.is_map()) {
          ok = false;
          break;
        }
        add_merged(entries, seen, item);
      }
      if (!ok) add_fatal("map merge requires map or sequence of maps as the value", merge_mark);
    }
    return Value::map(std::move(entries));
  }

  static void add_merged(Map& entries, std::set<std::string, std::less<>>& seen, const Value& m) {
    for (const auto& [k, v] : m.as_map()) {
      if (seen.insert(k).second) entries.emplace_back(k, v);
    }
  }

  // yaml.v3 compares every pair of keys (same node kind and text), reports each equal pair as (later key's
  // line, earlier key's line) ordered by the earlier key, and then skips the whole mapping: errors from inside
  // it are dropped. A hash pass first keeps the common, duplicate-free case linear.
  bool report_duplicates(const std::vector<KeyRecord>& keys, std::size_t base) {
    auto same = [&](std::size_t a, std::size_t b) {
      return keys[a].kind == keys[b].kind && keys[a].text == keys[b].text;
    };
    bool any = false;
    if (keys.size() <= 16) {
      for (std::size_t i = 0; i < keys.size() && !any; ++i) {
        for (std::size_t j = i + 1; j < keys.size() && !any; ++j) any = same(i, j);
      }
    } else {
      std::unordered_set<std::string_view> texts;
      for (const auto& k : keys) any = any || !texts.insert(k.text).second;
    }
    if (!any) return false;
    std::vector<DecodeError> found;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      for (std::size_t j = i + 1; j < keys.size(); ++j) {
        if (!same(i, j)) continue;
        found.push_back(DecodeError{false,
                                    "line " + std::to_string(keys[j].mark.line + 1) + ": mapping key " +
                                        go_quote(keys[j].text) + " already defined at line " +
                                        std::to_string(keys[i].mark.line + 1),
                                    keys[j].mark.line + 1, keys[j].mark.column + 1});
      }
    }
    if (found.empty()) return false;
    errors_.resize(base);
    errors_.insert(errors_.end(), found.begin(), found.end());
    return true;
  }

  // Go's strconv.Quote, for the characters that show up in keys (non-ASCII text other than line/paragraph
  // separators, BOM and C1 controls is printed as is).
  static std::string go_quote(const std::string& s) {
    static const char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      switch (c) {
        case '"': out += "\\\""; continue;
        case '\\': out += "\\\\"; continue;
        case '\a': out += "\\a"; continue;
        case '\b': out += "\\b"; continue;
        case '\f': out += "\\f"; continue;
        case '\n': out += "\\n"; continue;
        case '\r': out += "\\r"; continue;
        case '\t': out += "\\t"; continue;
        case '\v': out += "\\v"; continue;
        default: break;
      }
      if (c < 0x20 || c == 0x7F) {
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
        continue;
      }
      if (c < 0x80) {
        out += static_cast<char>(c);
        continue;
      }
      auto [rune, size] = decode_go_rune(s, i);
      if (rune < 0) {
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
        continue;
      }
      if ((rune >= 0x80 && rune <= 0xA0) || rune == 0xAD || rune == 0x2028 || rune == 0x2029 || rune == 0xFEFF) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(rune));
        out += buf;
      } else {
        out.append(s, i, static_cast<std::size_t>(size));
      }
      i += static_cast<std::size_t>(size) - 1;
    }
    return out + "\"";
  }

  // Go's %#v of a decoded value, as in "invalid map key: map[string]interface {}{"a":1}". Appends to `out`, so a
  // key nested 10,000 levels deep costs its length, not its length times its depth.
  static void go_syntax(const Value& v, std::string& out) {
    switch (v.kind()) {
      case Kind::Null: out += "interface {}(nil)"; return;
      case Kind::Bool: out += v.as_bool() ? "true" : "false"; return;
      case Kind::Int: out += std::to_string(v.as_int()); return;
      case Kind::Uint: {
        char buf[24];
        std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v.as_uint()));
        out += buf;
        return;
      }
      case Kind::Float: out += format_go_float(v.as_float(), 'g'); return;
      case Kind::String: out += go_quote(v.as_string()); return;
      case Kind::List: {
        out += "[]interface {}{";
        for (std::size_t i = 0; i < v.size(); ++i) {
          if (i) out += ", ";
          go_syntax(v.as_list()[i], out);
        }
        out += "}";
        return;
      }
      case Kind::Map: {
        out += "map[string]interface {}{";
        bool first = true;
        for (const auto& [k, item] : v.as_map()) {
          if (!first) out += ", ";
          out += go_quote(k) + ":";
          go_syntax(item, out);
          first = false;
        }
        out += "}";
        return;
      }
    }
  }

  static std::string invalid_key_text(const Value& key) {
    std::string out = "invalid map key: ";
    go_syntax(key, out);
    return out;
  }

  // A decode-time problem, in yaml.v3's decode order. Fatal ones (yaml.v3's failf) stop decoding, so the first
  // of them is the whole error; the others are reported together as "unmarshal errors".
  struct DecodeError {
    bool fatal;
    std::string text;
    std::size_t line, column;
  };

  void add_fatal(std::string text, const yaml_mark_t& mark) {
    errors_.push_back(DecodeError{true, std::move(text), mark.line + 1, mark.column + 1});
  }

  // Marks an anchored collection as open while its content is read: an alias to it from inside is a cycle.
  class AnchorScope {
   public:
    AnchorScope(std::set<std::string>& open, const yaml_char_t* anchor) : open_(open) {
      if (!anchor) return;
      auto [it, inserted] = open_.insert(str(anchor));
      if (inserted) name_ = it;
    }
    ~AnchorScope() {
      if (name_) open_.erase(*name_);
    }
    AnchorScope(const AnchorScope&) = delete;
    AnchorScope& operator=(const AnchorScope&) = delete;

   private:
    std::set<std::string>& open_;
    std::optional<std::set<std::string>::iterator> name_;
  };

  // An anchored node with the decode errors of its subtree, which every alias of it reports again.
  // `decoded` is how many nodes yaml.v3 decodes for it (its subtree with aliases expanded).
  struct Anchor {
    Value value;
    std::vector<DecodeError> errors;
    std::uint64_t decoded;
  };

  void remember(const yaml_char_t* anchor, const Value& v, std::size_t first_error, std::uint64_t first_decoded) {
    if (anchor) {
      std::vector<DecodeError> errors;
      if (!excessive_aliasing_) errors.assign(errors_.begin() + static_cast<long>(first_error), errors_.end());
      anchors_[str(anchor)] = Anchor{v, std::move(errors), decode_count_ - first_decoded};
    }
  }

  // yaml.v3's bound on alias expansion (decode.go: unmarshal and allowedAliasRatio). Every node it decodes
  // counts, nodes decoded through an alias count as alias-driven too, and decoding fails once more than 100
  // nodes came from aliases, more than 1,000 were decoded and the alias-driven share exceeds 99% (up to 400,000
  // decodes), 10% (from 4,000,000) or a linear scale in between. Here an alias's target is not decoded again
  // (the parsed subtree is shared), so its size is added at once: within one expansion the share only grows
  // while the allowed ratio only shrinks, so checking at its end finds every document yaml.v3 rejects.
  static double allowed_alias_ratio(std::uint64_t decoded) {
    constexpr double kLow = 400000, kHigh = 4000000;
    if (static_cast<double>(decoded) <= kLow) return 0.99;
    if (static_cast<double>(decoded) >= kHigh) return 0.10;
    return 0.99 - 0.89 * ((static_cast<double>(decoded) - kLow) / (kHigh - kLow));
  }

  void count_decoded(std::uint64_t nodes, std::uint64_t aliased) {
    if (excessive_aliasing_) return;
    decode_count_ += nodes;
    alias_count_ += aliased;
    if (alias_count_ > 100 && decode_count_ > 1000 &&
        static_cast<double>(alias_count_) / static_cast<double>(decode_count_) > allowed_alias_ratio(decode_count_)) {
      excessive_aliasing_ = true;
      errors_before_excess_ = errors_.size();
    }
  }

  void uncount_decoded(std::uint64_t nodes) {
    if (!excessive_aliasing_) decode_count_ -= nodes;
  }

  // yaml.v3's scanner limits (scannerc.go): at most 10,000 nested flow collections (max_flow_level) and 10,000
  // block indentation levels (max_indents). The error is a scanner error located at the context mark: the
  // collection's opening bracket, the key that starts a block mapping, or for a block sequence the last
  // possible simple key of the block context (libyaml marks are 0-based; yaml.v3 prints line + 1, and
  // nothing when it is the first line).
  static constexpr std::size_t kMaxDepth = 10000;

  [[noreturn]] void depth_exceeded(std::size_t context_line, std::size_t problem_line, const yaml_mark_t& at) {
    std::size_t line = context_line ? context_line : problem_line;
    std::string msg = "yaml: ";
    if (line) msg += "line " + std::to_string(line + 1) + ": ";
    throw YamlError(msg + "exceeded max depth of " + std::to_string(kMaxDepth), at.line + 1, at.column + 1);
  }

  bool enter_flow(const yaml_event_t& ev) {
    // The event's end mark is the end of its `[`/`{` token (after an anchor or tag, if any).
    if (flow_depth_ == 0) note_simple_key(ev);
    if (++flow_depth_ > kMaxDepth) depth_exceeded(ev.end_mark.line, ev.end_mark.line, ev.end_mark);
    return false;
  }

  // A block mapping's end mark is its first key (the BLOCK-MAPPING-START token sits there).
  bool enter_block_mapping(const yaml_event_t& ev) {
    return roll_indent(ev.end_mark.column, ev.end_mark.line, ev.end_mark);
  }

  // A block sequence's end mark is its first `-`; an indentless sequence (a mapping value whose `-` sits at the
  // mapping's own column) ends at the `-` token's end instead and never adds a level.
  bool enter_block_sequence(const yaml_event_t& ev) {
    if (!indents_.empty() && char_at(ev.end_mark) != '-') return false;
    return roll_indent(ev.end_mark.column, simple_key_line_, ev.end_mark);
  }

  bool roll_indent(std::size_t column, std::size_t context_line, const yaml_mark_t& at) {
    if (!indents_.empty() && column <= indents_.back()) return false;
    indents_.push_back(column);
    if (indents_.size() > kMaxDepth) depth_exceeded(context_line, at.line, at);
    return true;
  }

  void leave_collection(bool flow, bool indented) {
    if (flow) --flow_depth_;
    if (indented) indents_.pop_back();
  }

  // The scanner's last possible simple key of the block context: a node starting with a scalar, alias,
  // anchor, tag or flow collection.
  void note_simple_key(const yaml_event_t& ev) {
    if (flow_depth_ == 0) simple_key_line_ = ev.start_mark.line;
  }

  // The character at a libyaml mark (marks count characters; a forward cursor maps them to bytes).
  char char_at(const yaml_mark_t& mark) {
    if (mark.index < cursor_index_) cursor_index_ = cursor_byte_ = 0;
    while (cursor_index_ < mark.index && cursor_byte_ < text_.size()) {
      ++cursor_byte_;
      while (cursor_byte_ < text_.size() && (static_cast<unsigned char>(text_[cursor_byte_]) & 0xC0) == 0x80) ++cursor_byte_;
      ++cursor_index_;
    }
    return cursor_byte_ < text_.size() ? text_[cursor_byte_] : '\0';
  }

  std::string_view text_;
  bool has_slash_escape_ = text_.find("\\/") != std::string_view::npos;
  yaml_parser_t parser_;
  std::shared_ptr<const std::string> file_;
  std::map<std::string, Anchor> anchors_;
  std::set<std::string> open_anchors_;
  std::vector<DecodeError> errors_;
  std::uint64_t decode_count_ = 0;
  std::uint64_t alias_count_ = 0;
  bool excessive_aliasing_ = false;
  std::size_t errors_before_excess_ = 0;
  std::size_t flow_depth_ = 0;
  std::vector<std::size_t> indents_;
  std::size_t simple_key_line_ = 0;
  std::size_t cursor_index_ = 0;
  std::size_t cursor_byte_ = 0;
};

}  // namespace

Value parse_yaml(std::string_view text, const std::string& file) {
  Loader loader(text, file);
  return loader.run();
}

Value load_yaml_file(const std::string& path) { return parse_yaml(read_text_file(path), path); }

}  // namespace atmos
