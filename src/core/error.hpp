// Errors are values with a kind, a message, an explanation, hints and an exit code.
// They are thrown as exceptions and rendered in exactly one place (main.cpp, via render_error).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace atmos {

enum class ErrorKind {
  Usage,     // bad flags / arguments
  Config,    // atmos.yaml, profiles
  Stack,     // stack manifests, components
  Yaml,      // malformed YAML/JSON
  Template,  // Go template errors
  Auth,
  Aws,
  Io,
  Internal,
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message, int exit_code = 1)
      : std::runtime_error(message), kind_(kind), message_(std::move(message)), exit_code_(exit_code) {}

  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  const std::string& explanation() const { return explanation_; }
  const std::vector<std::string>& hints() const { return hints_; }
  int exit_code() const { return exit_code_; }

  Error& explain(std::string text) {
    explanation_ = std::move(text);
    return *this;
  }
  Error& hint(std::string text) {
    hints_.push_back(std::move(text));
    return *this;
  }

 private:
  ErrorKind kind_;
  std::string message_;
  std::string explanation_;
  std::vector<std::string> hints_;
  int exit_code_;
};

// Upstream's markdown-ish error layout on stderr:
// "\n# Error\n\n**Error:** <message>\n\n<explanation>\n\n💡 <hint>\n".
std::string render_error(const Error& e);

}  // namespace atmos
