// YAML functions evaluated after merging (stacks/functions.hpp), their argument grammar and the yq subset.
#include "stacks/functions.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "core/yaml_load.hpp"
#include "stacks/yq.hpp"

namespace fs = std::filesystem;
using atmos::Error;
using atmos::MapEnvironment;
using atmos::parse_yaml;
using atmos::Value;
using atmos::stacks::FunctionEvaluator;
using atmos::stacks::FunctionOptions;
using atmos::stacks::StackComponent;
using atmos::stacks::StackEngine;
using atmos::stacks::yq_evaluate;

namespace {

Value yaml(const std::string& text) { return parse_yaml(text); }

std::string error_text(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.message() + "\n" + e.explanation();
  }
  ADD_FAILURE() << "expected an error";
  return "";
}

// Records what the evaluator asks of the outside world and answers from maps.
class FakeExternal final : public atmos::stacks::ExternalFunctions {
 public:
  std::map<std::string, Value> states;  // "component@stack" → outputs
  std::vector<std::string> calls;
  std::vector<std::string> prefetched;
  std::optional<Value> terraform_state(const StackComponent& caller, const std::string& component, const std::string& stack) override {
    calls.push_back("state " + component + "@" + stack + " for " + caller.component);
    auto it = states.find(component + "@" + stack);
    return it == states.end() ? std::nullopt : std::optional<Value>(it->second);
  }
  std::optional<Value> terraform_output(const StackComponent&, const std::string& component, const std::string& stack) override {
    calls.push_back("output " + component + "@" + stack);
    auto it = states.find(component + "@" + stack);
    return it == states.end() ? std::nullopt : std::optional<Value>(it->second);
  }
  std::optional<Value> store_get(const StackComponent&, const std::string& store, const std::string& stack,
                                 const std::string& component, const std::string& key) override {
    calls.push_back("store " + store + " " + stack + " " + component + " " + key);
    if (key == "missing") return std::nullopt;
    return yaml("{a: {b: 7}}");
  }
  Value aws(const StackComponent& caller, const std::string& function) override {
    calls.push_back(function + " for " + caller.component);
    return Value("111111111111");
  }
  void prefetch_states(const std::vector<atmos::stacks::StateReference>& refs) override {
    for (const auto& r : refs) prefetched.push_back(r.component + "@" + r.stack);
  }
};

class Functions : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("atmos-functions-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "home");
    env_.set("HOME", (root_ / "home").string());
    env_.set("ATMOS_GIT_ROOT_BASEPATH", "false");
    env_.set("FROM_ENV", "env-value");
    write("atmos.yaml",
          "base_path: ./\ncomponents:\n  terraform:\n    base_path: components/terraform\n"
          "stacks:\n  base_path: stacks\n  included_paths: ['*.yaml']\n  name_template: '{{ .vars.stage }}'\n"
          "templates:\n  settings:\n    enabled: true\n    sprig: {enabled: true}\n"
          "stores:\n  params: {type: aws-ssm-parameter-store}\n");
    previous_cwd_ = fs::current_path();
    fs::current_path(root_);
  }
  void TearDown() override {
    fs::current_path(previous_cwd_);
    fs::remove_all(root_);
  }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  // The `vars` of component `vpc` in stack `dev` whose manifest `stacks/dev.yaml` holds `vars_yaml` (indented).
  Value describe(const std::string& component_yaml, FunctionOptions options = {}) {
    write("stacks/dev.yaml", "vars: {stage: dev}\ncomponents:\n  terraform:\n    vpc:\n" + component_yaml);
    atmos::config::ConfigRequest req;
    req.cwd = root_.string();
    req.env = &env_;
    cfg_ = atmos::config::load_cli_config(req);
    engine_ = std::make_unique<StackEngine>(cfg_, atmos::stacks::go_template_renderer(cfg_));
    evaluator_ = std::make_unique<FunctionEvaluator>(cfg_, env_, options, &external_);
    engine_->set_functions(evaluator_.get());
    auto sc = engine_->find_component("vpc", "dev");
    return engine_->describe_component(sc, {}, false);
  }
  Value vars(const std::string& vars_yaml, FunctionOptions options = {}) {
    return describe("      vars:\n" + vars_yaml, options).get("vars");
  }

  fs::path root_, previous_cwd_;
  MapEnvironment env_;
  atmos::config::CliConfig cfg_;
  std::unique_ptr<StackEngine> engine_;
  std::unique_ptr<FunctionEvaluator> evaluator_;
  FakeExternal external_;
};

}  // namespace

