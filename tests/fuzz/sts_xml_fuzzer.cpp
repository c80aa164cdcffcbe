// The STS client's XML reading: any answer body, as a success (200) or an error (400, 403) to any of the four
// actions, either parses or throws AwsError — the first byte picks the action and the status.
#include <cstddef>
#include <cstdint>
#include <string>

#include "aws/errors.hpp"
#include "aws/sts.hpp"
#include "core/environment.hpp"

namespace {

using namespace atmos::aws;

class OneAnswer final : public HttpTransport {
 public:
  HttpResponse send(const HttpRequest&, const HttpTimeouts&) override { return answer; }
  HttpResponse answer;
};

class StillClock final : public Clock {
 public:
  TimePoint now() override { return std::chrono::system_clock::from_time_t(1717502400); }
  void sleep_for(std::chrono::milliseconds) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static OneAnswer transport;
  static StillClock clock;
  static const atmos::MapEnvironment env;
  static StsClient sts = [] {
    ClientOptions options;
    options.region = "us-east-2";
    options.endpoint_url = "https://sts.example.test";
    options.retry.max_attempts = 1;
    return StsClient({transport, clock, env}, options);
  }();
  if (size == 0) return 0;
  static const long kStatus[] = {200, 200, 400, 403};
  transport.answer.status = kStatus[(data[0] >> 2) % 4];
  transport.answer.headers = {};
  transport.answer.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  Credentials user;
  user.access_key_id = "AKIAFUZZ";
  user.secret_access_key = atmos::Secret(std::string("fuzz-secret"));
  try {
    switch (data[0] % 4) {
      case 0: sts.get_caller_identity(user); break;
      case 1: sts.assume_role(user, {.role_arn = "arn:aws:iam::111111111111:role/r", .role_session_name = "s"}); break;
      case 2: {
        AssumeRoleWithWebIdentityRequest request;
        request.role_arn = "arn:aws:iam::111111111111:role/r";
        request.role_session_name = "s";
        request.web_identity_token = atmos::Secret(std::string("token"));
        sts.assume_role_with_web_identity(request);
        break;
      }
      default: sts.get_session_token(user, {}); break;
    }
  } catch (const AwsError&) {
  }
  return 0;
}
