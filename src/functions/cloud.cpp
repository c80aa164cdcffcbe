#include "functions/cloud.hpp"

#include <atomic>
#include <filesystem>
#include <thread>

#include "aws/errors.hpp"
#include "aws/s3.hpp"
#include "aws/ssm.hpp"
#include "aws/sts.hpp"
#include "core/error.hpp"
#include "core/file.hpp"
#include "core/json_emit.hpp"
#include "core/json_parse.hpp"
#include "core/log.hpp"

namespace atmos::functions {
namespace fs = std::filesystem;
namespace {

// Concurrent state reads in prefetch_states.
constexpr std::size_t kMaxConcurrentReads = 16;

std::string str_of(const Value& v) { return v.is_string() ? v.as_string() : std::string(); }

bool truthy(const Value& v) { return v.is_bool() ? v.as_bool() : (v.is_string() && v.as_string() == "true"); }

// Go's path.Join of the non-empty parts.
std::string join_path(std::initializer_list<std::string> parts) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty() && out.back() != '/') out += '/';
    out += p;
  }
  return fs::path(out).lexically_normal().generic_string();
}

Value decode_parameter(const std::string& raw) {
  try {
    return parse_json(raw, true);
  } catch (const Error&) {
    return Value(raw);
  }
}

}  // namespace

std::string StateLocation::cache_key() const {
  if (kind == "s3") return "s3\x1f" + endpoint + "\x1f" + region + "\x1f" + bucket + "\x1f" + key + "\x1f" + role_arn;
  return kind + "\x1f" + path;
}

std::string StateLocation::describe() const {
  if (kind == "s3") return "s3://" + bucket + "/" + key;
  if (kind == "local") return path;
  return "static remote state";
}

StateLocation state_location(const Value& section, const std::string& terraform_dir_abs) {
  StateLocation loc;
  if (str_of(section.get("remote_state_backend_type")) == "static") {
    loc.kind = "static";
    loc.static_outputs = section.get("remote_state_backend").is_map() ? section.get("remote_state_backend") : Value::empty_map();
    return loc;
  }
  std::string type = str_of(section.get("backend_type"));
  if (type.empty()) type = "local";
  Value backend = section.get("backend");
  std::string workspace = str_of(section.get("workspace"));
  bool default_ws = workspace.empty() || workspace == "default";
  if (type == "s3") {
    loc.kind = "s3";
    loc.bucket = str_of(backend.get("bucket"));
    if (loc.bucket.empty()) throw Error(ErrorKind::Stack, "the s3 backend of the component has no 'bucket'");
    std::string key = str_of(backend.get("key"));
    if (key.empty()) key = "terraform.tfstate";
    loc.key = default_ws ? key : join_path({str_of(backend.get("workspace_key_prefix")), workspace, key});
    loc.region = str_of(backend.get("region"));
    loc.endpoint = str_of(backend.at({"endpoints", "s3"}));
    if (loc.endpoint.empty()) loc.endpoint = str_of(backend.get("endpoint"));
    loc.path_style = truthy(backend.get("use_path_style")) || truthy(backend.get("force_path_style"));
    loc.role_arn = str_of(backend.at({"assume_role", "role_arn"}));
    if (loc.role_arn.empty()) loc.role_arn = str_of(backend.get("role_arn"));
    return loc;
  }
  if (type == "local") {
    loc.kind = "local";
    fs::path dir = fs::path(terraform_dir_abs) / str_of(section.get("component"));
    std::string path = str_of(backend.get("path"));
    if (!path.empty()) loc.path = (fs::path(path).is_absolute() ? fs::path(path) : dir / path).lexically_normal().string();
    else if (default_ws) loc.path = (dir / "terraform.tfstate").string();
    else loc.path = (dir / "terraform.tfstate.d" / workspace / "terraform.tfstate").string();
    return loc;
  }
  throw Error(ErrorKind::Stack, "unsupported backend type `" + type + "`").hint("Supported backends: `local`, `s3`, and the `static` remote state");
}

