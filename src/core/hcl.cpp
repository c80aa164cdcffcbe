#include "core/hcl.hpp"

#include <cctype>
#include <cstdlib>

#include "core/error.hpp"

namespace atmos::hcl {
namespace lexing {

enum class Tok { Ident, String, Number, Punct, Newline, End };

struct Token {
  Tok kind;
  std::string text;  // identifier / decoded string / number / punctuation
  std::size_t begin = 0, end = 0;
  int line = 1;
  bool templated = false;  // a string with ${...} or %{...}
};

class Lexer {
 public:
  explicit Lexer(const std::string& src) : s_(src) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i_;
      } else if (c == '\n') {
        out.push_back(tok(Tok::Newline, "\n", i_, i_ + 1));
        ++i_;
        ++line_;
      } else if (c == '#' || (c == '/' && peek(1) == '/')) {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else if (c == '/' && peek(1) == '*') {
        i_ += 2;
        while (i_ < s_.size() && !(s_[i_] == '*' && peek(1) == '/')) line_ += s_[i_++] == '\n';
        i_ = std::min(s_.size(), i_ + 2);
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        std::size_t b = i_;
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '-')) ++i_;
        out.push_back(tok(Tok::Ident, s_.substr(b, i_ - b), b, i_));
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        std::size_t b = i_;
        while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.')) ++i_;
        if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
          ++i_;
          if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
          while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
        }
        out.push_back(tok(Tok::Number, s_.substr(b, i_ - b), b, i_));
      } else if (c == '"') {
        out.push_back(quoted());
      } else if (c == '<' && peek(1) == '<' && (std::isalpha(static_cast<unsigned char>(peek(2))) || peek(2) == '-')) {
        out.push_back(heredoc());
      } else {
        std::size_t b = i_;
        std::string p(1, c);
        if ((c == '=' || c == '!' || c == '<' || c == '>') && peek(1) == '=') p += '=';
        else if (c == '=' && peek(1) == '>') p += '>';
        else if ((c == '&' && peek(1) == '&') || (c == '|' && peek(1) == '|')) p += peek(1);
        i_ += p.size();
        out.push_back(tok(Tok::Punct, p, b, i_));
      }
    }
    out.push_back(tok(Tok::End, "", s_.size(), s_.size()));
    return out;
  }

 private:
  char peek(std::size_t k) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  Token tok(Tok k, std::string text, std::size_t b, std::size_t e) { return Token{k, std::move(text), b, e, line_, false}; }

  Token quoted() {
    std::size_t b = i_++;
    int line = line_;
    std::string out;
    bool templated = false;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_];
      if (c == '\\' && i_ + 1 < s_.size()) {
        char e = s_[i_ + 1];
        i_ += 2;
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          default: out += '\\'; out += e;
        }
        continue;
      }
      if ((c == '$' || c == '%') && peek(1) == c && peek(2) == '{') {  // "$${" and "%%{" are literal
        out += c;
        out += '{';
        i_ += 3;
        continue;
      }
      if ((c == '$' || c == '%') && peek(1) == '{') {
        templated = true;
        int depth = 0;
        do {
          if (s_[i_] == '{') ++depth;
          else if (s_[i_] == '}') --depth;
          out += s_[i_++];
        } while (i_ < s_.size() && depth > 0);
        continue;
      }
      if (c == '\n') ++line_;
      out += c;
      ++i_;
    }
    ++i_;
    Token t{Tok::String, out, b, std::min(i_, s_.size()), line, templated};
    return t;
  }

  Token heredoc() {
    std::size_t b = i_;
    int line = line_;
    i_ += 2;
    bool indent = s_[i_] == '-';
    if (indent) ++i_;
    std::size_t nb = i_;
    while (i_ < s_.size() && s_[i_] != '\n') ++i_;
    std::string marker = s_.substr(nb, i_ - nb);
    std::vector<std::string> lines;
    while (i_ < s_.size()) {
      ++i_;
      ++line_;
      std::size_t le = s_.find('\n', i_);
      if (le == std::string::npos) le = s_.size();
      std::string l = s_.substr(i_, le - i_);
      std::string trimmed = l.substr(std::min(l.find_first_not_of(" \t"), l.size()));
      if (trimmed == marker) {
        i_ = le;
        break;
      }
      lines.push_back(l);
      i_ = le;
    }
    // `<<-` strips the indentation common to every non-blank line.
    std::size_t strip = std::string::npos;
    for (const auto& l : lines)
      if (indent && l.find_first_not_of(" \t") != std::string::npos) strip = std::min(strip, l.find_first_not_of(" \t"));
    std::string body;
    for (const auto& l : lines) body += (indent && strip != std::string::npos ? l.substr(std::min(strip, l.size())) : l) + "\n";
    return Token{Tok::String, body, b, i_, line, body.find("${") != std::string::npos};
  }

  const std::string& s_;
  std::size_t i_ = 0;
  int line_ = 1;
};

}  // namespace lexing

