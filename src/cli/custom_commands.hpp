// Custom commands (`commands:` in atmos.yaml) and command aliases (`aliases:`), as upstream's
// cmd/cmd_utils.go (processCustomCommands, processCommandAliases) defines them; docs/custom-commands.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace atmos::cli {

// Reads `commands:` and `aliases:` from the configuration that the global flags in `args` select (without
// changing directory or logging) and adds them to the help tree. Nothing happens when no configuration can be
// read: the command that runs then reports that. Throws Error(Config) for a malformed `commands:` section.
void register_config_commands(const std::vector<std::string>& args);

// Runs `args` when they name an alias or a custom command; nullopt when a built-in command should run.
std::optional<int> run_config_command(const std::vector<std::string>& args);

}  // namespace atmos::cli
