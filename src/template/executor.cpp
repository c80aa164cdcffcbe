#include "template/executor.hpp"

#include <pthread.h>

#include <array>
#include <exception>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/limits.hpp"
#include "template/builtins.hpp"
#include "template/go_fmt.hpp"
#include "template/strconv.hpp"

namespace atmos::tmpl::detail {

namespace {

constexpr int kMaxExecDepth = 100000;

// Template invocations recurse on the C++ stack (about 2 KB per level). The first kInlineDepth levels run
// on the caller's stack; from there every kDepthPerStack levels continue on a fresh thread with a stack of
// kStackBytes, so runaway recursion ends with Go's "exceeded maximum template depth" error instead of a
// stack overflow.
constexpr int kInlineDepth = 200;
constexpr int kDepthPerStack = 2000;
constexpr std::size_t kStackBytes = std::size_t{32} << 20;

enum class Flow { Normal, Break, Continue };

struct Variable {
  std::string name;
  GoValue value;
};

// How a function is reached: a FuncTable entry or a Go built-in.
struct Callee {
  const Function* user = nullptr;
  std::optional<Builtin> builtin;
  const Signature* sig = nullptr;
};

const Signature kUserSignature{{}, ParamType::Any};

std::string_view param_type_name(ParamType t) {
  switch (t) {
    case ParamType::ReflectValue: return "reflect.Value";
    case ParamType::String: return "string";
    case ParamType::Any: return "interface {}";
  }
  return "";
}

bool is_hex_int(std::string_view s) {
  return s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s.find_first_of("pP") == std::string_view::npos;
}

// One execution of one template (Go's state): the variable stack and the node being evaluated.
class State {
 public:
  State(const TemplateSet& set, const Tree& tmpl, std::string& out, int depth)
      : set_(set), tmpl_(tmpl), out_(out), depth_(depth) {}

  void run(const GoValue& dot) {
    vars_.push_back(Variable{"$", dot});
    walk(dot, tmpl_.root.get());
  }

 private:
  const TemplateSet& set_;
  const Tree& tmpl_;
  std::string& out_;
  int depth_;
  const Node* node_ = nullptr;
  std::vector<Variable> vars_;

  struct PopVars {
    std::vector<Variable>& vars;
    std::size_t mark;
    ~PopVars() { vars.resize(mark); }
  };

  void at(const Node* n) { node_ = n; }

  // Appends to the output, which may not outgrow limits::kTemplateOutputBytes (docs/limits.md).
  void write(std::string_view text) {
    if (text.size() > limits::kTemplateOutputBytes - out_.size())
      errorf("the output exceeds " + limits::size_text(limits::kTemplateOutputBytes) +
             ", the limit for one template (see docs/limits.md)");
    out_ += text;
  }

  // Go's state.errorf; walk() marks a node before anything can fail, so node_ is never null here.
  [[noreturn]] void errorf(const std::string& message) const {
    const std::string& name = tmpl_.name;
    std::string_view before = std::string_view(set_.text).substr(0, node_->pos);
    std::size_t nl = before.rfind('\n');
    std::size_t column = nl == std::string_view::npos ? node_->pos : node_->pos - (nl + 1);
    std::size_t line = 1;
    for (char c : before) line += c == '\n';
    throw TemplateError(TemplateError::Phase::Execute,
                        "template: " + set_.name + ":" + std::to_string(line) + ":" + std::to_string(column) +
                            ": executing " + strconv::quote(name) + " at <" + node_->to_string() + ">: " + message);
  }

  void set_var(const std::string& name, const GoValue& value) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
      if (it->name == name) {
        it->value = value;
        return;
      }
    }
    errorf("undefined variable: " + name);
  }

