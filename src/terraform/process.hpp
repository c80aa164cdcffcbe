// Child processes (Terraform, the user's shell) behind an interface so tests can substitute a fake runner.
#pragma once

#include <string>
#include <vector>

namespace atmos::terraform {

struct ProcessSpec {
  std::string program;            // a path, or a name looked up in the PATH of `env`
  std::vector<std::string> args;  // argv after the program
  std::string cwd;
  std::vector<std::string> env;   // the child's whole environment, `KEY=VALUE`
  bool capture_output = false;    // stdout+stderr collected into ProcessResult::output instead of inherited
  std::string redirect_stderr;    // when set: stderr goes to this file ("/dev/stdout" = atmos' stdout)
  bool hangup_as_interrupt = true;  // SIGHUP to atmos reaches the child as SIGINT (false: an interactive shell)
};

struct ProcessResult {
  int exit_code = 0;  // the child's status; 128+N when killed by signal N
  std::string output;  // only with capture_output
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // Runs the child to completion in a process group of its own (in the terminal's foreground when atmos has it).
  // SIGINT/SIGTERM/SIGHUP that atmos receives meanwhile are forwarded to the child, once each, and atmos keeps
  // waiting, so Terraform can release its state lock (docs/signals.md). Throws Error when the program cannot start.
  virtual ProcessResult run(const ProcessSpec& spec) = 0;
};

class RealProcessRunner final : public ProcessRunner {
 public:
  ProcessResult run(const ProcessSpec& spec) override;
};

// Where `program` would be found with the given PATH value (a program containing '/' is returned as is); empty
// when nothing executable is there.
std::string find_program(const std::string& program, const std::string& path_value);

}  // namespace atmos::terraform
