#include "terraform/process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/error.hpp"

using atmos::Error;
using namespace atmos::terraform;

namespace {

ProcessSpec shell(const std::string& script) {
  ProcessSpec spec;
  spec.program = "sh";
  spec.args = {"-c", script};
  spec.env = {"PATH=/usr/bin:/bin"};
  return spec;
}

}  // namespace

TEST(RealProcessRunner, ExitCodeIsPassedThroughUnchanged) {
  RealProcessRunner runner;
  EXPECT_EQ(runner.run(shell("exit 0")).exit_code, 0);
  EXPECT_EQ(runner.run(shell("exit 2")).exit_code, 2);
  EXPECT_EQ(runner.run(shell("exit 77")).exit_code, 77);
}

TEST(RealProcessRunner, ChildKilledBySignalReportsSignalPlus128) {
  RealProcessRunner runner;
  EXPECT_EQ(runner.run(shell("kill -TERM $$")).exit_code, 128 + SIGTERM);
}

TEST(RealProcessRunner, ChildGetsExactlyTheGivenEnvironmentAndDirectory) {
  RealProcessRunner runner;
  ProcessSpec spec = shell("echo \"$FOO|$HOME|$(pwd)\"");
  spec.env.push_back("FOO=bar baz");
  spec.cwd = "/tmp";
  spec.capture_output = true;
  EXPECT_EQ(runner.run(spec).output, "bar baz||" + std::filesystem::canonical("/tmp").string() + "\n");
}

TEST(RealProcessRunner, CaptureCollectsStdoutAndStderr) {
  RealProcessRunner runner;
  ProcessSpec spec = shell("echo out; echo err >&2; exit 1");
  spec.capture_output = true;
  ProcessResult r = runner.run(spec);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "out\nerr\n");
}

TEST(RealProcessRunner, StderrCanBeRedirectedToAFile) {
  std::string file = std::filesystem::temp_directory_path() / ("atmos-redirect-" + std::to_string(::getpid()));
  RealProcessRunner runner;
  ProcessSpec spec = shell("echo oops >&2");
  spec.redirect_stderr = file;
  EXPECT_EQ(runner.run(spec).exit_code, 0);
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "oops\n");
  std::filesystem::remove(file);
}

TEST(RealProcessRunner, MissingProgramIsAnErrorNamingIt) {
  RealProcessRunner runner;
  ProcessSpec spec;
  spec.program = "no-such-terraform-binary";
  spec.env = {"PATH=/usr/bin:/bin"};
  try {
    runner.run(spec);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "exec: \"no-such-terraform-binary\": executable file not found in $PATH");
  }
}

TEST(RealProcessRunner, ProgramIsLookedUpInTheChildsPath) {
  EXPECT_EQ(find_program("sh", "/nonexistent:/bin"), "/bin/sh");
  EXPECT_EQ(find_program("sh", "/nonexistent"), "");
  EXPECT_EQ(find_program("/bin/sh", ""), "/bin/sh");
}

// A stand-in for Terraform that needs time to release its lock: it traps SIGTERM/SIGINT and exits with its own
// code. atmos receives the signal from another process, forwards it, waits, and returns the child's code.
TEST(RealProcessRunner, TermAndIntAreForwardedToTheChildAndAtmosWaitsForIt) {
  for (int sig : {SIGTERM, SIGINT}) {
    std::string marker = std::filesystem::temp_directory_path() / ("atmos-sig-" + std::to_string(::getpid()));
    std::filesystem::remove(marker);
    RealProcessRunner runner;
    ProcessSpec spec = shell("trap 'sleep 0.2; exit 42' TERM INT; touch " + marker + "; while :; do sleep 0.05; done");
    std::thread sender([&] {
      for (int i = 0; i < 200 && !std::filesystem::exists(marker); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
      ::kill(::getpid(), sig);
    });
    ProcessResult r = runner.run(spec);
    sender.join();
    EXPECT_EQ(r.exit_code, 42) << "signal " << sig;
    std::filesystem::remove(marker);
  }
  struct sigaction now {};
  ::sigaction(SIGTERM, nullptr, &now);
  EXPECT_EQ(now.sa_handler, SIG_DFL) << "handlers are restored after the child exits";
}
