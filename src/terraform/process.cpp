#include "terraform/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "core/error.hpp"

namespace atmos::terraform {
namespace {

volatile sig_atomic_t g_child = 0;
volatile sig_atomic_t g_pending = 0;  // a signal that arrived before the child existed
volatile sig_atomic_t g_hangup_as_interrupt = 1;

// The child runs in a process group of its own (docs/signals.md), so a signal sent to atmos's group — a CI
// runner cancelling a job, the shell hanging up its job — reaches atmos alone and Terraform gets exactly one, the
// one forwarded here. A hang-up becomes an interrupt for Terraform: Go programs die at once on SIGHUP, which
// would leave the state lock behind.
void forward_signal(int sig) {
  if (sig == SIGHUP && g_hangup_as_interrupt) sig = SIGINT;
  pid_t child = g_child;
  if (child > 0) ::kill(child, sig);
  else g_pending = sig;
}

// Installs the forwarding handlers for the lifetime of one child and restores the previous ones. The child
// resets them before execve.
class SignalForwarding {
 public:
  explicit SignalForwarding(bool hangup_as_interrupt) {
    g_child = 0;
    g_pending = 0;
    g_hangup_as_interrupt = hangup_as_interrupt ? 1 : 0;
    struct sigaction sa {};
    sa.sa_handler = forward_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &sa, &old_[i]);
  }
  ~SignalForwarding() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &old_[i], nullptr);
    g_child = 0;
  }
  void set_child(pid_t child) {
    g_child = child;
    if (g_pending) ::kill(child, g_pending);
  }
  SignalForwarding(const SignalForwarding&) = delete;
  SignalForwarding& operator=(const SignalForwarding&) = delete;

  static constexpr std::array<int, 3> kSignals{SIGINT, SIGTERM, SIGHUP};

 private:
  std::array<struct sigaction, 3> old_{};
};

// Runs `f` with SIGTTOU blocked: tcsetpgrp from a background process group would otherwise stop the caller.
template <typename F>
void without_sigttou(F f) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTTOU);
  ::sigprocmask(SIG_BLOCK, &block, &old);
  f();
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
}

// The terminal atmos runs in the foreground of, when stdin is one: the child is handed the terminal so that
// Ctrl-C and Terraform's prompts reach it directly (and a second Ctrl-C still forces it), and atmos takes the
// terminal back when the child stops or ends.
class Terminal {
 public:
  Terminal() {
    if (::isatty(STDIN_FILENO) && ::tcgetpgrp(STDIN_FILENO) == ::getpgrp()) fd_ = STDIN_FILENO;
  }
  bool owned() const { return fd_ >= 0; }
  void give_to(pid_t group) const {
    if (owned()) without_sigttou([&] { ::tcsetpgrp(fd_, group); });
  }
  void take_back() const { give_to(::getpgrp()); }

 private:
  int fd_ = -1;
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
  SignalForwarding forwarding(spec.hangup_as_interrupt);
  Terminal terminal;
  pid_t pid = ::fork();
  if (pid < 0) throw Error(ErrorKind::Io, std::string("failed to start '") + spec.program + "': " + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);
    terminal.give_to(::getpid());
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig : SignalForwarding::kSignals) ::sigaction(sig, &dfl, nullptr);
    if (spec.hangup_as_interrupt) ::signal(SIGHUP, SIG_IGN);
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
  ::setpgid(pid, pid);
  terminal.give_to(pid);
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
  for (;;) {
    if (::waitpid(pid, &status, WUNTRACED) < 0) {
      if (errno == EINTR) continue;
      terminal.take_back();
      throw Error(ErrorKind::Io, std::string("failed to wait for '") + spec.program + "': " + std::strerror(errno));
    }
    if (!WIFSTOPPED(status)) break;
    // Ctrl-Z stopped the child: stop atmos too so the shell sees the job stop, then resume the child with it.
    terminal.take_back();
    ::raise(SIGSTOP);
    terminal.give_to(pid);
    ::kill(-pid, SIGCONT);
  }
  terminal.take_back();
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace atmos::terraform
