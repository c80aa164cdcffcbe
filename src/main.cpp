// Entry point: run one command and render any error in exactly one place.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "core/error.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
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
