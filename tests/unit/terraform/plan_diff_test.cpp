#include "terraform/plan_diff.hpp"

#include <gtest/gtest.h>

#include "core/json_parse.hpp"

using atmos::parse_json;
using atmos::Value;
using atmos::terraform::plan_diff;

namespace {

Value plan(const std::string& cidr, const std::string& extra_output) {
  return parse_json(R"({"variables": {"cidr": {"value": ")" + cidr + R"("}, "name": {"value": "x"}},
    "planned_values": {"outputs": {"id": {"sensitive": false, "value": ")" + cidr + R"("},
                                   "secret": {"sensitive": true, "value": ")" + cidr + R"("})" + extra_output + R"(},
      "root_module": {"resources": [{"address": "data.aws_ami.a", "mode": "data", "values": {"x": ")" + cidr + R"("}}]}},
    "resource_changes": [
      {"address": "aws_vpc.this", "mode": "managed", "change": {"after": {"cidr": ")" + cidr + R"(", "tags": {"Name": "n"},
       "password": ")" + cidr + R"("}, "after_sensitive": {"password": true}}}]})");
}

}  // namespace

TEST(PlanDiff, IdenticalPlansHaveNoDiff) { EXPECT_EQ(plan_diff(plan("10.0.0.0/16", ""), plan("10.0.0.0/16", "")), ""); }

TEST(PlanDiff, VariablesResourcesAndOutputsInKeyOrderWithSensitiveValuesHidden) {
  EXPECT_EQ(plan_diff(plan("10.0.0.0/16", ""), plan("10.1.0.0/16", R"(, "added": {"value": [1, 2]})")),
            "Variables:\n----------\n~ cidr: 10.0.0.0/16 => 10.1.0.0/16\n\n"
            "Resources:\n-----------\n~ aws_vpc.this\n  ~ cidr: 10.0.0.0/16 => 10.1.0.0/16\n"
            "  ~ password: (sensitive value) => (sensitive value)\n\n"
            "Outputs:\n--------\n+ added: [1,2]\n~ id: 10.0.0.0/16 => 10.1.0.0/16\n"
            "~ secret: (sensitive value) => (sensitive value)\n");
}

TEST(PlanDiff, AddedAndRemovedResourcesAndNestedAttributes) {
  Value a = parse_json(R"({"resource_changes": [{"address": "a.x", "mode": "managed", "change": {"after": {"v": {"on": false}}}},
                                               {"address": "a.gone", "mode": "managed", "change": {"after": {}}}]})");
  Value b = parse_json(R"({"resource_changes": [{"address": "a.x", "mode": "managed", "change": {"after": {"v": {"on": true}}}},
                                               {"address": "a.new", "mode": "managed", "change": {"after": {}}}]})");
  EXPECT_EQ(plan_diff(a, b), "Resources:\n-----------\n+ a.new\n- a.gone\n~ a.x\n  ~ v.on: false => true\n\n");
}
