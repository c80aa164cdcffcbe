#include "core/json_emit.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ostream>
#include <unordered_map>

#include "core/error.hpp"

namespace atmos {

namespace {

constexpr std::size_t kChunk = 256 * 1024;
constexpr char kHex[] = "0123456789abcdef";

// Shortest round-trip decimal digits of |f| (> 0, finite) and the position of the decimal point relative to
// them, as strconv's `decimalSlice` gives them (value = 0.DIGITS × 10^dp).
struct Digits {
  char d[32];
  int nd = 0;
  int dp = 0;
};

Digits shortest_digits(double f) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  Digits out;
  const char* p = buf;
  for (; p < res.ptr && *p != 'e'; ++p) {
    if (*p != '.') out.d[out.nd++] = *p;
  }
  int exp = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), res.ptr, exp);
  out.dp = exp + 1;
  return out;
}

void append_fixed(std::string& out, const Digits& g) {
  if (g.dp > 0) {
    int n = std::min(g.dp, g.nd);
    out.append(g.d, static_cast<std::size_t>(n));
    out.append(static_cast<std::size_t>(g.dp - n), '0');
  } else {
    out += '0';
  }
  int prec = std::max(g.nd - g.dp, 0);
  if (prec > 0) {
    out += '.';
    for (int i = 1; i <= prec; ++i) {
      int j = g.dp + i - 1;
      out += (j >= 0 && j < g.nd) ? g.d[j] : '0';
    }
  }
}

void append_exp(std::string& out, const Digits& g) {
  out += g.nd == 0 ? '0' : g.d[0];
  if (g.nd > 1) {
    out += '.';
    out.append(g.d + 1, static_cast<std::size_t>(g.nd - 1));
  }
  int exp = g.nd == 0 ? 0 : g.dp - 1;
  out += 'e';
  out += exp < 0 ? '-' : '+';
  if (exp < 0) exp = -exp;
  if (exp < 10) out += '0';
  char buf[8];
  auto res = std::to_chars(buf, buf + sizeof buf, exp);
  out.append(buf, res.ptr);
}

}  // namespace

std::pair<int, int> decode_go_rune(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c0 = b(0);
  std::size_t left = s.size() - i;
  auto cont = [&](std::size_t k, unsigned char lo, unsigned char hi) { return k < left && b(k) >= lo && b(k) <= hi; };
  if (c0 < 0x80) return {c0, 1};
  if (c0 >= 0xC2 && c0 <= 0xDF) {
    if (cont(1, 0x80, 0xBF)) return {((c0 & 0x1F) << 6) | (b(1) & 0x3F), 2};
    return {-1, 1};
  }
  if (c0 >= 0xE0 && c0 <= 0xEF) {
    unsigned char lo = c0 == 0xE0 ? 0xA0 : 0x80;
    unsigned char hi = c0 == 0xED ? 0x9F : 0xBF;
    if (cont(1, lo, hi) && cont(2, 0x80, 0xBF)) {
      return {((c0 & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F), 3};
    }
    return {-1, 1};
  }
  if (c0 >= 0xF0 && c0 <= 0xF4) {
    unsigned char lo = c0 == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = c0 == 0xF4 ? 0x8F : 0xBF;
    if (cont(1, lo, hi) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF)) {
      return {((c0 & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F), 4};
    }
  }
  return {-1, 1};
}

namespace {

// encoding/json's encodeState.string with escapeHTML = true.
void append_string(std::string& out, std::string_view s) {
  out += '"';
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if (b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&') {
        ++i;
        continue;
      }
      out.append(s.substr(start, i - start));
      out += '\\';
      switch (b) {
        case '\\':
        case '"': out += static_cast<char>(b); break;
        case '\n': out += 'n'; break;
        case '\r': out += 'r'; break;
        case '\t': out += 't'; break;
        default:
          out += "u00";
          out += kHex[b >> 4];
          out += kHex[b & 0xF];
      }
      start = ++i;
      continue;
    }
    auto [rune, size] = decode_go_rune(s, i);
    if (rune < 0) {
      out.append(s.substr(start, i - start));
      out += "\\ufffd";
      start = ++i;
      continue;
    }
    if (rune == 0x2028 || rune == 0x2029) {
      out.append(s.substr(start, i - start));
      out += "\\u202";
      out += kHex[rune & 0xF];
      i += static_cast<std::size_t>(size);
      start = i;
      continue;
    }
    i += static_cast<std::size_t>(size);
  }
  out.append(s.substr(start));
  out += '"';
}

void append_float(std::string& out, double f) {
  if (!std::isfinite(f)) {
    throw Error(ErrorKind::Stack, "json: unsupported value: " + format_go_float(f, 'g'));
  }
  double a = std::fabs(f);
  char fmt = (a != 0 && (a < 1e-6 || a >= 1e21)) ? 'e' : 'f';
  std::string s = format_go_float(f, fmt);
  // encoding/json shortens a two-digit negative exponent: 1e-07 -> 1e-7.
  std::size_t n = s.size();
  if (fmt == 'e' && n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') {
    s[n - 2] = s[n - 1];
    s.pop_back();
  }
  out += s;
}