std::optional<Value> state_outputs(const std::string& text, const std::string& where) {
  if (text.empty()) return std::nullopt;
  Value state;
  try {
    state = parse_json(text, true);
  } catch (const Error& e) {
    throw Error(ErrorKind::Stack, "the Terraform state " + where + " is not valid JSON: " + e.message());
  }
  if (!state.is_map()) throw Error(ErrorKind::Stack, "the Terraform state " + where + " is not a JSON object");
  Map outputs;
  Value raw = state.get("outputs");
  if (raw.is_map())
    for (const auto& [name, output] : raw.as_map()) outputs.emplace_back(name, output.get("value"));
  return Value::sorted_map(std::move(outputs));
}

CloudFunctions::CloudFunctions(const config::CliConfig& cfg, stacks::StackEngine& engine, Identities& identities,
                               aws::HttpTransport& transport, aws::Clock& clock, const Environment& env, OutputRunner outputs)
    : cfg_(cfg), engine_(engine), identities_(identities), transport_(transport), clock_(clock), env_(env), outputs_(std::move(outputs)) {}

CloudFunctions::Target& CloudFunctions::target(const std::string& component, const std::string& stack) {
  auto key = std::make_pair(component, stack);
  if (auto it = targets_.find(key); it != targets_.end()) return *it->second;
  stacks::StackComponent sc = engine_.find_component(component, stack);
  auto t = std::make_unique<Target>(Target{sc, std::nullopt, std::nullopt});
  return *targets_.emplace(key, std::move(t)).first->second;
}

const Value& CloudFunctions::rendered(Target& t) {
  if (!t.rendered) t.rendered = engine_.referenced_section(t.sc);
  return *t.rendered;
}

ReadIdentity CloudFunctions::identity_for(Target& t, const stacks::StackComponent* caller) {
  if (t.who) return *t.who;
  std::optional<ReadIdentity> who = identities_.for_component(t.sc, t.sc.section);
  if (!who && caller && !(caller->component == t.sc.component && caller->stack == t.sc.stack)) {
    Target& c = target(caller->component, caller->stack);
    who = identities_.for_component(c.sc, c.sc.section);
  }
  if (!who) who = identities_.ambient();
  t.who = who;
  return *who;
}

aws::Credentials CloudFunctions::credentials_for(const StateLocation& loc, const ReadIdentity& who) {
  if (loc.role_arn.empty()) return who.credentials;
  std::string key = who.name + "\x1f" + loc.role_arn;
  {
    std::lock_guard lock(mutex_);
    if (auto it = roles_.find(key); it != roles_.end()) return it->second;
  }
  aws::StsClient sts(aws::ClientContext{transport_, clock_, env_}, aws::ClientOptions{loc.region.empty() ? who.region : loc.region, "", {}, {}});
  aws::AssumeRoleRequest request;
  request.role_arn = loc.role_arn;
  request.role_session_name = "atmos-terraform-state";
  log::debug("Assuming the backend role role_arn={} identity={}", loc.role_arn, who.name);
  aws::Credentials creds = sts.assume_role(who.credentials, request).credentials;
  std::lock_guard lock(mutex_);
  return roles_.emplace(key, creds).first->second;
}

