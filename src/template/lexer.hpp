// Lexer for Go's text/template (text/template/parse/lex.go), producing the same items, positions and
// line numbers, including trim markers and the error items the parser turns into messages.
//
// Go runs its lexer in a goroutine feeding a channel; this one runs its state machine on demand, which
// yields the same item sequence. After the last item (EOF or an error) it returns Go's zero item.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

namespace atmos::tmpl {

enum class ItemType {
  Error,  // value is the text of the error
  Bool,
  Char,  // printable ASCII character; grab bag for comma etc.
  CharConstant,
  Comment,
  Complex,
  Assign,   // '='
  Declare,  // ':='
  Eof,
  Field,       // alphanumeric identifier starting with '.'
  Identifier,  // alphanumeric identifier not starting with '.'
  LeftDelim,
  LeftParen,
  Number,
  Pipe,
  RawString,
  RightDelim,
  RightParen,
  Space,
  String,
  Text,
  Variable,  // '$', '$x'
  // Keywords appear after all the rest.
  Keyword,
  Block,
  Break,
  Continue,
  Dot,
  Define,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
};

struct Item {
  ItemType type = ItemType::Error;
  std::size_t pos = 0;  // byte offset in the input
  std::string val;
  int line = 0;  // line number at the start of the item

  // item.String(): how the parser quotes an item in "unexpected ..." errors.
  std::string describe() const;
};

class Lexer {
 public:
  // `input` must outlive the lexer. `break_ok`/`continue_ok` are false when a function of that name
  // exists, which makes the word an identifier (as Go does).
  Lexer(std::string_view input, std::string_view left_delim, std::string_view right_delim, bool break_ok,
        bool continue_ok);

  Item next_item();

 private:
  enum class State {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    InsideAction,
    Space,
    Identifier,
    Field,
    Variable,
    Char,
    Number,
    Quote,
    RawQuote,
    Done,
  };

  static constexpr int kEof = -1;

  std::string_view input_;
  std::string left_delim_;
  std::string right_delim_;
  bool break_ok_;
  bool continue_ok_;
  std::size_t pos_ = 0;
  std::size_t start_ = 0;
  bool at_eof_ = false;
  int paren_depth_ = 0;
  int line_ = 1;
  int start_line_ = 1;
  State state_ = State::Text;
  std::deque<Item> items_;

  int next();
  int peek();
  void backup();
  void emit(ItemType t);
  void ignore();
  bool accept(std::string_view valid);
  void accept_run(std::string_view valid);
  State errorf(std::string msg);
  bool at_terminator();
  void at_right_delim(bool& delim, bool& trim_spaces);
  bool scan_number();

  State step(State s);
  State lex_text();
  State lex_left_delim();
  State lex_comment();
  State lex_right_delim();
  State lex_inside_action();
  State lex_space();
  State lex_identifier();
  State lex_field_or_variable(ItemType typ);
  State lex_variable();
  State lex_char();
  State lex_number();
  State lex_quote();
  State lex_raw_quote();
};

}  // namespace atmos::tmpl