TEST(Yq, PathsIndexesAndQuotedKeys) {
  Value data = yaml("{a: {b: [10, 20, 30]}, 'key-with-dash': {x: 1}, apps: {\"app's\": {n: ok}}}");
  EXPECT_EQ(yq_evaluate(data, ".a.b[1]"), Value(20));
  EXPECT_EQ(yq_evaluate(data, ".a.b[-1]"), Value(30));
  EXPECT_EQ(yq_evaluate(data, ".a.b[9]"), Value());
  EXPECT_EQ(yq_evaluate(data, ".[\"key-with-dash\"].x"), Value(1));
  EXPECT_EQ(yq_evaluate(data, ".key-with-dash.x"), Value(1));
  EXPECT_EQ(yq_evaluate(data, ".apps[\"app's\"].n"), Value("ok"));
  EXPECT_EQ(yq_evaluate(data, ".apps['app''s'].n"), Value("ok"));
  EXPECT_EQ(yq_evaluate(data, ".missing.deeper"), Value());
  EXPECT_EQ(yq_evaluate(data, "."), data);
}

TEST(Yq, DefaultsWithLiteralsPipesAndAddition) {
  Value data = yaml("{host: db, port: 5432, empty: null, off: false}");
  EXPECT_EQ(yq_evaluate(data, ".missing // \"dflt\""), Value("dflt"));
  EXPECT_EQ(yq_evaluate(data, ".host // \"dflt\""), Value("db"));
  EXPECT_EQ(yq_evaluate(data, ".off // true"), Value(true));
  EXPECT_EQ(yq_evaluate(data, ".empty // [\"a\", \"b\"]"), yaml("[a, b]"));
  EXPECT_EQ(yq_evaluate(data, ".none // {\"api\": \"localhost:3000\", user: \"test\"}"), yaml("{api: 'localhost:3000', user: test}"));
  EXPECT_EQ(yq_evaluate(data, ".host | \"jdbc:postgresql://\" + . + \":5432/events\""), Value("jdbc:postgresql://db:5432/events"));
  EXPECT_EQ(yq_evaluate(data, ".port + 1"), Value(5433));
  EXPECT_EQ(yq_evaluate(data, "keys | length"), Value(4));
  EXPECT_EQ(yq_evaluate(data, "(.missing // .host) | tostring"), Value("db"));
  EXPECT_TRUE(atmos::stacks::yq_has_default(".a // \"x\""));
  EXPECT_FALSE(atmos::stacks::yq_has_default(".a | \"http://x\""));
}

TEST(Yq, MalformedExpressionsAreErrorsNamingThem) {
  Value data = yaml("{a: text, l: [1]}");
  EXPECT_NE(error_text([&] { yq_evaluate(data, ".a[\"x"); }).find("invalid expression '.a[\"x': unterminated string"), std::string::npos);
  EXPECT_NE(error_text([&] { yq_evaluate(data, ".a | frobnicate"); }).find("unsupported function or operator 'frobnicate'"),
            std::string::npos);
  EXPECT_NE(error_text([&] { yq_evaluate(data, ".a.b"); }).find("cannot index string with \"b\""), std::string::npos);
  EXPECT_NE(error_text([&] { yq_evaluate(data, ".l + .a"); }).find("cannot add string to list"), std::string::npos);
  EXPECT_NE(error_text([&] { yq_evaluate(data, ""); }).find("the expression is empty"), std::string::npos);
  EXPECT_NE(error_text([&] { yq_evaluate(data, std::string(500, '(') + "." + std::string(500, ')')); }).find("nests too deeply"),
            std::string::npos);
}

