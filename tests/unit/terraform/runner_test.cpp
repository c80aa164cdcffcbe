#include "terraform/runner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "core/error.hpp"
#include "core/yaml_load.hpp"
#include "fakes.hpp"

using atmos::Error;
using atmos::parse_yaml;
using atmos::Value;
using namespace atmos::terraform;
using atmos::terraform::testing::FakeFileSystem;
using atmos::terraform::testing::FakeProcessRunner;

namespace {

const std::string kDir = "/repo/components/terraform/vpc";

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    files_.directories.insert(kDir);
    settings_.terraform_dir_abs = "/repo/components/terraform";
    settings_.terraform_base_path = "components/terraform";
    settings_.env.cli_config_path = "/repo";
    settings_.env.base_path_abs = "/repo";
    settings_.env.plugin_cache = false;
    notices_ = std::tmpfile();
  }
  void TearDown() override { std::fclose(notices_); }

  Target target(const std::string& extra = "") {
    Value section = parse_yaml("command: terraform\ncomponent: vpc\nbackend_type: s3\n"
                               "backend: {bucket: b, workspace_key_prefix: vpc}\n"
                               "vars: {region: us-east-2, name: vpc}\nenv: {FROM_STACK: \"1\"}\nmetadata: {}\n");
    Value overrides = extra.empty() ? Value::empty_map() : parse_yaml(extra);
    for (const auto& [k, v] : overrides.as_map()) section = section.with(k, v);
    return Target{"vpc", "plat-use2-dev", "plat-use2-dev", section};
  }
  int run(const Invocation& inv, const Target& t) {
    Runner runner(settings_, RunnerServices{files_, processes_, os_env_, resolver_, notices_});
    return runner.run(inv, t);
  }
  static Invocation invocation(const std::string& sub, std::vector<std::string> args = {}) {
    Invocation inv;
    inv.subcommand = sub;
    inv.args = std::move(args);
    return inv;
  }
  std::string notices() {
    std::fflush(notices_);
    std::rewind(notices_);
    std::string out;
    char buf[512];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, notices_)) out.append(buf, n);
    return out;
  }
  std::string error_message(const Invocation& inv, const Target& t) {
    try {
      run(inv, t);
    } catch (const Error& e) {
      return e.message() + ": " + e.explanation();
    }
    return "no error";
  }

  FakeFileSystem files_;
  FakeProcessRunner processes_;
  RunnerSettings settings_;
  EnvMap os_env_{{"PATH", "/usr/bin"}, {"HOME", "/home/u"}};
  IdentityResolver resolver_ = no_authentication;
  std::FILE* notices_ = nullptr;
};

}  // namespace

TEST_F(RunnerTest, PlanRunsInitSelectsWorkspaceAndPlansWithVarfileAndPlanfile) {
  settings_.init_run_reconfigure = true;
  EXPECT_EQ(run(invocation("plan"), target()), 0);
  EXPECT_EQ(processes_.commands, (std::vector<std::string>{
                                     "terraform init -reconfigure",
                                     "terraform workspace select -or-create plat-use2-dev",
                                     "terraform plan -var-file plat-use2-dev-vpc.terraform.tfvars.json -out plat-use2-dev-vpc.planfile",
                                 }));
  for (const auto& r : processes_.runs) EXPECT_EQ(r.cwd, kDir);
  EXPECT_TRUE(processes_.runs[1].capture_output);
  EXPECT_FALSE(processes_.runs[2].capture_output);
  const auto& varfile = files_.files.at(kDir + "/plat-use2-dev-vpc.terraform.tfvars.json");
  EXPECT_EQ(varfile.content, "{\n  \"name\": \"vpc\",\n  \"region\": \"us-east-2\"\n}\n");
  EXPECT_EQ(varfile.mode, 0644u);
  EXPECT_EQ(files_.files.count(kDir + "/backend.tf.json"), 0u);
}

