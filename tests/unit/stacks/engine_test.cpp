#include "stacks/engine.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../hostile_input.hpp"
#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/yaml_load.hpp"
#include "stacks/provenance.hpp"

namespace fs = std::filesystem;
using atmos::Error;
using atmos::MapEnvironment;
using atmos::parse_yaml;
using atmos::Value;
using atmos::stacks::StackEngine;

namespace {

class StackRepo : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("atmos-stacks-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "home");
    env_.set("HOME", (root_ / "home").string());
    env_.set("ATMOS_GIT_ROOT_BASEPATH", "false");
    write("atmos.yaml",
          "base_path: ./\ncomponents:\n  terraform:\n    base_path: components/terraform\n"
          "stacks:\n  base_path: stacks\n  included_paths: ['orgs/**/*']\n  excluded_paths: ['**/_defaults.yaml']\n"
          "  name_pattern: '{tenant}-{stage}'\n");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  StackEngine& engine() {
    atmos::config::ConfigRequest req;
    req.cwd = root_.string();
    req.env = &env_;
    cfg_ = atmos::config::load_cli_config(req);
    engine_ = std::make_unique<StackEngine>(cfg_, atmos::stacks::go_template_renderer(cfg_));
    return *engine_;
  }
  Error error_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return e;
    }
    ADD_FAILURE() << "expected an error";
    return Error(atmos::ErrorKind::Internal, "none");
  }
  fs::path root_;
  MapEnvironment env_;
  atmos::config::CliConfig cfg_;
  std::unique_ptr<StackEngine> engine_;
};

}  // namespace

TEST_F(StackRepo, ImportsResolveRelativeGlobAndExtensionsInOrder) {
  write("stacks/orgs/acme/_defaults.yaml", "vars: {tenant: acme, order: [defaults]}\n");
  write("stacks/orgs/acme/dev.yaml",
        "import:\n  - ./_defaults\n  - catalog/*\n  - mixins/dev.yml\nvars: {stage: dev}\n"
        "components:\n  terraform:\n    vpc:\n      vars: {own: 1}\n");
  write("stacks/catalog/a.yaml", "vars: {from: a}\n");
  write("stacks/catalog/b.yaml", "vars: {from: b}\n");
  write("stacks/catalog/c.yml", "vars: {from: c-yml-not-globbed}\n");
  write("stacks/mixins/dev.yml", "vars: {mixin: true}\n");
  auto sc = engine().find_component("vpc", "acme-dev");
  Value vars = sc.section.get("vars");
  EXPECT_EQ(vars.get("from"), Value("b"));
  EXPECT_EQ(vars.get("mixin"), Value(true));
  EXPECT_EQ(vars.get("own").as_int(), 1);
  EXPECT_EQ(sc.manifest->imports, (std::vector<std::string>{"catalog/a", "catalog/b", "mixins/dev", "orgs/acme/_defaults"}));
}

TEST_F(StackRepo, MissingImportNamesTheImportingFile) {
  write("stacks/orgs/acme/dev.yaml", "import:\n  - catalog/nope\nvars: {tenant: acme, stage: dev}\n");
  Error e = error_of([&] { engine().manifests(); });
  EXPECT_EQ(e.message(), "stack import not found");
  EXPECT_EQ(e.explanation(), "import 'catalog/nope' in file 'orgs/acme/dev': failed to find import");
}

TEST_F(StackRepo, ImportCyclePrintsTheCycle) {
  write("stacks/orgs/acme/dev.yaml", "import:\n  - catalog/a\n");
  write("stacks/catalog/a.yaml", "import:\n  - catalog/b\n");
  write("stacks/catalog/b.yaml", "import:\n  - catalog/a\n");
  Error e = error_of([&] { engine().manifests(); });
  EXPECT_EQ(e.message(), "import cycle detected");
  EXPECT_NE(e.explanation().find("catalog/a -> catalog/b -> catalog/a"), std::string::npos) << e.explanation();
}

TEST_F(StackRepo, MalformedManifestNamesFileLineAndColumn) {
  write("stacks/orgs/acme/dev.yaml", "vars:\n  tenant: acme\n   stage: dev\n");
  Error e = error_of([&] { engine().manifests(); });
  EXPECT_EQ(e.message(), "invalid stack manifest 'orgs/acme/dev'");
  EXPECT_EQ(e.explanation(), (root_ / "stacks/orgs/acme/dev.yaml").string() +
                                 ":3:9: yaml: line 3: mapping values are not allowed in this context");
}

TEST_F(StackRepo, UnknownStackSuggestsClosestName) {
  write("stacks/orgs/acme/dev.yaml", "vars: {tenant: acme, stage: dev}\ncomponents: {terraform: {vpc: {}}}\n");
  write("stacks/orgs/acme/prod.yaml", "vars: {tenant: acme, stage: prod}\ncomponents: {terraform: {vpc: {}}}\n");
  Error e = error_of([&] { engine().find_component("vpc", "acme-prd"); });
  EXPECT_EQ(e.message(), "invalid component");
  ASSERT_FALSE(e.hints().empty());
  EXPECT_EQ(e.hints()[0], "Did you mean stack `acme-prod`?");
  Error c = error_of([&] { engine().find_component("vcp", "acme-prod"); });
  ASSERT_FALSE(c.hints().empty());
  EXPECT_EQ(c.hints()[0], "Did you mean component `vpc`?");
}

