#include "auth/world.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>

namespace atmos::auth {

bool in_ci(const Environment& env) {
  auto v = env.get("CI");
  if (!v || v->empty()) return false;
  auto b = parse_go_bool(*v);
  return !b || *b;
}

bool ProcessTerminal::stderr_is_terminal() const { return ::isatty(2) == 1; }
bool ProcessTerminal::stdin_is_terminal() const { return ::isatty(0) == 1; }

void ProcessTerminal::message(const std::string& text) {
  std::fputs(text.c_str(), stderr);
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

std::optional<std::string> ProcessTerminal::prompt(const std::string& label, bool secret) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text = label + ": ";
  if (::write(fd, text.data(), text.size()) < 0) {
    ::close(fd);
    return std::nullopt;
  }
  termios saved{};
  bool restore = false;
  if (secret && ::tcgetattr(fd, &saved) == 0) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    restore = ::tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
  }
  std::string line;
  char c;
  bool got_any = false;
  while (::read(fd, &c, 1) == 1) {
    got_any = true;
    if (c == '\n') break;
    line += c;
  }
  if (restore) {
    ::tcsetattr(fd, TCSAFLUSH, &saved);
    if (::write(fd, "\n", 1) < 0) line.clear();
  }
  ::close(fd);
  if (!got_any) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

bool ProcessBrowser::available() const {
  if (auto b = env_.get("BROWSER"); b && !b->empty()) return true;
  return !env_.get_or("DISPLAY", "").empty() || !env_.get_or("WAYLAND_DISPLAY", "").empty();
}

bool ProcessBrowser::open(const std::string& url) {
  if (!available()) return false;
  std::string browser = env_.get_or("BROWSER", "");
  // Double fork: the launcher runs on its own and is never a zombie of ours.
  pid_t child = ::fork();
  if (child < 0) return false;
  if (child == 0) {
    if (::fork() != 0) ::_exit(0);
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      ::dup2(devnull, 0);
      ::dup2(devnull, 1);
    }
    if (!browser.empty()) {
      ::execl("/bin/sh", "sh", "-c", (browser + " \"$1\"").c_str(), "sh", url.c_str(), static_cast<char*>(nullptr));
    } else {
      ::execlp("xdg-open", "xdg-open", url.c_str(), static_cast<char*>(nullptr));
    }
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace atmos::auth
