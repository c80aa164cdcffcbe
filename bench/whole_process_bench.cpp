// Whole-process timings: runs build/atmos as a user would and reports wall time and peak RSS.
// The repository comes from ATMOS_BENCH_REPO (scripts/bench generates it); without it these are skipped.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct RunResult {
  double seconds = 0;
  long max_rss_kb = 0;
  int status = 0;
};

RunResult run_atmos(const std::string& repo, const std::vector<std::string>& args) {
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(repo.c_str()) != 0) _exit(127);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(ATMOS_BINARY));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(ATMOS_BINARY, argv.data());
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  RunResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.max_rss_kb = usage.ru_maxrss;
  r.status = status;
  return r;
}

void whole_process(benchmark::State& state, const char* repo_env, std::vector<std::string> args) {
  const char* repo = std::getenv(repo_env);
  if (!repo || !*repo) {
    state.SkipWithError((std::string(repo_env) + " is not set (run scripts/bench)").c_str());
    return;
  }
  long peak = 0;
  for (auto _ : state) {
    RunResult r = run_atmos(repo, args);
    if (r.status != 0) {
      state.SkipWithError("atmos exited with an error");
      return;
    }
    state.SetIterationTime(r.seconds);
    peak = std::max(peak, r.max_rss_kb);
  }
  state.counters["peak_rss_MB"] = static_cast<double>(peak) / 1024.0;
}

}  // namespace

BENCHMARK_CAPTURE(whole_process, describe_stacks_json, "ATMOS_BENCH_REPO",
                  std::vector<std::string>{"describe", "stacks", "--format", "json"})
    ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(whole_process, describe_stacks_json_2x, "ATMOS_BENCH_REPO_2X",
                  std::vector<std::string>{"describe", "stacks", "--format", "json"})
    ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(whole_process, describe_stacks_yaml, "ATMOS_BENCH_REPO",
                  std::vector<std::string>{"describe", "stacks"})
    ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(whole_process, describe_affected, "ATMOS_BENCH_REPO_AFFECTED",
                  std::vector<std::string>{"describe", "affected", "--base", "main"})
    ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(whole_process, list_stacks, "ATMOS_BENCH_REPO", std::vector<std::string>{"list", "stacks"})
    ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(5)->ReportAggregatesOnly(true);
// Shell completion (a Tab press): components, then the stacks holding one. The first repetition fills the
// completion cache; the median is the warm Tab press.
BENCHMARK_CAPTURE(whole_process, complete_components, "ATMOS_BENCH_REPO",
                  std::vector<std::string>{"__complete", "terraform", "plan", ""})
    ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(10)->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(whole_process, complete_stacks, "ATMOS_BENCH_REPO",
                  std::vector<std::string>{"__complete", "terraform", "plan", "acm-2-large", "-s", ""})
    ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(10)->ReportAggregatesOnly(true);