  GoValue var_value(const std::string& name) const {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
      if (it->name == name) return it->value;
    }
    errorf("undefined variable: " + name);
  }

  Flow walk(const GoValue& dot, const Node* node);
  Flow walk_if_or_with(const GoValue& dot, const BranchNode& node);
  Flow walk_range(const GoValue& dot, const BranchNode& r);
  void walk_template(const GoValue& dot, const TemplateNode& t);

  GoValue eval_pipeline(const GoValue& dot, const PipeNode* pipe);
  void not_a_function(const std::vector<NodePtr>& args, const GoValue* final) const;
  GoValue eval_command(const GoValue& dot, const CommandNode& cmd, const GoValue* final);
  GoValue ideal_constant(const NumberNode& constant);
  // `num_args` counts the command's words (the field itself included), as Go's len(args).
  GoValue eval_field_node(const GoValue& dot, const FieldNode& field, std::size_t num_args, const GoValue* final);
  GoValue eval_chain_node(const GoValue& dot, const ChainNode& chain, std::size_t num_args, const GoValue* final);
  GoValue eval_variable_node(const VariableNode& variable, std::span<const NodePtr> args, const GoValue* final);
  GoValue eval_field_chain(GoValue receiver, const std::vector<std::string>& ident, std::size_t first,
                           std::size_t num_args, const GoValue* final);
  GoValue eval_field(const std::string& field_name, std::size_t num_args, const GoValue* final,
                     const GoValue& receiver);
  GoValue eval_function(const GoValue& dot, const IdentifierNode& node, const Node& cmd, std::span<const NodePtr> args,
                        const GoValue* final);
  GoValue eval_call(const GoValue& dot, const Callee& fn, const Node& node, const std::string& name,
                    std::span<const NodePtr> args, const GoValue* final);
  GoValue call_user(const Function& f, const Node& node, const std::string& name, std::span<const GoValue> argv);
  GoValue validate_type(const GoValue& value, ParamType typ);
  GoValue eval_arg(const GoValue& dot, ParamType typ, const Node& n);
  GoValue eval_empty_interface(const Node& n);
  void print_value(const Node& n, const GoValue& v);
};

Flow State::walk(const GoValue& dot, const Node* node) {
  at(node);
  switch (node->type) {
    case NodeType::Action: {
      const auto& action = static_cast<const ActionNode&>(*node);
      GoValue val = eval_pipeline(dot, action.pipe.get());
      if (action.pipe->decl.empty()) print_value(*node, val);
      return Flow::Normal;
    }
    case NodeType::Break: return Flow::Break;
    case NodeType::Continue: return Flow::Continue;
    case NodeType::If:
    case NodeType::With: return walk_if_or_with(dot, static_cast<const BranchNode&>(*node));
    case NodeType::List:
      for (const auto& n : static_cast<const ListNode&>(*node).nodes) {
        Flow f = walk(dot, n.get());
        if (f != Flow::Normal) return f;
      }
      return Flow::Normal;
    case NodeType::Range: return walk_range(dot, static_cast<const BranchNode&>(*node));
    case NodeType::Template: walk_template(dot, static_cast<const TemplateNode&>(*node)); return Flow::Normal;
    case NodeType::Text: write(static_cast<const TextNode&>(*node).text); return Flow::Normal;
    default: errorf("unknown node: " + node->to_string());
  }
}

Flow State::walk_if_or_with(const GoValue& dot, const BranchNode& node) {
  PopVars pop{vars_, vars_.size()};
  GoValue val = eval_pipeline(dot, node.pipe.get());
  if (truth(val)) {
    return walk(node.type == NodeType::With ? val : dot, node.list.get());
  }
  if (node.else_list) return walk(dot, node.else_list.get());
  return Flow::Normal;
}

Flow State::walk_range(const GoValue& dot, const BranchNode& r) {
  at(&r);
  PopVars pop{vars_, vars_.size()};
  GoValue val = eval_pipeline(dot, r.pipe.get());
  const std::size_t mark = vars_.size();
  // Returns false when the body executed {{break}}.
  auto one_iteration = [&](const GoValue& index, const GoValue& elem) {
    if (!r.pipe->decl.empty()) vars_[vars_.size() - 1].value = elem;
    if (r.pipe->decl.size() > 1) vars_[vars_.size() - 2].value = index;
    Flow f = walk(elem, r.list.get());
    vars_.resize(mark);
    return f != Flow::Break;
  };
  switch (val.kind()) {
    case GoKind::Slice:
      if (val.slice_len() == 0) break;
      for (std::size_t i = 0; i < val.slice_len(); ++i) {
        if (!one_iteration(GoValue::of_int(static_cast<std::int64_t>(i)), val.slice_elem(i))) break;
      }
      return Flow::Normal;
    case GoKind::Map:
      if (val.map_entries().empty()) break;
      for (const auto& [key, elem] : val.map_entries()) {
        if (!one_iteration(GoValue::of_string(key), GoValue::from_element(elem))) break;
      }
      return Flow::Normal;
    case GoKind::Invalid: break;
    default: errorf("range can't iterate over " + gofmt::sprint_reflect(val, 'v'));
  }
  // Go's range recovers a {{break}} raised in its else branch too; a {{continue}} reaches the enclosing range.
  if (r.else_list && walk(dot, r.else_list.get()) == Flow::Continue) return Flow::Continue;
  return Flow::Normal;
}

struct NestedWalk {
  const TemplateSet* set;
  const Tree* tree;
  std::string* out;
  int depth;
  GoValue dot;
  std::exception_ptr error;
};

