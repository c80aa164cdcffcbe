// The external YAML functions (functions/cloud.hpp) against a fake AWS: where a state lives, which identity reads
// it, that each object is read once, concurrently when prefetched.
#include "functions/cloud.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "aws/clock.hpp"
#include "core/error.hpp"
#include "core/yaml_load.hpp"

namespace fs = std::filesystem;
using atmos::Error;
using atmos::MapEnvironment;
using atmos::parse_yaml;
using atmos::Value;
using atmos::functions::CloudFunctions;
using atmos::functions::ReadIdentity;
using atmos::stacks::StackComponent;
using atmos::stacks::StackEngine;

namespace {

Value yaml(const std::string& text) { return parse_yaml(text); }

std::string error_text(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    std::string text = e.message() + "\n" + e.explanation();
    for (const auto& h : e.hints()) text += "\n" + h;
    return text;
  }
  ADD_FAILURE() << "expected an error";
  return "";
}

// Answers S3 GETs from a map of path → body (404 NoSuchKey otherwise), SSM and STS from canned bodies; thread-safe.
class FakeAws final : public atmos::aws::HttpTransport {
 public:
  atmos::aws::HttpResponse send(const atmos::aws::HttpRequest& request, const atmos::aws::HttpTimeouts&) override {
    std::lock_guard lock(mutex);
    sent.push_back(request.method + " " + request.url);
    auth.push_back(std::string(request.headers.get("Authorization").value_or("")));
    atmos::aws::HttpResponse r;
    std::string path = request.url.substr(request.url.find('/', request.url.find("//") + 2));
    if (auto it = denied.find(path); it != denied.end()) {
      r.status = 403;
      r.body = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
      return r;
    }
    if (auto it = objects.find(path); it != objects.end()) {
      r.status = 200;
      r.body = it->second;
      return r;
    }
    if (request.method == "POST" && request.headers.get("X-Amz-Target") == std::optional<std::string_view>("AmazonSSM.GetParameter")) {
      for (const auto& [name, value] : parameters)
        if (request.body.find("\"" + name + "\"") != std::string::npos) {
          r.status = 200;
          r.body = "{\"Parameter\":{\"Name\":\"" + name + "\",\"Value\":" + value + "}}";
          return r;
        }
      r.status = 400;
      r.body = "{\"__type\":\"ParameterNotFound\"}";
      return r;
    }
    if (request.method == "POST" && request.body.find("Action=GetCallerIdentity") != std::string::npos) {
      r.status = 200;
      r.body = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::999999999999:assumed-role/R/s</Arn>"
               "<UserId>AROA:s</UserId><Account>999999999999</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";
      return r;
    }
    r.status = 404;
    r.body = "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>";
    return r;
  }
  std::mutex mutex;
  std::map<std::string, std::string> objects, denied, parameters;
  std::vector<std::string> sent, auth;
};

class FakeIdentities final : public atmos::functions::Identities {
 public:
  std::optional<ReadIdentity> for_component(const StackComponent& sc, const Value& section) override {
    asked.push_back(sc.component + "@" + sc.stack);
    Value id = section.at({"settings", "reader"});
    if (!id.is_string()) return std::nullopt;
    return named(id.as_string());
  }
  ReadIdentity named(const std::string& identity) override {
    if (identity == "missing") throw Error(atmos::ErrorKind::Auth, "identity `missing` is not defined in the active profile (developers)");
    ReadIdentity r;
    r.name = identity;
    r.credentials.access_key_id = "AKIA" + identity;
    r.credentials.secret_access_key = atmos::Secret("secret");
    r.region = "us-east-2";
    return r;
  }
  ReadIdentity ambient() override { return named("ambient"); }
  std::vector<std::string> asked;
};

