// Entry point: run one command and render any error in exactly one place.
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "core/deep_stack.hpp"
#include "core/error.hpp"

namespace {

int run_command(const std::vector<std::string>& args) {
  try {
    return atmos::cli::run(args);
  } catch (const atmos::Error& e) {
    std::fflush(stdout);
    std::fputs(atmos::render_error(e).c_str(), stderr);
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fputs(atmos::render_error(atmos::Error(atmos::ErrorKind::Internal, e.what())).c_str(), stderr);
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  int code = 1;
  atmos::run_on_deep_stack([&] { code = run_command(std::vector<std::string>(argv + 1, argv + argc)); });
  // Tearing down hundreds of thousands of tree nodes is pure cost at exit; the OS reclaims it all.
  if (std::fflush(stdout) != 0 && code == 0) code = 1;
  std::fflush(stderr);
  _exit(code);
}