// The forms upstream's --query documentation uses (describe affected, list, terraform --query).
TEST(Yq, StreamsSelectAndComparisons) {
  Value affected = yaml("[{component: vpc, stack: plat-ue2-dev, deleted: false}, {component: tgw, stack: core-ue2-network, deleted: true},"
                        " {component: dns, stack: plat-ue2-prod}]");
  EXPECT_EQ(yq_evaluate(affected, "[.[] | select(.deleted == true)]"), yaml("[{component: tgw, stack: core-ue2-network, deleted: true}]"));
  EXPECT_EQ(yq_evaluate(affected, "[.[] | select(.deleted != true) | .component]"), yaml("[vpc, dns]"));
  EXPECT_EQ(yq_evaluate(affected, "[.[] | select(.deleted == true and .stack == \"core-ue2-network\") | .component]"), yaml("[tgw]"));
  EXPECT_EQ(yq_evaluate(affected, "[.[] | select(.stack | test(\"^plat-.*-dev$\")) | .component]"), yaml("[vpc]"));
  EXPECT_EQ(yq_evaluate(affected, "map(.component)"), yaml("[vpc, tgw, dns]"));
  EXPECT_EQ(yq_evaluate(affected, ".[] | select(.component == \"dns\") | .stack"), Value("plat-ue2-prod"));
  EXPECT_EQ(yq_evaluate(affected, ".[].component"), yaml("[vpc, tgw, dns]"));  // several values: a list
  EXPECT_EQ(yq_evaluate(affected, ".[] | select(.component == \"none\")"), Value());  // none: null

  Value section = yaml("{vars: {tags: {team: eks}, size: 3}, settings: {tier: 2, context: {account_id: 12345}}, metadata: {locked: true}}");
  EXPECT_EQ(yq_evaluate(section, ".vars.tags.team == \"eks\""), Value(true));
  EXPECT_EQ(yq_evaluate(section, ".vars.tags.team == \"core\""), Value(false));
  EXPECT_EQ(yq_evaluate(section, ".settings.context.account_id == 12345"), Value(true));
  EXPECT_EQ(yq_evaluate(section, ".settings.tier >= 2 and .vars.size < 4"), Value(true));
  EXPECT_EQ(yq_evaluate(section, ".settings.tier > 2 or (.metadata.locked | not)"), Value(false));
  EXPECT_EQ(yq_evaluate(section, "select(.metadata.locked == true) | .vars.size"), Value(3));
  EXPECT_EQ(yq_evaluate(section, ".vars | has(\"size\")"), Value(true));
  EXPECT_EQ(yq_evaluate(section, ".vars.tags.team | startswith(\"ek\")"), Value(true));
  EXPECT_EQ(yq_evaluate(section, ".vars.tags.team | endswith(\"x\")"), Value(false));
  EXPECT_EQ(yq_evaluate(section, "[.vars.size, .settings.tier]"), yaml("[3, 2]"));
  EXPECT_EQ(yq_evaluate(section, ".vars.size == 3.0"), Value(true));
  EXPECT_EQ(yq_evaluate(section, ".missing[]"), Value());
  // Keys as yq's lexer reads them: up to an operator character.
  EXPECT_EQ(yq_evaluate(yaml("{components: {vpc/dev: {locals: 1}}}"), ".components.vpc/dev.locals"), Value(1));
  EXPECT_EQ(yq_evaluate(yaml("{a: null, b: 2}"), ".a//.b"), Value(2));
  // `and`/`or` only as whole words: keys that start with them are paths.
  EXPECT_EQ(yq_evaluate(yaml("{order: 1, andy: 2}"), ".order + .andy"), Value(3));
}