TEST_F(RunnerTest, InitPreStepRemovesTerraformEnvironmentFileFirst) {
  run(invocation("plan"), target());
  EXPECT_EQ(files_.log.front(), "write " + kDir + "/plat-use2-dev-vpc.terraform.tfvars.json");
  EXPECT_NE(std::find(files_.log.begin(), files_.log.end(), "remove " + kDir + "/.terraform/environment"), files_.log.end());
  os_env_["TF_DATA_DIR"] = "/data";
  files_.log.clear();
  run(invocation("plan"), target());
  EXPECT_NE(std::find(files_.log.begin(), files_.log.end(), "remove /data/environment"), files_.log.end());
}

TEST_F(RunnerTest, UserOutFlagSuppressesPlanfileAndArgsComeAfterAtmosFlags) {
  run(invocation("plan", {"-out=my.plan", "-target=x"}), target());
  EXPECT_EQ(processes_.commands.back(), "terraform plan -var-file plat-use2-dev-vpc.terraform.tfvars.json -out=my.plan -target=x");
  settings_.skip_planfile = true;
  run(invocation("plan"), target());
  EXPECT_EQ(processes_.commands.back(), "terraform plan -var-file plat-use2-dev-vpc.terraform.tfvars.json");
}

TEST_F(RunnerTest, DeployBecomesApplyWithAutoApproveAndRemovesVarfileAndPlanfile) {
  settings_.deploy_run_init = true;
  EXPECT_EQ(run(invocation("deploy"), target()), 0);
  EXPECT_EQ(processes_.commands.back(), "terraform apply -var-file plat-use2-dev-vpc.terraform.tfvars.json -auto-approve");
  EXPECT_EQ(files_.files.count(kDir + "/plat-use2-dev-vpc.terraform.tfvars.json"), 0u);
  EXPECT_EQ(files_.log.back(), "remove " + kDir + "/plat-use2-dev-vpc.terraform.tfvars.json");
  EXPECT_NE(std::find(files_.log.begin(), files_.log.end(), "remove " + kDir + "/plat-use2-dev-vpc.planfile"), files_.log.end());
}

TEST_F(RunnerTest, DeployWithoutDeployRunInitSkipsInit) {
  run(invocation("deploy", {"-auto-approve"}), target());
  EXPECT_EQ(processes_.commands, (std::vector<std::string>{
                                     "terraform workspace select -or-create plat-use2-dev",
                                     "terraform apply -var-file plat-use2-dev-vpc.terraform.tfvars.json -auto-approve",
                                 }));
}

TEST_F(RunnerTest, ApplyAutoApproveSettingAndPlainApply) {
  run(invocation("apply"), target());
  EXPECT_EQ(processes_.commands.back(), "terraform apply -var-file plat-use2-dev-vpc.terraform.tfvars.json");
  settings_.apply_auto_approve = true;
  run(invocation("apply"), target());
  EXPECT_EQ(processes_.commands.back(), "terraform apply -var-file plat-use2-dev-vpc.terraform.tfvars.json -auto-approve");
}

TEST_F(RunnerTest, ApplyFromPlanUsesPlanfileWithoutVarfileAndKeepsNamedPlanfile) {
  Invocation inv = invocation("apply");
  inv.from_plan = true;
  run(inv, target());
  EXPECT_EQ(processes_.commands.back(), "terraform apply plat-use2-dev-vpc.planfile");
  EXPECT_EQ(files_.files.count(kDir + "/plat-use2-dev-vpc.terraform.tfvars.json"), 0u);
  inv.planfile = "/tmp/my.tfplan";
  inv.subcommand = "deploy";
  files_.log.clear();
  run(inv, target());
  EXPECT_EQ(processes_.commands.back(), "terraform apply /tmp/my.tfplan");
  EXPECT_EQ(std::count(files_.log.begin(), files_.log.end(), "remove " + kDir + "/plat-use2-dev-vpc.planfile"), 0);
}