void* run_nested_walk(void* arg) {
  auto* w = static_cast<NestedWalk*>(arg);
  try {
    State(*w->set, *w->tree, *w->out, w->depth).run(w->dot);
  } catch (...) {
    w->error = std::current_exception();
  }
  return nullptr;
}

void State::walk_template(const GoValue& dot, const TemplateNode& t) {
  at(&t);
  auto it = set_.trees.find(t.name);
  if (it == set_.trees.end()) errorf("template " + strconv::quote(t.name) + " not defined");
  if (depth_ == kMaxExecDepth) errorf("exceeded maximum template depth (" + std::to_string(kMaxExecDepth) + ")");
  GoValue new_dot = eval_pipeline(dot, t.pipe.get());
  const Tree& tree = *it->second;
  const int depth = depth_ + 1;
  if (depth < kInlineDepth || (depth - kInlineDepth) % kDepthPerStack != 0) {
    State(set_, tree, out_, depth).run(new_dot);
    return;
  }
  NestedWalk w{&set_, &tree, &out_, depth, new_dot, nullptr};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kStackBytes);
  pthread_t thread;
  int rc = pthread_create(&thread, &attr, run_nested_walk, &w);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    State(set_, tree, out_, depth).run(new_dot);
    return;
  }
  pthread_join(thread, nullptr);
  if (w.error) std::rethrow_exception(w.error);
}

GoValue State::eval_pipeline(const GoValue& dot, const PipeNode* pipe) {
  if (!pipe) return GoValue();
  at(pipe);
  GoValue value;
  const GoValue* final = nullptr;
  for (const auto& cmd : pipe->cmds) {
    value = eval_command(dot, *cmd, final).unboxed();
    final = &value;
  }
  for (const auto& variable : pipe->decl) {
    if (pipe->is_assign) {
      set_var(variable->ident[0], value);
    } else {
      vars_.push_back(Variable{variable->ident[0], value});
    }
  }
  return value;
}

void State::not_a_function(const std::vector<NodePtr>& args, const GoValue* final) const {
  if (args.size() > 1 || final) errorf("can't give argument to non-function " + args[0]->to_string());
}

GoValue State::eval_command(const GoValue& dot, const CommandNode& cmd, const GoValue* final) {
  const Node& first = *cmd.args[0];
  switch (first.type) {
    case NodeType::Field: return eval_field_node(dot, static_cast<const FieldNode&>(first), cmd.args.size(), final);
    case NodeType::Chain: return eval_chain_node(dot, static_cast<const ChainNode&>(first), cmd.args.size(), final);
    case NodeType::Identifier:
      return eval_function(dot, static_cast<const IdentifierNode&>(first), cmd, cmd.args, final);
    case NodeType::Pipe:
      not_a_function(cmd.args, final);
      return eval_pipeline(dot, static_cast<const PipeNode*>(&first));
    case NodeType::Variable: return eval_variable_node(static_cast<const VariableNode&>(first), cmd.args, final);
    default: break;
  }
  at(&first);
  not_a_function(cmd.args, final);
  switch (first.type) {
    case NodeType::Bool: return GoValue::of_bool(static_cast<const BoolNode&>(first).value);
    case NodeType::Dot: return dot;
    case NodeType::Nil: errorf("nil is not a command");
    case NodeType::Number: return ideal_constant(static_cast<const NumberNode&>(first));
    case NodeType::String: return GoValue::of_string(static_cast<const StringNode&>(first).text);
    default: errorf("can't evaluate command " + strconv::quote(first.to_string()));
  }
}

GoValue State::ideal_constant(const NumberNode& constant) {
  at(&constant);
  if (constant.is_complex) return GoValue::of_complex(constant.real, constant.imag);
  if (constant.is_float && !is_hex_int(constant.text) && constant.text[0] != '\'' &&
      constant.text.find_first_of(".eEpP") != std::string::npos) {
    return GoValue::of_float(constant.float64);
  }
  if (constant.is_int) return GoValue::of_int(constant.int64);
  if (constant.is_uint) errorf(constant.text + " overflows int");
  return GoValue();
}

GoValue State::eval_field_node(const GoValue& dot, const FieldNode& field, std::size_t num_args, const GoValue* final) {
  at(&field);
  return eval_field_chain(dot, field.ident, 0, num_args, final);
}

