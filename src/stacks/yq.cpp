#include "stacks/yq.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/json_emit.hpp"
#include "core/yaml_load.hpp"

namespace atmos::stacks {
namespace {

// Nesting bound for parentheses, literals and chained operators: untrusted text never drives deep recursion.
constexpr int kMaxDepth = 64;
// Steps of one path (`.a.b[0]...`), each one level of evaluation.
constexpr int kMaxPathSteps = 1024;
// Values one expression may produce at any step (`.[] + .[]` multiplies streams).
constexpr std::size_t kMaxResults = 1000000;

struct Node;
using NodePtr = std::unique_ptr<Node>;

struct Node {
  enum class Op {
    Identity, Key, Index, Iterate, Literal, List, Map, Pipe, Comma, Alternative, Or, And, Compare, Add,
    Keys, Length, ToString, Not, Select, MapEach, Has, Test, StartsWith, EndsWith
  };
  Op op = Op::Identity;
  std::string key;  // Key: the key; Compare: the operator
  std::int64_t index = 0;
  Value literal;
  std::vector<NodePtr> children;  // Key/Index/Iterate: [base]; List: [items]; Map: key,value pairs; binary: [lhs, rhs];
                                  // functions: [argument]
};

NodePtr make(Node::Op op) {
  auto n = std::make_unique<Node>();
  n->op = op;
  return n;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  NodePtr parse() {
    skip_space();
    if (pos_ == text_.size()) fail("the expression is empty");
    NodePtr n = pipe(0);
    skip_space();
    if (pos_ != text_.size()) fail("unexpected '" + std::string(text_.substr(pos_, 1)) + "'");
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ErrorKind::Stack, "invalid expression '" + std::string(text_) + "': " + what + " at offset " +
                                      std::to_string(pos_));
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool peek(std::string_view s) {
    skip_space();
    return text_.substr(pos_, s.size()) == s;
  }
  bool eat(std::string_view s) {
    if (!peek(s)) return false;
    pos_ += s.size();
    return true;
  }
  void expect(std::string_view s) {
    if (!eat(s)) fail("expected '" + std::string(s) + "'");
  }
  void enter(int depth) const {
    if (depth > kMaxDepth) fail("the expression nests too deeply");
  }

  static NodePtr binary(Node::Op op, NodePtr lhs, NodePtr rhs) {
    NodePtr n = make(op);
    n->children.push_back(std::move(lhs));
    n->children.push_back(std::move(rhs));
    return n;
  }

  // Precedence, loosest first (as jq and yq): `|`, `,`, `//`, `or`, `and`, comparisons, `+`.
  NodePtr pipe(int depth) {
    enter(depth);
    NodePtr lhs = comma(depth + 1);
    while (peek("|")) {
      ++pos_;
      lhs = binary(Node::Op::Pipe, std::move(lhs), comma(depth + 1));
    }
    return lhs;
  }

  NodePtr comma(int depth) {
    enter(depth);
    NodePtr lhs = alternative(depth + 1);
    while (eat(",")) lhs = binary(Node::Op::Comma, std::move(lhs), alternative(depth + 1));
    return lhs;
  }

  NodePtr alternative(int depth) {
    enter(depth);
    NodePtr lhs = logic_or(depth + 1);
    while (eat("//")) lhs = binary(Node::Op::Alternative, std::move(lhs), logic_or(depth + 1));
    return lhs;
  }

  // A keyword operator (`and`, `or`) standing alone, not the start of a longer word.
  bool eat_word(std::string_view w) {
    if (!peek(w)) return false;
    std::size_t end = pos_ + w.size();
    if (end < text_.size() && ident_char(text_[end])) return false;
    pos_ = end;
    return true;
  }

  NodePtr logic_or(int depth) {
    enter(depth);
    NodePtr lhs = logic_and(depth + 1);
    while (eat_word("or")) lhs = binary(Node::Op::Or, std::move(lhs), logic_and(depth + 1));
    return lhs;
  }

  NodePtr logic_and(int depth) {
    enter(depth);
    NodePtr lhs = comparison(depth + 1);
    while (eat_word("and")) lhs = binary(Node::Op::And, std::move(lhs), comparison(depth + 1));
    return lhs;
  }

  NodePtr comparison(int depth) {
    enter(depth);
    NodePtr lhs = additive(depth + 1);
    for (const char* op : {"==", "!=", "<=", ">=", "<", ">"}) {
      if (!eat(op)) continue;
      NodePtr n = binary(Node::Op::Compare, std::move(lhs), additive(depth + 1));
      n->key = op;
      return n;
    }
    return lhs;
  }

  NodePtr additive(int depth) {
    enter(depth);
    NodePtr lhs = postfix(depth + 1);
    while (eat("+")) lhs = binary(Node::Op::Add, std::move(lhs), postfix(depth + 1));
    return lhs;
  }

  static bool ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  }