TEST_F(RunnerTest, SkipInitRunsNoInit) {
  Invocation inv = invocation("plan");
  inv.skip_init = true;
  run(inv, target());
  EXPECT_EQ(processes_.commands.front(), "terraform workspace select -or-create plat-use2-dev");
}

TEST_F(RunnerTest, InitSubcommandIsTheMainCommandWithoutWorkspaceSelection) {
  settings_.init_pass_vars = true;
  settings_.init_run_reconfigure = true;
  run(invocation("init", {"-upgrade"}), target());
  EXPECT_EQ(processes_.commands,
            (std::vector<std::string>{"terraform init -reconfigure -var-file plat-use2-dev-vpc.terraform.tfvars.json -upgrade"}));
}

TEST_F(RunnerTest, BareWorkspaceReconfiguresAndSelectsWithoutVarfile) {
  run(invocation("workspace"), target());
  EXPECT_EQ(processes_.commands, (std::vector<std::string>{"terraform init -reconfigure",
                                                           "terraform workspace select -or-create plat-use2-dev"}));
  EXPECT_TRUE(files_.files.empty());
}

TEST_F(RunnerTest, WorkspaceSubcommandsGetTheComputedWorkspace) {
  Invocation inv = invocation("workspace");
  inv.subcommand2 = "delete";
  run(inv, target());
  EXPECT_EQ(processes_.commands.back(), "terraform workspace delete plat-use2-dev");
  EXPECT_EQ(processes_.commands.size(), 2u);
  inv.subcommand2 = "list";
  run(inv, target());
  EXPECT_EQ(processes_.commands.back(), "terraform workspace list");
}

TEST_F(RunnerTest, StateAndOutputPassUserArgsOnly) {
  Invocation inv = invocation("state", {"-state=x"});
  inv.subcommand2 = "list";
  run(inv, target());
  EXPECT_EQ(processes_.commands.back(), "terraform state list -state=x");
  run(invocation("output", {"-json"}), target());
  EXPECT_EQ(processes_.commands.back(), "terraform output -json");
  run(invocation("destroy"), target());
  EXPECT_EQ(processes_.commands.back(), "terraform destroy -var-file plat-use2-dev-vpc.terraform.tfvars.json");
}

TEST_F(RunnerTest, WorkspaceSelectFailureFallsBackToWorkspaceNew) {
  processes_.exit_codes["terraform workspace select -or-create plat-use2-dev"] = 1;
  EXPECT_EQ(run(invocation("plan"), target()), 0);
  EXPECT_EQ(processes_.commands[2], "terraform workspace new plat-use2-dev");
  EXPECT_FALSE(processes_.runs[2].capture_output);
  processes_.exit_codes["terraform workspace new plat-use2-dev"] = 1;
  processes_.commands.clear();
  EXPECT_EQ(run(invocation("plan"), target()), 1);
  EXPECT_EQ(processes_.commands.back(), "terraform workspace new plat-use2-dev");
}

TEST_F(RunnerTest, WorkspaceSetupSkippedForTfWorkspaceHttpBackendAndProviders) {
  os_env_["TF_WORKSPACE"] = "mine";
  run(invocation("plan"), target());
  EXPECT_EQ(std::count_if(processes_.commands.begin(), processes_.commands.end(),
                          [](const std::string& c) { return c.find("workspace") != std::string::npos; }),
            0);
  os_env_.erase("TF_WORKSPACE");
  processes_.commands.clear();
  run(invocation("plan"), target("backend_type: http\n"));
  run(invocation("providers", {"lock"}), target());
  EXPECT_EQ(std::count_if(processes_.commands.begin(), processes_.commands.end(),
                          [](const std::string& c) { return c.find("workspace") != std::string::npos; }),
            0);
}

