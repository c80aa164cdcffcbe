#include "core/value.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>
#include <variant>

namespace atmos {

struct Extra {
  std::string tag;
  SourceMark mark;
  bool has_mark = false;
};

struct Value::Node {
  std::variant<std::monostate, bool, std::int64_t, std::uint64_t, double, std::string, List, Map> data;
  std::unique_ptr<Extra> extra;
  bool ordered = false;  // map entries in declaration order instead of sorted
};

namespace {

template <class T>
std::shared_ptr<const Value::Node> make(T&& v) {
  auto n = std::make_shared<Value::Node>();
  n->data = std::forward<T>(v);
  return n;
}

const std::string kEmptyString;
const List kEmptyList;
const Map kEmptyMap;

bool key_less(const MapEntry& e, std::string_view k) { return e.first < k; }

}  // namespace

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Null: return "null";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Uint: return "uint";
    case Kind::Float: return "float";
    case Kind::String: return "string";
    case Kind::List: return "list";
    case Kind::Map: return "map";
  }
  return "?";
}

Value::Value(bool b) : node_(make(b)) {}
Value::Value(std::int64_t v) : node_(make(v)) {}
Value Value::from_uint(std::uint64_t v) { return Value(make(v)); }
Value::Value(double v) : node_(make(v)) {}
Value::Value(std::string s) : node_(make(std::move(s))) {}
Value Value::list(List items) { return Value(make(std::move(items))); }

Value Value::map(Map entries) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const MapEntry& a, const MapEntry& b) { return a.first < b.first; });
  // Keep the last of equal keys.
  Map out;
  out.reserve(entries.size());
  for (auto& e : entries) {
    if (!out.empty() && out.back().first == e.first) {
      out.back().second = std::move(e.second);
    } else {
      out.push_back(std::move(e));
    }
  }
  return Value(make(std::move(out)));
}

Value Value::sorted_map(Map entries) {
#ifndef NDEBUG
  for (std::size_t i = 1; i < entries.size(); ++i) assert(entries[i - 1].first < entries[i].first);
#endif
  return Value(make(std::move(entries)));
}

Value Value::ordered_map(Map entries) {
  auto n = std::make_shared<Node>();
  n->data = std::move(entries);
  n->ordered = true;
  return Value(std::shared_ptr<const Node>(std::move(n)));
}

bool Value::is_ordered() const { return node_ && node_->ordered; }

Value Value::empty_map() {
  static const Value kEmpty = Value(make(Map{}));
  return kEmpty;
}

Kind Value::kind() const {
  if (!node_) return Kind::Null;
  return static_cast<Kind>(node_->data.index());
}

bool Value::as_bool() const {
  if (kind() != Kind::Bool) throw std::logic_error("value is not a bool");
  return std::get<bool>(node_->data);
}

std::int64_t Value::as_int() const {
  switch (kind()) {
    case Kind::Int: return std::get<std::int64_t>(node_->data);
    case Kind::Uint: return static_cast<std::int64_t>(std::get<std::uint64_t>(node_->data));
    case Kind::Float: return static_cast<std::int64_t>(std::get<double>(node_->data));
    default: throw std::logic_error("value is not a number");
  }
}

std::uint64_t Value::as_uint() const {
  if (kind() == Kind::Uint) return std::get<std::uint64_t>(node_->data);
  return static_cast<std::uint64_t>(as_int());
}

double Value::as_float() const {
  switch (kind()) {
    case Kind::Int: return static_cast<double>(std::get<std::int64_t>(node_->data));
    case Kind::Uint: return static_cast<double>(std::get<std::uint64_t>(node_->data));
    case Kind::Float: return std::get<double>(node_->data);
    default: throw std::logic_error("value is not a number");
  }
}

const std::string& Value::as_string() const {
  if (kind() != Kind::String) throw std::logic_error("value is not a string");
  return std::get<std::string>(node_->data);
}

const List& Value::as_list() const {
  if (kind() != Kind::List) return kEmptyList;
  return std::get<List>(node_->data);
}

const Map& Value::as_map() const {
  if (kind() != Kind::Map) return kEmptyMap;
  return std::get<Map>(node_->data);
}

const Value* Value::find(std::string_view key) const {
  if (kind() != Kind::Map) return nullptr;
  const Map& m = std::get<Map>(node_->data);
  if (node_->ordered) {
    for (const auto& e : m)
      if (e.first == key) return &e.second;
    return nullptr;
  }
  auto it = std::lower_bound(m.begin(), m.end(), key, key_less);
  if (it != m.end() && it->first == key) return &it->second;
  return nullptr;
}

Value Value::get(std::string_view key) const {
  const Value* v = find(key);
  return v ? *v : Value();
}

Value Value::at(std::initializer_list<std::string_view> path) const {
  Value cur = *this;
  for (auto k : path) {
    const Value* next = cur.find(k);
    if (!next) return Value();
    cur = *next;
  }
  return cur;
}