class Cloud : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("atmos-cloud-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "home");
    env_.set("HOME", (root_ / "home").string());
    env_.set("ATMOS_GIT_ROOT_BASEPATH", "false");
    env_.set("AWS_ENDPOINT_URL", "http://127.0.0.1:1");
    write("atmos.yaml",
          "base_path: ./\ncomponents:\n  terraform:\n    base_path: components/terraform\n"
          "stacks:\n  base_path: stacks\n  included_paths: ['*.yaml']\n  name_template: '{{ .vars.stage }}'\n"
          "stores:\n  params: {type: aws-ssm-parameter-store, options: {prefix: /atmos}}\n  other: {type: redis}\n");
    write("stacks/core.yaml",
          "vars: {stage: core}\nsettings: {reader: core-reader}\n"
          "terraform:\n  backend_type: s3\n  backend:\n    s3: {bucket: core-state, key: terraform.tfstate, region: us-east-2, use_path_style: true}\n"
          "components:\n  terraform:\n    net: {}\n    fresh: {}\n    locked: {settings: {reader: missing}}\n");
    write("stacks/dev.yaml",
          "vars: {stage: dev}\n"
          "components:\n  terraform:\n    app: {backend_type: local}\n");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  CloudFunctions& cloud() {
    atmos::config::ConfigRequest req;
    req.cwd = root_.string();
    req.env = &env_;
    cfg_ = atmos::config::load_cli_config(req);
    engine_ = std::make_unique<StackEngine>(cfg_, atmos::stacks::go_template_renderer(cfg_));
    caller_ = engine_->find_component("app", "dev");
    cloud_ = std::make_unique<CloudFunctions>(cfg_, *engine_, identities_, aws_, clock_, env_,
                                              [this](const StackComponent& sc, const Value&, const ReadIdentity& who) {
                                                outputs_for.push_back(sc.component + " as " + who.name);
                                                return std::optional<Value>(yaml("{out: 1}"));
                                              });
    return *cloud_;
  }
  static std::string state(const std::string& outputs_json) {
    return "{\"version\":4,\"terraform_version\":\"1.9.0\",\"outputs\":" + outputs_json + ",\"resources\":[]}";
  }

  fs::path root_;
  MapEnvironment env_;
  atmos::config::CliConfig cfg_;
  std::unique_ptr<StackEngine> engine_;
  StackComponent caller_;
  FakeAws aws_;
  FakeIdentities identities_;
  atmos::aws::SystemClock clock_;
  std::unique_ptr<CloudFunctions> cloud_;
  std::vector<std::string> outputs_for;
};

}  // namespace

TEST(StateLocation, S3KeysWorkspacesEndpointsAndRoles) {
  Value section = yaml(
      "{backend_type: s3, workspace: plat-ue2-dev, component: vpc,"
      " backend: {bucket: b, key: terraform.tfstate, workspace_key_prefix: vpc, region: us-east-2, use_path_style: true,"
      " endpoints: {s3: 'http://127.0.0.1:9000'}, assume_role: {role_arn: 'arn:aws:iam::1:role/r'}}}");
  auto loc = atmos::functions::state_location(section, "/tf");
  EXPECT_EQ(loc.kind, "s3");
  EXPECT_EQ(loc.key, "vpc/plat-ue2-dev/terraform.tfstate");
  EXPECT_EQ(loc.endpoint, "http://127.0.0.1:9000");
  EXPECT_TRUE(loc.path_style);
  EXPECT_EQ(loc.role_arn, "arn:aws:iam::1:role/r");
  EXPECT_EQ(loc.describe(), "s3://b/vpc/plat-ue2-dev/terraform.tfstate");
  loc = atmos::functions::state_location(yaml("{backend_type: s3, workspace: default, backend: {bucket: b, key: k.tfstate, endpoint: 'http://e', role_arn: r}}"), "/tf");
  EXPECT_EQ(loc.key, "k.tfstate");
  EXPECT_EQ(loc.endpoint, "http://e");
  EXPECT_EQ(loc.role_arn, "r");
  EXPECT_FALSE(loc.path_style);
  loc = atmos::functions::state_location(yaml("{workspace: dev, component: vpc}"), "/tf");
  EXPECT_EQ(loc.path, "/tf/vpc/terraform.tfstate.d/dev/terraform.tfstate");
  loc = atmos::functions::state_location(yaml("{backend_type: local, workspace: default, component: vpc}"), "/tf");
  EXPECT_EQ(loc.path, "/tf/vpc/terraform.tfstate");
  loc = atmos::functions::state_location(yaml("{remote_state_backend_type: static, remote_state_backend: {a: 1}}"), "/tf");
  EXPECT_EQ(loc.static_outputs, yaml("{a: 1}"));
  EXPECT_NE(error_text([] { atmos::functions::state_location(yaml("{backend_type: gcs}"), "/tf"); }).find("unsupported backend type `gcs`"),
            std::string::npos);
  EXPECT_NE(error_text([] { atmos::functions::state_location(yaml("{backend_type: s3, backend: {}}"), "/tf"); }).find("has no 'bucket'"),
            std::string::npos);
}

