// Cases from Go 1.19's text/template/parse/lex_test.go (lexPosTests and lexTests).
#include "template/lexer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace atmos::tmpl {
namespace {

std::vector<Item> collect(std::string_view input, std::string_view left = "", std::string_view right = "") {
  Lexer lexer(input, left, right, true, true);
  std::vector<Item> items;
  for (;;) {
    Item item = lexer.next_item();
    items.push_back(item);
    if (item.type == ItemType::Eof || item.type == ItemType::Error) return items;
  }
}

void expect_items(std::string_view input, const std::vector<Item>& want) {
  std::vector<Item> got = collect(input);
  ASSERT_EQ(got.size(), want.size()) << input;
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].type, want[i].type) << input << " item " << i;
    EXPECT_EQ(got[i].pos, want[i].pos) << input << " item " << i;
    EXPECT_EQ(got[i].val, want[i].val) << input << " item " << i;
    EXPECT_EQ(got[i].line, want[i].line) << input << " item " << i;
  }
}

TEST(TemplateLexer, ItemPositionsAndLinesMatchGo) {
  expect_items("", {{ItemType::Eof, 0, "", 1}});
  expect_items("{{,@%#}}", {{ItemType::LeftDelim, 0, "{{", 1},
                            {ItemType::Char, 2, ",", 1},
                            {ItemType::Char, 3, "@", 1},
                            {ItemType::Char, 4, "%", 1},
                            {ItemType::Char, 5, "#", 1},
                            {ItemType::RightDelim, 6, "}}", 1},
                            {ItemType::Eof, 8, "", 1}});
  expect_items("0123{{hello}}xyz", {{ItemType::Text, 0, "0123", 1},
                                    {ItemType::LeftDelim, 4, "{{", 1},
                                    {ItemType::Identifier, 6, "hello", 1},
                                    {ItemType::RightDelim, 11, "}}", 1},
                                    {ItemType::Text, 13, "xyz", 1},
                                    {ItemType::Eof, 16, "", 1}});
}

TEST(TemplateLexer, TrimMarkersDropAdjacentSpaceButKeepLineNumbers) {
  expect_items("{{x -}}\n{{y}}", {{ItemType::LeftDelim, 0, "{{", 1},
                                  {ItemType::Identifier, 2, "x", 1},
                                  {ItemType::RightDelim, 5, "}}", 1},
                                  {ItemType::LeftDelim, 8, "{{", 2},
                                  {ItemType::Identifier, 10, "y", 2},
                                  {ItemType::RightDelim, 11, "}}", 2},
                                  {ItemType::Eof, 13, "", 2}});
  expect_items("{{x}}\n{{- y}}", {{ItemType::LeftDelim, 0, "{{", 1},
                                  {ItemType::Identifier, 2, "x", 1},
                                  {ItemType::RightDelim, 3, "}}", 1},
                                  {ItemType::LeftDelim, 6, "{{", 2},
                                  {ItemType::Identifier, 10, "y", 2},
                                  {ItemType::RightDelim, 11, "}}", 2},
                                  {ItemType::Eof, 13, "", 2}});
}

TEST(TemplateLexer, NumbersFieldsAndVariablesSplitLikeGo) {
  std::vector<Item> items = collect("{{1+2i .x.y $v.f -7.2i 0x1.e_fp4}}");
  std::vector<std::pair<ItemType, std::string>> want{
      {ItemType::LeftDelim, "{{"},  {ItemType::Complex, "1+2i"}, {ItemType::Space, " "},
      {ItemType::Field, ".x"},      {ItemType::Field, ".y"},     {ItemType::Space, " "},
      {ItemType::Variable, "$v"},   {ItemType::Field, ".f"},     {ItemType::Space, " "},
      {ItemType::Number, "-7.2i"},  {ItemType::Space, " "},      {ItemType::Number, "0x1.e_fp4"},
      {ItemType::RightDelim, "}}"}, {ItemType::Eof, ""}};
  ASSERT_EQ(items.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(items[i].type, want[i].first) << i;
    EXPECT_EQ(items[i].val, want[i].second) << i;
  }
}

TEST(TemplateLexer, ErrorItemEndsTheStreamWithGoZeroItems) {
  Lexer lexer("{{\"abc}}", "", "", true, true);
  EXPECT_EQ(lexer.next_item().type, ItemType::LeftDelim);
  Item err = lexer.next_item();
  EXPECT_EQ(err.type, ItemType::Error);
  EXPECT_EQ(err.val, "unterminated quoted string");
  Item after = lexer.next_item();
  EXPECT_EQ(after.type, ItemType::Error);
  EXPECT_EQ(after.val, "");
  EXPECT_EQ(after.line, 0);
}

TEST(TemplateLexer, BreakIsAnIdentifierWhenAFunctionHasThatName) {
  Lexer lexer("{{break}}", "", "", false, true);
  lexer.next_item();
  EXPECT_EQ(lexer.next_item().type, ItemType::Identifier);
}

TEST(TemplateLexer, ItemDescriptionsQuoteLikeGo) {
  EXPECT_EQ((Item{ItemType::Char, 0, "}", 1}).describe(), "\"}\"");
  EXPECT_EQ((Item{ItemType::Define, 0, "define", 1}).describe(), "<define>");
  EXPECT_EQ((Item{ItemType::String, 0, "\"a long string\"", 1}).describe(), "\"\\\"a long st\"...");
  EXPECT_EQ((Item{ItemType::Eof, 0, "", 1}).describe(), "EOF");
}

}  // namespace
}  // namespace atmos::tmpl
