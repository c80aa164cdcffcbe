// The AWS `credentials` and `config` files Atmos writes for child processes (docs/auth.md#files-and-caches,
// docs/auth.md#fingerprints): one pair per chain root, one section per identity (lower-case name), each credentials
// section preceded by `; atmos: expiration=<RFC 3339>` and `; atmos: fingerprint=<hash>` comments. Other
// sections are preserved. Writers hold `<file>.lock`; every write is atomic with mode 0600.
#pragma once

#include <optional>
#include <string>

#include "auth/credentials.hpp"
#include "auth/paths.hpp"

namespace atmos::auth {

struct StoredCredentials {
  aws::Credentials credentials;
  std::string fingerprint;  // "" when the section has no fingerprint comment
};

class AwsFiles {
 public:
  explicit AwsFiles(AwsFilePaths paths) : paths_(std::move(paths)) {}
  const AwsFilePaths& paths() const { return paths_; }

  // Writes the identity's credentials section and `[profile <identity>]` with `region` (us-east-1 when empty).
  void write(const std::string& profile, const aws::Credentials& credentials, const std::string& region,
             const std::string& fingerprint) const;
  // The identity's section, nullopt when absent or incomplete. No lock: writers replace files atomically.
  std::optional<StoredCredentials> read(const std::string& profile) const;
  // Removes the identity's sections; a file left without sections is deleted. True when anything was removed.
  bool remove(const std::string& profile) const;

 private:
  AwsFilePaths paths_;
};

}  // namespace atmos::auth