TEST(StateOutputs, ValuesOfTheOutputsEmptyTextIsNoState) {
  EXPECT_EQ(atmos::functions::state_outputs("{\"outputs\":{\"a\":{\"value\":[1],\"type\":[\"list\",\"number\"]}}}", "x"), yaml("{a: [1]}"));
  EXPECT_EQ(atmos::functions::state_outputs("{\"version\":4}", "x"), Value::empty_map());
  EXPECT_FALSE(atmos::functions::state_outputs("", "x"));
  EXPECT_NE(error_text([] { atmos::functions::state_outputs("not json", "s3://b/k"); }).find("the Terraform state s3://b/k is not valid JSON"),
            std::string::npos);
}

TEST_F(Cloud, ReadsTheStateObjectAsTheReferencedStacksIdentityOncePerObject) {
  aws_.objects["/core-state/net/core/terraform.tfstate"] = state("{\"vpc_id\":{\"value\":\"vpc-1\"}}");
  CloudFunctions& c = cloud();
  EXPECT_EQ(c.terraform_state(caller_, "net", "core"), yaml("{vpc_id: vpc-1}"));
  EXPECT_EQ(c.terraform_state(caller_, "net", "core"), yaml("{vpc_id: vpc-1}"));
  // Another caller referencing the same object: no second GET.
  StackComponent other = engine_->find_component("fresh", "core");
  EXPECT_EQ(c.terraform_state(other, "net", "core"), yaml("{vpc_id: vpc-1}"));
  EXPECT_EQ(c.state_reads(), 1u);
  ASSERT_EQ(aws_.sent.size(), 1u);
  EXPECT_EQ(aws_.sent[0], "GET http://127.0.0.1:1/core-state/net/core/terraform.tfstate");
  EXPECT_NE(aws_.auth[0].find("Credential=AKIAcore-reader/"), std::string::npos) << aws_.auth[0];
  EXPECT_NE(aws_.auth[0].find("/us-east-2/s3/aws4_request"), std::string::npos) << aws_.auth[0];
}

TEST_F(Cloud, NeverAppliedIsNoStateAndDeniedNamesTheIdentity) {
  aws_.denied["/core-state/net/core/terraform.tfstate"] = "";
  CloudFunctions& c = cloud();
  EXPECT_FALSE(c.terraform_state(caller_, "fresh", "core"));
  std::string err = error_text([&] { c.terraform_state(caller_, "net", "core"); });
  EXPECT_NE(err.find("could not read the S3 object (S3 GetObject: AccessDenied)"), std::string::npos) << err;
  EXPECT_NE(err.find("was read as identity `core-reader`"), std::string::npos) << err;
  err = error_text([&] { c.terraform_state(caller_, "locked", "core"); });
  EXPECT_NE(err.find("identity `missing` is not defined in the active profile (developers)"), std::string::npos) << err;
}

