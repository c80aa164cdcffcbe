#include "terraform/names.hpp"

#include <algorithm>
#include <filesystem>

namespace atmos::terraform {
namespace {

// Splits "a/b/c" into ("a/b", "c").
std::pair<std::string, std::string> split_last(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return {"", path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

std::string dashed(std::string s) {
  std::replace(s.begin(), s.end(), '/', '-');
  return s;
}

}  // namespace

ComponentPaths component_paths(const std::string& atmos_component, const std::string& terraform_component,
                               const std::string& stack, const std::string& terraform_dir_abs) {
  ComponentPaths p;
  std::tie(p.folder_prefix, p.component) = split_last(atmos_component);
  p.final_component = p.component;
  if (!terraform_component.empty() && terraform_component != atmos_component) {
    p.base_component = terraform_component;
    std::tie(p.folder_prefix, p.final_component) = split_last(terraform_component);
  }
  std::filesystem::path dir(terraform_dir_abs);
  if (!p.folder_prefix.empty()) dir /= p.folder_prefix;
  dir /= p.final_component;
  p.dir = dir.lexically_normal().string();
  std::string stem = dashed(stack) + "-";
  if (!p.folder_prefix.empty()) stem += dashed(p.folder_prefix) + "-";
  stem += p.component;
  p.varfile = stem + ".terraform.tfvars.json";
  p.planfile = stem + ".planfile";
  return p;
}

}  // namespace atmos::terraform