TEST(Yq, StreamErrorsAndBounds) {
  Value data = yaml("{a: text, n: 1, l: [1, 2]}");
  EXPECT_NE(error_text([&] { yq_evaluate(data, ".a[]"); }).find("cannot iterate over string"), std::string::npos);
  EXPECT_NE(error_text([&] { yq_evaluate(data, ".a < .l"); }).find("cannot compare string with list using <"), std::string::npos);
  EXPECT_NE(error_text([&] { yq_evaluate(data, ".n | test(\"x\")"); }).find("cannot match int, as it is not a string"), std::string::npos);
  EXPECT_NE(error_text([&] { yq_evaluate(data, ".a | test(\"(\")"); }).find("invalid regular expression '('"), std::string::npos);
  EXPECT_NE(error_text([&] { yq_evaluate(data, "select(.n"); }).find("expected ')'"), std::string::npos);
  std::string long_path;
  for (int i = 0; i < 1500; ++i) long_path += ".a";
  EXPECT_NE(error_text([&] { yq_evaluate(data, long_path); }).find("the path has too many steps"), std::string::npos);
  atmos::List many;
  for (int i = 0; i < 1001; ++i) many.emplace_back(i);
  Value big = Value::map({{"l", Value::list(std::move(many))}});
  EXPECT_NE(error_text([&] { yq_evaluate(big, ".l[] + .l[]"); }).find("produces more than 1000000 values"), std::string::npos);
}

TEST(FunctionArgs, TerraformTwoOrThreeArgumentsAndTheExpressionRest) {
  auto a = atmos::stacks::parse_terraform_args("vpc vpc_id");
  EXPECT_EQ(a.component, "vpc");
  EXPECT_EQ(a.stack, "");
  EXPECT_EQ(a.expression, "vpc_id");
  a = atmos::stacks::parse_terraform_args("vpc plat-ue2-prod .private_subnet_ids[0]");
  EXPECT_EQ(a.stack, "plat-ue2-prod");
  EXPECT_EQ(a.expression, ".private_subnet_ids[0]");
  a = atmos::stacks::parse_terraform_args("config .config_map // {\"api_endpoint\": \"localhost:3000\"}");
  EXPECT_EQ(a.stack, "");
  EXPECT_EQ(a.expression, ".config_map // {\"api_endpoint\": \"localhost:3000\"}");
  a = atmos::stacks::parse_terraform_args("security '.users[\"github-dependabot\"].access_key_id'");
  EXPECT_EQ(a.expression, ".users[\"github-dependabot\"].access_key_id");
  EXPECT_NE(error_text([] { atmos::stacks::parse_terraform_args("vpc"); }).find("terraform function requires 2 or 3 arguments"),
            std::string::npos);
  EXPECT_NE(error_text([] { atmos::stacks::parse_terraform_args("vpc stack out extra"); }).find("requires 2 or 3 arguments"),
            std::string::npos);
  EXPECT_NE(error_text([] { atmos::stacks::parse_terraform_args("vpc 'open"); }).find("unterminated quoted value"), std::string::npos);
}

TEST(FunctionArgs, StoreWithDefaultAndQueryOptions) {
  auto s = atmos::stacks::parse_store_args("params vpc vpc_id | default 'none yet' | query .a.b", false);
  EXPECT_EQ(s.store, "params");
  EXPECT_EQ(s.component, "vpc");
  EXPECT_EQ(s.key, "vpc_id");
  ASSERT_TRUE(s.default_value);
  EXPECT_EQ(*s.default_value, "none yet");
  EXPECT_EQ(s.query, ".a.b");
  s = atmos::stacks::parse_store_args("params plat-ue2-dev vpc vpc_id", false);
  EXPECT_EQ(s.stack, "plat-ue2-dev");
  s = atmos::stacks::parse_store_args("params /global/key", true);
  EXPECT_EQ(s.key, "/global/key");
  EXPECT_NE(error_text([] { atmos::stacks::parse_store_args("params vpc", false); }).find("store function requires 3 or 4 parameters"),
            std::string::npos);
  EXPECT_NE(error_text([] { atmos::stacks::parse_store_args("params a b", true); }).find("store.get function requires 2 parameters"),
            std::string::npos);
  EXPECT_NE(error_text([] { atmos::stacks::parse_store_args("params a b | default x y", false); }).find("default option accepts one value"),
            std::string::npos);
}