using lexing::Lexer;
using lexing::Tok;
using lexing::Token;

class Parser {
 public:
  Parser(const std::string& src, std::vector<Token> toks) : src_(src), t_(std::move(toks)) {}

  Block file() {
    Block root;
    body(root, false);
    return root;
  }

  // The literal value of an attribute's expression; nullopt for anything terraform-config-inspect cannot
  // evaluate without a context.
  std::optional<Value> literal(const Attribute& a) {
    std::size_t i = a.first;
    auto v = value(i, a.last);
    skip_newlines(i, a.last);
    if (!v || i != a.last) return std::nullopt;
    return v;
  }

  std::string source(const Attribute& a) const {
    if (a.first >= a.last) return "";
    std::size_t last = a.last;
    while (last > a.first && t_[last - 1].kind == Tok::Newline) --last;
    return src_.substr(t_[a.first].begin, t_[last - 1].end - t_[a.first].begin);
  }

 private:
  void body(Block& b, bool nested) {
    for (;;) {
      while (t_[p_].kind == Tok::Newline) ++p_;
      const Token& head = t_[p_];
      if (head.kind == Tok::End) return;
      if (head.kind == Tok::Punct && head.text == "}") {
        if (nested) ++p_;
        if (nested) return;
        ++p_;
        continue;
      }
      if (head.kind != Tok::Ident) {
        skip_line();
        continue;
      }
      ++p_;
      if (t_[p_].kind == Tok::Punct && t_[p_].text == "=") {
        ++p_;
        Attribute a{head.text, p_, p_, head.line};
        a.last = expression_end();
        p_ = a.last;
        b.attributes.push_back(a);
        continue;
      }
      Block child;
      child.type = head.text;
      child.line = head.line;
      while (t_[p_].kind == Tok::String || t_[p_].kind == Tok::Ident) child.labels.push_back(t_[p_++].text);
      if (t_[p_].kind == Tok::Punct && t_[p_].text == "{") {
        ++p_;
        body(child, true);
        b.blocks.push_back(std::move(child));
      } else {
        skip_line();
      }
    }
  }

  // End of an expression: the newline (or closing brace of the body) at bracket depth zero.
  std::size_t expression_end() const {
    int depth = 0;
    std::size_t i = p_;
    for (; t_[i].kind != Tok::End; ++i) {
      const Token& k = t_[i];
      if (k.kind == Tok::Punct) {
        if (k.text == "{" || k.text == "[" || k.text == "(") ++depth;
        else if (k.text == "}" || k.text == "]" || k.text == ")") {
          if (depth == 0) break;
          --depth;
        }
      } else if (k.kind == Tok::Newline && depth == 0) {
        break;
      }
    }
    return i;
  }

  void skip_line() {
    while (t_[p_].kind != Tok::Newline && t_[p_].kind != Tok::End) ++p_;
  }

  void skip_newlines(std::size_t& i, std::size_t end) const {
    while (i < end && t_[i].kind == Tok::Newline) ++i;
  }

