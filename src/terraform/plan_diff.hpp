// `atmos terraform plan-diff`: the differences between two plans as `terraform show -json` prints them
// (upstream internal/exec/terraform_plan_diff_comparison.go), in key order: variables, managed resources (data
// sources skipped) with their changed attributes, outputs. Sensitive values print as `(sensitive value)`.
#pragma once

#include <string>

#include "core/value.hpp"

namespace atmos::terraform {

// Empty when the plans do not differ, otherwise sections such as
// "Variables:\n----------\n~ cidr: 10.0.0.0/16 => 10.1.0.0/16\n\n".
std::string plan_diff(const Value& orig, const Value& updated);

}  // namespace atmos::terraform