TEST_F(RunnerTest, ExitCodeOfMainCommandIsReturnedUnchangedAndSkipsCleanup) {
  processes_.exit_codes["terraform plan -var-file plat-use2-dev-vpc.terraform.tfvars.json -out plat-use2-dev-vpc.planfile "
                        "-detailed-exitcode"] = 2;
  EXPECT_EQ(run(invocation("plan", {"-detailed-exitcode"}), target()), 2);
  processes_.exit_codes["terraform apply -var-file plat-use2-dev-vpc.terraform.tfvars.json"] = 1;
  files_.log.clear();
  EXPECT_EQ(run(invocation("apply"), target()), 1);
  EXPECT_EQ(files_.files.count(kDir + "/plat-use2-dev-vpc.terraform.tfvars.json"), 1u);
}

TEST_F(RunnerTest, FailingInitStopsThePipelineWithItsExitCode) {
  processes_.exit_codes["terraform init"] = 7;
  EXPECT_EQ(run(invocation("plan"), target()), 7);
  EXPECT_EQ(processes_.commands.size(), 1u);
}

TEST_F(RunnerTest, LockedComponentRefusesMutationsButAllowsPlan) {
  Target t = target("metadata: {locked: true}\n");
  for (const char* sub : {"apply", "deploy", "destroy", "import", "state", "taint", "untaint"})
    EXPECT_EQ(error_message(invocation(sub), t),
              "locked component cannot be provisioned: component 'vpc' cannot be modified (metadata.locked: true)")
        << sub;
  EXPECT_TRUE(processes_.commands.empty());
  EXPECT_EQ(run(invocation("plan"), t), 0);
}

TEST_F(RunnerTest, AbstractComponentCannotBeProvisioned) {
  Target t = target("metadata: {type: abstract}\n");
  EXPECT_EQ(error_message(invocation("plan"), t),
            "abstract component cannot be provisioned: the component 'vpc' cannot be provisioned because it's marked as "
            "abstract (metadata.type: abstract)");
  EXPECT_EQ(run(invocation("output"), t), 0);
}

TEST_F(RunnerTest, DisabledComponentIsSkippedSuccessfully) {
  EXPECT_EQ(run(invocation("apply"), target("metadata: {enabled: false}\n")), 0);
  EXPECT_TRUE(processes_.commands.empty());
  EXPECT_TRUE(files_.log.empty());
}

TEST_F(RunnerTest, MissingComponentDirectoryIsAnError) {
  files_.directories.clear();
  EXPECT_EQ(error_message(invocation("plan"), target()),
            "invalid Terraform component: 'vpc' points to the Terraform component 'vpc', but it does not exist in "
            "'/repo/components/terraform'");
}

TEST_F(RunnerTest, HttpBackendRejectsWorkspaceCommand) {
  EXPECT_EQ(error_message(invocation("workspace"), target("backend_type: http\n")),
            "workspaces are not supported for the HTTP backend: ");
}

TEST_F(RunnerTest, DryRunWritesNothingRunsNothingAndDescribesEverything) {
  settings_.auto_generate_backend_file = true;
  settings_.init_run_reconfigure = true;
  Invocation inv = invocation("plan");
  inv.dry_run = true;
  EXPECT_EQ(run(inv, target("backend_type: \"\"\nproviders: {aws: {region: us-east-2}}\n")), 0);
  EXPECT_TRUE(processes_.commands.empty());
  EXPECT_TRUE(files_.log.empty());
  EXPECT_EQ(notices(),
            "Dry run: would write " + kDir + "/plat-use2-dev-vpc.terraform.tfvars.json\n"
            "Dry run: would write " + kDir + "/backend.tf.json\n"
            "Dry run: would write " + kDir + "/providers_override.tf.json\n"
            "Dry run: would execute in " + kDir + ": terraform init -reconfigure\n"
            "Dry run: would execute in " + kDir + ": terraform workspace select -or-create plat-use2-dev\n"
            "Dry run: would execute in " + kDir + ": terraform plan -var-file plat-use2-dev-vpc.terraform.tfvars.json -out "
            "plat-use2-dev-vpc.planfile\n");
}

