// Amazon S3 GetObject (REST-XML, SigV4 over the empty body's hash), the one call the `!terraform.state` function
// makes to read a Terraform state object from the s3 backend.
#pragma once

#include <optional>
#include <string>

#include "aws/credentials.hpp"
#include "aws/service_client.hpp"

namespace atmos::aws {

struct S3Object {
  std::string bucket;
  std::string key;
  bool path_style = true;  // https://<endpoint>/<bucket>/<key>; else https://<bucket>.<endpoint host>/<key>
};

// Thread-safe.
class S3Client {
 public:
  S3Client(ClientContext context, ClientOptions options);

  // The object's bytes; nullopt when S3 answers NoSuchKey (404). Other failures (AccessDenied, NoSuchBucket,
  // timeouts) throw AwsError.
  std::optional<std::string> get_object(const Credentials& credentials, const S3Object& object);

  const ServiceClient& service() const { return client_; }

 private:
  ServiceClient client_;
};

}  // namespace atmos::aws
