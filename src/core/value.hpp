// Immutable value tree shared by every layer: YAML/JSON documents, merged stack sections, template data.
//
// A Value is a cheap handle (one shared_ptr) to an immutable node. Copying a Value never copies the node,
// so deep merges return trees that share every untouched subtree with their inputs, and printers can
// cache the rendering of a shared subtree by node address. Values are safe to read from many threads.
//
// Maps keep string keys in bytewise-sorted order (unique keys), which makes lookup a binary search and
// deep merge a linear walk. Printers that need another order (yaml.v3's natural order) sort at print time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atmos {

enum class Kind : std::uint8_t { Null, Bool, Int, Uint, Float, String, List, Map };

const char* kind_name(Kind k);

// Where a node came from. Only nodes built by a loader carry one; merged maps do not.
struct SourceMark {
  std::shared_ptr<const std::string> file;
  std::uint32_t line = 0;    // 1-based; 0 = unknown
  std::uint32_t column = 0;  // 1-based
};

class Value;
using List = std::vector<Value>;
using MapEntry = std::pair<std::string, Value>;
using Map = std::vector<MapEntry>;  // sorted by key, unique keys

class Value {
 public:
  struct Node;

  Value() = default;  // null
  Value(std::nullptr_t) {}
  explicit Value(bool b);
  Value(int v) : Value(static_cast<std::int64_t>(v)) {}
  Value(std::int64_t v);
  static Value from_uint(std::uint64_t v);
  Value(double v);
  Value(std::string s);
  Value(const char* s) : Value(std::string(s)) {}
  Value(std::string_view s) : Value(std::string(s)) {}
  static Value list(List items);
  // `entries` need not be sorted; later duplicates win.
  static Value map(Map entries);
  // `entries` must already be sorted by key and unique (checked by assertion).
  static Value sorted_map(Map entries);
  static Value empty_map();
  // A map that keeps `entries` in the given order (unique keys), for Go structs that print their fields in
  // declaration order. Lookups scan; such maps are built for output only and must not be deep-merged.
  static Value ordered_map(Map entries);
  bool is_ordered() const;

  Kind kind() const;
  bool is_null() const { return kind() == Kind::Null; }
  bool is_bool() const { return kind() == Kind::Bool; }
  bool is_string() const { return kind() == Kind::String; }
  bool is_list() const { return kind() == Kind::List; }
  bool is_map() const { return kind() == Kind::Map; }
  bool is_number() const { Kind k = kind(); return k == Kind::Int || k == Kind::Uint || k == Kind::Float; }

  bool as_bool() const;
  std::int64_t as_int() const;
  std::uint64_t as_uint() const;
  double as_float() const;  // any number kind converted
  const std::string& as_string() const;
  const List& as_list() const;
  const Map& as_map() const;

  // Map lookup; null Value when absent or when this is not a map.
  Value get(std::string_view key) const;
  const Value* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }
  // Convenience: nested lookup through maps, e.g. at({"components", "terraform"}).
  Value at(std::initializer_list<std::string_view> path) const;
  // Returns a copy of this map with key set (or removed when `erase`).
  Value with(std::string_view key, Value v) const;
  Value without(std::string_view key) const;

  // Empty for strings, lists and maps; also true for null.
  bool empty() const;
  std::size_t size() const;

  // YAML tag as written (e.g. "!env"); empty when untagged. Kept so parse-time functions can act on it.
  const std::string& tag() const;
  Value with_tag(std::string tag) const;
  const SourceMark* mark() const;
  Value with_mark(SourceMark m) const;
  // Sets the mark (and the tag when non-empty) on a value the caller has just built; done in place when
  // `v` is the only handle to its node, so loaders do not allocate every node twice.
  static Value annotate(Value v, SourceMark m, std::string tag);

  // Identity of the shared node (for printer caches); null for the null value.
  const void* identity() const { return node_.get(); }
  // True when other handles point at the same node, i.e. the subtree may occur more than once.
  bool is_shared() const { return node_ && node_.use_count() > 1; }

  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

 private:
  explicit Value(std::shared_ptr<const Node> n) : node_(std::move(n)) {}
  std::shared_ptr<const Node> node_;
};

// Human-readable one-line rendering for error messages (not a serialisation format).
std::string describe_value(const Value& v);

}  // namespace atmos
