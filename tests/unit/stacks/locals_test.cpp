// File-scoped locals (src/stacks/locals.hpp): dependency order, cycles, structured references, scopes.
#include "stacks/locals.hpp"

#include <gtest/gtest.h>

#include "config/cli_config.hpp"
#include "core/error.hpp"
#include "core/yaml_load.hpp"
#include "stacks/engine.hpp"

namespace {

using atmos::Error;
using atmos::Value;
using atmos::parse_yaml;
namespace stacks = atmos::stacks;

class Locals : public ::testing::Test {
 protected:
  atmos::config::CliConfig cfg_;
  stacks::TemplateRenderer render_ = stacks::go_template_renderer(cfg_);

  Value resolve(const std::string& yaml) {
    return stacks::resolve_locals(parse_yaml(yaml), Value(), "deploy/dev", Value::empty_map(), render_);
  }
};

TEST_F(Locals, ResolvesInDependencyOrderWhateverTheWrittenOrder) {
  Value v = resolve(
      "full: '{{ .locals.prefix }}-{{ .locals.component }}'\n"
      "prefix: '{{ .locals.namespace }}-{{ .locals.env }}'\n"
      "namespace: acme\nenv: prod\ncomponent: vpc\n");
  EXPECT_EQ(v.get("prefix"), Value("acme-prod"));
  EXPECT_EQ(v.get("full"), Value("acme-prod-vpc"));
}

TEST_F(Locals, PlainReferenceKeepsTheValueStructured) {
  Value v = resolve("tags: {Env: '{{ .locals.env }}'}\nenv: dev\ncopy: '{{ .locals.tags }}'\nup: '{{ printf \"%s!\" .locals.env }}'\n");
  EXPECT_EQ(v.at({"copy", "Env"}), Value("dev"));
  EXPECT_EQ(v.get("up"), Value("dev!"));
}

TEST_F(Locals, CycleNamesTheLocals) {
  try {
    resolve("a: '{{ .locals.b }}'\nb: '{{ .locals.c }}'\nc: '{{ .locals.a }}'\nd: fine\n");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "circular dependency in locals at deploy/dev");
    EXPECT_EQ(e.explanation(), "Dependency cycle detected:\n  a \xE2\x86\x92 b \xE2\x86\x92 c \xE2\x86\x92 a");
  }
  EXPECT_THROW(resolve("self: '{{ .locals.self }}-x'\n"), Error);
}

TEST_F(Locals, BadLocalsAreErrors) {
  EXPECT_THROW(stacks::resolve_locals(parse_yaml("[1, 2]"), Value(), "deploy/dev", Value::empty_map(), render_), Error);
  try {
    resolve("z: '{{ .locals.missing.x }}'\nb: 1\n");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("failed to resolve local \"z\" in deploy/dev"), std::string::npos) << e.message();
    EXPECT_NE(e.explanation().find("- b"), std::string::npos) << e.explanation();
  }
}

TEST_F(Locals, FileScopesAndSectionsResolveAndAreRemoved) {
  Value manifest = parse_yaml(
      "locals: {ns: acme, name: '{{ .locals.ns }}-{{ .vars.stage }}'}\n"
      "vars: {stage: dev, label: '{{ .locals.name }}'}\n"
      "terraform: {locals: {bucket: '{{ .locals.ns }}-tfstate'}, backend: {s3: {bucket: '{{ .locals.bucket }}'}}}\n"
      "components: {terraform: {base: {locals: {kind: std}}, vpc: {metadata: {inherits: [base]}, locals: {x: '{{ .locals.kind }}'},\n"
      "  vars: {a: '{{ .locals.x }}-{{ .locals.bucket }}', later: '{{ .atmos_component }}'}}}}\n");
  Value resolved;
  Value out = stacks::apply_file_locals(manifest, "deploy/dev", Value::empty_map(), render_, &resolved);
  EXPECT_FALSE(out.has("locals"));
  EXPECT_FALSE(out.get("terraform").has("locals"));
  EXPECT_FALSE(out.at({"components", "terraform", "vpc"}).has("locals"));
  EXPECT_EQ(out.at({"vars", "label"}), Value("acme-dev"));
  EXPECT_EQ(out.at({"terraform", "backend", "s3", "bucket"}), Value("acme-tfstate"));
  EXPECT_EQ(out.at({"components", "terraform", "vpc", "vars", "a"}), Value("std-acme-tfstate"));
  // What needs the component's own context is left for the component's rendering.
  EXPECT_EQ(out.at({"components", "terraform", "vpc", "vars", "later"}), Value("{{ .atmos_component }}"));
  // ... with the plain references to locals it holds replaced by their values.
  Value mixed = stacks::apply_file_locals(parse_yaml("locals: {n: app, k: 3}\nvars: {a: '{{ .locals.n }}-{{ .locals.k }}-{{ .atmos_component }}'}\n"),
                                          "deploy/dev", Value::empty_map(), render_);
  EXPECT_EQ(mixed.at({"vars", "a"}), Value("app-3-{{ .atmos_component }}"));
  EXPECT_EQ(resolved.at({"locals", "name"}), Value("acme-dev"));
  EXPECT_EQ(resolved.at({"terraform", "locals", "bucket"}), Value("acme-tfstate"));
  EXPECT_FALSE(resolved.at({"terraform", "locals"}).has("ns"));
}

}  // namespace