TEST_F(RunnerTest, GeneratedFilesDuringARunHaveUpstreamModes) {
  settings_.auto_generate_backend_file = true;
  run(invocation("plan"), target("providers: {aws: {region: us-east-2}}\nrequired_version: \">= 1.10\"\n"));
  EXPECT_EQ(files_.files.at(kDir + "/backend.tf.json").mode, 0600u);
  EXPECT_EQ(files_.files.at(kDir + "/backend.tf.json").content,
            "{\n  \"terraform\": {\n    \"backend\": {\n      \"s3\": {\n        \"bucket\": \"b\",\n"
            "        \"workspace_key_prefix\": \"vpc\"\n      }\n    }\n  }\n}\n");
  EXPECT_EQ(files_.files.at(kDir + "/providers_override.tf.json").mode, 0600u);
  EXPECT_EQ(files_.files.at(kDir + "/terraform_override.tf.json").mode, 0644u);
}

TEST_F(RunnerTest, MissingBackendTypeWithAutoGenerationIsAnError) {
  settings_.auto_generate_backend_file = true;
  EXPECT_EQ(error_message(invocation("plan"), target("backend_type: \"\"\n")), "backend_type is required: ");
}

TEST_F(RunnerTest, ChildEnvironmentCarriesComponentEnvAndAtmosVariables) {
  run(invocation("plan"), target());
  auto env = processes_.env_of(2);
  EXPECT_EQ(env["FROM_STACK"], "1");
  EXPECT_EQ(env["TF_IN_AUTOMATION"], "true");
  EXPECT_EQ(env["ATMOS_CLI_CONFIG_PATH"], "/repo");
  EXPECT_EQ(env["PATH"], "/usr/bin");
  EXPECT_EQ(env.count("AWS_REGION"), 0u);
}

TEST_F(RunnerTest, ImportGetsAwsRegionFromVars) {
  run(invocation("import", {"aws_vpc.this", "vpc-1"}), target());
  EXPECT_EQ(processes_.commands.back(), "terraform import -var-file plat-use2-dev-vpc.terraform.tfvars.json aws_vpc.this vpc-1");
  EXPECT_EQ(processes_.env_of(processes_.runs.size() - 1)["AWS_REGION"], "us-east-2");
}

TEST_F(RunnerTest, IdentityResolverSeesSelectionAndShapesEveryChildEnvironment) {
  IdentitySelection seen;
  resolver_ = [&](const Value& section, const IdentitySelection& selection) {
    seen = selection;
    EXPECT_EQ(section.at({"vars", "name"}).as_string(), "vpc");
    IdentityEnvironment env;
    env.set = {{"AWS_PROFILE", "plat-dev/terraform"}};
    env.unset = {"AWS_ACCESS_KEY_ID"};
    return env;
  };
  os_env_["AWS_ACCESS_KEY_ID"] = "AKIA";
  Invocation inv = invocation("plan");
  inv.identity = IdentitySelection{IdentitySelection::Mode::Named, "plat-dev/terraform", "flag"};
  run(inv, target());
  EXPECT_EQ(seen.name, "plat-dev/terraform");
  for (std::size_t i = 0; i < processes_.runs.size(); ++i) {
    auto env = processes_.env_of(i);
    EXPECT_EQ(env["AWS_PROFILE"], "plat-dev/terraform");
    EXPECT_EQ(env.count("AWS_ACCESS_KEY_ID"), 0u);
  }
}

TEST_F(RunnerTest, IdentityFailureStopsBeforeAnythingIsWrittenOrRun) {
  resolver_ = [](const Value&, const IdentitySelection&) -> IdentityEnvironment {
    throw Error(atmos::ErrorKind::Auth, "identity not found");
  };
  EXPECT_EQ(error_message(invocation("plan"), target()), "identity not found: ");
  EXPECT_TRUE(files_.log.empty());
  EXPECT_TRUE(processes_.commands.empty());
}

TEST_F(RunnerTest, TerraformCommandFromSettingsOverridesSection) {
  run(invocation("output"), target("command: tofu\n"));
  EXPECT_EQ(processes_.commands.back(), "tofu output");
  settings_.command = "/opt/terraform";
  run(invocation("output"), target("command: tofu\n"));
  EXPECT_EQ(processes_.commands.back(), "/opt/terraform output");
}