TEST_F(StackRepo, FilenameOfANamedManifestIsRejectedWithHint) {
  write("stacks/orgs/legacy.yaml", "name: my-legacy\nvars: {tenant: t, stage: s}\ncomponents: {terraform: {vpc: {}}}\n");
  Error e = error_of([&] { engine().find_component("vpc", "orgs/legacy"); });
  EXPECT_EQ(e.message(), "invalid stack");
  EXPECT_EQ(e.explanation(), "Stack orgs/legacy not found.");
  EXPECT_EQ(e.hints().at(0), "Did you mean my-legacy?");
  EXPECT_EQ(engine().find_component("vpc", "my-legacy").stack, "my-legacy");
}

TEST_F(StackRepo, NamePatternNeedsStringVars) {
  write("stacks/orgs/acme/dev.yaml", "vars: {tenant: acme}\ncomponents: {terraform: {vpc: {}}}\n");
  Error e = error_of([&] {
    auto& eng = engine();
    eng.stack_name(eng.manifests()[0], eng.manifests()[0].terraform.get("vpc"));
  });
  EXPECT_EQ(e.message(), "stack name pattern references a context part that is not defined in the stack file");
  // describe/list fall back to the file key.
  EXPECT_EQ(engine().list_stacks(), std::vector<std::string>{"orgs/acme/dev"});
}

TEST_F(StackRepo, InheritanceOrderAndPrecedence) {
  write("stacks/orgs/acme/dev.yaml",
        "vars: {tenant: acme, stage: dev, level: global}\n"
        "terraform:\n  vars: {tf: 1}\n"
        "components:\n  terraform:\n"
        "    base1:\n      metadata: {type: abstract}\n      vars: {level: base1, b1: 1}\n"
        "    base2:\n      metadata: {inherits: [base1]}\n      vars: {level: base2, b2: 1}\n"
        "    mixin:\n      vars: {level: mixin}\n"
        "    vpc:\n      metadata: {inherits: [base2, mixin], component: vpc-dir}\n      vars: {own: 1}\n"
        "      overrides: {}\n");
  auto& eng = engine();
  auto sc = eng.find_component("vpc", "acme-dev");
  Value vars = sc.section.get("vars");
  EXPECT_EQ(vars.get("level"), Value("mixin"));
  EXPECT_EQ(vars.get("b1").as_int(), 1);
  EXPECT_EQ(vars.get("tf").as_int(), 1);
  EXPECT_EQ(sc.section.get("inheritance"), parse_yaml("[mixin, base2, base1]"));
  EXPECT_EQ(sc.section.get("component"), Value("vpc-dir"));
  EXPECT_EQ(eng.workspace(sc), "acme-dev-vpc");
}

// Upstream semantics: a file's overrides reach the components of its own import tree and, through the
// imported-overrides accumulator, the components of imports processed after it.
TEST_F(StackRepo, OverridesFollowImportTreeAndImportOrder) {
  write("stacks/orgs/acme/dev.yaml",
        "import: [teams/a, teams/b]\nvars: {tenant: acme, stage: dev}\n"
        "terraform:\n  overrides:\n    vars: {x: dev}\n");
  write("stacks/teams/a.yaml", "import: [catalog/c1]\nterraform:\n  overrides:\n    vars: {x: a, y: a, z: a}\n");
  write("stacks/teams/b.yaml", "components:\n  terraform:\n    c2: {vars: {x: c2, y: c2, z: c2}}\nterraform:\n  overrides:\n    vars: {y: b}\n");
  write("stacks/catalog/c1.yaml", "components:\n  terraform:\n    c1: {vars: {x: c1, y: c1, z: c1, w: c1}}\n");
  auto c1 = engine().find_component("c1", "acme-dev").section.get("vars");
  EXPECT_EQ(c1, parse_yaml("{x: dev, y: a, z: a, w: c1, tenant: acme, stage: dev}"));
  auto c2 = engine().find_component("c2", "acme-dev").section.get("vars");
  EXPECT_EQ(c2, parse_yaml("{x: dev, y: b, z: a, tenant: acme, stage: dev}"));
}

TEST_F(StackRepo, BackendDefaultsAndTypeMismatch) {
  write("stacks/orgs/acme/dev.yaml",
        "vars: {tenant: acme, stage: dev}\n"
        "terraform:\n  backend_type: s3\n  backend:\n    s3: {bucket: b}\n"
        "components:\n  terraform:\n    infra/vpc: {metadata: {component: network/vpc}}\n");
  auto sc = engine().find_component("infra/vpc", "acme-dev");
  EXPECT_EQ(sc.section.get("backend"), parse_yaml("{bucket: b, workspace_key_prefix: network-vpc}"));
  EXPECT_EQ(sc.section.get("remote_state_backend_type"), Value("s3"));
  write("stacks/orgs/acme/dev.yaml",
        "vars: {tenant: acme, stage: dev}\nterraform:\n  backend_type: gcs\n  backend:\n    s3: {bucket: b}\n"
        "components:\n  terraform:\n    vpc: {}\n");
  Error e = error_of([&] { engine().manifests(); });
  EXPECT_EQ(e.message(), "backend_type does not match any key configured under backend");
}

