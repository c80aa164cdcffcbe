#include "template/parser.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "template/builtins.hpp"
#include "template/lexer.hpp"
#include "template/strconv.hpp"
#include "template/unicode.hpp"

namespace atmos::tmpl {

namespace {

// State shared by the trees of one parse call (Go shares the lexer and treeSet between them).
struct ParseContext {
  std::string parse_name;
  Lexer lexer;
  TreeSet tree_set;
  const FuncTable* funcs;

  bool has_function(std::string_view name) const {
    return (funcs && funcs->find(name)) || find_builtin(name).has_value();
  }
};

// bytes.TrimSpace(text) is empty.
bool is_blank(std::string_view s) {
  while (!s.empty()) {
    unicode::Decoded d = unicode::decode(s);
    if (!unicode::is_space(d.rune)) return false;
    s.remove_prefix(static_cast<std::size_t>(d.width));
  }
  return true;
}

// parse.IsEmptyTree: only space and comments (break and continue never occur at this level).
bool is_empty_tree(const Node* n) {
  if (!n) return true;
  switch (n->type) {
    case NodeType::List:
      return std::all_of(static_cast<const ListNode*>(n)->nodes.begin(), static_cast<const ListNode*>(n)->nodes.end(),
                         [](const NodePtr& c) { return is_empty_tree(c.get()); });
    case NodeType::Text: return is_blank(static_cast<const TextNode*>(n)->text);
    default: return false;
  }
}

// float64(int64(f)) == f and float64(uint64(f)) == f, without C++'s undefined conversions.
bool fits_int64(double f) { return f == std::trunc(f) && f >= -9223372036854775808.0 && f < 9223372036854775808.0; }
bool fits_uint64(double f) { return f == std::trunc(f) && f >= 0 && f < 18446744073709551616.0; }

// ChainNode.String() of `node` followed by `fields`.
std::string with_fields(const Node& node, const std::vector<std::string>& fields) {
  std::string s = node.to_string();
  for (const auto& f : fields) s += "." + f;
  return s;
}

// One parse.Tree while it is being parsed: its own token lookahead, variables and range depth.
class TreeParser {
 public:
  TreeParser(ParseContext& ctx, std::string name) : ctx_(ctx), name_(std::move(name)) {}

  void parse_top_level();
  void parse_definition();
  // Parses a {{block}} body; returns the end node (or else) that stopped it.
  NodePtr parse_block_body();
  void add();

  const Item& current_token() const { return token_[0]; }

 private:
  ParseContext& ctx_;
  std::string name_;
  std::unique_ptr<ListNode> root_;
  std::array<Item, 3> token_{};
  int peek_count_ = 0;
  std::vector<std::string> vars_{"$"};
  int action_line_ = 0;
  int range_depth_ = 0;

  [[noreturn]] void errorf(const std::string& message);
  [[noreturn]] void unexpected(const Item& token, std::string_view context);

  Item next();
  void backup() { ++peek_count_; }
  void backup2(Item t1);
  void backup3(Item t2, Item t1);
  Item peek();
  Item next_non_space();
  Item peek_non_space();
  Item expect(ItemType expected, std::string_view context);
  Item expect_one_of(ItemType expected1, ItemType expected2, std::string_view context);

