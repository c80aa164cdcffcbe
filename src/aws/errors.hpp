// The one error type of the AWS layer: what failed (service, operation), how (HTTP status, AWS error code and
// message, or a transport failure) and where to look (request id), rendered in words a person understands
// with the AWS code kept.
#pragma once

#include <optional>
#include <string>

#include "aws/endpoints.hpp"
#include "aws/http.hpp"
#include "core/error.hpp"

namespace atmos::aws {

struct AwsErrorInfo {
  Service service = Service::Sts;
  std::string operation;  // "AssumeRole"
  long http_status = 0;   // 0 when no HTTP answer came (see transport)
  std::string code;       // "SignatureDoesNotMatch"; empty when the answer had none
  std::string message;    // AWS's message, as sent
  std::string request_id;
  int attempts = 1;
  std::optional<TransportFailure> transport;  // set when no HTTP answer came
  std::string endpoint;                        // scheme://host[:port] that was called
};

// ErrorKind::Aws, exit code 1. message(): "could not assume the role (STS AssumeRole: SignatureDoesNotMatch)";
// explanation(): what the code means, AWS's own message, the status, request id and attempts; hints for the
// codes where there is something to do.
class AwsError : public Error {
 public:
  explicit AwsError(AwsErrorInfo info);
  const AwsErrorInfo& info() const { return info_; }
  const std::string& code() const { return info_.code; }

 private:
  AwsErrorInfo info_;
};

// The code, message and request id of an error answer. Query protocol (STS): both XML layouts,
// `<ErrorResponse><Error><Code>` (AWS) and `<ErrorResponse><Errors><Error><Code>` (moto), request id from the
// body or the x-amzn-RequestId header. REST-JSON: code from x-amzn-ErrorType (before any `:`), else the
// body's `__type` (after any `#`), `code` or `error`; message from `message`, `Message` or
// `error_description`. Unparseable bodies leave code and message empty.
void parse_query_error(const HttpResponse& response, AwsErrorInfo& info);
void parse_json_error(const HttpResponse& response, AwsErrorInfo& info);

}  // namespace atmos::aws