  // A key after `.`: as yq's lexer, anything up to whitespace or an operator character (`vpc/dev`, `a-b`, `x@y`
  // are keys), but not into a `//`.
  std::string path_key() {
    std::size_t start = pos_;
    static constexpr std::string_view kStops = " \t\r\n;{}:[],|.()=!<>+*\"'";
    while (pos_ < text_.size() && kStops.find(text_[pos_]) == std::string_view::npos &&
           !(text_[pos_] == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/'))
      ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string identifier() {
    std::size_t start = pos_;
    while (pos_ < text_.size() && ident_char(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  // A string in double quotes (backslash escapes) or single quotes ('' is a quote).
  std::string quoted() {
    char q = text_[pos_++];
    std::string out;
    for (;;) {
      if (pos_ >= text_.size()) fail("unterminated string");
      char c = text_[pos_++];
      if (c == q) {
        if (q == '\'' && pos_ < text_.size() && text_[pos_] == '\'') {
          out += '\'';
          ++pos_;
          continue;
        }
        return out;
      }
      if (c == '\\' && q == '"' && pos_ < text_.size()) {
        char e = text_[pos_++];
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          default: out += e;
        }
        continue;
      }
      out += c;
    }
  }

  static NodePtr key_of(NodePtr base, std::string key) {
    NodePtr n = make(Node::Op::Key);
    n->key = std::move(key);
    n->children.push_back(std::move(base));
    return n;
  }

  // `[...]` after a path: a quoted key or an integer index.
  NodePtr bracket(NodePtr base) {
    skip_space();
    if (pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\'')) {
      std::string k = quoted();
      expect("]");
      return key_of(std::move(base), std::move(k));
    }
    std::size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    std::int64_t index = 0;
    auto [p, ec] = std::from_chars(text_.data() + start, text_.data() + pos_, index);
    if (ec != std::errc() || p != text_.data() + pos_ || pos_ == start) {
      pos_ = start;
      fail("expected an index or a quoted key inside [ ]");
    }
    expect("]");
    NodePtr n = make(Node::Op::Index);
    n->index = index;
    n->children.push_back(std::move(base));
    return n;
  }

  // Path steps after a value: `.key`, `."key"`, `[..]`, `.[..]`, `[]` / `.[]` (every element or value).
  NodePtr path_steps(NodePtr base) {
    for (int steps = 0;; ++steps) {
      if (steps > kMaxPathSteps) fail("the path has too many steps");
      if (pos_ < text_.size() && text_[pos_] == '[') {
        ++pos_;
        if (eat("]")) {
          NodePtr n = make(Node::Op::Iterate);
          n->children.push_back(std::move(base));
          base = std::move(n);
          continue;
        }
        base = bracket(std::move(base));
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '.' && !(pos_ + 1 < text_.size() && text_[pos_ + 1] == '.')) {
        ++pos_;
        if (pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\'')) {
          base = key_of(std::move(base), quoted());
        } else if (pos_ < text_.size() && text_[pos_] == '[') {
          continue;
        } else {
          std::string id = path_key();
          if (id.empty()) fail("expected a key after '.'");
          base = key_of(std::move(base), std::move(id));
        }
        continue;
      }
      return base;
    }
  }

  static NodePtr literal(Value v) {
    NodePtr n = make(Node::Op::Literal);
    n->literal = std::move(v);
    return n;
  }

  NodePtr postfix(int depth) {
    enter(depth);
    skip_space();
    if (pos_ >= text_.size()) fail("unexpected end of the expression");
    char c = text_[pos_];
    if (c == '.') {
      ++pos_;
      NodePtr base = make(Node::Op::Identity);
      if (pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\'')) {
        base = key_of(std::move(base), quoted());
      } else if (std::string key = path_key(); !key.empty()) {
        base = key_of(std::move(base), std::move(key));
      }
      return path_steps(std::move(base));
    }
    if (c == '(') {
      ++pos_;
      NodePtr inner = pipe(depth + 1);
      expect(")");
      return path_steps(std::move(inner));
    }
    if (c == '"' || c == '\'') return literal(Value(quoted()));
    if (c == '[') {
      ++pos_;
      NodePtr n = make(Node::Op::List);
      if (!eat("]")) {
        n->children.push_back(pipe(depth + 1));
        expect("]");
      }
      return path_steps(std::move(n));
    }
    if (c == '{') {
      ++pos_;
      NodePtr n = make(Node::Op::Map);
      if (!eat("}")) {
        do {
          skip_space();
          if (pos_ >= text_.size()) fail("unterminated map");
          std::string k = (text_[pos_] == '"' || text_[pos_] == '\'') ? quoted() : identifier();
          if (k.empty()) fail("expected a map key");
          expect(":");
          n->children.push_back(literal(Value(k)));
          n->children.push_back(alternative(depth + 1));
        } while (eat(","));
        expect("}");
      }
      return n;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t start = pos_++;
      while (pos_ < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.' ||
                                     text_[pos_] == 'e' || text_[pos_] == 'E'))
        ++pos_;
      Value v = resolve_plain_scalar(text_.substr(start, pos_ - start));
      if (!v.is_number()) fail("invalid number");
      return literal(v);
    }
    std::string word = identifier();
    if (word == "true") return literal(Value(true));
    if (word == "false") return literal(Value(false));
    if (word == "null") return literal(Value());
    if (word == "keys") return make(Node::Op::Keys);
    if (word == "length") return make(Node::Op::Length);
    if (word == "tostring") return make(Node::Op::ToString);
    if (word == "not") return make(Node::Op::Not);
    static const std::pair<const char*, Node::Op> kWithArgument[] = {
        {"select", Node::Op::Select}, {"map", Node::Op::MapEach},          {"has", Node::Op::Has},
        {"test", Node::Op::Test},     {"startswith", Node::Op::StartsWith}, {"endswith", Node::Op::EndsWith}};
    for (const auto& [name, op] : kWithArgument) {
      if (word != name) continue;
      expect("(");
      NodePtr n = make(op);
      n->children.push_back(pipe(depth + 1));
      expect(")");
      return path_steps(std::move(n));
    }
    if (word.empty()) fail("unexpected '" + std::string(1, c) + "'");
    fail("unsupported function or operator '" + word + "'");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

bool truthy(const Value& v) { return !v.is_null() && !(v.is_bool() && !v.as_bool()); }

using Values = std::vector<Value>;

// Evaluates a parsed expression over a stream of values, as jq and yq do: every step maps each input to zero or
// more outputs (`.[]` yields every element, `select` drops inputs, `,` concatenates).
class Evaluator {
 public:
  explicit Evaluator(std::string_view text) : text_(text) {}

  Values eval(const Node& n, const Value& in) const {
    switch (n.op) {
      case Node::Op::Identity: return {in};
      case Node::Op::Literal: return {n.literal};
      case Node::Op::Key:
        return each(n, in, [&](const Value& base, Values& out) {
          if (base.is_null()) {
            out.emplace_back();
            return;
          }
          if (!base.is_map()) fail("cannot index " + std::string(kind_name(base.kind())) + " with \"" + n.key + "\"");
          out.push_back(base.get(n.key));
        });
      case Node::Op::Index:
        return each(n, in, [&](const Value& base, Values& out) {
          if (base.is_null()) {
            out.emplace_back();
            return;
          }
          if (!base.is_list()) fail("cannot index " + std::string(kind_name(base.kind())) + " with [" + std::to_string(n.index) + "]");
          auto size = static_cast<std::int64_t>(base.size());
          std::int64_t i = n.index < 0 ? size + n.index : n.index;
          out.push_back(i >= 0 && i < size ? base.as_list()[static_cast<std::size_t>(i)] : Value());
        });
      case Node::Op::Iterate:
        return each(n, in, [&](const Value& base, Values& out) {
          if (base.is_list()) {
            for (const Value& v : base.as_list()) push(out, v);
          } else if (base.is_map()) {
            for (const auto& [k, v] : base.as_map()) push(out, v);
          } else if (!base.is_null()) {
            fail("cannot iterate over " + std::string(kind_name(base.kind())));
          }
        });
      case Node::Op::List: {
        List out;
        if (!n.children.empty())
          for (Value& v : eval(*n.children[0], in)) out.push_back(std::move(v));
        return {Value::list(std::move(out))};
      }
      case Node::Op::Map: {
        // Every combination of the entries' values (a value expression may yield several).
        std::vector<Map> maps(1);
        for (std::size_t i = 0; i + 1 < n.children.size(); i += 2) {
          Values vs = eval(*n.children[i + 1], in);
          std::vector<Map> next;
          for (const Map& m : maps)
            for (const Value& v : vs) {
              if (next.size() >= kMaxResults) too_many();
              next.push_back(m);
              next.back().emplace_back(n.children[i]->literal.as_string(), v);
            }
          maps = std::move(next);
        }
        Values out;
        for (Map& m : maps) out.push_back(Value::map(std::move(m)));
        return out;
      }
      case Node::Op::Pipe: {
        Values out;
        for (const Value& v : eval(*n.children[0], in))
          for (Value& r : eval(*n.children[1], v)) push(out, std::move(r));
        return out;
      }
      case Node::Op::Comma: {
        Values out = eval(*n.children[0], in);
        for (Value& r : eval(*n.children[1], in)) push(out, std::move(r));
        return out;
      }
      case Node::Op::Alternative: {
        Values out;
        for (Value& v : eval(*n.children[0], in))
          if (truthy(v)) out.push_back(std::move(v));
        return out.empty() ? eval(*n.children[1], in) : out;
      }
      case Node::Op::Or:
      case Node::Op::And: {
        bool is_or = n.op == Node::Op::Or;
        Values out;
        for (const Value& a : eval(*n.children[0], in)) {
          if (truthy(a) == is_or) {
            push(out, Value(is_or));
            continue;
          }
          for (const Value& b : eval(*n.children[1], in)) push(out, Value(truthy(b)));
        }
        return out;
      }
      case Node::Op::Compare: return pairs(n, in, [&](const Value& a, const Value& b) { return Value(compare(n.key, a, b)); });
      case Node::Op::Add: return pairs(n, in, [&](const Value& a, const Value& b) { return add(a, b); });
      case Node::Op::Keys: {
        List out;
        if (in.is_map()) {
          for (const auto& entry : in.as_map()) out.emplace_back(entry.first);
        } else if (in.is_list()) {
          for (std::size_t i = 0; i < in.size(); ++i) out.emplace_back(static_cast<std::int64_t>(i));
        } else {
          fail("cannot get the keys of " + std::string(kind_name(in.kind())));
        }
        return {Value::list(std::move(out))};
      }
      case Node::Op::Length:
        if (in.is_null()) return {Value(0)};
        if (in.is_string() || in.is_list() || in.is_map()) return {Value(static_cast<std::int64_t>(in.size()))};
        if (in.is_number()) return {Value(std::fabs(in.as_float()))};
        fail("cannot get the length of " + std::string(kind_name(in.kind())));
      case Node::Op::ToString: return {in.is_string() ? in : Value(to_json(in, JsonStyle::Compact))};
      case Node::Op::Not: return {Value(!truthy(in))};
      case Node::Op::Select: {
        Values out;
        for (const Value& v : eval(*n.children[0], in))
          if (truthy(v)) out.push_back(in);
        return out;
      }
      case Node::Op::MapEach: {
        if (!in.is_list() && !in.is_map()) fail("cannot map over " + std::string(kind_name(in.kind())));
        List out;
        auto apply = [&](const Value& v) {
          for (Value& r : eval(*n.children[0], v)) out.push_back(std::move(r));
        };
        if (in.is_list())
          for (const Value& v : in.as_list()) apply(v);
        else
          for (const auto& [k, v] : in.as_map()) apply(v);
        return {Value::list(std::move(out))};
      }
      case Node::Op::Has:
        return strings(n, in, "has", [&](const std::string& k) {
          if (!in.is_map()) fail("cannot check whether " + std::string(kind_name(in.kind())) + " has a key");
          return in.find(k) != nullptr;
        });
      case Node::Op::Test:
        return strings(n, in, "test", [&](const std::string& pattern) {
          if (!in.is_string()) fail("cannot match " + std::string(kind_name(in.kind())) + ", as it is not a string");
          try {
            return std::regex_search(in.as_string(), std::regex(pattern, std::regex::ECMAScript));
          } catch (const std::regex_error& e) {
            fail("invalid regular expression '" + pattern + "': " + e.what());
          }
        });
      case Node::Op::StartsWith:
      case Node::Op::EndsWith: {
        bool starts = n.op == Node::Op::StartsWith;
        return strings(n, in, starts ? "startswith" : "endswith", [&](const std::string& affix) {
          if (!in.is_string()) fail(std::string(starts ? "startswith" : "endswith") + "() requires string inputs");
          const std::string& s = in.as_string();
          if (affix.size() > s.size()) return false;
          return starts ? s.compare(0, affix.size(), affix) == 0 : s.compare(s.size() - affix.size(), affix.size(), affix) == 0;
        });
      }
    }
    return {};
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ErrorKind::Stack, "invalid expression '" + std::string(text_) + "': " + what);
  }
  [[noreturn]] void too_many() const { fail("it produces more than " + std::to_string(kMaxResults) + " values"); }

  void push(Values& out, Value v) const {
    if (out.size() >= kMaxResults) too_many();
    out.push_back(std::move(v));
  }

  // Applies `step` to every value the node's base (children[0]) yields.
  template <typename Step>
  Values each(const Node& n, const Value& in, Step step) const {
    Values out;
    for (const Value& base : eval(*n.children[0], in)) step(base, out);
    return out;
  }

  // A binary operator over every pair of the two sides' values.
  template <typename Op>
  Values pairs(const Node& n, const Value& in, Op op) const {
    Values lhs = eval(*n.children[0], in), rhs = eval(*n.children[1], in), out;
    for (const Value& a : lhs)
      for (const Value& b : rhs) push(out, op(a, b));
    return out;
  }

  // A function of one string argument, once per value the argument yields.
  template <typename Fn>
  Values strings(const Node& n, const Value& in, const char* name, Fn fn) const {
    Values out;
    for (const Value& arg : eval(*n.children[0], in)) {
      if (!arg.is_string()) fail(std::string(name) + "() takes a string, not " + kind_name(arg.kind()));
      push(out, Value(fn(arg.as_string())));
    }
    return out;
  }

  // jq's order for scalars of one type: numbers by value, strings bytewise, false < true. Other types are only
  // compared for equality.
  bool compare(const std::string& op, const Value& a, const Value& b) const {
    if (op == "==") return a == b;
    if (op == "!=") return a != b;
    int c = 0;
    if (a.is_number() && b.is_number()) {
      c = a == b ? 0 : (a.as_float() < b.as_float() ? -1 : 1);
    } else if (a.is_string() && b.is_string()) {
      c = a.as_string().compare(b.as_string());
    } else if (a.is_bool() && b.is_bool()) {
      c = static_cast<int>(a.as_bool()) - static_cast<int>(b.as_bool());
    } else {
      fail("cannot compare " + std::string(kind_name(a.kind())) + " with " + kind_name(b.kind()) + " using " + op);
    }
    if (op == "<") return c < 0;
    if (op == "<=") return c <= 0;
    if (op == ">") return c > 0;
    return c >= 0;
  }

  Value add(const Value& a, const Value& b) const {
    if (a.is_null()) return b;
    if (b.is_null()) return a;
    if (a.is_string() && b.is_string()) return Value(a.as_string() + b.as_string());
    if (a.is_list() && b.is_list()) {
      List out = a.as_list();
      out.insert(out.end(), b.as_list().begin(), b.as_list().end());
      return Value::list(std::move(out));
    }
    if (a.is_map() && b.is_map()) {
      Map out = a.as_map();
      for (const auto& e : b.as_map()) out.push_back(e);
      return Value::map(std::move(out));
    }
    if (a.kind() == Kind::Int && b.kind() == Kind::Int) return Value(a.as_int() + b.as_int());
    if (a.is_number() && b.is_number()) return Value(a.as_float() + b.as_float());
    fail(std::string("cannot add ") + kind_name(b.kind()) + " to " + kind_name(a.kind()));
  }

  std::string_view text_;
};

}  // namespace

Value yq_evaluate(const Value& data, std::string_view expression) {
  NodePtr root = Parser(expression).parse();
  Values out = Evaluator(expression).eval(*root, data);
  if (out.empty()) return Value();
  if (out.size() == 1) return std::move(out[0]);
  return Value::list(List(std::make_move_iterator(out.begin()), std::make_move_iterator(out.end())));
}

bool yq_has_default(std::string_view expression) {
  char quote = 0;
  for (std::size_t i = 0; i < expression.size(); ++i) {
    char c = expression[i];
    if (quote) {
      if (c == '\\' && quote == '"') ++i;
      else if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '/' && i + 1 < expression.size() && expression[i + 1] == '/') {
      return true;
    }
  }
  return false;
}

}  // namespace atmos::stacks