  bool punct(std::size_t i, std::size_t end, std::string_view p) const {
    return i < end && t_[i].kind == Tok::Punct && t_[i].text == p;
  }

  // A literal value; nullopt for an expression (or a literal nested deeper than kMaxDepth, so the recursion
  // stays bounded whatever the file holds).
  static constexpr int kMaxDepth = 10000;
  std::optional<Value> value(std::size_t& i, std::size_t end, int depth = 0) {
    skip_newlines(i, end);
    if (i >= end || depth > kMaxDepth) return std::nullopt;
    const Token& k = t_[i];
    if (k.kind == Tok::String) {
      if (k.templated) return std::nullopt;
      ++i;
      return Value(k.text);
    }
    if (k.kind == Tok::Number) {
      ++i;
      return Value(std::strtod(k.text.c_str(), nullptr));
    }
    if (punct(i, end, "-") && i + 1 < end && t_[i + 1].kind == Tok::Number) {
      i += 2;
      return Value(-std::strtod(t_[i - 1].text.c_str(), nullptr));
    }
    if (k.kind == Tok::Ident) {
      if (i + 1 < end && t_[i + 1].kind == Tok::Punct && (t_[i + 1].text == "(" || t_[i + 1].text == "."))
        return std::nullopt;
      ++i;
      if (k.text == "true") return Value(true);
      if (k.text == "false") return Value(false);
      if (k.text == "null") return Value();
      return std::nullopt;
    }
    if (punct(i, end, "[")) {
      ++i;
      List items;
      for (;;) {
        skip_newlines(i, end);
        if (punct(i, end, "]")) {
          ++i;
          return Value::list(std::move(items));
        }
        auto v = value(i, end, depth + 1);
        if (!v) return std::nullopt;
        items.push_back(*v);
        skip_newlines(i, end);
        if (punct(i, end, ",")) ++i;
      }
    }
    if (punct(i, end, "{")) {
      ++i;
      Map entries;
      for (;;) {
        skip_newlines(i, end);
        if (punct(i, end, "}")) {
          ++i;
          return Value::map(std::move(entries));
        }
        if (i >= end || (t_[i].kind != Tok::Ident && t_[i].kind != Tok::String) || t_[i].templated) return std::nullopt;
        std::string key = t_[i++].text;
        if (!punct(i, end, "=") && !punct(i, end, ":")) return std::nullopt;
        ++i;
        auto v = value(i, end, depth + 1);
        if (!v) return std::nullopt;
        entries.emplace_back(std::move(key), *v);
        skip_newlines(i, end);
        if (punct(i, end, ",")) ++i;
      }
    }
    return std::nullopt;
  }

  const std::string& src_;
  std::vector<Token> t_;
  std::size_t p_ = 0;
};


const Attribute* Block::attribute(std::string_view n) const {
  for (const auto& a : attributes)
    if (a.name == n) return &a;
  return nullptr;
}

struct Document::Impl {
  std::string source;
  std::unique_ptr<Parser> parser;
  Block root;
};

Document::Document(std::string source) : impl_(std::make_shared<Impl>()) {
  impl_->source = std::move(source);
  impl_->parser = std::make_unique<Parser>(impl_->source, Lexer(impl_->source).run());
  impl_->root = impl_->parser->file();
}

const Block& Document::root() const { return impl_->root; }
std::optional<Value> Document::literal(const Attribute& a) const { return impl_->parser->literal(a); }
std::string Document::source(const Attribute& a) const { return impl_->parser->source(a); }

Value read_attributes(const std::string& text, const std::string& file) {
  Document doc(text);
  Map out;
  for (const Attribute& a : doc.root().attributes) {
    auto v = doc.literal(a);
    if (!v)
      throw Error(ErrorKind::Stack, "unsupported HCL expression")
          .explain(file + ":" + std::to_string(a.line) + ": the value of `" + a.name +
                   "` is not a literal (references, functions and interpolation cannot be evaluated here)");
    out.emplace_back(a.name, *v);
  }
  return Value::map(std::move(out));
}

}  // namespace atmos::hcl
