// The dependency graph of component instances (src/stacks/dependents.hpp) and the affected-list matrix.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/yaml_load.hpp"
#include "stacks/affected.hpp"
#include "stacks/dependents.hpp"

namespace atmos::stacks {
namespace {

// Three stacks: vpc and dns-zone (same-stack dependency on vpc) in each of dev and prod; tgw in network, which
// app in dev depends on through context keys; a disabled and an abstract instance that take no part.
const char* const kStacks = R"(
dev:
  components:
    terraform:
      vpc: {vars: {tenant: plat, stage: dev}}
      dns-zone:
        vars: {tenant: plat, stage: dev}
        settings: {depends_on: {1: {component: vpc}}}
      app:
        vars: {tenant: plat, stage: dev}
        settings: {depends_on: {1: {component: tgw, tenant: core, stage: network}, 2: {file: config/app.json}}}
      off: {metadata: {enabled: false}, settings: {depends_on: {1: {component: vpc}}}}
      base: {metadata: {type: abstract}}
prod:
  components:
    terraform:
      vpc: {vars: {tenant: plat, stage: prod}}
      dns-zone:
        vars: {tenant: plat, stage: prod}
        dependencies: {components: [{component: vpc}]}
network:
  components:
    terraform:
      tgw: {vars: {tenant: core, stage: network}}
)";

std::vector<std::string> names(const DependencyGraph& g, const std::vector<std::size_t>& idx) {
  std::vector<std::string> out;
  for (std::size_t i : idx) out.push_back(g.instances()[i].component + "@" + g.instances()[i].stack);
  return out;
}

TEST(DependencyGraph, EdgesFollowStackAndContextKeys) {
  DependencyGraph g(parse_yaml(kStacks));
  EXPECT_EQ(g.instances().size(), 6u);
  EXPECT_EQ(g.find("off", "dev"), DependencyGraph::npos);
  EXPECT_EQ(names(g, g.dependents(g.find("vpc", "dev"))), std::vector<std::string>{"dns-zone@dev"});
  EXPECT_EQ(names(g, g.dependents(g.find("vpc", "prod"))), std::vector<std::string>{"dns-zone@prod"});
  EXPECT_EQ(names(g, g.dependents(g.find("tgw", "network"))), std::vector<std::string>{"app@dev"});
}

TEST(DependencyGraph, OrderPutsDependenciesFirstAndBreaksTiesByStackThenComponent) {
  DependencyGraph g(parse_yaml(kStacks));
  std::vector<std::size_t> all;
  for (std::size_t i = 0; i < g.instances().size(); ++i) all.push_back(i);
  EXPECT_EQ(names(g, g.order(all)), (std::vector<std::string>{"vpc@dev", "dns-zone@dev", "tgw@network", "app@dev",
                                                               "vpc@prod", "dns-zone@prod"}));
  EXPECT_EQ(names(g, g.order({g.find("app", "dev"), g.find("tgw", "network")})),
            (std::vector<std::string>{"tgw@network", "app@dev"}));
}

TEST(DependencyGraph, CycleIsAnErrorNamingItsMembers) {
  Value stacks = parse_yaml(R"(
dev:
  components:
    terraform:
      a: {vars: {stage: dev}, settings: {depends_on: {1: {component: b}}}}
      b: {vars: {stage: dev}, settings: {depends_on: {1: {component: c}}}}
      c: {vars: {stage: dev}, settings: {depends_on: {1: {component: a}}}}
      d: {vars: {stage: dev}}
)");
  DependencyGraph g(stacks);
  try {
    g.order({g.find("a", "dev"), g.find("d", "dev")});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "dependency cycle: a in dev → b in dev → c in dev → a in dev");
  }
  EXPECT_EQ(g.cycle_from(g.find("a", "dev")), (std::vector<std::string>{"a in dev", "c in dev", "b in dev", "a in dev"}));
  EXPECT_TRUE(g.cycle_from(g.find("d", "dev")).empty());
}

TEST(DependencyGraph, FileDependencies) {
  Value app = parse_yaml(kStacks).at({"dev", "components", "terraform", "app"});
  auto deps = file_dependencies(app);
  ASSERT_EQ(deps.size(), 1u);
  EXPECT_EQ(deps[0], (std::pair<std::string, std::string>{"file", "config/app.json"}));
}

}  // namespace
}  // namespace atmos::stacks