TEST(FunctionArgs, TagBoundaries) {
  EXPECT_EQ(atmos::stacks::function_tag_of("!store.get a b"), "!store.get");
  EXPECT_EQ(atmos::stacks::function_tag_of("!store a b c"), "!store");
  EXPECT_EQ(atmos::stacks::function_tag_of("!template[1]"), "!template");
  EXPECT_EQ(atmos::stacks::function_tag_of("!envx A"), "");
  EXPECT_EQ(atmos::stacks::function_tag_of("!aws.account_id"), "!aws.account_id");
  EXPECT_EQ(atmos::stacks::function_tag_of("plain"), "");
}

TEST_F(Functions, EnvReadsTheComponentEnvThenTheProcessThenTheDefault) {
  Value v = describe(
      "      env: {OWN: from-section}\n"
      "      vars:\n        a: !env OWN\n        b: !env FROM_ENV\n        c: !env NOT_SET 'the default'\n        d: !env NOT_SET\n");
  EXPECT_EQ(v.at({"vars", "a"}), Value("from-section"));
  EXPECT_EQ(v.at({"vars", "b"}), Value("env-value"));
  EXPECT_EQ(v.at({"vars", "c"}), Value("the default"));
  EXPECT_EQ(v.at({"vars", "d"}), Value(""));
  EXPECT_NE(error_text([&] { vars("        x: !env A B C\n"); }).find("env function accepts 1 or 2 arguments"), std::string::npos);
}

TEST_F(Functions, ExecDecodesJsonAndFailuresNameTheFileAndFunction) {
  Value v = vars("        n: !exec echo 42\n        s: !exec echo hello world\n        j: !exec \"echo '[1, {\\\"a\\\": 2}]'\"\n");
  EXPECT_EQ(v.get("n").as_float(), 42.0);
  EXPECT_EQ(v.get("s"), Value("hello world"));
  EXPECT_EQ(v.get("j"), yaml("[1, {a: 2}]"));
  std::string err = error_text([&] { vars("        bad: !exec exit 3\n"); });
  EXPECT_NE(err.find("failed to evaluate the YAML function `!exec exit 3` in the stack manifest 'stacks/dev.yaml:6'"), std::string::npos) << err;
  EXPECT_NE(err.find("the command exited with code 3"), std::string::npos) << err;
}

TEST_F(Functions, ExecOutputIsBounded) {
  std::string err = error_text([] { atmos::stacks::run_shell("head -c 200000 /dev/zero", 1024); });
  EXPECT_NE(err.find("printed more than"), std::string::npos);
}

TEST_F(Functions, TemplateRendersThenDecodesJson) {
  Value v = vars("        list: [1, 2]\n        a: !template '{{ .stack }}'\n        b: !template '{{ toJson .vars.list }}'\n");
  EXPECT_EQ(v.get("a"), Value("dev"));
  EXPECT_EQ(v.get("b"), yaml("[1, 2]"));
}

TEST_F(Functions, UnsetRemovesKeysAndItemsLiteralIsNotRendered) {
  Value v = vars("        gone: !unset\n        list: [a, !unset, b]\n        lit: !literal '{{ .stack }}'\n");
  EXPECT_FALSE(v.has("gone"));
  EXPECT_EQ(v.get("list"), yaml("[a, b]"));
  EXPECT_EQ(v.get("lit"), Value("{{ .stack }}"));
}

TEST_F(Functions, RandomCwdAndRepoRoot) {
  Value v = vars("        r: !random 5 7\n        r1: !random 3\n        cwd: !cwd\n        sub: !cwd sub/dir\n        root: !repo-root /fallback\n");
  EXPECT_GE(v.get("r").as_int(), 5);
  EXPECT_LE(v.get("r").as_int(), 7);
  EXPECT_LE(v.get("r1").as_int(), 3);
  EXPECT_EQ(v.get("cwd"), Value(fs::current_path().string()));
  EXPECT_EQ(v.get("sub"), Value((fs::current_path() / "sub/dir").string()));
  std::string root = v.get("root").as_string();
  EXPECT_TRUE(root == "/fallback" || fs::exists(fs::path(root) / ".git")) << root;
  EXPECT_NE(error_text([&] { vars("        r: !random 9 2\n"); }).find("min value (9) must be less than max value (2)"), std::string::npos);
  EXPECT_NE(error_text([&] { vars("        r: !random x\n"); }).find("invalid max value 'x', must be an integer"), std::string::npos);
}

