#include "stacks/terraform_module.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/yaml_load.hpp"

namespace fs = std::filesystem;
using atmos::parse_yaml;
using atmos::Value;

namespace {

fs::path write_module(const std::string& name, const std::string& text) {
  fs::path dir = fs::temp_directory_path() / ("atmos-tfmod-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "main.tf") << text;
  return dir;
}

}  // namespace

TEST(TerraformModule, VariablesOutputsAndLiteralDefaults) {
  fs::path dir = write_module("vars", R"(# comment
variable "tags" {
  type        = map(string)
  description = "Tags"
  default = {
    "a/b" = "x"   // trailing comment
    c     = 1.5
  }
}

variable "name" {
  type = string
}

variable "computed" {
  default = "${var.name}-x"
}

variable "list" {
  type    = list(object({ a = string }))
  default = [{ a = "1" }, { a = "2" }]
  sensitive = true
}

output "id" {
  value       = terraform_data.x.id
  description = <<-EOT
    The id.
  EOT
}

resource "terraform_data" "x" {
  input = { for k, v in var.tags : k => v }
}
)");
  Value m = atmos::stacks::inspect_terraform_module(dir.string());
  Value vars = m.get("variables");
  EXPECT_EQ(vars.at({"tags", "type"}), Value("map(string)"));
  EXPECT_EQ(vars.at({"tags", "default"}), parse_yaml("{a/b: x, c: 1.5}"));
  EXPECT_EQ(vars.at({"tags", "required"}), Value(false));
  EXPECT_EQ(vars.at({"tags", "pos", "line"}).as_int(), 2);
  EXPECT_EQ(vars.at({"name", "required"}), Value(true));
  EXPECT_TRUE(vars.at({"name", "default"}).is_null());
  EXPECT_TRUE(vars.at({"computed", "default"}).is_null());
  EXPECT_EQ(vars.at({"list", "type"}), Value("list(object({ a = string }))"));
  EXPECT_EQ(vars.at({"list", "default"}), parse_yaml("[{a: '1'}, {a: '2'}]"));
  EXPECT_EQ(vars.at({"list", "sensitive"}), Value(true));
  EXPECT_EQ(m.at({"outputs", "id", "description"}), Value("The id.\n"));
  EXPECT_EQ(m.at({"managedresources", "terraform_data.x", "name"}), Value("x"));
  EXPECT_TRUE(m.is_ordered());
  fs::remove_all(dir);
}

TEST(TerraformModule, MissingDirectoryIsNull) {
  EXPECT_TRUE(atmos::stacks::inspect_terraform_module("/nonexistent/dir").is_null());
}