// The operand of a chain is a function or a parenthesized pipeline (the parser rejects the rest); Go
// evaluates it as an untyped argument, which leaves its value unchanged.
GoValue State::eval_chain_node(const GoValue& dot, const ChainNode& chain, std::size_t num_args, const GoValue* final) {
  at(&chain);
  const Node& base = *chain.node;
  at(&base);
  GoValue pipe;
  if (base.type == NodeType::Pipe) {
    pipe = eval_pipeline(dot, static_cast<const PipeNode*>(&base));
  } else {
    const auto& ident = static_cast<const IdentifierNode&>(base);
    pipe = eval_function(dot, ident, ident, {}, nullptr);
  }
  return eval_field_chain(pipe, chain.field, 0, num_args, final);
}

GoValue State::eval_variable_node(const VariableNode& variable, std::span<const NodePtr> args, const GoValue* final) {
  at(&variable);
  GoValue value = var_value(variable.ident[0]);
  if (variable.ident.size() == 1) {
    if (args.size() > 1 || final) errorf("can't give argument to non-function " + args[0]->to_string());
    return value;
  }
  return eval_field_chain(value, variable.ident, 1, args.size(), final);
}

GoValue State::eval_field_chain(GoValue receiver, const std::vector<std::string>& ident, std::size_t first,
                                std::size_t num_args, const GoValue* final) {
  const std::size_t n = ident.size();
  for (std::size_t i = first; i + 1 < n; ++i) receiver = eval_field(ident[i], 0, nullptr, receiver);
  return eval_field(ident[n - 1], num_args, final, receiver);
}

GoValue State::eval_field(const std::string& field_name, std::size_t num_args, const GoValue* final,
                          const GoValue& receiver) {
  if (!receiver.valid()) {
    if (set_.opts.missing_key == MissingKey::Error) {
      errorf("nil data; no entry for key " + strconv::quote(field_name));
    }
    return GoValue();
  }
  std::string typ(receiver.type_name());
  if (receiver.kind() == GoKind::NilInterface) errorf("nil pointer evaluating " + typ + "." + field_name);
  const bool has_args = num_args > 1 || final;
  if (receiver.kind() == GoKind::Map) {
    if (has_args) errorf(field_name + " is not a method but has arguments");
    if (const Value* found = receiver.ref().find(field_name)) return GoValue::from_element(*found);
    switch (set_.opts.missing_key) {
      case MissingKey::Default: return GoValue();
      case MissingKey::Zero: return GoValue::nil_interface();
      case MissingKey::Error: errorf("map has no entry for key " + strconv::quote(field_name));
    }
  }
  errorf("can't evaluate field " + field_name + " in type " + typ);
}

GoValue State::eval_function(const GoValue& dot, const IdentifierNode& node, const Node& cmd,
                             std::span<const NodePtr> args, const GoValue* final) {
  at(&node);
  Callee fn;
  if (set_.funcs) fn.user = set_.funcs->find(node.ident);
  if (fn.user) {
    fn.sig = &kUserSignature;
  } else {
    fn.builtin = find_builtin(node.ident);
    if (!fn.builtin) errorf(strconv::quote(node.ident) + " is not a defined function");
    fn.sig = &builtin_signature(*fn.builtin);
  }
  return eval_call(dot, fn, cmd, node.ident, args, final);
}

GoValue State::eval_call(const GoValue& dot, const Callee& fn, const Node& node, const std::string& name,
                         std::span<const NodePtr> all_args, const GoValue* final) {
  std::span<const NodePtr> args = all_args.empty() ? all_args : all_args.subspan(1);
  const Signature& sig = *fn.sig;
  const std::size_t num_params = sig.fixed.size() + (sig.variadic ? 1 : 0);
  const std::size_t num_in = args.size() + (final ? 1 : 0);
  std::size_t num_fixed = args.size();
  if (sig.variadic) {
    num_fixed = sig.fixed.size();
    if (num_in < num_fixed) {
      errorf("wrong number of args for " + name + ": want at least " + std::to_string(num_fixed) + " got " +
             std::to_string(args.size()));
    }
  } else if (num_in != num_params) {
    errorf("wrong number of args for " + name + ": want " + std::to_string(num_params) + " got " +
           std::to_string(num_in));
  }

  if (fn.builtin && (*fn.builtin == Builtin::And || *fn.builtin == Builtin::Or)) {
    const bool is_or = *fn.builtin == Builtin::Or;
    GoValue v;
    for (const auto& arg : args) {
      v = eval_arg(dot, ParamType::ReflectValue, *arg);
      if (truth(v) == is_or) return v;
    }
    if (final) v = validate_type(*final, ParamType::ReflectValue);
    return v;
  }

  std::vector<GoValue> argv(num_in);
  std::size_t i = 0;
  for (; i < num_fixed && i < args.size(); ++i) argv[i] = eval_arg(dot, sig.fixed[i], *args[i]);
  if (sig.variadic) {
    for (; i < args.size(); ++i) argv[i] = eval_arg(dot, *sig.variadic, *args[i]);
  }
  if (final) {
    ParamType t = sig.variadic && num_in - 1 >= num_fixed ? *sig.variadic : sig.fixed[num_in - 1];
    argv[i] = validate_type(*final, t);
  }
  GoValue result;
  if (fn.user) {
    result = call_user(*fn.user, node, name, argv);
  } else {
    try {
      result = call_builtin(*fn.builtin, argv);
    } catch (const BuiltinError& e) {
      at(&node);
      errorf("error calling " + name + ": " + e.message);
    }
  }
  // Strings that double on every call (printf "%s%s" . . in a recursion) would exhaust memory long before
  // the depth limit; none may outgrow the template's output limit.
  if (result.kind() == GoKind::String && result.as_string().size() > limits::kTemplateOutputBytes) {
    at(&node);
    errorf("error calling " + name + ": the result exceeds " + limits::size_text(limits::kTemplateOutputBytes) +
           ", the limit for one template (see docs/limits.md)");
  }
  return result;
}