  std::pair<std::unique_ptr<ListNode>, NodePtr> item_list();
  NodePtr text_or_action();
  NodePtr action();
  NodePtr break_control(std::size_t pos, int line);
  NodePtr continue_control(std::size_t pos, int line);
  std::unique_ptr<PipeNode> pipeline(std::string_view context, ItemType end);
  void check_pipeline(const PipeNode& pipe, std::string_view context);
  NodePtr parse_control(NodeType type, bool allow_else_if, std::string_view context);
  NodePtr if_control() { return parse_control(NodeType::If, true, "if"); }
  NodePtr range_control() { return parse_control(NodeType::Range, false, "range"); }
  NodePtr with_control() { return parse_control(NodeType::With, false, "with"); }
  NodePtr end_control();
  NodePtr else_control();
  NodePtr block_control();
  NodePtr template_control();
  std::string parse_template_name(const Item& token, std::string_view context);
  std::unique_ptr<CommandNode> command();
  NodePtr operand();
  NodePtr term();
  NodePtr function_term(const Item& token);
  std::unique_ptr<NumberNode> new_number(const Item& token);
  std::pair<double, double> scan_complex(std::string_view text);
  NodePtr use_var(std::size_t pos, const std::string& name);
};

void TreeParser::errorf(const std::string& message) {
  throw TemplateError(TemplateError::Phase::Parse,
                      "template: " + ctx_.parse_name + ":" + std::to_string(token_[0].line) + ": " + message);
}

void TreeParser::unexpected(const Item& token, std::string_view context) {
  if (token.type == ItemType::Error) {
    std::string extra;
    if (action_line_ != 0 && action_line_ != token.line) {
      extra = " in action started at " + ctx_.parse_name + ":" + std::to_string(action_line_);
      if (token.val.ends_with(" action")) extra = extra.substr(std::string_view(" in action").size());
    }
    errorf(token.describe() + extra);
  }
  errorf("unexpected " + token.describe() + " in " + std::string(context));
}

Item TreeParser::next() {
  if (peek_count_ > 0) {
    --peek_count_;
  } else {
    token_[0] = ctx_.lexer.next_item();
  }
  return token_[static_cast<std::size_t>(peek_count_)];
}

void TreeParser::backup2(Item t1) {
  token_[1] = std::move(t1);
  peek_count_ = 2;
}

void TreeParser::backup3(Item t2, Item t1) {
  token_[1] = std::move(t1);
  token_[2] = std::move(t2);
  peek_count_ = 3;
}

Item TreeParser::peek() {
  if (peek_count_ > 0) return token_[static_cast<std::size_t>(peek_count_ - 1)];
  peek_count_ = 1;
  token_[0] = ctx_.lexer.next_item();
  return token_[0];
}

Item TreeParser::next_non_space() {
  Item token;
  do {
    token = next();
  } while (token.type == ItemType::Space);
  return token;
}

Item TreeParser::peek_non_space() {
  Item token = next_non_space();
  backup();
  return token;
}

Item TreeParser::expect(ItemType expected, std::string_view context) {
  Item token = next_non_space();
  if (token.type != expected) unexpected(token, context);
  return token;
}

Item TreeParser::expect_one_of(ItemType expected1, ItemType expected2, std::string_view context) {
  Item token = next_non_space();
  if (token.type != expected1 && token.type != expected2) unexpected(token, context);
  return token;
}

void TreeParser::add() {
  auto it = ctx_.tree_set.find(name_);
  if (it == ctx_.tree_set.end() || is_empty_tree(it->second->root.get())) {
    auto tree = std::make_unique<Tree>();
    tree->name = name_;
    tree->root = std::move(root_);
    ctx_.tree_set[name_] = std::move(tree);
    return;
  }
  if (!is_empty_tree(root_.get())) errorf("template: multiple definition of template " + strconv::quote(name_));
}

void TreeParser::parse_top_level() {
  root_ = std::make_unique<ListNode>(peek().pos);
  while (peek().type != ItemType::Eof) {
    if (peek().type == ItemType::LeftDelim) {
      Item delim = next();
      if (next_non_space().type == ItemType::Define) {
        TreeParser definition(ctx_, "definition");
        definition.parse_definition();
        continue;
      }
      backup2(std::move(delim));
    }
    NodePtr n = text_or_action();
    if (n->type == NodeType::End || n->type == NodeType::Else) errorf("unexpected " + n->to_string());
    root_->nodes.push_back(std::move(n));
  }
}

void TreeParser::parse_definition() {
  constexpr std::string_view context = "define clause";
  Item name = expect_one_of(ItemType::String, ItemType::RawString, context);
  auto unquoted = strconv::unquote(name.val);
  if (!unquoted) errorf("invalid syntax");
  name_ = *unquoted;
  expect(ItemType::RightDelim, context);
  auto [list, end] = item_list();
  root_ = std::move(list);
  if (end->type != NodeType::End) errorf("unexpected " + end->to_string() + " in " + std::string(context));
  add();
}

NodePtr TreeParser::parse_block_body() {
  auto [list, end] = item_list();
  root_ = std::move(list);
  return std::move(end);
}

std::pair<std::unique_ptr<ListNode>, NodePtr> TreeParser::item_list() {
  auto list = std::make_unique<ListNode>(peek_non_space().pos);
  while (peek_non_space().type != ItemType::Eof) {
    NodePtr n = text_or_action();
    if (n->type == NodeType::End || n->type == NodeType::Else) return {std::move(list), std::move(n)};
    list->nodes.push_back(std::move(n));
  }
  errorf("unexpected EOF");
}

NodePtr TreeParser::text_or_action() {
  Item token = next_non_space();
  switch (token.type) {
    case ItemType::Text: return std::make_unique<TextNode>(token.pos, std::move(token.val));
    case ItemType::LeftDelim: {
      action_line_ = token.line;
      struct ClearActionLine {
        int& line;
        ~ClearActionLine() { line = 0; }
      } clear{action_line_};
      return action();
    }
    default: unexpected(token, "input");
  }
}

NodePtr TreeParser::action() {
  Item token = next_non_space();
  switch (token.type) {
    case ItemType::Block: return block_control();
    case ItemType::Break: return break_control(token.pos, token.line);
    case ItemType::Continue: return continue_control(token.pos, token.line);
    case ItemType::Else: return else_control();
    case ItemType::End: return end_control();
    case ItemType::If: return if_control();
    case ItemType::Range: return range_control();
    case ItemType::Template: return template_control();
    case ItemType::With: return with_control();
    default: break;
  }
  backup();
  Item first = peek();
  return std::make_unique<ActionNode>(first.pos, first.line, pipeline("command", ItemType::RightDelim));
}

NodePtr TreeParser::break_control(std::size_t pos, int line) {
  Item token = next_non_space();
  if (token.type != ItemType::RightDelim) unexpected(token, "{{break}}");
  if (range_depth_ == 0) errorf("{{break}} outside {{range}}");
  return std::make_unique<BreakNode>(pos, line);
}

NodePtr TreeParser::continue_control(std::size_t pos, int line) {
  Item token = next_non_space();
  if (token.type != ItemType::RightDelim) unexpected(token, "{{continue}}");
  if (range_depth_ == 0) errorf("{{continue}} outside {{range}}");
  return std::make_unique<ContinueNode>(pos, line);
}

std::unique_ptr<PipeNode> TreeParser::pipeline(std::string_view context, ItemType end) {
  Item first = peek_non_space();
  auto pipe = std::make_unique<PipeNode>(first.pos, first.line);
  for (;;) {  // declarations
    Item v = peek_non_space();
    if (v.type != ItemType::Variable) break;
    next();
    // "$x foo" needs three tokens of lookahead to tell an argument from a declaration.
    Item token_after_variable = peek();
    Item nxt = peek_non_space();
    if (nxt.type == ItemType::Assign || nxt.type == ItemType::Declare) {
      pipe->is_assign = nxt.type == ItemType::Assign;
      next_non_space();
      pipe->decl.push_back(std::make_unique<VariableNode>(v.pos, v.val));
      vars_.push_back(v.val);
    } else if (nxt.type == ItemType::Char && nxt.val == ",") {
      next_non_space();
      pipe->decl.push_back(std::make_unique<VariableNode>(v.pos, v.val));
      vars_.push_back(v.val);
      if (context == "range" && pipe->decl.size() < 2) {
        ItemType t = peek_non_space().type;
        if (t == ItemType::Variable || t == ItemType::RightDelim || t == ItemType::RightParen) continue;
        errorf("range can only initialize variables");
      }
      errorf("too many declarations in " + std::string(context));
    } else if (token_after_variable.type == ItemType::Space) {
      backup3(std::move(v), std::move(token_after_variable));
    } else {
      backup2(std::move(v));
    }
    break;
  }
  for (;;) {
    Item token = next_non_space();
    if (token.type == end) {
      check_pipeline(*pipe, context);
      return pipe;
    }
    switch (token.type) {
      case ItemType::Bool:
      case ItemType::CharConstant:
      case ItemType::Complex:
      case ItemType::Dot:
      case ItemType::Field:
      case ItemType::Identifier:
      case ItemType::Number:
      case ItemType::Nil:
      case ItemType::RawString:
      case ItemType::String:
      case ItemType::Variable:
      case ItemType::LeftParen:
        backup();
        pipe->cmds.push_back(command());
        break;
      default: unexpected(token, context);
    }
  }
}

void TreeParser::check_pipeline(const PipeNode& pipe, std::string_view context) {
  if (pipe.cmds.empty()) errorf("missing value for " + std::string(context));
  for (std::size_t i = 1; i < pipe.cmds.size(); ++i) {
    switch (pipe.cmds[i]->args[0]->type) {
      case NodeType::Bool:
      case NodeType::Dot:
      case NodeType::Nil:
      case NodeType::Number:
      case NodeType::String: errorf("non executable command in pipeline stage " + std::to_string(i + 1));
      default: break;
    }
  }
}

NodePtr TreeParser::parse_control(NodeType type, bool allow_else_if, std::string_view context) {
  const std::size_t saved_vars = vars_.size();
  struct PopVars {
    std::vector<std::string>& vars;
    std::size_t n;
    ~PopVars() { vars.resize(n); }
  } pop{vars_, saved_vars};
  auto pipe = pipeline(context, ItemType::RightDelim);
  if (type == NodeType::Range) ++range_depth_;
  auto [list, next_node] = item_list();
  if (type == NodeType::Range) --range_depth_;
  std::unique_ptr<ListNode> else_list;
  if (next_node->type == NodeType::Else) {
    // {{if a}}_{{else if b}}_{{end}} is {{if a}}_{{else}}{{if b}}_{{end}}{{end}} with one {{end}}.
    if (allow_else_if && peek().type == ItemType::If) {
      next();
      else_list = std::make_unique<ListNode>(next_node->pos);
      else_list->nodes.push_back(if_control());
    } else {
      auto [elist, after] = item_list();
      else_list = std::move(elist);
      if (after->type != NodeType::End) errorf("expected end; found " + after->to_string());
    }
  }
  auto branch = std::make_unique<BranchNode>(type, pipe->pos, pipe->line);
  branch->pipe = std::move(pipe);
  branch->list = std::move(list);
  branch->else_list = std::move(else_list);
  return branch;
}

NodePtr TreeParser::end_control() { return std::make_unique<EndNode>(expect(ItemType::RightDelim, "end").pos); }

NodePtr TreeParser::else_control() {
  Item p = peek_non_space();
  if (p.type == ItemType::If) return std::make_unique<ElseNode>(p.pos, p.line);
  Item token = expect(ItemType::RightDelim, "else");
  return std::make_unique<ElseNode>(token.pos, token.line);
}

NodePtr TreeParser::block_control() {
  constexpr std::string_view context = "block clause";
  Item token = next_non_space();
  std::string name = parse_template_name(token, context);
  auto pipe = pipeline(context, ItemType::RightDelim);
  TreeParser block(ctx_, name);
  NodePtr end = block.parse_block_body();
  if (end->type != NodeType::End) errorf("unexpected " + end->to_string() + " in " + std::string(context));
  block.add();
  return std::make_unique<TemplateNode>(token.pos, token.line, std::move(name), std::move(pipe));
}

NodePtr TreeParser::template_control() {
  constexpr std::string_view context = "template clause";
  Item token = next_non_space();
  std::string name = parse_template_name(token, context);
  std::unique_ptr<PipeNode> pipe;
  if (next_non_space().type != ItemType::RightDelim) {
    backup();
    pipe = pipeline(context, ItemType::RightDelim);
  }
  return std::make_unique<TemplateNode>(token.pos, token.line, std::move(name), std::move(pipe));
}

std::string TreeParser::parse_template_name(const Item& token, std::string_view context) {
  if (token.type != ItemType::String && token.type != ItemType::RawString) unexpected(token, context);
  auto s = strconv::unquote(token.val);
  if (!s) errorf("invalid syntax");
  return *s;
}

std::unique_ptr<CommandNode> TreeParser::command() {
  auto cmd = std::make_unique<CommandNode>(peek_non_space().pos);
  for (;;) {
    peek_non_space();
    if (NodePtr op = operand()) cmd->args.push_back(std::move(op));
    Item token = next();
    if (token.type == ItemType::Space) continue;
    if (token.type == ItemType::RightDelim || token.type == ItemType::RightParen) {
      backup();
    } else if (token.type != ItemType::Pipe) {
      unexpected(token, "operand");
    }
    break;
  }
  if (cmd->args.empty()) errorf("empty command");
  return cmd;
}

NodePtr TreeParser::operand() {
  NodePtr node = term();
  if (!node) return nullptr;
  if (peek().type == ItemType::Field) {
    auto chain = std::make_unique<ChainNode>(peek().pos, nullptr);
    while (peek().type == ItemType::Field) chain->field.push_back(next().val.substr(1));
    switch (node->type) {
      case NodeType::Field: {
        return std::make_unique<FieldNode>(chain->pos, with_fields(*node, chain->field));
      }
      case NodeType::Variable: {
        return std::make_unique<VariableNode>(chain->pos, with_fields(*node, chain->field));
      }
      case NodeType::Bool:
      case NodeType::String:
      case NodeType::Number:
      case NodeType::Nil:
      case NodeType::Dot: errorf("unexpected . after term " + strconv::quote(node->to_string()));
      default: chain->node = std::move(node); return chain;
    }
  }
  return node;
}

NodePtr TreeParser::term() {
  Item token = next_non_space();
  switch (token.type) {
    case ItemType::Identifier: return function_term(token);
    case ItemType::Dot: return std::make_unique<DotNode>(token.pos);
    case ItemType::Nil: return std::make_unique<NilNode>(token.pos);
    case ItemType::Variable: return use_var(token.pos, token.val);
    case ItemType::Field: return std::make_unique<FieldNode>(token.pos, token.val);
    case ItemType::Bool: return std::make_unique<BoolNode>(token.pos, token.val == "true");
    case ItemType::CharConstant:
    case ItemType::Complex:
    case ItemType::Number: return new_number(token);
    case ItemType::LeftParen: return pipeline("parenthesized pipeline", ItemType::RightParen);
    case ItemType::String:
    case ItemType::RawString: {
      auto s = strconv::unquote(token.val);
      if (!s) errorf("invalid syntax");
      return std::make_unique<StringNode>(token.pos, token.val, std::move(*s));
    }
    default: break;
  }
  backup();
  return nullptr;
}

// An identifier must name a function. When it does not, `a.b.c` is tried as the function "a.b.c", then
// "a.b" (the rest becoming field accesses on its result), so namespaced functions resolve.
NodePtr TreeParser::function_term(const Item& token) {
  if (ctx_.has_function(token.val)) return std::make_unique<IdentifierNode>(token.pos, token.val);
  std::vector<Item> fields;
  while (peek().type == ItemType::Field) fields.push_back(next());
  for (std::size_t k = fields.size(); k > 0; --k) {
    std::string name = token.val;
    for (std::size_t i = 0; i < k; ++i) name += fields[i].val;
    if (!ctx_.has_function(name)) continue;
    NodePtr ident = std::make_unique<IdentifierNode>(token.pos, std::move(name));
    if (k == fields.size()) return ident;
    auto chain = std::make_unique<ChainNode>(fields[k].pos, std::move(ident));
    for (std::size_t i = k; i < fields.size(); ++i) chain->field.push_back(fields[i].val.substr(1));
    return chain;
  }
  errorf("function " + strconv::quote(token.val) + " not defined");
}

std::unique_ptr<NumberNode> TreeParser::new_number(const Item& token) {
  const std::string& text = token.val;
  auto n = std::make_unique<NumberNode>(token.pos, text);
  auto simplify_complex = [&n] {
    n->is_float = n->imag == 0;
    if (n->is_float) {
      n->float64 = n->real;
      n->is_int = fits_int64(n->float64);
      if (n->is_int) n->int64 = static_cast<std::int64_t>(n->float64);
      n->is_uint = fits_uint64(n->float64);
      if (n->is_uint) n->uint64 = static_cast<std::uint64_t>(n->float64);
    }
  };
  if (token.type == ItemType::CharConstant) {
    auto c = strconv::unquote_char(std::string_view(text).substr(1), text[0]);
    if (!c) errorf("invalid syntax");
    if (c->tail != "'") errorf("malformed character constant: " + text);
    n->int64 = c->value;
    n->is_int = true;
    n->uint64 = c->value;
    n->is_uint = true;
    n->float64 = c->value;
    n->is_float = true;
    return n;
  }
  if (token.type == ItemType::Complex) {
    auto [re, im] = scan_complex(text);
    n->is_complex = true;
    n->real = re;
    n->imag = im;
    simplify_complex();
    return n;
  }
  if (!text.empty() && text.back() == 'i') {
    if (auto f = strconv::parse_float(std::string_view(text).substr(0, text.size() - 1))) {
      n->is_complex = true;
      n->real = 0;
      n->imag = *f;
      simplify_complex();
      return n;
    }
  }
  auto u = strconv::parse_uint(text);
  if (u) {
    n->is_uint = true;
    n->uint64 = *u;
  }
  if (auto i = strconv::parse_int(text)) {
    n->is_int = true;
    n->int64 = *i;
    if (*i == 0) {
      n->is_uint = true;
      n->uint64 = u.value_or(0);
    }
  }
  if (n->is_int) {
    n->is_float = true;
    n->float64 = static_cast<double>(n->int64);
  } else if (n->is_uint) {
    n->is_float = true;
    n->float64 = static_cast<double>(n->uint64);
  } else if (auto f = strconv::parse_float(text)) {
    if (text.find_first_of(".eEpP") == std::string::npos) errorf("integer overflow: " + strconv::quote(text));
    n->is_float = true;
    n->float64 = *f;
    if (fits_int64(*f)) {
      n->is_int = true;
      n->int64 = static_cast<std::int64_t>(*f);
    }
    if (fits_uint64(*f)) {
      n->is_uint = true;
      n->uint64 = static_cast<std::uint64_t>(*f);
    }
  }
  if (!n->is_int && !n->is_uint && !n->is_float) errorf("illegal number syntax: " + strconv::quote(text));
  return n;
}

// fmt.Sscan(text, &complex128), which is how Go's parser reads a complex literal such as 1+2i: a float
// token, a sign, a float token and 'i', each float converted by strconv.ParseFloat.
std::pair<double, double> TreeParser::scan_complex(std::string_view text) {
  std::size_t pos = 0;
  auto accept = [&](std::string_view set) {
    if (pos < text.size() && set.find(text[pos]) != std::string_view::npos) {
      ++pos;
      return true;
    }
    return false;
  };
  auto float_token = [&] {
    const std::size_t start = pos;
    accept("+-");
    std::string_view digits = "0123456789_";
    std::string_view exponent = "eEpP";
    if (accept("0") && accept("xX")) {
      digits = "0123456789aAbBcCdDeEfF_";
      exponent = "pP";
    }
    while (accept(digits)) {
    }
    if (accept(".")) {
      while (accept(digits)) {
      }
    }
    if (accept(exponent)) {
      accept("+-");
      while (accept("0123456789_")) {
      }
    }
    return text.substr(start, pos - start);
  };
  auto convert = [&](std::string_view s) {
    bool out_of_range = false;
    auto f = strconv::parse_float(s, &out_of_range);
    if (!f) {
      errorf("strconv.ParseFloat: parsing " + strconv::quote(s) + ": " +
             (out_of_range ? "value out of range" : "invalid syntax"));
    }
    return *f;
  };
  const std::string complex_error = "syntax error scanning complex number";
  std::string_view real = float_token();
  const std::size_t sign = pos;
  if (!accept("+-")) errorf(complex_error);
  float_token();
  std::string_view imag = text.substr(sign, pos - sign);
  if (!accept("i")) errorf(complex_error);
  return {convert(real), convert(imag)};
}

NodePtr TreeParser::use_var(std::size_t pos, const std::string& name) {
  auto v = std::make_unique<VariableNode>(pos, name);
  if (std::find(vars_.begin(), vars_.end(), v->ident[0]) == vars_.end()) {
    errorf("undefined variable " + strconv::quote(v->ident[0]));
  }
  return v;
}

}  // namespace

TreeSet parse_templates(std::string_view name, std::string_view text, const Options& opts, const FuncTable* funcs) {
  const bool break_ok = !(funcs && funcs->find("break"));
  const bool continue_ok = !(funcs && funcs->find("continue"));
  ParseContext ctx{std::string(name), Lexer(text, opts.left_delim, opts.right_delim, break_ok, continue_ok), {}, funcs};
  TreeParser top(ctx, std::string(name));
  top.parse_top_level();
  top.add();
  return std::move(ctx.tree_set);
}

}  // namespace atmos::tmpl
