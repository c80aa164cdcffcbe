#include "template/template.hpp"

#include "template/executor.hpp"
#include "template/parser.hpp"

namespace atmos::tmpl {

void FuncTable::add(std::string name, Function f) { funcs_[std::move(name)] = std::move(f); }

const Function* FuncTable::find(std::string_view name) const {
  auto it = funcs_.find(name);
  return it == funcs_.end() ? nullptr : &it->second;
}

Template Template::parse(std::string_view name, std::string_view text, const Options& opts, const FuncTable* funcs) {
  auto set = std::make_shared<detail::TemplateSet>();
  set->name = name;
  set->text = text;
  set->opts = opts;
  set->funcs = funcs;
  set->trees = parse_templates(set->name, set->text, opts, funcs);
  return Template(std::move(set));
}

const std::string& Template::name() const { return set_->name; }

std::string Template::execute(const Value& data) const {
  std::string out;
  detail::execute(*set_, *set_->trees.at(set_->name), data, out);
  return out;
}

std::string render(std::string_view name, std::string_view text, const Value& data, const Options& opts,
                   const FuncTable* funcs) {
  return Template::parse(name, text, opts, funcs).execute(data);
}

}  // namespace atmos::tmpl
