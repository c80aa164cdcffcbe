#include "core/merge.hpp"

#include "core/error.hpp"

namespace atmos {
namespace {

constexpr std::string_view kAppendTag = "!append";

Value merge_lists(const Value& left, const Value& right, ListMergeStrategy strategy);

Value merge_values(const Value& left, const Value& right, ListMergeStrategy strategy) {
  if (right.is_list() && right.tag() == kAppendTag) {
    if (!left.is_list()) return right;
    List out = left.as_list();
    for (const auto& v : right.as_list()) out.push_back(v);
    return Value::list(std::move(out));
  }
  if (left.is_map() && right.is_map()) {
    const Map& a = left.as_map();
    const Map& b = right.as_map();
    if (b.empty()) return left;
    if (a.empty()) return right;
    Map out;
    out.reserve(a.size() + b.size());
    auto ia = a.begin(), ib = b.begin();
    while (ia != a.end() || ib != b.end()) {
      if (ib == b.end() || (ia != a.end() && ia->first < ib->first)) {
        out.push_back(*ia++);
      } else if (ia == a.end() || ib->first < ia->first) {
        out.push_back(*ib++);
      } else {
        out.emplace_back(ia->first, merge_values(ia->second, ib->second, strategy));
        ++ia;
        ++ib;
      }
    }
    return Value::sorted_map(std::move(out));
  }
  if (left.is_list() && right.is_list()) return merge_lists(left, right, strategy);
  return right;
}

Value merge_lists(const Value& left, const Value& right, ListMergeStrategy strategy) {
  switch (strategy) {
    case ListMergeStrategy::Replace:
      return right;
    case ListMergeStrategy::Append: {
      List out = left.as_list();
      for (const auto& v : right.as_list()) out.push_back(v);
      return Value::list(std::move(out));
    }
    case ListMergeStrategy::Merge: {
      const List& a = left.as_list();
      const List& b = right.as_list();
      List out = a;
      for (std::size_t i = 0; i < b.size(); ++i) {
        if (i < a.size()) {
          if (a[i].is_map() && b[i].is_map()) out[i] = merge_values(a[i], b[i], strategy);
        } else {
          out.push_back(b[i]);
        }
      }
      return Value::list(std::move(out));
    }
  }
  return right;
}

}  // namespace

ListMergeStrategy parse_list_merge_strategy(std::string_view name) {
  if (name.empty() || name == "replace") return ListMergeStrategy::Replace;
  if (name == "append") return ListMergeStrategy::Append;
  if (name == "merge") return ListMergeStrategy::Merge;
  throw Error(ErrorKind::Config, "invalid list merge strategy: '" + std::string(name) +
                                     "'. Supported list merge strategies are: replace, append, merge");
}

Value deep_merge(const Value& left, const Value& right, ListMergeStrategy strategy) {
  // Like the list form: a null or empty input is a nil/empty map and is skipped.
  bool left_empty = left.is_null() || (left.is_map() && left.as_map().empty());
  bool right_empty = right.is_null() || (right.is_map() && right.as_map().empty());
  if (right_empty) return left_empty ? Value::empty_map() : left;
  if (left_empty) return right;
  return merge_values(left, right, strategy);
}

Value deep_merge(const std::vector<Value>& inputs, ListMergeStrategy strategy) {
  Value acc;
  bool have = false;
  for (const auto& in : inputs) {
    // Inputs are maps; a null input is a nil map, which upstream skips like an empty one.
    if (in.is_null() || (in.is_map() && in.as_map().empty())) continue;
    if (!have) {
      acc = in;
      have = true;
      continue;
    }
    acc = merge_values(acc, in, strategy);
  }
  return have ? acc : Value::empty_map();
}

}  // namespace atmos