Value Value::with(std::string_view key, Value v) const {
  Map m = as_map();
  if (is_ordered()) {
    for (auto& e : m)
      if (e.first == key) {
        e.second = std::move(v);
        return ordered_map(std::move(m));
      }
    m.emplace_back(std::string(key), std::move(v));
    return ordered_map(std::move(m));
  }
  auto it = std::lower_bound(m.begin(), m.end(), key, key_less);
  if (it != m.end() && it->first == key) {
    it->second = std::move(v);
  } else {
    m.insert(it, MapEntry(std::string(key), std::move(v)));
  }
  return Value(make(std::move(m)));
}

Value Value::without(std::string_view key) const {
  if (!find(key)) return *this;
  Map m = as_map();
  if (is_ordered()) {
    m.erase(std::find_if(m.begin(), m.end(), [&](const MapEntry& e) { return e.first == key; }));
    return ordered_map(std::move(m));
  }
  auto it = std::lower_bound(m.begin(), m.end(), key, key_less);
  m.erase(it);
  return Value(make(std::move(m)));
}

bool Value::empty() const {
  switch (kind()) {
    case Kind::Null: return true;
    case Kind::String: return as_string().empty();
    case Kind::List: return as_list().empty();
    case Kind::Map: return as_map().empty();
    default: return false;
  }
}

std::size_t Value::size() const {
  switch (kind()) {
    case Kind::String: return as_string().size();
    case Kind::List: return as_list().size();
    case Kind::Map: return as_map().size();
    default: return 0;
  }
}

const std::string& Value::tag() const {
  if (!node_ || !node_->extra) return kEmptyString;
  return node_->extra->tag;
}

Value Value::with_tag(std::string tag) const {
  auto n = std::make_shared<Node>();
  n->data = node_ ? node_->data : decltype(n->data){};
  n->extra = std::make_unique<Extra>();
  if (node_ && node_->extra) *n->extra = *node_->extra;
  n->extra->tag = std::move(tag);
  return Value(std::shared_ptr<const Node>(std::move(n)));
}

const SourceMark* Value::mark() const {
  if (!node_ || !node_->extra || !node_->extra->has_mark) return nullptr;
  return &node_->extra->mark;
}

Value Value::with_mark(SourceMark m) const {
  auto n = std::make_shared<Node>();
  n->data = node_ ? node_->data : decltype(n->data){};
  n->extra = std::make_unique<Extra>();
  if (node_ && node_->extra) *n->extra = *node_->extra;
  n->extra->mark = std::move(m);
  n->extra->has_mark = true;
  return Value(std::shared_ptr<const Node>(std::move(n)));
}

Value Value::annotate(Value v, SourceMark m, std::string tag) {
  if (!v.node_ || v.node_.use_count() != 1) {
    Value out = v.with_mark(std::move(m));
    return tag.empty() ? out : out.with_tag(std::move(tag));
  }
  // Sole owner of a node nobody else can observe yet: safe to finish it in place.
  auto* node = const_cast<Node*>(v.node_.get());
  if (!node->extra) node->extra = std::make_unique<Extra>();
  node->extra->mark = std::move(m);
  node->extra->has_mark = true;
  if (!tag.empty()) node->extra->tag = std::move(tag);
  return v;
}

bool operator==(const Value& a, const Value& b) {
  if (a.node_ == b.node_) return true;
  Kind ka = a.kind(), kb = b.kind();
  if (a.is_number() && b.is_number()) {
    if (ka == Kind::Float || kb == Kind::Float) return a.as_float() == b.as_float();
    if (ka == Kind::Uint || kb == Kind::Uint) {
      if ((ka == Kind::Int && a.as_int() < 0) || (kb == Kind::Int && b.as_int() < 0)) return false;
      return a.as_uint() == b.as_uint();
    }
    return a.as_int() == b.as_int();
  }
  if (ka != kb) return false;
  switch (ka) {
    case Kind::Null: return true;
    case Kind::Bool: return a.as_bool() == b.as_bool();
    case Kind::String: return a.as_string() == b.as_string();
    case Kind::List: return a.as_list() == b.as_list();
    case Kind::Map: {
      if (!a.is_ordered() && !b.is_ordered()) return a.as_map() == b.as_map();
      if (a.size() != b.size()) return false;
      for (const auto& [k, v] : a.as_map()) {
        const Value* other = b.find(k);
        if (!other || *other != v) return false;
      }
      return true;
    }
    default: return false;
  }
}

std::string describe_value(const Value& v) {
  switch (v.kind()) {
    case Kind::Null: return "null";
    case Kind::Bool: return v.as_bool() ? "true" : "false";
    case Kind::Int: return std::to_string(v.as_int());
    case Kind::Uint: return std::to_string(v.as_uint());
    case Kind::Float: {
      double d = v.as_float();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
      return std::to_string(d);
    }
    case Kind::String: return v.as_string();
    case Kind::List: return "[list of " + std::to_string(v.size()) + "]";
    case Kind::Map: return "{map of " + std::to_string(v.size()) + "}";
  }
  return "";
}

}  // namespace atmos