std::optional<Value> CloudFunctions::read_state(const StateLocation& loc, const Target& t, const ReadIdentity& who,
                                                const aws::Credentials& creds) {
  if (loc.kind == "static") return loc.static_outputs;
  if (loc.kind == "local") {
    log::debug("Reading Terraform state file={} component={} stack={}", loc.path, t.sc.component, t.sc.stack);
    auto text = read_file_if_exists(loc.path);
    return text ? state_outputs(*text, "'" + loc.path + "'") : std::nullopt;
  }
  std::string region = loc.region.empty() ? who.region : loc.region;
  log::debug("Reading Terraform state object={} component={} stack={} identity={}", loc.describe(), t.sc.component,
             t.sc.stack, who.name.empty() ? "(environment credentials)" : who.name);
  aws::S3Client s3(aws::ClientContext{transport_, clock_, env_}, aws::ClientOptions{region, loc.endpoint, {}, {}});
  std::optional<std::string> body;
  try {
    body = s3.get_object(creds, aws::S3Object{loc.bucket, loc.key, loc.path_style});
  } catch (Error& e) {
    e.hint("The state " + loc.describe() + " of component `" + t.sc.component + "` in stack `" + t.sc.stack +
           "` was read as identity `" + (who.name.empty() ? "(environment credentials)" : who.name) + "`");
    throw;
  }
  {
    std::lock_guard lock(mutex_);
    ++state_reads_;
  }
  return body ? state_outputs(*body, loc.describe()) : std::nullopt;
}

std::optional<Value> CloudFunctions::cached_state(const StateLocation& loc, Target& t, const stacks::StackComponent* caller) {
  std::string key = loc.cache_key();
  {
    std::lock_guard lock(mutex_);
    if (auto it = states_.find(key); it != states_.end()) {
      if (it->second.error) std::rethrow_exception(it->second.error);
      return it->second.value;
    }
  }
  Entry entry;
  try {
    ReadIdentity who = loc.kind == "s3" ? identity_for(t, caller) : ReadIdentity{};
    aws::Credentials creds = loc.kind == "s3" ? credentials_for(loc, who) : aws::Credentials{};
    entry.value = read_state(loc, t, who, creds);
  } catch (...) {
    entry.error = std::current_exception();
  }
  std::lock_guard lock(mutex_);
  states_[key] = entry;
  if (entry.error) std::rethrow_exception(entry.error);
  return entry.value;
}

std::optional<Value> CloudFunctions::terraform_state(const stacks::StackComponent& caller, const std::string& component,
                                                     const std::string& stack) {
  Target& t = target(component, stack);
  return cached_state(state_location(rendered(t), cfg_.terraform_dir_abs), t, &caller);
}

void CloudFunctions::prefetch_states(const std::vector<stacks::StateReference>& references) {
  struct Job {
    StateLocation loc;
    const Target* target;
    ReadIdentity who;
    aws::Credentials creds;
  };
  std::vector<Job> jobs;
  std::set<std::string> seen;
  for (const auto& ref : references) {
    try {
      Target& t = target(ref.component, ref.stack);
      StateLocation loc = state_location(rendered(t), cfg_.terraform_dir_abs);
      if (loc.kind != "s3" || !seen.insert(loc.cache_key()).second) continue;
      {
        std::lock_guard lock(mutex_);
        if (states_.count(loc.cache_key())) continue;
      }
      ReadIdentity who = identity_for(t, ref.caller);
      aws::Credentials creds = credentials_for(loc, who);
      jobs.push_back(Job{loc, &t, who, creds});
    } catch (const Error& e) {
      // Reported with the manifest file when the function itself is evaluated.
      log::debug("Not prefetching component={} stack={}: {}", ref.component, ref.stack, e.message());
    }
  }
  if (jobs.empty()) return;
  log::debug("Prefetching Terraform states count={}", jobs.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next++) < jobs.size();) {
      Entry entry;
      try {
        entry.value = read_state(jobs[i].loc, *jobs[i].target, jobs[i].who, jobs[i].creds);
      } catch (...) {
        entry.error = std::current_exception();
      }
      std::lock_guard lock(mutex_);
      states_[jobs[i].loc.cache_key()] = entry;
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < std::min(jobs.size(), kMaxConcurrentReads); ++i) threads.emplace_back(worker);
  worker();
  for (auto& th : threads) th.join();
}

