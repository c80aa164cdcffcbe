// The outside world the auth engine talks through — environment, HTTP, clock, terminal, browser, keyring —
// so unit tests substitute each piece and the binary uses the real ones.
#pragma once

#include <optional>
#include <string>

#include "aws/clock.hpp"
#include "aws/http.hpp"
#include "core/environment.hpp"

namespace atmos::auth {

class Keyring;

// The person at the keyboard. Messages go to stderr; data never does.
class Terminal {
 public:
  virtual ~Terminal() = default;
  virtual bool stderr_is_terminal() const = 0;
  virtual bool stdin_is_terminal() const = 0;
  // One line (or block) of text for the user on stderr.
  virtual void message(const std::string& text) = 0;
  // Asks for one line on the terminal (echo off when `secret`); nullopt when there is no terminal or on EOF.
  virtual std::optional<std::string> prompt(const std::string& label, bool secret) = 0;
};

// Opens a URL for the user: `$BROWSER <url>`, else xdg-open when a display exists. False when nothing could.
class BrowserLauncher {
 public:
  virtual ~BrowserLauncher() = default;
  virtual bool available() const = 0;
  virtual bool open(const std::string& url) = 0;
};

// All references must outlive the engine objects built on them. Keyring backends connect lazily, so a command
// that never needs the keyring never touches it.
struct World {
  const Environment& env;
  aws::HttpTransport& transport;
  aws::Clock& clock;
  Terminal& terminal;
  BrowserLauncher& browser;
  Keyring& keyring;
};

// The real terminal on fds 0/2 and /dev/tty.
class ProcessTerminal final : public Terminal {
 public:
  bool stderr_is_terminal() const override;
  bool stdin_is_terminal() const override;
  void message(const std::string& text) override;
  std::optional<std::string> prompt(const std::string& label, bool secret) override;
};

// $BROWSER (run through /bin/sh with the URL as its argument) or xdg-open with DISPLAY/WAYLAND_DISPLAY set;
// the launcher is not waited for.
class ProcessBrowser final : public BrowserLauncher {
 public:
  explicit ProcessBrowser(const Environment& env) : env_(env) {}
  bool available() const override;
  bool open(const std::string& url) override;

 private:
  const Environment& env_;
};

// True when CI is set to anything but a false value (CI runs the suite with CI=true).
bool in_ci(const Environment& env);

}  // namespace atmos::auth
