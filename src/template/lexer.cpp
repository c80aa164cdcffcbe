#include "template/lexer.hpp"

#include <array>

#include "template/go_fmt.hpp"
#include "template/unicode.hpp"

namespace atmos::tmpl {

namespace {

constexpr std::string_view kSpaceChars = " \t\r\n";
constexpr std::string_view kLeftComment = "/*";
constexpr std::string_view kRightComment = "*/";
constexpr char kTrimMarker = '-';
constexpr std::size_t kTrimMarkerLen = 2;  // marker plus the space before or after it

bool is_space(int r) { return r == ' ' || r == '\t' || r == '\r' || r == '\n'; }

bool is_alpha_numeric(int r) {
  if (r < 0) return false;
  if (r < 0x80) return r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  auto c = static_cast<char32_t>(r);
  return unicode::is_letter(c) || unicode::is_digit(c);
}

bool has_left_trim_marker(std::string_view s) {
  return s.size() >= 2 && s[0] == kTrimMarker && is_space(static_cast<unsigned char>(s[1]));
}

bool has_right_trim_marker(std::string_view s) {
  return s.size() >= 2 && is_space(static_cast<unsigned char>(s[0])) && s[1] == kTrimMarker;
}

std::size_t right_trim_length(std::string_view s) {
  std::size_t n = s.find_last_not_of(kSpaceChars);
  return n == std::string_view::npos ? s.size() : s.size() - n - 1;
}

std::size_t left_trim_length(std::string_view s) {
  std::size_t n = s.find_first_not_of(kSpaceChars);
  return n == std::string_view::npos ? s.size() : n;
}

int count_newlines(std::string_view s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

std::string format_rune(int r) {
  std::array<GoValue, 1> args{GoValue::of_int(r)};
  return gofmt::sprintf("%#U", args);
}

ItemType keyword(std::string_view word) {
  if (word == "block") return ItemType::Block;
  if (word == "break") return ItemType::Break;
  if (word == "continue") return ItemType::Continue;
  if (word == "define") return ItemType::Define;
  if (word == "else") return ItemType::Else;
  if (word == "end") return ItemType::End;
  if (word == "if") return ItemType::If;
  if (word == "range") return ItemType::Range;
  if (word == "nil") return ItemType::Nil;
  if (word == "template") return ItemType::Template;
  if (word == "with") return ItemType::With;
  return ItemType::Error;
}

}  // namespace

std::string Item::describe() const {
  std::array<GoValue, 1> args{GoValue::of_string(val)};
  switch (type) {
    case ItemType::Eof: return "EOF";
    case ItemType::Error: return val;
    default: break;
  }
  if (type > ItemType::Keyword) return "<" + val + ">";
  if (val.size() > 10) return gofmt::sprintf("%.10q...", args);
  return gofmt::sprintf("%q", args);
}

Lexer::Lexer(std::string_view input, std::string_view left_delim, std::string_view right_delim, bool break_ok,
             bool continue_ok)
    : input_(input),
      left_delim_(left_delim.empty() ? "{{" : left_delim),
      right_delim_(right_delim.empty() ? "}}" : right_delim),
      break_ok_(break_ok),
      continue_ok_(continue_ok) {}

Item Lexer::next_item() {
  while (items_.empty() && state_ != State::Done) state_ = step(state_);
  if (items_.empty()) return Item{};
  Item item = std::move(items_.front());
  items_.pop_front();
  return item;
}

int Lexer::next() {
  if (pos_ >= input_.size()) {
    at_eof_ = true;
    return kEof;
  }
  unicode::Decoded d = unicode::decode(input_.substr(pos_));
  pos_ += static_cast<std::size_t>(d.width);
  if (d.rune == '\n') ++line_;
  return static_cast<int>(d.rune);
}

int Lexer::peek() {
  int r = next();
  backup();
  return r;
}

void Lexer::backup() {
  if (!at_eof_ && pos_ > 0) {
    unicode::Decoded d = unicode::decode_last(input_.substr(0, pos_));
    pos_ -= static_cast<std::size_t>(d.width);
    if (d.rune == '\n') --line_;
  }
}

void Lexer::emit(ItemType t) {
  items_.push_back(Item{t, start_, std::string(input_.substr(start_, pos_ - start_)), start_line_});
  start_ = pos_;
  start_line_ = line_;
}

void Lexer::ignore() {
  line_ += count_newlines(input_.substr(start_, pos_ - start_));
  start_ = pos_;
  start_line_ = line_;
}

bool Lexer::accept(std::string_view valid) {
  int r = next();
  if (r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) return true;
  backup();
  return false;
}

void Lexer::accept_run(std::string_view valid) {
  for (;;) {
    int r = next();
    if (!(r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos)) break;
  }
  backup();
}

Lexer::State Lexer::errorf(std::string msg) {
  items_.push_back(Item{ItemType::Error, start_, std::move(msg), start_line_});
  return State::Done;
}

bool Lexer::at_terminator() {
  int r = peek();
  if (is_space(r)) return true;
  switch (r) {
    case kEof:
    case '.':
    case ',':
    case '|':
    case ':':
    case ')':
    case '(': return true;
    default: break;
  }
  return input_.substr(pos_).starts_with(right_delim_);
}

void Lexer::at_right_delim(bool& delim, bool& trim_spaces) {
  std::string_view rest = input_.substr(pos_);
  if (has_right_trim_marker(rest) && rest.substr(kTrimMarkerLen).starts_with(right_delim_)) {
    delim = true;
    trim_spaces = true;
    return;
  }
  delim = rest.starts_with(right_delim_);
  trim_spaces = false;
}

Lexer::State Lexer::step(State s) {
  switch (s) {
    case State::Text: return lex_text();
    case State::LeftDelim: return lex_left_delim();
    case State::Comment: return lex_comment();
    case State::RightDelim: return lex_right_delim();
    case State::InsideAction: return lex_inside_action();
    case State::Space: return lex_space();
    case State::Identifier: return lex_identifier();
    case State::Field: return lex_field_or_variable(ItemType::Field);
    case State::Variable: return lex_variable();
    case State::Char: return lex_char();
    case State::Number: return lex_number();
    case State::Quote: return lex_quote();
    case State::RawQuote: return lex_raw_quote();
    case State::Done: break;
  }
  return State::Done;
}

Lexer::State Lexer::lex_text() {
  std::size_t x = input_.substr(pos_).find(left_delim_);
  if (x != std::string_view::npos) {
    std::size_t ldn = left_delim_.size();
    pos_ += x;
    std::size_t trim_length = 0;
    if (has_left_trim_marker(input_.substr(pos_ + ldn))) {
      trim_length = right_trim_length(input_.substr(start_, pos_ - start_));
    }
    pos_ -= trim_length;
    if (pos_ > start_) {
      line_ += count_newlines(input_.substr(start_, pos_ - start_));
      emit(ItemType::Text);
    }
    pos_ += trim_length;
    ignore();
    return State::LeftDelim;
  }
  pos_ = input_.size();
  if (pos_ > start_) {
    line_ += count_newlines(input_.substr(start_, pos_ - start_));
    emit(ItemType::Text);
  }
  emit(ItemType::Eof);
  return State::Done;
}

Lexer::State Lexer::lex_left_delim() {
  pos_ += left_delim_.size();
  bool trim_space = has_left_trim_marker(input_.substr(pos_));
  std::size_t after_marker = trim_space ? kTrimMarkerLen : 0;
  if (input_.substr(pos_ + after_marker).starts_with(kLeftComment)) {
    pos_ += after_marker;
    ignore();
    return State::Comment;
  }
  emit(ItemType::LeftDelim);
  pos_ += after_marker;
  ignore();
  paren_depth_ = 0;
  return State::InsideAction;
}

Lexer::State Lexer::lex_comment() {
  pos_ += kLeftComment.size();
  std::size_t i = input_.substr(pos_).find(kRightComment);
  if (i == std::string_view::npos) return errorf("unclosed comment");
  pos_ += i + kRightComment.size();
  bool delim = false;
  bool trim_space = false;
  at_right_delim(delim, trim_space);
  if (!delim) return errorf("comment ends before closing delimiter");
  if (trim_space) pos_ += kTrimMarkerLen;
  pos_ += right_delim_.size();
  if (trim_space) pos_ += left_trim_length(input_.substr(pos_));
  ignore();
  return State::Text;
}

Lexer::State Lexer::lex_right_delim() {
  bool trim_space = has_right_trim_marker(input_.substr(pos_));
  if (trim_space) {
    pos_ += kTrimMarkerLen;
    ignore();
  }
  pos_ += right_delim_.size();
  emit(ItemType::RightDelim);
  if (trim_space) {
    pos_ += left_trim_length(input_.substr(pos_));
    ignore();
  }
  return State::Text;
}

Lexer::State Lexer::lex_inside_action() {
  bool delim = false;
  bool trim = false;
  at_right_delim(delim, trim);
  if (delim) {
    if (paren_depth_ == 0) return State::RightDelim;
    return errorf("unclosed left paren");
  }
  int r = next();
  if (r == kEof) return errorf("unclosed action");
  if (is_space(r)) {
    backup();
    return State::Space;
  }
  switch (r) {
    case '=': emit(ItemType::Assign); return State::InsideAction;
    case ':':
      if (next() != '=') return errorf("expected :=");
      emit(ItemType::Declare);
      return State::InsideAction;
    case '|': emit(ItemType::Pipe); return State::InsideAction;
    case '"': return State::Quote;
    case '`': return State::RawQuote;
    case '$': return State::Variable;
    case '\'': return State::Char;
    case '.':
      if (pos_ < input_.size()) {
        char c = input_[pos_];
        if (c < '0' || c > '9') return State::Field;
      }
      backup();
      return State::Number;
    case '(':
      emit(ItemType::LeftParen);
      ++paren_depth_;
      return State::InsideAction;
    case ')':
      emit(ItemType::RightParen);
      --paren_depth_;
      if (paren_depth_ < 0) return errorf("unexpected right paren " + format_rune(r));
      return State::InsideAction;
    default: break;
  }
  if (r == '+' || r == '-' || (r >= '0' && r <= '9')) {
    backup();
    return State::Number;
  }
  if (is_alpha_numeric(r)) {
    backup();
    return State::Identifier;
  }
  if (r >= 0x20 && r <= 0x7E) {
    emit(ItemType::Char);
    return State::InsideAction;
  }
  return errorf("unrecognized character in action: " + format_rune(r));
}

Lexer::State Lexer::lex_space() {
  int num_spaces = 0;
  while (is_space(peek())) {
    next();
    ++num_spaces;
  }
  std::string_view rest = input_.substr(pos_ - 1);
  if (has_right_trim_marker(rest) && rest.substr(kTrimMarkerLen).starts_with(right_delim_)) {
    backup();
    if (num_spaces == 1) return State::RightDelim;
  }
  emit(ItemType::Space);
  return State::InsideAction;
}

Lexer::State Lexer::lex_identifier() {
  for (;;) {
    int r = next();
    if (is_alpha_numeric(r)) continue;
    backup();
    std::string_view word = input_.substr(start_, pos_ - start_);
    if (!at_terminator()) return errorf("bad character " + format_rune(r));
    ItemType kw = keyword(word);
    if (kw != ItemType::Error) {
      if ((kw == ItemType::Break && !break_ok_) || (kw == ItemType::Continue && !continue_ok_)) {
        emit(ItemType::Identifier);
      } else {
        emit(kw);
      }
    } else if (word == "true" || word == "false") {
      emit(ItemType::Bool);
    } else {
      emit(ItemType::Identifier);
    }
    return State::InsideAction;
  }
}

Lexer::State Lexer::lex_variable() {
  if (at_terminator()) {
    emit(ItemType::Variable);
    return State::InsideAction;
  }
  return lex_field_or_variable(ItemType::Variable);
}

Lexer::State Lexer::lex_field_or_variable(ItemType typ) {
  if (at_terminator()) {
    emit(typ == ItemType::Variable ? ItemType::Variable : ItemType::Dot);
    return State::InsideAction;
  }
  int r;
  for (;;) {
    r = next();
    if (!is_alpha_numeric(r)) {
      backup();
      break;
    }
  }
  if (!at_terminator()) return errorf("bad character " + format_rune(r));
  emit(typ);
  return State::InsideAction;
}

Lexer::State Lexer::lex_char() {
  for (;;) {
    int r = next();
    if (r == '\\') {
      int e = next();
      if (e != kEof && e != '\n') continue;
      return errorf("unterminated character constant");
    }
    if (r == kEof || r == '\n') return errorf("unterminated character constant");
    if (r == '\'') break;
  }
  emit(ItemType::CharConstant);
  return State::InsideAction;
}

bool Lexer::scan_number() {
  accept("+-");
  std::string_view digits = "0123456789_";
  if (accept("0")) {
    if (accept("xX")) {
      digits = "0123456789abcdefABCDEF_";
    } else if (accept("oO")) {
      digits = "01234567_";
    } else if (accept("bB")) {
      digits = "01_";
    }
  }
  accept_run(digits);
  if (accept(".")) accept_run(digits);
  if (digits.size() == 10 + 1 && accept("eE")) {
    accept("+-");
    accept_run("0123456789_");
  }
  if (digits.size() == 16 + 6 + 1 && accept("pP")) {
    accept("+-");
    accept_run("0123456789_");
  }
  accept("i");
  if (is_alpha_numeric(peek())) {
    next();
    return false;
  }
  return true;
}

Lexer::State Lexer::lex_number() {
  auto bad = [this] {
    std::array<GoValue, 1> args{GoValue::of_string(std::string(input_.substr(start_, pos_ - start_)))};
    return errorf(gofmt::sprintf("bad number syntax: %q", args));
  };
  if (!scan_number()) return bad();
  int sign = peek();
  if (sign == '+' || sign == '-') {
    if (!scan_number() || input_[pos_ - 1] != 'i') return bad();
    emit(ItemType::Complex);
  } else {
    emit(ItemType::Number);
  }
  return State::InsideAction;
}

Lexer::State Lexer::lex_quote() {
  for (;;) {
    int r = next();
    if (r == '\\') {
      int e = next();
      if (e != kEof && e != '\n') continue;
      return errorf("unterminated quoted string");
    }
    if (r == kEof || r == '\n') return errorf("unterminated quoted string");
    if (r == '"') break;
  }
  emit(ItemType::String);
  return State::InsideAction;
}

Lexer::State Lexer::lex_raw_quote() {
  for (;;) {
    int r = next();
    if (r == kEof) return errorf("unterminated raw quoted string");
    if (r == '`') break;
  }
  emit(ItemType::RawString);
  return State::InsideAction;
}

}  // namespace atmos::tmpl