TEST_F(Functions, GitFunctionsReadTheGitDirectory) {
  write("repo/.git/HEAD", "ref: refs/heads/feature/x\n");
  write("repo/.git/packed-refs", "# pack-refs with: peeled\n" + std::string(40, 'a') + " refs/heads/feature/x\n");
  write("repo/.git/config", "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = git@github.com:acme/infra.git\n");
  fs::create_directories(root_ / "repo/sub");
  fs::path repo = root_ / "repo";
  EXPECT_EQ(atmos::stacks::git::root((repo / "sub").string()), repo.string());
  EXPECT_EQ(atmos::stacks::git::head_sha((repo / "sub").string()), std::string(40, 'a'));
  EXPECT_EQ(atmos::stacks::git::branch(repo.string()), "feature/x");
  write("repo/.git/refs/heads/feature/x", std::string(40, 'b') + "\n");
  EXPECT_EQ(atmos::stacks::git::head_sha(repo.string()), std::string(40, 'b'));
  fs::current_path(repo);
  write("repo/stacks/dev.yaml", "");
  Value v = vars("        sha: !git.sha\n        branch: !git.branch\n        repo: !git.repository\n        host: !git.host\n"
                 "        url: !git.url\n        root: !git.root\n");
  EXPECT_EQ(v.get("sha"), Value(std::string(40, 'b')));
  EXPECT_EQ(v.get("branch"), Value("feature/x"));
  EXPECT_EQ(v.get("repo"), Value("acme/infra"));
  EXPECT_EQ(v.get("host"), Value("github.com"));
  EXPECT_EQ(v.get("url"), Value("https://github.com/acme/infra"));
  EXPECT_EQ(v.get("root"), Value(repo.string()));
}

TEST_F(Functions, GitOutsideARepositoryUsesTheDefaultOrFails) {
  fs::path outside = fs::temp_directory_path() / ("atmos-nogit-" + std::to_string(::getpid()));
  fs::create_directories(outside);
  EXPECT_FALSE(atmos::stacks::git::head_sha(outside.string()) && !atmos::stacks::git::root(outside.string()));
  fs::remove_all(outside);
}

TEST_F(Functions, VersionReadsTheLockFileTrack) {
  write("versions.lock.yaml", "version: 1\ntracks:\n  default: {opentofu: {version: 1.10.6}}\n  prod: {opentofu: {version: 1.9.0}}\n");
  EXPECT_EQ(vars("        v: !version opentofu\n").get("v"), Value("1.10.6"));
  write("stacks/extra.yaml", "");
  std::string err = error_text([&] { vars("        v: !version nothing\n"); });
  EXPECT_NE(err.find("version `nothing` is not locked in track `default`"), std::string::npos) << err;
}

TEST_F(Functions, TerraformStateUsesTheCurrentStackDefaultsAndPrefetches) {
  external_.states["net@dev"] = yaml("{vpc_id: vpc-1, subnets: [a, b], 'key-x': {v: 1}}");
  Value v = vars("        a: !terraform.state net vpc_id\n        b: !terraform.state net dev .subnets[1]\n"
                 "        c: !terraform.state net '.[\"key-x\"].v'\n        d: !terraform.state net .missing // \"dflt\"\n"
                 "        e: !terraform.state never dev .id // [\"x\"]\n        f: !terraform.output net {{ .stack }} .vpc_id\n");
  EXPECT_EQ(v.get("a"), Value("vpc-1"));
  EXPECT_EQ(v.get("b"), Value("b"));
  EXPECT_EQ(v.get("c"), Value(1));
  EXPECT_EQ(v.get("d"), Value("dflt"));
  EXPECT_EQ(v.get("e"), yaml("[x]"));
  EXPECT_EQ(v.get("f"), Value("vpc-1"));
  EXPECT_NE(std::find(external_.calls.begin(), external_.calls.end(), "state net@dev for vpc"), external_.calls.end());
}