TEST_F(Cloud, PrefetchReadsEachDistinctObjectOnceConcurrently) {
  std::string stacks = "vars: {stage: core}\nsettings: {reader: core-reader}\n"
                       "terraform:\n  backend_type: s3\n  backend:\n    s3: {bucket: core-state, region: us-east-2, use_path_style: true}\n"
                       "components:\n  terraform:\n";
  for (int i = 0; i < 40; ++i) {
    stacks += "    c" + std::to_string(i) + ": {}\n";
    aws_.objects["/core-state/c" + std::to_string(i) + "/core/terraform.tfstate"] = state("{\"i\":{\"value\":" + std::to_string(i) + "}}");
  }
  write("stacks/core.yaml", stacks);
  CloudFunctions& c = cloud();
  std::vector<atmos::stacks::StateReference> refs;
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 40; ++i) refs.push_back({&caller_, "c" + std::to_string(i), "core"});
  c.prefetch_states(refs);
  EXPECT_EQ(c.state_reads(), 40u);
  EXPECT_EQ(c.terraform_state(caller_, "c7", "core"), yaml("{i: 7}"));
  EXPECT_EQ(c.state_reads(), 40u);
  EXPECT_EQ(aws_.sent.size(), 40u);
}

TEST_F(Cloud, CallerIdentityIsTheFallbackAndAwsFunctionsUseIt) {
  write("stacks/dev.yaml", "vars: {stage: dev}\nsettings: {reader: dev-reader}\ncomponents:\n  terraform:\n    app: {backend_type: local}\n");
  write("stacks/core.yaml",
        "vars: {stage: core}\nterraform:\n  backend_type: s3\n  backend:\n    s3: {bucket: core-state, region: us-east-2, use_path_style: true}\n"
        "components:\n  terraform:\n    net: {}\n");
  aws_.objects["/core-state/net/core/terraform.tfstate"] = state("{}");
  CloudFunctions& c = cloud();
  EXPECT_EQ(c.terraform_state(caller_, "net", "core"), Value::empty_map());
  EXPECT_NE(aws_.auth[0].find("Credential=AKIAdev-reader/"), std::string::npos) << aws_.auth[0];
  EXPECT_EQ(c.aws(caller_, "!aws.account_id"), Value("999999999999"));
  EXPECT_EQ(c.aws(caller_, "!aws.caller_identity_arn"), Value("arn:aws:sts::999999999999:assumed-role/R/s"));
  EXPECT_EQ(c.aws(caller_, "!aws.caller_identity_user_id"), Value("AROA:s"));
  EXPECT_EQ(c.aws(caller_, "!aws.region"), Value("us-east-2"));
  EXPECT_EQ(aws_.sent.size(), 2u);  // one GetCallerIdentity for the three facts
}

TEST_F(Cloud, StoresBuildTheParameterNameAndDecodeJson) {
  aws_.parameters["/atmos/core/net/vpc_id"] = "\"\\\"vpc-9\\\"\"";
  aws_.parameters["/atmos/global/k"] = "\"{\\\"a\\\":[1,2]}\"";
  CloudFunctions& c = cloud();
  EXPECT_EQ(c.store_get(caller_, "params", "core", "net", "vpc_id"), Value("vpc-9"));
  EXPECT_EQ(c.store_get(caller_, "params", "", "", "global/k"), yaml("{a: [1, 2]}"));
  EXPECT_FALSE(c.store_get(caller_, "params", "core", "net", "nothing"));
  EXPECT_NE(error_text([&] { c.store_get(caller_, "other", "", "", "k"); }).find("unsupported type `redis`"), std::string::npos);
}

TEST_F(Cloud, TerraformOutputRunsOncePerComponentAsItsIdentity) {
  CloudFunctions& c = cloud();
  EXPECT_EQ(c.terraform_output(caller_, "net", "core"), yaml("{out: 1}"));
  EXPECT_EQ(c.terraform_output(caller_, "net", "core"), yaml("{out: 1}"));
  EXPECT_EQ(outputs_for, (std::vector<std::string>{"net as core-reader"}));
}