template <class T>
void append_integer(std::string& out, T v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

struct CacheKey {
  const void* node;
  int depth;
  bool operator==(const CacheKey& o) const { return node == o.node && depth == o.depth; }
};

struct CacheKeyHash {
  std::size_t operator()(const CacheKey& k) const {
    return std::hash<const void*>()(k.node) ^ (static_cast<std::size_t>(k.depth) * 0x9E3779B97F4A7C15ull);
  }
};

// Rendered text of large containers seen more than once. Every container is first rendered in place; one
// whose text reaches kCacheMin bytes is remembered, and its next sighting renders into `text`, which every
// later sighting copies. Small containers are cheaper to print again than to look up.
constexpr std::size_t kCacheMin = 512;

struct CacheEntry {
  bool cached = false;
  std::string text;
};

using Cache = std::unordered_map<CacheKey, CacheEntry, CacheKeyHash>;

class JsonWriter {
 public:
  JsonWriter(JsonStyle style, Cache& cache, std::string& out, const std::function<void(std::string_view)>* sink)
      : indented_(style == JsonStyle::Indented), cache_(cache), out_(out), sink_(sink) {}

  void value(const Value& v, int depth) {
    switch (v.kind()) {
      case Kind::Null: out_ += "null"; return;
      case Kind::Bool: out_ += v.as_bool() ? "true" : "false"; return;
      case Kind::Int: append_integer(out_, v.as_int()); return;
      case Kind::Uint: append_integer(out_, v.as_uint()); return;
      case Kind::Float: append_float(out_, v.as_float()); return;
      case Kind::String: append_string(out_, v.as_string()); return;
      case Kind::List:
      case Kind::Map:
        if (v.empty()) {
          out_ += v.is_map() ? "{}" : "[]";
          return;
        }
        // A node with a single handle occurs once in the tree: nothing to reuse.
        if (v.is_shared()) {
          shared(v, depth);
        } else {
          container(v, depth);
        }
        return;
    }
  }

 private:
  void shared(const Value& v, int depth) {
    CacheKey key{v.identity(), indented_ ? depth : 0};
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      std::size_t start = written();
      container(v, depth);
      if (written() - start >= kCacheMin) cache_.emplace(key, CacheEntry{});
      return;
    }
    CacheEntry& e = it->second;
    if (!e.cached) {
      JsonWriter nested(indented_ ? JsonStyle::Indented : JsonStyle::Compact, cache_, e.text, nullptr);
      nested.container(v, depth);
      e.cached = true;
    }
    out_ += e.text;
    maybe_flush();
  }

  std::size_t written() const { return flushed_ + out_.size(); }

  void container(const Value& v, int depth) {
    if (v.is_map()) {
      out_ += '{';
      bool first = true;
      for (const auto& [key, item] : v.as_map()) {
        separator(first, depth + 1);
        append_string(out_, key);
        out_ += indented_ ? ": " : ":";
        value(item, depth + 1);
        maybe_flush();
      }
      newline(depth);
      out_ += '}';
    } else {
      out_ += '[';
      bool first = true;
      for (const auto& item : v.as_list()) {
        separator(first, depth + 1);
        value(item, depth + 1);
        maybe_flush();
      }
      newline(depth);
      out_ += ']';
    }
  }

  void separator(bool& first, int depth) {
    if (!first) out_ += ',';
    first = false;
    newline(depth);
  }

  void newline(int depth) {
    if (!indented_) return;
    out_ += '\n';
    out_.append(static_cast<std::size_t>(depth) * 2, ' ');
  }

  void maybe_flush() {
    if (sink_ && out_.size() >= kChunk) {
      (*sink_)(out_);
      flushed_ += out_.size();
      out_.clear();
    }
  }

  bool indented_;
  Cache& cache_;
  std::string& out_;
  const std::function<void(std::string_view)>* sink_;
  std::size_t flushed_ = 0;
};

void render(const Value& v, JsonStyle style, std::string& out, const std::function<void(std::string_view)>* sink) {
  Cache cache;
  JsonWriter w(style, cache, out, sink);
  w.value(v, 0);
  if (style == JsonStyle::Indented) out += '\n';
}

}  // namespace

std::string format_go_float(double f, char fmt) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  std::string out;
  if (std::signbit(f)) out += '-';
  Digits g;
  if (f != 0) g = shortest_digits(std::fabs(f));
  bool exp_form = fmt == 'e';
  if (fmt == 'g') {
    int exp = g.dp - 1;
    exp_form = g.nd != 0 && (exp < -4 || exp >= 6);
  }
  if (exp_form) {
    append_exp(out, g);
  } else {
    append_fixed(out, g);
  }
  return out;
}

std::string to_json(const Value& v, JsonStyle style) {
  std::string out;
  render(v, style, out, nullptr);
  return out;
}

void write_json(const Value& v, const std::function<void(std::string_view)>& sink, JsonStyle style) {
  std::string buf;
  buf.reserve(kChunk + kChunk / 4);
  render(v, style, buf, &sink);
  if (!buf.empty()) sink(buf);
}

void write_json(const Value& v, std::FILE* out, JsonStyle style) {
  write_json(
      v,
      [out](std::string_view chunk) {
        if (std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size()) {
          throw Error(ErrorKind::Io, std::string("write error: ") + std::strerror(errno));
        }
      },
      style);
}

void write_json(const Value& v, std::ostream& out, JsonStyle style) {
  write_json(
      v,
      [&out](std::string_view chunk) {
        if (!out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()))) {
          throw Error(ErrorKind::Io, "write error");
        }
      },
      style);
}

}  // namespace atmos
