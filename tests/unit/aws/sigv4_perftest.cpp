// Google Benchmark for SigV4 signing (issue 4, acceptance 4: a typical STS request signs in under 5 µs).
// Not part of aws_tests (the unit-test glob takes *_test.cpp only): a bench/ target builds it with
//   add_executable(sigv4_perftest ${CMAKE_SOURCE_DIR}/tests/unit/aws/sigv4_perftest.cpp)
//   target_link_libraries(sigv4_perftest PRIVATE atmos_aws benchmark::benchmark)
#include <benchmark/benchmark.h>

#include "aws/sigv4.hpp"

namespace atmos::aws {
namespace {

Credentials session_credentials() {
  Credentials credentials;
  credentials.access_key_id = "ASIAEXAMPLEEXAMPLE12";
  credentials.secret_access_key = Secret(std::string("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));
  credentials.session_token = Secret(std::string(900, 'T'));
  return credentials;
}

HttpRequest assume_role_request() {
  HttpRequest request;
  request.method = "POST";
  request.url = "https://sts.us-east-1.amazonaws.com/";
  request.headers.add("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.headers.add("User-Agent", "atmos/0.1.0");
  request.body =
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Fplat-dev-terraform"
      "&RoleSessionName=atmos-plat-dev-terraform-1735000000&DurationSeconds=3600";
  return request;
}

// The steady state: the signer's cached day key is warm, as for every call after the first.
void BM_SignStsAssumeRole(benchmark::State& state) {
  Credentials credentials = session_credentials();
  SigV4Signer signer("sts", "us-east-1");
  TimePoint now = std::chrono::system_clock::from_time_t(1717502400);
  for (auto _ : state) {
    HttpRequest request = assume_role_request();
    signer.sign(request, credentials, now);
    benchmark::DoNotOptimize(request);
  }
}
BENCHMARK(BM_SignStsAssumeRole);

// A new signer per request: the signing key is derived every time (four more HMACs).
void BM_SignStsAssumeRoleColdKey(benchmark::State& state) {
  Credentials credentials = session_credentials();
  TimePoint now = std::chrono::system_clock::from_time_t(1717502400);
  for (auto _ : state) {
    SigV4Signer signer("sts", "us-east-1");
    HttpRequest request = assume_role_request();
    signer.sign(request, credentials, now);
    benchmark::DoNotOptimize(request);
  }
}
BENCHMARK(BM_SignStsAssumeRoleColdKey);

}  // namespace
}  // namespace atmos::aws

BENCHMARK_MAIN();
