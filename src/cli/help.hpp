// The command tree as a person sees it: `--help`/`-h`/`atmos help <command>` in cobra's layout, and shell
// completion (`atmos completion bash|zsh|fish|powershell`, the hidden `atmos __complete` that the scripts call).
#pragma once

#include <string>
#include <vector>

namespace atmos::cli {

struct HelpFlag {
  std::string name;       // long name without dashes
  char shorthand = 0;
  std::string type;       // "string", "strings", "int"; empty for a boolean flag
  std::string usage;
  std::string def;        // default shown as (default …), empty for none
};

struct HelpCommand {
  std::string path;       // "terraform plan"; "" is the root
  std::string summary;    // one line
  std::string usage;      // after "atmos "
  std::vector<HelpFlag> flags;
  std::vector<std::string> examples;
  bool passthrough = false;  // words after the command path are not subcommands (terraform, auth exec)
};

// Every node of the tree, parents before children.
const std::vector<HelpCommand>& command_tree();

// Adds nodes from the configuration (custom commands, aliases) to the tree, parents before children; a node
// whose path is already there replaces it. Called once at startup, before the tree is read.
void extend_command_tree(std::vector<HelpCommand> nodes);

// Whether `path` ("terraform plan") is a command of this binary rather than of the configuration.
bool is_builtin_command(const std::string& path);

// The node for the longest prefix of `words` that names one (the root when none does).
const HelpCommand& find_command(const std::vector<std::string>& words);

// Cobra-style help text for a node; its headings are colored when output to `fd` is (core/color.hpp).
std::string help_text(const HelpCommand& command, int fd);

// When `args` asks for help (`-h`/`--help` before any `--`, or `atmos help …`), prints it and returns true.
bool print_help_if_asked(const std::vector<std::string>& args);

// `atmos completion SHELL` and `atmos __complete WORDS… PARTIAL`.
int cmd_completion(const std::vector<std::string>& args);
int cmd_complete(const std::vector<std::string>& args);

}  // namespace atmos::cli
