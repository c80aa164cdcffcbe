// Cache-hit auth commands, whole process (issue 5, acceptance 7): `atmos auth env` and `atmos auth exec -- true`
// side by side with AWS CLI v2's `aws configure export-credentials` on the same credentials file. Run by
// bench/auth_cache.py, which starts a lab, signs in once and sets ATMOS_BENCH_AUTH_REPO (the repository),
// ATMOS_BENCH_AUTH_IDENTITY and the AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE atmos wrote; every child
// inherits this process's environment, with stdout to /dev/null. ATMOS_BENCH_ATMOS, when set, replaces the atmos
// binary this was built against (to compare builds).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

constexpr const char* kAwsCliV2 = "/usr/bin/aws";

// Wall seconds of one run, or a negative value when the command failed.
double run_once(const std::string& cwd, const std::vector<std::string>& argv) {
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(127);
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, STDOUT_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? seconds : -1;
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string atmos_binary() {
  std::string over = env_or_empty("ATMOS_BENCH_ATMOS");
  return over.empty() ? ATMOS_BINARY : over;
}

enum class Command { AtmosVersion, AtmosAuthEnv, AtmosAuthExec, AwsCliExportCredentials };

std::vector<std::string> command_line(Command command, const std::string& identity) {
  switch (command) {
    case Command::AtmosVersion: return {atmos_binary(), "version"};
    case Command::AtmosAuthEnv: return {atmos_binary(), "auth", "env", "--identity", identity};
    case Command::AtmosAuthExec: return {atmos_binary(), "auth", "exec", "--identity", identity, "--", "/bin/true"};
    case Command::AwsCliExportCredentials: return {kAwsCliV2, "configure", "export-credentials", "--profile", identity};
  }
  return {};
}

void cache_hit(benchmark::State& state, Command command) {
  std::string repo = env_or_empty("ATMOS_BENCH_AUTH_REPO");
  std::string identity = env_or_empty("ATMOS_BENCH_AUTH_IDENTITY");
  if (repo.empty() || identity.empty()) {
    state.SkipWithError("ATMOS_BENCH_AUTH_REPO / ATMOS_BENCH_AUTH_IDENTITY are not set (run bench/auth_cache.py)");
    return;
  }
  std::vector<std::string> argv = command_line(command, identity);
  for (auto _ : state) {
    double seconds = run_once(repo, argv);
    if (seconds < 0) {
      state.SkipWithError((argv[0] + " failed").c_str());
      return;
    }
    state.SetIterationTime(seconds);
  }
}

}  // namespace

BENCHMARK_CAPTURE(cache_hit, atmos_version, Command::AtmosVersion)
    ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(40)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(cache_hit, atmos_auth_env, Command::AtmosAuthEnv)
    ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(40)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(cache_hit, atmos_auth_exec_true, Command::AtmosAuthExec)
    ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(40)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(cache_hit, aws_cli_v2_export_credentials, Command::AwsCliExportCredentials)
    ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(4)->Repetitions(5)->ReportAggregatesOnly(true);

BENCHMARK_MAIN();
