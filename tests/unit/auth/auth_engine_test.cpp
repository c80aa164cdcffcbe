#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/aws_files.hpp"
#include "auth/identities/assume_role.hpp"
#include "auth/identities/user.hpp"
#include "auth/paths.hpp"
#include "auth/providers/github_oidc.hpp"
#include "auth/providers/sso_token_cache.hpp"
#include "auth/store/envelope.hpp"
#include "auth/store/keyring.hpp"
#include "aws/timestamp.hpp"
#include "core/error.hpp"

using namespace atmos;
using namespace atmos::auth;
namespace fs = std::filesystem;

namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/atmos-auth-unit-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

aws::Credentials creds(const std::string& key, const std::string& secret, const std::string& token) {
  aws::Credentials c;
  c.access_key_id = key;
  c.secret_access_key = Secret(std::string(secret));
  c.session_token = Secret(std::string(token));
  c.expiration = aws::parse_iso8601("2030-01-02T03:04:05Z");
  return c;
}

}  // namespace

TEST(AwsFiles, WritesCommentsSectionsAndModes) {
  TempDir dir;
  AwsFilePaths paths{dir.path() + "/r/aws/sso", dir.path() + "/r/aws/sso/credentials", dir.path() + "/r/aws/sso/config"};
  AwsFiles files(paths);
  files.write("plat-dev/terraform", creds("ASIAAAAAAAAAAAAAAAAA", "s1", "t1"), "us-east-2", "0123456789abcdef");
  files.write("default", creds("ASIABBBBBBBBBBBBBBBB", "s2", ""), "", "");
  std::string text = slurp(paths.credentials);
  EXPECT_NE(text.find("; atmos: expiration=2030-01-02T03:04:05Z\n; atmos: fingerprint=0123456789abcdef\n[plat-dev/terraform]\n"
                      "aws_access_key_id     = ASIAAAAAAAAAAAAAAAAA\n"),
            std::string::npos);
  EXPECT_EQ(text.find("aws_session_token     = \n"), std::string::npos);
  std::string config = slurp(paths.config);
  EXPECT_NE(config.find("[profile plat-dev/terraform]\nregion = us-east-2\n"), std::string::npos);
  EXPECT_NE(config.find("[default]\nregion = us-east-1\n"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat(paths.credentials.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(paths.dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  auto stored = files.read("plat-dev/terraform");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->fingerprint, "0123456789abcdef");
  EXPECT_TRUE(stored->credentials.session_token == Secret(std::string("t1")));
  EXPECT_EQ(aws::format_iso8601(*stored->credentials.expiration), "2030-01-02T03:04:05Z");
  EXPECT_FALSE(files.read("missing"));
}

TEST(AwsFiles, RemoveKeepsOtherSectionsAndDeletesEmptyFiles) {
  TempDir dir;
  AwsFilePaths paths{dir.path(), dir.path() + "/credentials", dir.path() + "/config"};
  AwsFiles files(paths);
  files.write("a", creds("ASIAAAAAAAAAAAAAAAAA", "s1", "t1"), "us-east-1", "f");
  files.write("b", creds("ASIABBBBBBBBBBBBBBBB", "s2", "t2"), "us-east-1", "f");
  EXPECT_TRUE(files.remove("a"));
  EXPECT_FALSE(files.read("a"));
  EXPECT_TRUE(files.read("b"));
  EXPECT_EQ(slurp(paths.config), "[profile b]\nregion = us-east-1\n");
  EXPECT_TRUE(files.remove("b"));
  EXPECT_FALSE(fs::exists(paths.credentials));
  EXPECT_FALSE(fs::exists(paths.config));
  EXPECT_FALSE(files.remove("b"));
}

TEST(AwsFiles, UnreadableExpirationCountsAsExpired) {
  TempDir dir;
  AwsFilePaths paths{dir.path(), dir.path() + "/credentials", dir.path() + "/config"};
  std::ofstream(paths.credentials) << "; atmos: expiration=soon\n[x]\naws_access_key_id = A\naws_secret_access_key = B\n";
  auto stored = AwsFiles(paths).read("x");
  ASSERT_TRUE(stored);
  EXPECT_EQ(*stored->credentials.expiration, aws::TimePoint{});
}

TEST(AssumeRole, SessionNameSanitisedAsUpstream) {
  EXPECT_EQ(sanitize_role_session_name("atmos-dev-1699566677!@#$%^&*()"), "atmos-dev-1699566677-@");
  EXPECT_EQ(sanitize_role_session_name("atmos-dev-1699566677!@#$%^&*()_-="), "atmos-dev-1699566677-@----------=");
  EXPECT_EQ(sanitize_role_session_name("atmos-core-auto/terraform-1735000000"), "atmos-core-auto-terraform-1735000000");
  EXPECT_EQ(sanitize_role_session_name(std::string(70, 'a')), std::string(64, 'a'));
  EXPECT_EQ(sanitize_role_session_name("///"), "atmos-session");
}

TEST(Realm, EnvironmentThenConfigThenConfigDirHash) {
  MapEnvironment env;
  Realm r = compute_realm(env, "", "/work/Repo/");
  EXPECT_EQ(r.source, "config-path");
  EXPECT_EQ(r.value.size(), 16u);
  EXPECT_EQ(r.value, compute_realm(env, "", "/work/repo").value);
  EXPECT_EQ(compute_realm(env, "acme", "/x").value, "acme");
  EXPECT_EQ(compute_realm(env, "", "").value, "default");
  env.set("ATMOS_AUTH_REALM", "ci-1");
  EXPECT_EQ(compute_realm(env, "acme", "/x").source, "env");
  env.set("ATMOS_AUTH_REALM", "Bad--Realm");
  EXPECT_THROW(compute_realm(env, "", "/x"), Error);
}

TEST(Paths, XdgPrecedenceAndUpstreamLayout) {
  MapEnvironment env;
  env.set("HOME", "/home/u");
  EXPECT_EQ(aws_file_paths(env, "r", "acme-sso").credentials, "/home/u/.config/atmos/r/aws/acme-sso/credentials");
  env.set("XDG_CONFIG_HOME", "/xdg");
  env.set("ATMOS_XDG_CACHE_HOME", "/acache");
  EXPECT_EQ(aws_file_paths(env, "r", "aws-user").config, "/xdg/atmos/r/aws/aws-user/config");
  // sha1("https://acme.awsapps.com/start|us-east-1")
  EXPECT_EQ(sso_token_cache_path(env, "https://acme.awsapps.com/start", "us-east-1"),
            "/acache/atmos/aws-sso/sessions/79bd718a482a3c0ed2e0def5930c30370ed00695.json");
}

TEST(SsoTokenCache, RoundTripInUpstreamFormat) {
  TempDir dir;
  SsoTokenCache cache(dir.path() + "/sessions/x.json");
  EXPECT_FALSE(cache.load());
  SsoSession s;
  s.access_token = Secret(std::string("access"));
  s.expires_at = *aws::parse_iso8601("2030-01-01T00:00:00Z");
  s.region = "us-east-1";
  s.start_url = "https://acme.awsapps.com/start";
  s.refresh_token = Secret(std::string("refresh"));
  s.client_id = "client";
  s.client_secret = Secret(std::string("secret"));
  cache.save(s);
  std::string text = slurp(cache.path());
  EXPECT_EQ(text.find("{\n  \"accessToken\": "), 0u);
  EXPECT_NE(text.find("\"registrationExpiresAt\": \"0001-01-01T00:00:00Z\"\n}"), std::string::npos);
  auto loaded = cache.load();
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->refresh_token == s.refresh_token);
  EXPECT_EQ(loaded->expires_at, s.expires_at);
  EXPECT_FALSE(loaded->registration_expires_at);
  EXPECT_TRUE(cache.remove());
}

TEST(User, SessionDurationForms) {
  EXPECT_EQ(parse_session_duration("3600"), 3600);
  EXPECT_EQ(parse_session_duration("12h"), 43200);
  EXPECT_EQ(parse_session_duration("1d"), 86400);
  EXPECT_FALSE(parse_session_duration("soon"));
}

TEST(GithubOidc, TokenUrlMustBeHttpsOrLoopback) {
  EXPECT_TRUE(acceptable_token_url("https://pipelines.actions.githubusercontent.com/x?api-version=2.0"));
  EXPECT_TRUE(acceptable_token_url("http://127.0.0.1:4000/_lab/github/token"));
  EXPECT_FALSE(acceptable_token_url("http://example.com/token"));
  EXPECT_FALSE(acceptable_token_url("https:///nohost"));
}

TEST(Keyring, KeyFormatAndEnvelopeRoundTrip) {
  EXPECT_EQ(keyring_key("r1", "superadmin"), "atmos_r1_superadmin");
  EXPECT_EQ(keyring_key("", "superadmin"), "atmos_superadmin");
  AwsUserKeys keys{"AKIAEXAMPLE", Secret(std::string("s3cr3t")), "arn:aws:iam::1:mfa/a", "12h"};
  Secret encoded = encode_user_keys(keys);
  EXPECT_EQ(encoded.reveal().find("{\"data\":{\"access_key_id\":\"AKIAEXAMPLE\""), 0u);
  EXPECT_NE(encoded.reveal().find("\"type\":\"aws\""), std::string::npos);
  auto decoded = decode_user_keys(encoded);
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->secret_access_key == keys.secret_access_key);
  EXPECT_EQ(decoded->mfa_arn, keys.mfa_arn);
  EXPECT_FALSE(decode_user_keys(Secret(std::string("{\"type\":\"oidc\",\"data\":{}}"))));
  MemoryKeyring memory;
  EXPECT_FALSE(memory.get("k"));
  memory.set("k", encoded);
  EXPECT_TRUE(*memory.get("k") == encoded);
  EXPECT_TRUE(memory.remove("k"));
  EXPECT_FALSE(memory.remove("k"));
}
