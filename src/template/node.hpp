// Parse tree of a Go text/template (text/template/parse/node.go). Each node keeps its byte position in
// the source, and to_string() reproduces Go's Node.String(), which execution errors quote as context
// ("executing \"t\" at <.a.b>").
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace atmos::tmpl {

enum class NodeType {
  Text,
  Action,
  Bool,
  Chain,
  Command,
  Dot,
  Else,
  End,
  Field,
  Identifier,
  If,
  List,
  Nil,
  Number,
  Pipe,
  Range,
  String,
  Template,
  Variable,
  With,
  Break,
  Continue,
};

struct Node {
  Node(NodeType t, std::size_t p) : type(t), pos(p) {}
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  NodeType type;
  std::size_t pos;

  std::string to_string() const;
  virtual void write_to(std::string& out) const = 0;
};

using NodePtr = std::unique_ptr<Node>;

struct ListNode : Node {
  explicit ListNode(std::size_t p) : Node(NodeType::List, p) {}
  std::vector<NodePtr> nodes;
  void write_to(std::string& out) const override;
};

struct TextNode : Node {
  TextNode(std::size_t p, std::string t) : Node(NodeType::Text, p), text(std::move(t)) {}
  std::string text;
  void write_to(std::string& out) const override;
};

struct VariableNode : Node {
  VariableNode(std::size_t p, const std::string& name);  // "$x.a.b" split at dots
  std::vector<std::string> ident;
  void write_to(std::string& out) const override;
};

struct CommandNode : Node {
  explicit CommandNode(std::size_t p) : Node(NodeType::Command, p) {}
  std::vector<NodePtr> args;
  void write_to(std::string& out) const override;
};

struct PipeNode : Node {
  PipeNode(std::size_t p, int l) : Node(NodeType::Pipe, p), line(l) {}
  int line;
  bool is_assign = false;
  std::vector<std::unique_ptr<VariableNode>> decl;
  std::vector<std::unique_ptr<CommandNode>> cmds;
  void write_to(std::string& out) const override;
};

struct ActionNode : Node {
  ActionNode(std::size_t p, int l, std::unique_ptr<PipeNode> pp)
      : Node(NodeType::Action, p), line(l), pipe(std::move(pp)) {}
  int line;
  std::unique_ptr<PipeNode> pipe;
  void write_to(std::string& out) const override;
};

// A function name. With dotted function names (see Parser), `ident` may contain dots.
struct IdentifierNode : Node {
  IdentifierNode(std::size_t p, std::string i) : Node(NodeType::Identifier, p), ident(std::move(i)) {}
  std::string ident;
  void write_to(std::string& out) const override;
};

struct DotNode : Node {
  explicit DotNode(std::size_t p) : Node(NodeType::Dot, p) {}
  void write_to(std::string& out) const override;
};

struct NilNode : Node {
  explicit NilNode(std::size_t p) : Node(NodeType::Nil, p) {}
  void write_to(std::string& out) const override;
};

struct FieldNode : Node {
  FieldNode(std::size_t p, const std::string& name);  // ".a.b" split at dots, leading dot dropped
  std::vector<std::string> ident;
  void write_to(std::string& out) const override;
};

struct ChainNode : Node {
  ChainNode(std::size_t p, NodePtr n) : Node(NodeType::Chain, p), node(std::move(n)) {}
  NodePtr node;
  std::vector<std::string> field;
  void write_to(std::string& out) const override;
};

struct BoolNode : Node {
  BoolNode(std::size_t p, bool v) : Node(NodeType::Bool, p), value(v) {}
  bool value;
  void write_to(std::string& out) const override;
};

struct NumberNode : Node {
  NumberNode(std::size_t p, std::string t) : Node(NodeType::Number, p), text(std::move(t)) {}
  bool is_int = false;
  bool is_uint = false;
  bool is_float = false;
  bool is_complex = false;
  std::int64_t int64 = 0;
  std::uint64_t uint64 = 0;
  double float64 = 0;
  double real = 0;
  double imag = 0;
  std::string text;
  void write_to(std::string& out) const override;
};

struct StringNode : Node {
  StringNode(std::size_t p, std::string q, std::string t)
      : Node(NodeType::String, p), quoted(std::move(q)), text(std::move(t)) {}
  std::string quoted;
  std::string text;
  void write_to(std::string& out) const override;
};

// {{end}} and {{else}}: returned by the parser's item lists, never stored in a tree.
struct EndNode : Node {
  explicit EndNode(std::size_t p) : Node(NodeType::End, p) {}
  void write_to(std::string& out) const override;
};

struct ElseNode : Node {
  ElseNode(std::size_t p, int l) : Node(NodeType::Else, p), line(l) {}
  int line;
  void write_to(std::string& out) const override;
};

// if, range and with.
struct BranchNode : Node {
  BranchNode(NodeType t, std::size_t p, int l) : Node(t, p), line(l) {}
  int line;
  std::unique_ptr<PipeNode> pipe;
  std::unique_ptr<ListNode> list;
  std::unique_ptr<ListNode> else_list;  // null when absent
  void write_to(std::string& out) const override;
};

struct BreakNode : Node {
  BreakNode(std::size_t p, int l) : Node(NodeType::Break, p), line(l) {}
  int line;
  void write_to(std::string& out) const override;
};

struct ContinueNode : Node {
  ContinueNode(std::size_t p, int l) : Node(NodeType::Continue, p), line(l) {}
  int line;
  void write_to(std::string& out) const override;
};

struct TemplateNode : Node {
  TemplateNode(std::size_t p, int l, std::string n, std::unique_ptr<PipeNode> pp)
      : Node(NodeType::Template, p), line(l), name(std::move(n)), pipe(std::move(pp)) {}
  int line;
  std::string name;
  std::unique_ptr<PipeNode> pipe;  // null when absent
  void write_to(std::string& out) const override;
};

}  // namespace atmos::tmpl
