// The INI reader of the AWS credentials/config files Atmos writes: any file content reads (or yields nothing)
// without crashing, and writing an identity's section into it then reading it back returns what was written.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "auth/aws_files.hpp"
#include "auth/files.hpp"
#include "aws/timestamp.hpp"
#include "scratch_dir.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using atmos::auth::AwsFiles;
  static const std::string dir = atmos::fuzz::scratch_dir();
  static const AwsFiles files({dir, dir + "/credentials", dir + "/config"});
  static const char* const kProfiles[] = {"default", "plat-dev/terraform", "core-auto"};
  if (size == 0) return 0;
  const std::string profile = kProfiles[data[0] % 3];
  const bool round_trip = data[0] & 0x80;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  atmos::auth::write_private_file(files.paths().credentials, text);
  atmos::auth::write_private_file(files.paths().config, text);
  files.read(profile);
  if (round_trip) {
    atmos::aws::Credentials c;
    c.access_key_id = "AKIAFUZZ";
    c.secret_access_key = atmos::Secret(std::string("fuzz-secret"));
    c.session_token = atmos::Secret(std::string("fuzz-token"));
    c.expiration = atmos::aws::parse_iso8601("2030-01-02T03:04:05Z");
    files.write(profile, c, "us-east-2", "fp");
    auto back = files.read(profile);
    if (!back || back->credentials.access_key_id != c.access_key_id ||
        back->credentials.secret_access_key.reveal() != c.secret_access_key.reveal() ||
        back->credentials.session_token.reveal() != c.session_token.reveal() ||
        back->credentials.expiration != c.expiration || back->fingerprint != "fp")
      std::abort();
    files.remove(profile);
  }
  return 0;
}
