#include "stacks/terraform_module.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

namespace atmos::stacks {
namespace fs = std::filesystem;
namespace {

// ---- A small HCL reader: blocks, attributes and literal expressions. ----

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

struct Attribute {
  std::string name;
  std::size_t first = 0, last = 0;  // token range [first, last)
  int line = 0;
};

struct Block {
  std::string type;
  std::vector<std::string> labels;
  int line = 0;
  std::vector<Attribute> attributes;
  std::vector<Block> blocks;
  const Attribute* attribute(std::string_view n) const {
    for (const auto& a : attributes)
      if (a.name == n) return &a;
    return nullptr;
  }
};

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

  std::optional<Value> value(std::size_t& i, std::size_t end) {
    skip_newlines(i, end);
    if (i >= end) return std::nullopt;
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
        auto v = value(i, end);
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
        auto v = value(i, end);
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

Value pos(const std::string& file, int line) {
  return Value::ordered_map({{"filename", Value(file)}, {"line", Value(static_cast<std::int64_t>(line))}});
}

std::string text_attr(Parser& p, const Block& b, std::string_view name) {
  const Attribute* a = b.attribute(name);
  if (!a) return "";
  auto v = p.literal(*a);
  return v && v->is_string() ? v->as_string() : "";
}

bool bool_attr(Parser& p, const Block& b, std::string_view name) {
  const Attribute* a = b.attribute(name);
  if (!a) return false;
  auto v = p.literal(*a);
  return v && v->is_bool() && v->as_bool();
}

}  // namespace

Value inspect_terraform_module(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Value();
  std::vector<std::string> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file() && it->path().extension() == ".tf") files.push_back(it->path().string());
  std::sort(files.begin(), files.end());

  Map variables, outputs, providers, managed, data, modules, required_providers;
  List required_core;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string src = ss.str();
    Parser parser(src, Lexer(src).run());
    Block root = parser.file();
    for (const Block& b : root.blocks) {
      if (b.type == "variable" && b.labels.size() == 1) {
        const Attribute* def = b.attribute("default");
        std::optional<Value> default_value = def ? parser.literal(*def) : std::nullopt;
        const Attribute* type = b.attribute("type");
        variables.emplace_back(b.labels[0], Value::ordered_map({
                                                {"name", Value(b.labels[0])},
                                                {"type", Value(type ? parser.source(*type) : "")},
                                                {"description", Value(text_attr(parser, b, "description"))},
                                                {"default", default_value.value_or(Value())},
                                                {"required", Value(def == nullptr)},
                                                {"sensitive", Value(bool_attr(parser, b, "sensitive"))},
                                                {"deprecated", Value(text_attr(parser, b, "deprecated"))},
                                                {"pos", pos(file, b.line)},
                                            }));
      } else if (b.type == "output" && b.labels.size() == 1) {
        outputs.emplace_back(b.labels[0], Value::ordered_map({
                                              {"name", Value(b.labels[0])},
                                              {"description", Value(text_attr(parser, b, "description"))},
                                              {"sensitive", Value(bool_attr(parser, b, "sensitive"))},
                                              {"deprecated", Value(text_attr(parser, b, "deprecated"))},
                                              {"pos", pos(file, b.line)},
                                              {"type", Value("")},
                                          }));
      } else if (b.type == "terraform") {
        if (const Attribute* rv = b.attribute("required_version")) {
          auto v = parser.literal(*rv);
          if (v && v->is_string()) required_core.push_back(*v);
        }
        for (const Block& rp : b.blocks) {
          if (rp.type != "required_providers") continue;
          for (const Attribute& a : rp.attributes) {
            auto v = parser.literal(a);
            std::string source, version;
            if (v && v->is_string()) version = v->as_string();
            if (v && v->is_map()) {
              if (v->get("source").is_string()) source = v->get("source").as_string();
              if (v->get("version").is_string()) version = v->get("version").as_string();
            }
            List constraints;
            if (!version.empty()) constraints.emplace_back(version);
            required_providers.emplace_back(a.name, Value::ordered_map({{"source", Value(source)},
                                                                         {"versionconstraints", Value::list(constraints)}}));
          }
        }
      } else if (b.type == "provider" && b.labels.size() == 1) {
        std::string alias = text_attr(parser, b, "alias");
        providers.emplace_back(alias.empty() ? b.labels[0] : b.labels[0] + "." + alias,
                               Value::ordered_map({{"name", Value(b.labels[0])}, {"alias", Value(alias)}}));
      } else if ((b.type == "resource" || b.type == "data") && b.labels.size() == 2) {
        const std::string& type = b.labels[0];
        std::string provider = type.substr(0, type.find('_'));
        Value resource = Value::ordered_map({
            {"mode", Value(static_cast<std::int64_t>(b.type == "resource" ? 'M' : 'D'))},
            {"type", Value(type)},
            {"name", Value(b.labels[1])},
            {"provider", Value::ordered_map({{"name", Value(provider)}, {"alias", Value("")}})},
            {"pos", pos(file, b.line)},
        });
        if (b.type == "resource") managed.emplace_back(type + "." + b.labels[1], resource);
        else data.emplace_back("data." + type + "." + b.labels[1], resource);
      } else if (b.type == "module" && b.labels.size() == 1) {
        modules.emplace_back(b.labels[0], Value::ordered_map({{"name", Value(b.labels[0])},
                                                              {"source", Value(text_attr(parser, b, "source"))},
                                                              {"version", Value(text_attr(parser, b, "version"))},
                                                              {"pos", pos(file, b.line)}}));
      }
    }
  }
  return Value::ordered_map({
      {"path", Value(dir)},
      {"variables", Value::map(std::move(variables))},
      {"outputs", Value::map(std::move(outputs))},
      {"requiredcore", Value::list(std::move(required_core))},
      {"requiredproviders", Value::map(std::move(required_providers))},
      {"providerconfigs", Value::map(std::move(providers))},
      {"managedresources", Value::map(std::move(managed))},
      {"dataresources", Value::map(std::move(data))},
      {"modulecalls", Value::map(std::move(modules))},
      {"diagnostics", Value::list({})},
  });
}

}  // namespace atmos::stacks