TEST_F(RunnerTest, GenerateVarfileAndBackend) {
  Runner runner(settings_, RunnerServices{files_, processes_, os_env_, resolver_, notices_});
  EXPECT_EQ(runner.generate_varfile(target(), "", false), kDir + "/plat-use2-dev-vpc.terraform.tfvars.json");
  EXPECT_EQ(runner.generate_varfile(target(), "/tmp/x.json", false), "/tmp/x.json");
  EXPECT_EQ(files_.files.at("/tmp/x.json").mode, 0644u);
  EXPECT_EQ(runner.generate_backend(target(), false), kDir + "/backend.tf.json");
  EXPECT_EQ(files_.files.at(kDir + "/backend.tf.json").mode, 0644u);
  EXPECT_TRUE(processes_.commands.empty());
  try {
    runner.generate_backend(target("backend: {bucket: b}\n"), false);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "backend config for the 'vpc' component is missing 'workspace_key_prefix'");
  }
}

TEST_F(RunnerTest, ShellStartsUsersShellInComponentDirWithVarfileArgs) {
  os_env_["SHELL"] = "/bin/bash";
  settings_.shell_prompt = "tf> ";
  EXPECT_EQ(run(invocation("shell"), target()), 0);
  EXPECT_EQ(processes_.commands.back(), "/bin/bash");
  auto env = processes_.env_of(processes_.runs.size() - 1);
  EXPECT_EQ(env["TF_CLI_ARGS_plan"], "-var-file=plat-use2-dev-vpc.terraform.tfvars.json");
  EXPECT_EQ(env["TF_CLI_ARGS_apply"], "-var-file=plat-use2-dev-vpc.terraform.tfvars.json");
  EXPECT_EQ(env["ATMOS_STACK"], "plat-use2-dev");
  EXPECT_EQ(env["ATMOS_COMPONENT"], "vpc");
  EXPECT_EQ(env["ATMOS_SHELL_WORKING_DIR"], kDir);
  EXPECT_EQ(env["ATMOS_TERRAFORM_WORKSPACE"], "plat-use2-dev");
  EXPECT_EQ(env["PS1"], "tf> ");
  EXPECT_EQ(processes_.runs.back().cwd, kDir);
}

TEST(RunnerArgs, InitArgsFollowReconfigureAndPassVars) {
  RunnerSettings s;
  EXPECT_EQ(init_args("plan", s, "v.json"), (std::vector<std::string>{"init"}));
  EXPECT_EQ(init_args("workspace", s, "v.json"), (std::vector<std::string>{"init", "-reconfigure"}));
  s.init_pass_vars = true;
  EXPECT_EQ(init_args("plan", s, "v.json"), (std::vector<std::string>{"init", "-var-file", "v.json"}));
}

TEST_F(RunnerTest, GenerateSectionIsWrittenBeforeInitWhenAutoGenerateFilesIsOn) {
  settings_.auto_generate_files = true;
  Target t = target("generate:\n  extra.tf:\n    locals:\n      region: '{{ .vars.region }}'\n  notes.txt: 'stack {{ .atmos_stack }}'\n");
  ASSERT_EQ(run(invocation("plan"), t), 0);
  EXPECT_EQ(files_.files.at(kDir + "/extra.tf").content, "locals {\n  region = \"us-east-2\"\n}\n");
  EXPECT_EQ(files_.files.at(kDir + "/notes.txt").content, "stack plat-use2-dev");
  EXPECT_EQ(files_.files.at(kDir + "/notes.txt").mode, 0644u);
  ASSERT_FALSE(processes_.commands.empty());
  EXPECT_EQ(processes_.commands.front().rfind("terraform init", 0), 0u);
  EXPECT_NE(notices().find("Created " + kDir + "/extra.tf"), std::string::npos);
}

