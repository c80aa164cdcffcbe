#include "terraform/names.hpp"

#include <gtest/gtest.h>

using atmos::terraform::component_paths;

TEST(ComponentPaths, PlainComponentUsesItsOwnDirectoryAndStackPrefix) {
  auto p = component_paths("vpc", "vpc", "plat-use2-dev", "/repo/components/terraform");
  EXPECT_EQ(p.dir, "/repo/components/terraform/vpc");
  EXPECT_EQ(p.varfile, "plat-use2-dev-vpc.terraform.tfvars.json");
  EXPECT_EQ(p.planfile, "plat-use2-dev-vpc.planfile");
  EXPECT_EQ(p.base_component, "");
}

TEST(ComponentPaths, SlashComponentWithBaseTakesDirectoryFromBaseButStemFromAtmosName) {
  auto p = component_paths("infra/vpc", "mock", "dev", "/repo/components/terraform");
  EXPECT_EQ(p.dir, "/repo/components/terraform/mock");
  EXPECT_EQ(p.varfile, "dev-vpc.terraform.tfvars.json");
  EXPECT_EQ(p.final_component, "mock");
  EXPECT_EQ(p.base_component, "mock");
}

TEST(ComponentPaths, SlashComponentWithoutBaseKeepsFolderPrefixInStem) {
  auto p = component_paths("infra/vpc", "infra/vpc", "dev", "/repo/tf");
  EXPECT_EQ(p.dir, "/repo/tf/infra/vpc");
  EXPECT_EQ(p.varfile, "dev-infra-vpc.terraform.tfvars.json");
  EXPECT_EQ(p.planfile, "dev-infra-vpc.planfile");
}

TEST(ComponentPaths, BaseWithFolderPrefixAndStackFileKeyWithSlashes) {
  auto p = component_paths("vpc/1", "network/vpc", "orgs/acme/dev", "/repo/tf");
  EXPECT_EQ(p.dir, "/repo/tf/network/vpc");
  EXPECT_EQ(p.varfile, "orgs-acme-dev-network-1.terraform.tfvars.json");
}