TEST_F(Functions, DescribeStacksPrefetchesOnlyTheFilteredComponents) {
  write("stacks/dev.yaml",
        "vars: {stage: dev}\ncomponents:\n  terraform:\n    a:\n      vars: {x: !terraform.state net dev .id}\n"
        "    b:\n      vars: {x: !terraform.state other dev .id}\n");
  atmos::config::ConfigRequest req;
  req.cwd = root_.string();
  req.env = &env_;
  cfg_ = atmos::config::load_cli_config(req);
  StackEngine engine(cfg_, atmos::stacks::go_template_renderer(cfg_));
  FunctionEvaluator evaluator(cfg_, env_, {}, &external_);
  engine.set_functions(&evaluator);
  external_.states["net@dev"] = yaml("{id: n1}");
  StackEngine::DescribeStacksOptions opts;
  opts.components = {"a"};
  Value out = engine.describe_stacks(opts);
  EXPECT_EQ(out.at({"dev", "components", "terraform", "a", "vars", "x"}), Value("n1"));
  EXPECT_EQ(external_.prefetched, (std::vector<std::string>{"net@dev"}));
}

TEST_F(Functions, MissingStateWithoutDefaultIsAnErrorWithAHint) {
  std::string err = error_text([&] { vars("        a: !terraform.state never vpc_id\n"); });
  EXPECT_NE(err.find("failed to evaluate the YAML function `!terraform.state never vpc_id` in the stack manifest 'stacks/dev.yaml:6'"),
            std::string::npos) << err;
  EXPECT_NE(err.find("terraform state not provisioned for component `never` in stack `dev`"), std::string::npos) << err;
  err = error_text([&] { vars("        a: !terraform.state vpc\n"); });
  EXPECT_NE(err.find("`!terraform.state vpc`"), std::string::npos) << err;
  EXPECT_NE(err.find("terraform function requires 2 or 3 arguments"), std::string::npos) << err;
  external_.states["net@dev"] = yaml("{id: 1}");
  err = error_text([&] { vars("        a: !terraform.state net '.id | nope'\n"); });
  EXPECT_NE(err.find("unsupported function or operator 'nope'"), std::string::npos) << err;
}

TEST_F(Functions, StoresAndAwsFunctions) {
  Value v = vars("        a: !store params vpc key | query .a.b\n        b: !store params vpc missing | default fallback\n"
                 "        c: !store.get params /x/y\n        d: !aws.account_id\n");
  EXPECT_EQ(v.get("a"), Value(7));
  EXPECT_EQ(v.get("c"), yaml("{a: {b: 7}}"));
  EXPECT_EQ(v.get("d"), Value("111111111111"));
  EXPECT_NE(std::find(external_.calls.begin(), external_.calls.end(), "store params dev vpc key"), external_.calls.end());
  std::string err = error_text([&] { vars("        a: !store nowhere vpc key\n"); });
  EXPECT_NE(err.find("store `nowhere` not found"), std::string::npos) << err;
  EXPECT_NE(err.find("stacks/dev.yaml"), std::string::npos) << err;
}

TEST_F(Functions, SkipAndProcessFunctionsFalseLeaveTheCalls) {
  FunctionOptions skip;
  skip.skip = {"exec"};
  Value v = vars("        a: !exec echo 1\n        b: !env FROM_ENV\n", skip);
  EXPECT_EQ(v.get("a"), Value("!exec echo 1"));
  EXPECT_EQ(v.get("b"), Value("env-value"));
  FunctionOptions off;
  off.enabled = false;
  v = vars("        a: !exec echo 1\n        b: !env FROM_ENV\n", off);
  EXPECT_EQ(v.get("b"), Value("!env FROM_ENV"));
}

