// atmos's own time in front of Terraform (issue 6): `atmos terraform plan vpc -s plat-use2-dev` on examples/acme
// with the stack's identity served from a warm credentials cache and `true` standing in for Terraform, so the
// wall time is rendering + identity resolution + cached authentication + three trivial child processes.
// scripts/bench prepares the lab, the sign-in and ATMOS_BENCH_TF_ENV (a file of KEY=VALUE lines: the whole
// environment, including ATMOS_BENCH_TF_DIR, the repository to run in).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

struct Prepared {
  std::vector<std::string> env;
  std::string dir;
};

bool prepare(Prepared& p) {
  const char* file = std::getenv("ATMOS_BENCH_TF_ENV");
  if (!file || !*file) return false;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("ATMOS_BENCH_TF_DIR=", 0) == 0) p.dir = line.substr(19);
    if (!line.empty()) p.env.push_back(line);
  }
  return !p.dir.empty();
}

void terraform_plan_warm(benchmark::State& state) {
  Prepared p;
  if (!prepare(p)) {
    state.SkipWithError("ATMOS_BENCH_TF_ENV is not set (run scripts/bench)");
    return;
  }
  std::vector<char*> envp;
  for (auto& e : p.env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const char* argv[] = {ATMOS_BINARY, "terraform", "plan", "vpc", "-s", "plat-use2-dev", "--terraform-command", "true", nullptr};
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
      if (chdir(p.dir.c_str()) != 0) _exit(127);
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, STDOUT_FILENO);
      dup2(devnull, STDERR_FILENO);
      execve(ATMOS_BINARY, const_cast<char* const*>(argv), envp.data());
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      state.SkipWithError("atmos terraform plan failed");
      return;
    }
  }
}

}  // namespace

BENCHMARK(terraform_plan_warm)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(20)->Repetitions(5)->ReportAggregatesOnly(true);
