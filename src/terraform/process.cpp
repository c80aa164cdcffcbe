#include "terraform/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "core/error.hpp"

namespace atmos::terraform {
namespace {

volatile sig_atomic_t g_child = 0;
volatile sig_atomic_t g_pending = 0;  // a signal that arrived before the child existed

// A terminal's Ctrl-C reaches the whole foreground process group, Terraform included, so only signals sent to
// atmos by another process (kill, a CI runner) are passed on; a second SIGINT would make Terraform quit without
// releasing its lock.
void forward_signal(int sig, siginfo_t* info, void*) {
  if (!info || info->si_code > 0) return;
  pid_t child = g_child;
  if (child > 0) ::kill(child, sig);
  else g_pending = sig;
}

// Installs the forwarding handlers for the lifetime of one child and restores the previous ones. The child
// inherits them only until execve, which resets caught signals to their defaults.
class SignalForwarding {
 public:
  SignalForwarding() {
    g_child = 0;
    g_pending = 0;
    struct sigaction sa {};
    sa.sa_sigaction = forward_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
  }
  ~SignalForwarding() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
    g_child = 0;
  }
  void set_child(pid_t child) {
    g_child = child;
    if (g_pending) ::kill(child, g_pending);
  }
  SignalForwarding(const SignalForwarding&) = delete;
  SignalForwarding& operator=(const SignalForwarding&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

std::string env_value(const std::vector<std::string>& env, const std::string& name) {
  std::string prefix = name + "=";
  std::string value;
  for (const auto& e : env)
    if (e.compare(0, prefix.size(), prefix) == 0) value = e.substr(prefix.size());
  return value;
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string find_program(const std::string& program, const std::string& path_value) {
  if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0 ? program : "";
  std::stringstream ss(path_value);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

ProcessResult RealProcessRunner::run(const ProcessSpec& spec) {
  std::string path = find_program(spec.program, env_value(spec.env, "PATH"));
  if (path.empty())
    throw Error(ErrorKind::Io, "exec: \"" + spec.program + "\": executable file not found in $PATH");
  std::vector<std::string> argv{spec.program};
  argv.insert(argv.end(), spec.args.begin(), spec.args.end());
  auto c_argv = c_strings(argv);
  auto c_env = c_strings(spec.env);
  int out_pipe[2] = {-1, -1};
  if (spec.capture_output && ::pipe2(out_pipe, O_CLOEXEC) != 0)
    throw Error(ErrorKind::Io, std::string("failed to create a pipe: ") + std::strerror(errno));
  std::fflush(stdout);
  std::fflush(stderr);
  SignalForwarding forwarding;
  pid_t pid = ::fork();
  if (pid < 0) throw Error(ErrorKind::Io, std::string("failed to start '") + spec.program + "': " + std::strerror(errno));
  if (pid == 0) {
    if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) _exit(127);
    if (spec.capture_output) {
      ::dup2(out_pipe[1], STDOUT_FILENO);
      ::dup2(out_pipe[1], STDERR_FILENO);
    } else if (spec.redirect_stderr == "/dev/stdout") {
      ::dup2(STDOUT_FILENO, STDERR_FILENO);
    } else if (!spec.redirect_stderr.empty()) {
      int fd = ::open(spec.redirect_stderr.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd < 0) _exit(127);
      ::dup2(fd, STDERR_FILENO);
    }
    ::execve(path.c_str(), c_argv.data(), c_env.data());
    _exit(127);
  }
  forwarding.set_child(pid);
  ProcessResult result;
  if (spec.capture_output) {
    ::close(out_pipe[1]);
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(out_pipe[0], buf, sizeof buf);
      if (n > 0) {
        result.output.append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        break;
      }
    }
    ::close(out_pipe[0]);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw Error(ErrorKind::Io, std::string("failed to wait for '") + spec.program + "': " + std::strerror(errno));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace atmos::terraform