TEST_F(Functions, IncludeQuotedPathsQueriesAndMissingFiles) {
  write("stacks/data/b c.yaml", "list: [x, y, z]\nm: {k: v}\n");
  write("stacks/data/a.txt", "raw text\n");
  Value v = vars("        a: !include '\"./data/b c.yaml\" \".list[1]\"'\n        b: !include ./data/a.txt\n"
                 "        c: !include.raw '\"./data/b c.yaml\"'\n        d: !include '\"stacks/data/b c.yaml\" .m.k'\n");
  EXPECT_EQ(v.get("a"), Value("y"));
  EXPECT_EQ(v.get("b"), Value("raw text\n"));
  EXPECT_EQ(v.get("c"), Value("list: [x, y, z]\nm: {k: v}\n"));
  EXPECT_EQ(v.get("d"), Value("v"));
  std::string err = error_text([&] { vars("        a: !include ./nope.yaml\n"); });
  EXPECT_NE(err.find("the !include function could not find './nope.yaml' (referenced in file"), std::string::npos) << err;
  EXPECT_NE(err.find("stacks/dev.yaml"), std::string::npos) << err;
}

TEST_F(Functions, AtmosComponentAndStoreTemplateFunctionsCallTheHooks) {
  write("stacks/dev.yaml",
        "vars: {stage: dev}\ncomponents:\n  terraform:\n    net:\n      vars: {name: the-net}\n"
        "    vpc:\n      vars:\n        a: '{{ (atmos.Component \"net\" .stack).outputs.id }}'\n"
        "        b: '{{ (atmos.Component \"net\" .stack).vars.name }}'\n"
        "        c: '{{ atmos.Store \"params\" .stack \"net\" \"k\" }}'\n");
  atmos::config::ConfigRequest req;
  req.cwd = root_.string();
  req.env = &env_;
  cfg_ = atmos::config::load_cli_config(req);
  auto hooks = std::make_shared<atmos::stacks::TemplateHooks>();
  StackEngine engine(cfg_, atmos::stacks::go_template_renderer(cfg_, hooks));
  auto sc = engine.find_component("vpc", "dev");
  std::string err = error_text([&] { engine.describe_component(sc, {}, false); });
  EXPECT_NE(err.find("error calling atmos.Component: atmos.Component is not available in this command"), std::string::npos) << err;
  std::vector<std::string> asked;
  hooks->component = [&](const std::string& c, const std::string& s) {
    asked.push_back(c + "@" + s);
    return engine.find_component(c, s).section.with("outputs", yaml("{id: net-1}"));
  };
  hooks->store = [&](const std::string& store, const std::string& stack, const std::string& component, const std::string& key) {
    return Value(store + "/" + stack + "/" + component + "/" + key);
  };
  Value vars = engine.describe_component(sc, {}, false).get("vars");
  EXPECT_EQ(vars.get("a"), Value("net-1"));
  EXPECT_EQ(vars.get("b"), Value("the-net"));
  EXPECT_EQ(vars.get("c"), Value("params/dev/net/k"));
  EXPECT_EQ(asked, (std::vector<std::string>{"net@dev", "net@dev"}));
  hooks->component = [](const std::string&, const std::string&) -> Value { throw Error(atmos::ErrorKind::Stack, "invalid component"); };
  err = error_text([&] { engine.describe_component(sc, {}, false); });
  EXPECT_NE(err.find("error calling atmos.Component: invalid component"), std::string::npos) << err;
}

TEST_F(Functions, TemplateEvaluationsRenderTheResultAgain) {
  write("atmos.yaml",
        "base_path: ./\ncomponents:\n  terraform:\n    base_path: components/terraform\n"
        "stacks:\n  base_path: stacks\n  included_paths: ['*.yaml']\n  name_template: '{{ .vars.stage }}'\n"
        "templates:\n  settings:\n    enabled: true\n    evaluations: 2\n");
  Value v = vars("        inner: '{{ .stack }}'\n        outer: '{{ `{{ .vars.inner }}` }}'\n");
  EXPECT_EQ(v.get("outer"), Value("dev"));
  write("atmos.yaml",
        "base_path: ./\ncomponents:\n  terraform:\n    base_path: components/terraform\n"
        "stacks:\n  base_path: stacks\n  included_paths: ['*.yaml']\n  name_template: '{{ .vars.stage }}'\n"
        "templates:\n  settings:\n    enabled: true\n");
  v = vars("        inner: '{{ .stack }}'\n        outer: '{{ `{{ .vars.inner }}` }}'\n");
  EXPECT_EQ(v.get("outer"), Value("{{ .vars.inner }}"));
}