std::optional<Value> CloudFunctions::terraform_output(const stacks::StackComponent& caller, const std::string& component,
                                                      const std::string& stack) {
  Target& t = target(component, stack);
  std::string key = component + "\x1f" + stack;
  if (auto it = outputs_cache_.find(key); it != outputs_cache_.end()) {
    if (it->second.error) std::rethrow_exception(it->second.error);
    return it->second.value;
  }
  StateLocation loc = state_location(rendered(t), cfg_.terraform_dir_abs);
  Entry entry;
  try {
    if (loc.kind == "static") {
      entry.value = loc.static_outputs;
    } else {
      ReadIdentity who = identity_for(t, &caller);
      log::debug("Running terraform output component={} stack={} identity={}", component, stack,
                 who.name.empty() ? "(environment credentials)" : who.name);
      entry.value = outputs_(t.sc, rendered(t), who);
    }
  } catch (...) {
    entry.error = std::current_exception();
  }
  outputs_cache_[key] = entry;
  if (entry.error) std::rethrow_exception(entry.error);
  return entry.value;
}

CloudFunctions::StoreAccess CloudFunctions::store_access(const std::string& store, const std::string& stack,
                                                          const std::string& component, const std::string& key,
                                                          const char* role_option) {
  Value config = cfg_.raw.at({"stores", store});
  if (!config.is_map()) throw Error(ErrorKind::Stack, "store `" + store + "` not found");
  std::string type = str_of(config.get("type"));
  if (type.empty()) type = str_of(config.get("kind"));
  if (type != "aws-ssm-parameter-store")
    throw Error(ErrorKind::Stack, "store `" + store + "` has the unsupported type `" + type + "`")
        .hint("Supported store type: aws-ssm-parameter-store");
  Value options = config.get("options");
  std::string prefix = str_of(options.get("prefix"));
  StoreAccess access;
  std::string& name = access.name;
  if (component.empty()) {
    name = prefix.empty() ? key : prefix + "/" + key;
    if (name.empty() || name[0] != '/') name = "/" + name;
  } else {
    std::string delimiter = str_of(options.get("stack_delimiter"));
    if (delimiter.empty()) delimiter = "-";
    std::vector<std::string> parts{prefix};
    for (std::size_t pos = 0;;) {
      std::size_t next = stack.find(delimiter, pos);
      parts.push_back(stack.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
      if (next == std::string::npos) break;
      pos = next + delimiter.size();
    }
    for (std::size_t pos = 0;;) {
      std::size_t next = component.find('/', pos);
      parts.push_back(component.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
      if (next == std::string::npos) break;
      pos = next + 1;
    }
    parts.push_back(key);
    for (const auto& p : parts) name += (name.empty() && p == parts.front() ? "" : "/") + p;
    for (std::size_t pos; (pos = name.find("//")) != std::string::npos;) name.replace(pos, 2, "/");
  }
  access.cache_key = store + "\x1f" + name;
  access.config = config;
  access.role_option = role_option;
  return access;
}

void CloudFunctions::resolve(StoreAccess& access, const stacks::StackComponent& caller, const std::string& stack,
                             const std::string& component) {
  const Value& config = access.config;
  Value options = config.get("options");
  {
    std::string identity = str_of(config.get("identity"));
    if (!identity.empty()) {
      access.who = identities_.named(identity);
    } else if (!component.empty()) {
      try {
        Target& t = target(component, stack);
        access.who = identity_for(t, &caller);
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::Stack) throw;
        access.who = identity_for(target(caller.component, caller.stack), &caller);
      }
    } else {
      access.who = identity_for(target(caller.component, caller.stack), &caller);
    }
    access.region = str_of(options.get("region"));
    if (access.region.empty()) access.region = access.who.region;
    access.credentials = access.who.credentials;
    std::string role = str_of(options.get(access.role_option));
    if (!role.empty()) {
      StateLocation as_role;
      as_role.role_arn = role;
      as_role.region = access.region;
      access.credentials = credentials_for(as_role, access.who);
    }
  }
}

std::optional<Value> CloudFunctions::store_get(const stacks::StackComponent& caller, const std::string& store,
                                               const std::string& stack, const std::string& component, const std::string& key) {
  StoreAccess access = store_access(store, stack, component, key, "read_role_arn");
  if (auto it = parameters_.find(access.cache_key); it != parameters_.end()) {
    if (it->second.error) std::rethrow_exception(it->second.error);
    return it->second.value;
  }
  Entry entry;
  try {
    resolve(access, caller, stack, component);
    log::debug("Reading store parameter store={} name={} identity={}", store, access.name,
               access.who.name.empty() ? "(environment credentials)" : access.who.name);
    aws::SsmClient ssm(aws::ClientContext{transport_, clock_, env_}, aws::ClientOptions{access.region, "", {}, {}});
    std::optional<std::string> raw = ssm.get_parameter(access.credentials, access.name);
    if (raw) entry.value = decode_parameter(*raw);
  } catch (...) {
    entry.error = std::current_exception();
  }
  parameters_[access.cache_key] = entry;
  if (entry.error) std::rethrow_exception(entry.error);
  return entry.value;
}

void CloudFunctions::store_set(const stacks::StackComponent& component, const std::string& store, const std::string& key,
                               const Value& value) {
  if (value.is_null())
    throw Error(ErrorKind::Stack, "cannot store a null value for key `" + key + "` in store `" + store + "` (component `" +
                                      component.component + "` in stack `" + component.stack + "`)");
  StoreAccess access = store_access(store, component.stack, component.component, key, "write_role_arn");
  resolve(access, component, component.stack, component.component);
  // As upstream's SSM store writes (pkg/store/providers/aws_ssm_param_store.go): the value JSON-encoded, a String
  // parameter, overwritten; `!store` decodes it again.
  log::debug("Writing store parameter store={} name={} identity={}", store, access.name,
             access.who.name.empty() ? "(environment credentials)" : access.who.name);
  aws::SsmClient ssm(aws::ClientContext{transport_, clock_, env_}, aws::ClientOptions{access.region, "", {}, {}});
  ssm.put_parameter(access.credentials, access.name, to_json(value));
  parameters_.erase(access.cache_key);
}

std::optional<Value> CloudFunctions::fresh_terraform_output(const stacks::StackComponent& component) {
  outputs_cache_.erase(component.component + "\x1f" + component.stack);
  return terraform_output(component, component.component, component.stack);
}

Value CloudFunctions::aws(const stacks::StackComponent& caller, const std::string& function) {
  ReadIdentity who = identity_for(target(caller.component, caller.stack), &caller);
  std::string key = who.name + "\x1f" + function;
  if (auto it = facts_.find(key); it != facts_.end()) return it->second;
  aws::ClientContext context{transport_, clock_, env_};
  Value value;
  if (function == "!aws.region") {
    std::string region = who.region;
    if (region.empty()) region = env_.get_or("AWS_REGION", env_.get_or("AWS_DEFAULT_REGION", ""));
    if (region.empty()) throw Error(ErrorKind::Stack, "no AWS region is configured for identity `" + who.name + "`");
    value = Value(region);
  } else if (function == "!aws.organization_id") {
    aws::OrganizationsClient orgs(context, aws::ClientOptions{"us-east-1", "", {}, {}});
    value = Value(orgs.describe_organization_id(who.credentials));
  } else {
    aws::StsClient sts(context, aws::ClientOptions{who.region, "", {}, {}});
    log::debug("Getting the caller identity identity={}", who.name.empty() ? "(environment credentials)" : who.name);
    aws::CallerIdentity id = sts.get_caller_identity(who.credentials);
    facts_[who.name + "\x1f!aws.account_id"] = Value(id.account);
    facts_[who.name + "\x1f!aws.caller_identity_arn"] = Value(id.arn);
    facts_[who.name + "\x1f!aws.caller_identity_user_id"] = Value(id.user_id);
    return facts_[key];
  }
  facts_[key] = value;
  return value;
}

}  // namespace atmos::functions
