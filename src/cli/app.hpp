// The command dispatcher: parses argv, runs one command, returns the exit code. Errors propagate as
// atmos::Error to main.cpp, which renders them.
#pragma once

#include <string>
#include <vector>

namespace atmos::cli {

int run(const std::vector<std::string>& args);

}  // namespace atmos::cli
