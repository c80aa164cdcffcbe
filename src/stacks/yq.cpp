#include "stacks/yq.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/json_emit.hpp"
#include "core/yaml_load.hpp"

namespace atmos::stacks {
namespace {

// Nesting bound for parentheses, literals and chained operators: untrusted text never drives deep recursion.
constexpr int kMaxDepth = 64;

struct Node;
using NodePtr = std::unique_ptr<Node>;

struct Node {
  enum class Op { Identity, Key, Index, Literal, List, Map, Pipe, Alternative, Add, Keys, Length, ToString };
  Op op = Op::Identity;
  std::string key;
  std::int64_t index = 0;
  Value literal;
  std::vector<NodePtr> children;  // Key/Index: [base]; List: items; Map: key,value pairs; binary: [lhs, rhs]
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

  NodePtr pipe(int depth) {
    enter(depth);
    NodePtr lhs = alternative(depth + 1);
    while (peek("|")) {
      ++pos_;
      lhs = binary(Node::Op::Pipe, std::move(lhs), alternative(depth + 1));
    }
    return lhs;
  }

  NodePtr alternative(int depth) {
    enter(depth);
    NodePtr lhs = additive(depth + 1);
    while (eat("//")) lhs = binary(Node::Op::Alternative, std::move(lhs), additive(depth + 1));
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

  // Path steps after a value: `.key`, `."key"`, `[..]`, `.[..]`.
  NodePtr path_steps(NodePtr base) {
    for (;;) {
      if (pos_ < text_.size() && text_[pos_] == '[') {
        ++pos_;
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
          std::string id = identifier();
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
      } else if (pos_ < text_.size() && ident_char(text_[pos_])) {
        base = key_of(std::move(base), identifier());
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
        do n->children.push_back(alternative(depth + 1));
        while (eat(","));
        expect("]");
      }
      return n;
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
    if (word.empty()) fail("unexpected '" + std::string(1, c) + "'");
    fail("unsupported function or operator '" + word + "'");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

class Evaluator {
 public:
  explicit Evaluator(std::string_view text) : text_(text) {}

  Value eval(const Node& n, const Value& in) const {
    switch (n.op) {
      case Node::Op::Identity: return in;
      case Node::Op::Literal: return n.literal;
      case Node::Op::Key: {
        Value base = eval(*n.children[0], in);
        if (base.is_null()) return Value();
        if (!base.is_map()) fail("cannot index " + std::string(kind_name(base.kind())) + " with \"" + n.key + "\"");
        return base.get(n.key);
      }
      case Node::Op::Index: {
        Value base = eval(*n.children[0], in);
        if (base.is_null()) return Value();
        if (!base.is_list()) fail("cannot index " + std::string(kind_name(base.kind())) + " with [" + std::to_string(n.index) + "]");
        auto size = static_cast<std::int64_t>(base.size());
        std::int64_t i = n.index < 0 ? size + n.index : n.index;
        return i >= 0 && i < size ? base.as_list()[static_cast<std::size_t>(i)] : Value();
      }
      case Node::Op::List: {
        List out;
        for (const auto& c : n.children) out.push_back(eval(*c, in));
        return Value::list(std::move(out));
      }
      case Node::Op::Map: {
        Map out;
        for (std::size_t i = 0; i + 1 < n.children.size(); i += 2)
          out.emplace_back(n.children[i]->literal.as_string(), eval(*n.children[i + 1], in));
        return Value::map(std::move(out));
      }
      case Node::Op::Pipe: return eval(*n.children[1], eval(*n.children[0], in));
      case Node::Op::Alternative: {
        Value lhs = eval(*n.children[0], in);
        if (!lhs.is_null() && !(lhs.is_bool() && !lhs.as_bool())) return lhs;
        return eval(*n.children[1], in);
      }
      case Node::Op::Add: return add(eval(*n.children[0], in), eval(*n.children[1], in));
      case Node::Op::Keys: {
        List out;
        if (in.is_map()) {
          for (const auto& entry : in.as_map()) out.emplace_back(entry.first);
        } else if (in.is_list()) {
          for (std::size_t i = 0; i < in.size(); ++i) out.emplace_back(static_cast<std::int64_t>(i));
        } else {
          fail("cannot get the keys of " + std::string(kind_name(in.kind())));
        }
        return Value::list(std::move(out));
      }
      case Node::Op::Length:
        if (in.is_null()) return Value(0);
        if (in.is_string() || in.is_list() || in.is_map()) return Value(static_cast<std::int64_t>(in.size()));
        if (in.is_number()) return Value(std::fabs(in.as_float()));
        fail("cannot get the length of " + std::string(kind_name(in.kind())));
      case Node::Op::ToString: return in.is_string() ? in : Value(to_json(in, JsonStyle::Compact));
    }
    return Value();
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ErrorKind::Stack, "invalid expression '" + std::string(text_) + "': " + what);
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
  return Evaluator(expression).eval(*root, data);
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