GoValue State::call_user(const Function& f, const Node& node, const std::string& name, std::span<const GoValue> argv) {
  std::vector<Value> values;
  values.reserve(argv.size());
  for (const GoValue& a : argv) {
    if (a.kind() == GoKind::Complex128) {
      at(&node);
      errorf("error calling " + name + ": complex128 arguments are not supported");
    }
    values.push_back(a.to_value());
  }
  try {
    return GoValue::from_element(f(values));
  } catch (const TemplateError&) {
    throw;
  } catch (const std::exception& e) {
    at(&node);
    errorf("error calling " + name + ": " + e.what());
  }
}

GoValue State::validate_type(const GoValue& value, ParamType typ) {
  if (!value.valid()) {
    if (typ == ParamType::ReflectValue) return GoValue();
    if (typ == ParamType::Any) return GoValue::nil_interface();
    errorf("invalid value; expected " + std::string(param_type_name(typ)));
  }
  if (typ == ParamType::String && value.kind() != GoKind::String) {
    errorf("wrong type for value; expected string; got " + std::string(value.concrete_type_name()));
  }
  return value;
}

GoValue State::eval_arg(const GoValue& dot, ParamType typ, const Node& n) {
  at(&n);
  switch (n.type) {
    case NodeType::Dot: return validate_type(dot, typ);
    case NodeType::Nil:
      if (typ == ParamType::String) errorf("cannot assign nil to string");
      return typ == ParamType::Any ? GoValue::nil_interface() : GoValue();
    case NodeType::Field: return validate_type(eval_field_node(dot, static_cast<const FieldNode&>(n), 1, nullptr), typ);
    case NodeType::Variable:
      return validate_type(eval_variable_node(static_cast<const VariableNode&>(n), {}, nullptr), typ);
    case NodeType::Pipe: return validate_type(eval_pipeline(dot, static_cast<const PipeNode*>(&n)), typ);
    case NodeType::Identifier: {
      const auto& ident = static_cast<const IdentifierNode&>(n);
      return validate_type(eval_function(dot, ident, ident, {}, nullptr), typ);
    }
    case NodeType::Chain: return validate_type(eval_chain_node(dot, static_cast<const ChainNode&>(n), 0, nullptr), typ);
    default: break;
  }
  if (typ == ParamType::String) {
    if (n.type == NodeType::String) return GoValue::of_string(static_cast<const StringNode&>(n).text);
    errorf("expected string; found " + n.to_string());
  }
  return eval_empty_interface(n);
}

GoValue State::eval_empty_interface(const Node& n) {
  at(&n);
  switch (n.type) {
    case NodeType::Bool: return GoValue::of_bool(static_cast<const BoolNode&>(n).value);
    case NodeType::Number: return ideal_constant(static_cast<const NumberNode&>(n));
    case NodeType::String: return GoValue::of_string(static_cast<const StringNode&>(n).text);
    default: errorf("can't handle assignment of " + n.to_string() + " to empty interface argument");
  }
}

void State::print_value(const Node& n, const GoValue& v) {
  at(&n);
  if (!v.valid()) {
    write("<no value>");
    return;
  }
  std::array<GoValue, 1> args{v};
  write(gofmt::sprint(args));
}

}  // namespace

void execute(const TemplateSet& set, const Tree& tree, const Value& data, std::string& out) {
  State(set, tree, out, 0).run(GoValue::from_value(data));
}

}  // namespace atmos::tmpl::detail
