#include "template/node.hpp"

#include "template/strconv.hpp"

namespace atmos::tmpl {

namespace {

std::vector<std::string> split_dots(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = s.find('.', start);
    out.push_back(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

}  // namespace

std::string Node::to_string() const {
  std::string out;
  write_to(out);
  return out;
}

void ListNode::write_to(std::string& out) const {
  for (const auto& n : nodes) n->write_to(out);
}

void TextNode::write_to(std::string& out) const { out += text; }

VariableNode::VariableNode(std::size_t p, const std::string& name)
    : Node(NodeType::Variable, p), ident(split_dots(name)) {}

void VariableNode::write_to(std::string& out) const {
  for (std::size_t i = 0; i < ident.size(); ++i) {
    if (i > 0) out += '.';
    out += ident[i];
  }
}

void CommandNode::write_to(std::string& out) const {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ' ';
    if (args[i]->type == NodeType::Pipe) {
      out += '(';
      args[i]->write_to(out);
      out += ')';
      continue;
    }
    args[i]->write_to(out);
  }
}

void PipeNode::write_to(std::string& out) const {
  if (!decl.empty()) {
    for (std::size_t i = 0; i < decl.size(); ++i) {
      if (i > 0) out += ", ";
      decl[i]->write_to(out);
    }
    out += " := ";
  }
  for (std::size_t i = 0; i < cmds.size(); ++i) {
    if (i > 0) out += " | ";
    cmds[i]->write_to(out);
  }
}

void ActionNode::write_to(std::string& out) const {
  out += "{{";
  pipe->write_to(out);
  out += "}}";
}

void IdentifierNode::write_to(std::string& out) const { out += ident; }

void DotNode::write_to(std::string& out) const { out += '.'; }

void NilNode::write_to(std::string& out) const { out += "nil"; }

FieldNode::FieldNode(std::size_t p, const std::string& name)
    : Node(NodeType::Field, p), ident(split_dots(name.substr(1))) {}

void FieldNode::write_to(std::string& out) const {
  for (const auto& id : ident) {
    out += '.';
    out += id;
  }
}

void ChainNode::write_to(std::string& out) const {
  if (node->type == NodeType::Pipe) {
    out += '(';
    node->write_to(out);
    out += ')';
  } else {
    node->write_to(out);
  }
  for (const auto& f : field) {
    out += '.';
    out += f;
  }
}

void BoolNode::write_to(std::string& out) const { out += value ? "true" : "false"; }

void NumberNode::write_to(std::string& out) const { out += text; }

void StringNode::write_to(std::string& out) const { out += quoted; }

void EndNode::write_to(std::string& out) const { out += "{{end}}"; }

void ElseNode::write_to(std::string& out) const { out += "{{else}}"; }

void BranchNode::write_to(std::string& out) const {
  out += "{{";
  out += type == NodeType::If ? "if" : type == NodeType::Range ? "range" : "with";
  out += ' ';
  pipe->write_to(out);
  out += "}}";
  list->write_to(out);
  if (else_list) {
    out += "{{else}}";
    else_list->write_to(out);
  }
  out += "{{end}}";
}

void BreakNode::write_to(std::string& out) const { out += "{{break}}"; }

void ContinueNode::write_to(std::string& out) const { out += "{{continue}}"; }

void TemplateNode::write_to(std::string& out) const {
  out += "{{template ";
  out += strconv::quote(name);
  if (pipe) {
    out += ' ';
    pipe->write_to(out);
  }
  out += "}}";
}

}  // namespace atmos::tmpl
