#include "core/merge.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/yaml_load.hpp"

using atmos::deep_merge;
using atmos::ListMergeStrategy;
using atmos::parse_yaml;
using atmos::Value;

namespace {
Value Y(const char* text) { return parse_yaml(text); }
}  // namespace

TEST(DeepMerge, MapsMergeRecursivelyLaterWins) {
  Value out = deep_merge({Y("a: {x: 1, y: 1}\nb: 1"), Y("a: {y: 2, z: 2}")});
  EXPECT_EQ(out, Y("a: {x: 1, y: 2, z: 2}\nb: 1"));
}

TEST(DeepMerge, ExplicitNullReplacesAndKeepsKey) {
  Value out = deep_merge({Y("a: {x: 1}"), Y("a: null")});
  ASSERT_TRUE(out.has("a"));
  EXPECT_TRUE(out.get("a").is_null());
}

TEST(DeepMerge, EmptyMapIsNoOpAtAnyLevel) {
  EXPECT_EQ(deep_merge({Y("a: {x: 1}"), Y("{}")}), Y("a: {x: 1}"));
  EXPECT_EQ(deep_merge({Y("a: {x: 1}"), Y("a: {}")}), Y("a: {x: 1}"));
}

TEST(DeepMerge, TypeMismatchTakesRightSide) {
  EXPECT_EQ(deep_merge({Y("a: {x: 1}"), Y("a: [1]")}), Y("a: [1]"));
  EXPECT_EQ(deep_merge({Y("a: [1]"), Y("a: str")}), Y("a: str"));
}

TEST(DeepMerge, ListStrategies) {
  Value l = Y("a: [1, {k: 1, j: 1}, 3]");
  Value r = Y("a: [9, {k: 2}]");
  EXPECT_EQ(deep_merge({l, r}, ListMergeStrategy::Replace), Y("a: [9, {k: 2}]"));
  EXPECT_EQ(deep_merge({l, r}, ListMergeStrategy::Append), Y("a: [1, {k: 1, j: 1}, 3, 9, {k: 2}]"));
  // merge: index-wise; maps merge, otherwise the earlier element is kept; extras kept.
  EXPECT_EQ(deep_merge({l, r}, ListMergeStrategy::Merge), Y("a: [1, {k: 2, j: 1}, 3]"));
  EXPECT_EQ(deep_merge({Y("a: [1]"), Y("a: [2, 3]")}, ListMergeStrategy::Merge), Y("a: [1, 3]"));
}

TEST(DeepMerge, AppendTagAppendsEvenUnderReplace) {
  Value out = deep_merge({Y("a: [1, 2]"), Y("a: !append [3]")}, ListMergeStrategy::Replace);
  EXPECT_EQ(out, Y("a: [1, 2, 3]"));
}

TEST(DeepMerge, UntouchedSubtreesAreShared) {
  Value left = Y("big: {x: {y: 1}}\nsmall: 1");
  Value out = deep_merge({left, Y("small: 2")});
  EXPECT_EQ(out.get("big").identity(), left.get("big").identity());
}

TEST(DeepMerge, InvalidStrategyNamesTheChoices) {
  try {
    atmos::parse_list_merge_strategy("concat");
    FAIL();
  } catch (const atmos::Error& e) {
    EXPECT_EQ(e.message(), "invalid list merge strategy: 'concat'. Supported list merge strategies are: replace, append, merge");
  }
}

TEST(DeepMerge, NullInputsAreSkippedLikeNilMaps) {
  EXPECT_EQ(deep_merge({Y("a: 1"), Value(), Y("b: 2")}), Y("{a: 1, b: 2}"));
}

TEST(DeepMerge, TwoArgumentFormSkipsNullInputs) {
  EXPECT_EQ(deep_merge(Y("a: 1"), Value()), Y("a: 1"));
  EXPECT_EQ(deep_merge(Value(), Y("a: 1")), Y("a: 1"));
  EXPECT_TRUE(deep_merge(Value(), Value()).is_map());
}