TEST_F(StackRepo, UnsupportedTagIsAnErrorNamingTheFile) {
  write("stacks/orgs/acme/dev.yaml", "vars:\n  tenant: !nope x\n");
  Error e = error_of([&] { engine().manifests(); });
  EXPECT_NE(e.message().find("unsupported YAML tag: '!nope' found in file '"), std::string::npos) << e.message();
}

TEST_F(StackRepo, FunctionTagsBecomeStringsAndIncludeLoadsYaml) {
  write("stacks/orgs/acme/dev.yaml",
        "vars:\n  tenant: acme\n  stage: dev\n  region: !env AWS_REGION us-east-2\n  cfg: !include ./extra.yaml\n"
        "components: {terraform: {vpc: {}}}\n");
  write("stacks/orgs/acme/extra.yaml", "a: [1, 2]\n");
  auto vars = engine().find_component("vpc", "acme-dev").section.get("vars");
  EXPECT_EQ(vars.get("region"), Value("!env AWS_REGION us-east-2"));
  EXPECT_EQ(vars.get("cfg"), parse_yaml("a: [1, 2]"));
}

TEST_F(StackRepo, StackDefaultIdentitiesNameTheFileThatSetThem) {
  write("atmos.yaml",
        "base_path: ./\nstacks:\n  base_path: stacks\n  included_paths: ['orgs/**/*']\n  excluded_paths: ['**/_defaults.yaml']\n"
        "  name_pattern: '{tenant}-{stage}'\n"
        "auth:\n  identities:\n    plat-dev/terraform: {kind: aws/permission-set}\n    other: {kind: aws/permission-set, default: true}\n");
  write("stacks/orgs/plat/dev/_defaults.yaml",
        "vars: {tenant: plat, stage: dev}\nauth:\n  identities:\n    plat-dev/terraform:\n      default: true\n");
  write("stacks/orgs/plat/dev/main.yaml",
        "import: [orgs/plat/dev/_defaults]\ncomponents:\n  terraform:\n    vpc: {}\n"
        "    dns:\n      auth:\n        identities:\n          plat-dev/terraform: {default: false}\n");
  auto& eng = engine();
  auto vpc = eng.find_component("vpc", "plat-dev");
  auto marks = atmos::stacks::stack_default_identities(*vpc.manifest, "vpc", vpc.section);
  ASSERT_EQ(marks.size(), 1u);
  EXPECT_EQ(marks[0].identity, "plat-dev/terraform");
  EXPECT_EQ(marks[0].file, (root_ / "stacks/orgs/plat/dev/_defaults.yaml").string());
  auto dns = eng.find_component("dns", "plat-dev");
  EXPECT_TRUE(atmos::stacks::stack_default_identities(*dns.manifest, "dns", dns.section).empty());
}

TEST_F(StackRepo, AManifestOverTheSizeLimitIsRefusedNamingTheFile) {
  write("stacks/orgs/acme/dev.yaml", "vars: {tenant: acme, stage: dev}\n# " + std::string(atmos::limits::kManifestFileBytes, 'x') + "\n");
  atmos::testing::expect_cheap("16 MiB manifest", 192, [&] {
    Error e = error_of([&] { engine().manifests(); });
    EXPECT_EQ(e.message(), "file '" + (root_ / "stacks/orgs/acme/dev.yaml").string() +
                               "' is larger than 16 MiB, the limit for one stack manifest (see docs/limits.md)");
  });
}

TEST_F(StackRepo, ImportFanOutStopsAtTheLimit) {
  // Every level imports the next one twice with a different context: 2^21 distinct imports.
  write("stacks/orgs/acme/dev.yaml", "import:\n  - catalog/l0\nvars: {tenant: acme, stage: dev}\n");
  for (int i = 0; i <= 20; ++i) {
    std::string next = "catalog/l" + std::to_string(i + 1);
    std::string key = "k" + std::to_string(i);
    write("stacks/catalog/l" + std::to_string(i) + ".yaml",
          i == 20 ? "vars: {leaf: true}\n"
                  : "import:\n  - path: " + next + "\n    context: {" + key + ": a}\n  - path: " + next +
                        "\n    context: {" + key + ": b}\nvars: {level" + std::to_string(i) + ": true}\n");
  }
  atmos::testing::expect_cheap("import fan-out", 128, [&] {
    Error e = error_of([&] { engine().manifests(); });
    EXPECT_EQ(e.message(), "the stack manifest 'orgs/acme/dev' imports too many files");
    EXPECT_NE(e.explanation().find("Processing it reached 10000 imports"), std::string::npos) << e.explanation();
  });
}