TEST_F(RunnerTest, GenerateSectionIsNotWrittenWithoutAutoGenerateFiles) {
  ASSERT_EQ(run(invocation("plan"), target("generate:\n  extra.tf: x\n")), 0);
  EXPECT_EQ(files_.files.count(kDir + "/extra.tf"), 0u);
}

TEST_F(RunnerTest, UnsupportedSettingsStopTheRunBeforeAnythingHappensUnlessIgnored) {
  Target t = target("hooks:\n  store-outputs:\n    command: store\nsource:\n  uri: github.com/x/y\n");
  EXPECT_EQ(error_message(invocation("plan"), t),
            "component 'vpc' in stack 'plat-use2-dev' uses configuration this binary does not act on: Upstream Atmos would act "
            "on these; this binary would skip them:\n  - hooks.store-outputs (kind `store`)\n  - source");
  EXPECT_TRUE(files_.log.empty());
  EXPECT_TRUE(processes_.commands.empty());
  Invocation inv = invocation("plan");
  inv.ignore_unsupported = true;
  EXPECT_EQ(run(inv, t), 0);
  EXPECT_FALSE(processes_.commands.empty());
}

TEST_F(RunnerTest, UnevaluatedFunctionIsAnErrorAndNoVarfileIsWritten) {
  EXPECT_EQ(error_message(invocation("plan"), target("vars:\n  password: '!secret db/password'\n")).substr(0, 68),
            "the YAML function `!secret` in the stack manifests was not evaluated");
  EXPECT_TRUE(files_.log.empty());
  EXPECT_TRUE(processes_.commands.empty());
}

// !terraform.output reads another component's outputs from its unevaluated section: its functions and its
// other configuration are not this run's concern, and `output` passes Terraform no variables.
TEST_F(RunnerTest, OutputsForFunctionsSkipTheGuardAndTheFunctionCheck) {
  Target t = target("vars:\n  tgw: '!terraform.state tgw core-use2-network id'\nhooks:\n  lint:\n    kind: tflint\n");
  Invocation inv = invocation("output");
  inv.args = {"-json"};
  EXPECT_NE(error_message(inv, t).find("was not evaluated"), std::string::npos);
  inv.outputs_for_functions = true;
  EXPECT_EQ(run(inv, t), 0);
  EXPECT_NE(processes_.commands.back().find("terraform output -json"), std::string::npos);
}

TEST_F(RunnerTest, CleanPathsAreWhatAtmosGeneratesForTheTarget) {
  settings_.auto_generate_backend_file = true;
  Runner runner(settings_, RunnerServices{files_, processes_, os_env_, resolver_, notices_});
  Target t = target("providers:\n  aws: {region: us-east-2}\ngenerate:\n  extra.tf: x\n");
  EXPECT_EQ(runner.clean_paths(t, false, false),
            (std::vector<std::string>{kDir + "/.terraform", kDir + "/plat-use2-dev-vpc.terraform.tfvars.json",
                                      kDir + "/plat-use2-dev-vpc.planfile", kDir + "/plat-use2-dev-vpc.planfile.json",
                                      kDir + "/plat-use2-dev-vpc.planfile.yaml", kDir + "/.terraform.lock.hcl",
                                      kDir + "/backend.tf.json", kDir + "/providers_override.tf.json", kDir + "/extra.tf"}));
  std::vector<std::string> everything = runner.clean_paths(target(), true, true);
  EXPECT_EQ(everything.back(), kDir + "/terraform.tfstate.d/plat-use2-dev");
  EXPECT_EQ(std::count(everything.begin(), everything.end(), kDir + "/.terraform.lock.hcl"), 0);
  os_env_["TF_DATA_DIR"] = "/elsewhere/.tf";
  Runner outside(settings_, RunnerServices{files_, processes_, os_env_, resolver_, notices_});
  EXPECT_EQ(outside.clean_paths(target(), false, false).front(), kDir + "/plat-use2-dev-vpc.terraform.tfvars.json");
}
