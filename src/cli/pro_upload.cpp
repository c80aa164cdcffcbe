#include "cli/pro_upload.hpp"

#include <git2.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <random>
#include <thread>

#include "auth/providers/github_oidc.hpp"
#include "core/error.hpp"
#include "core/file.hpp"
#include "core/json_emit.hpp"
#include "core/json_parse.hpp"
#include "core/log.hpp"
#include "core/secret.hpp"
#include "stacks/git_handles.hpp"

namespace atmos::cli {

namespace {

constexpr const char* kDefaultBaseUrl = "https://atmos-pro.com";
constexpr const char* kDefaultEndpoint = "api/v1";
constexpr const char* kAudience = "atmos-pro.com";
constexpr std::size_t kDefaultMaxPayloadBytes = 4 * 1024 * 1024;  // below the serverless body limit Atmos Pro runs under
constexpr std::size_t kBatchFieldsOverhead = 200;
constexpr int kMaxRetries = 3;  // after the first attempt, for 401, 5xx and connection failures

std::string str_of(const Value& v) { return v.is_string() ? v.as_string() : std::string(); }

Value strip_settings(const Value& settings) {
  if (!settings.is_map() || !settings.find("pro")) return Value();
  return Value::ordered_map({{"pro", settings.get("pro")}});
}

Value strip_dependents(const Value& dependents) {
  List out;
  if (dependents.is_list())
    for (const Value& d : dependents.as_list())
      out.push_back(Value::ordered_map({{"component", Value(str_of(d.get("component")))},
                                        {"component_type", Value("")},
                                        {"component_path", Value("")},
                                        {"stack", Value(str_of(d.get("stack")))},
                                        {"stack_slug", Value("")},
                                        {"dependents", strip_dependents(d.get("dependents"))},
                                        {"included_in_dependents", Value(d.get("included_in_dependents").is_bool() &&
                                                                         d.get("included_in_dependents").as_bool())},
                                        {"settings", strip_settings(d.get("settings"))}}));
  return Value::list(std::move(out));
}

// A setting: its environment variable when set, else atmos.yaml's `settings.pro.<path>`.
std::string pro_setting(const config::CliConfig& cfg, const Environment& env, const char* variable,
                        std::initializer_list<std::string_view> path) {
  if (variable)
    if (auto v = env.get(variable); v && !v->empty()) return *v;
  std::vector<std::string_view> full = {"settings", "pro"};
  full.insert(full.end(), path.begin(), path.end());
  Value node = cfg.raw;
  for (auto key : full) node = node.get(key);
  return str_of(node);
}

// The repository's remote URL: `origin`, else the first remote; "" without one.
std::string remote_url(const std::string& root) {
  stacks::git::Session git;
  std::string url;
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, root.c_str(), 0, nullptr) == 0) {
    git_remote* remote = nullptr;
    if (git_remote_lookup(&remote, repo, "origin") != 0) {
      remote = nullptr;
      git_strarray names{};
      if (git_remote_list(&names, repo) == 0 && names.count > 0 && git_remote_lookup(&remote, repo, names.strings[0]) != 0)
        remote = nullptr;
      git_strarray_dispose(&names);
    }
    if (remote) {
      if (const char* u = git_remote_url(remote)) url = u;
      git_remote_free(remote);
    }
    git_repository_free(repo);
  }
  return url;
}

struct RepoParts {
  std::string url, host, owner, name;
};

// upstream's ParseRepoURL: `scheme://[user@]host[:port]/owner/name[.git]` or `[user@]host:owner/name[.git]`. The
// user part of a scheme URL (it may hold a token) is not sent.
RepoParts parse_repo_url(const std::string& url) {
  RepoParts out;
  out.url = url;
  std::string host, path;
  if (auto scheme = url.find("://"); scheme != std::string::npos) {
    std::string rest = url.substr(scheme + 3);
    std::string authority = rest.substr(0, rest.find('/'));
    path = rest.size() > authority.size() ? rest.substr(authority.size() + 1) : "";
    std::string hostport = authority.substr(authority.rfind('@') == std::string::npos ? 0 : authority.rfind('@') + 1);
    host = hostport.substr(0, hostport.find(':'));
    out.url = url.substr(0, scheme + 3) + hostport + "/" + path;
  } else if (auto colon = url.find(':'); colon != std::string::npos && url.find('/') > colon) {
    std::string userhost = url.substr(0, colon);
    host = userhost.substr(userhost.rfind('@') == std::string::npos ? 0 : userhost.rfind('@') + 1);
    path = url.substr(colon + 1);
  }
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  if (path.size() > 4 && path.compare(path.size() - 4, 4, ".git") == 0) path.resize(path.size() - 4);
  auto slash = path.find('/');
  if (host.empty() || slash == std::string::npos || slash == 0 || slash + 1 == path.size())
    throw Error(ErrorKind::Config, "failed to parse the repository URL '" + out.url + "'")
        .explain("--upload names the repository by its git remote: host, owner and name")
        .hint("Point the `origin` remote at the hosted repository, e.g. `git remote set-url origin https://github.com/<owner>/<repo>.git`");
  out.host = host;
  out.owner = path.substr(0, slash);
  out.name = path.substr(slash + 1);
  return out;
}

const char* status_hint(long status) {
  switch (status) {
    case 400: return "This looks like a configuration error in your stack settings: check the `settings.pro` blocks";
    case 401: return "The API token may be expired or invalid; with GitHub OIDC the workflow needs `permissions: id-token: write`";
    case 403: return "Permissions are configured per repository in Atmos Pro: check that this repository has them";
    case 404: return "Verify the workspace ID, that the repository is imported and that the Atmos Pro GitHub App is installed";
    default: return status >= 500 ? "A server-side error: if it persists, contact Atmos Pro support with the trace_id" : nullptr;
  }
}

// Atmos Pro's answer to a failed request: its errorMessage (or error), validation errors and trace id.
Error api_error(const std::string& what, const aws::HttpResponse& resp) {
  std::string message;
  std::string trace;
  try {
    Value body = parse_json(resp.body);
    message = str_of(body.get("errorMessage"));
    if (message.empty()) message = str_of(body.get("error"));
    Value validation = body.get("data").get("validationErrors");
    if (validation.is_list())
      for (const Value& v : validation.as_list())
        if (!str_of(v).empty()) message += "\n  - " + str_of(v);
    trace = str_of(body.get("traceId"));
  } catch (const std::exception&) {
    message = "the answer is not JSON";
  }
  if (message.empty()) message = "API request failed with status " + std::to_string(resp.status);
  Error e(ErrorKind::Io, what);
  e.explain("Atmos Pro answered HTTP " + std::to_string(resp.status) + ": " + message + (trace.empty() ? "" : "\ntrace_id: " + trace));
  if (const char* hint = status_hint(resp.status)) e.hint(hint);
  return e;
}

aws::HttpResponse send(aws::HttpTransport& transport, const aws::HttpRequest& req, const std::string& what) {
  aws::HttpTimeouts timeouts;
  try {
    return transport.send(req, timeouts);
  } catch (const aws::TransportError& e) {
    throw Error(ErrorKind::Io, what).explain(std::string("failed to make request: ") + e.what());
  }
}

#if defined(__aarch64__)
constexpr const char* kArch = "arm64";
#else
constexpr const char* kArch = "amd64";
#endif

// upstream's `atmos/<version> (<os>; <arch>)`.
std::string user_agent() { return std::string("atmos/") + ATMOS_VERSION_STRING + " (linux; " + kArch + ")"; }

// A GitHub Actions ID token exchanged for an Atmos Pro token (POST <api>/auth/github-oidc).
Secret exchange_oidc_token(const config::CliConfig& cfg, const Environment& env, aws::HttpTransport& transport, const std::string& api) {
  const char* what = "failed to create API client";
  std::string request_url = pro_setting(cfg, env, "ACTIONS_ID_TOKEN_REQUEST_URL", {"github_oidc", "request_url"});
  std::string request_token = pro_setting(cfg, env, "ACTIONS_ID_TOKEN_REQUEST_TOKEN", {"github_oidc", "request_token"});
  if (request_url.empty() || request_token.empty()) {
    wipe(request_token);
    throw Error(ErrorKind::Auth, what)
        .explain("no Atmos Pro token: ATMOS_PRO_TOKEN is not set, and this is not GitHub Actions with an ID token "
                 "(ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set)")
        .hint("In GitHub Actions, give the workflow `permissions: id-token: write` and set ATMOS_PRO_WORKSPACE_ID")
        .hint("Elsewhere, set ATMOS_PRO_TOKEN");
  }
  std::string workspace = pro_setting(cfg, env, "ATMOS_PRO_WORKSPACE_ID", {"workspace_id"});
  if (workspace.empty()) {
    wipe(request_token);
    throw Error(ErrorKind::Config, what)
        .explain("workspace ID environment variable is required for OIDC authentication: environment variable: ATMOS_PRO_WORKSPACE_ID")
        .hint("Set ATMOS_PRO_WORKSPACE_ID (or settings.pro.workspace_id in atmos.yaml) to the Atmos Pro workspace of this repository");
  }
  Secret id_token;
  try {
    id_token = auth::fetch_github_id_token(transport, request_url, std::move(request_token), kAudience);
  } catch (const Error& e) {
    throw Error(ErrorKind::Auth, what).explain("failed to get GitHub OIDC token: " + e.explanation());
  }
  aws::HttpRequest req;
  req.method = "POST";
  req.url = api + "/auth/github-oidc";
  req.headers.add("Content-Type", "application/json");
  req.headers.add("User-Agent", user_agent());
  req.body = to_json(Value::ordered_map({{"token", Value(id_token.reveal())}, {"workspaceId", Value(workspace)}}), JsonStyle::Compact);
  const char* failed = "failed to exchange OIDC token";
  aws::HttpResponse resp = send(transport, req, failed);
  Value body;
  try {
    body = parse_json(resp.body);
  } catch (const std::exception&) {
    throw Error(ErrorKind::Io, failed).explain("failed to decode token response: HTTP status " + std::to_string(resp.status));
  }
  if (!body.get("success").is_bool() || !body.get("success").as_bool()) throw api_error(failed, resp);
  std::string token = str_of(body.get("data").get("token"));
  if (token.empty()) throw Error(ErrorKind::Io, failed).explain("Atmos Pro answered without a token");
  return Secret(std::move(token));
}

// upstream's sendChunked: everything in one request when it fits in `max_bytes`, else chunks of as many items as
// the average item size lets fit (at least one).
std::vector<List> chunk_items(const List& items, std::size_t overhead, std::size_t max_bytes) {
  std::size_t size = to_json(Value::list(items), JsonStyle::Compact).size();
  if (items.empty() || overhead + size <= max_bytes) return {items};
  std::size_t average = std::max<std::size_t>(1, size / items.size());
  std::size_t available = max_bytes > overhead + kBatchFieldsOverhead ? max_bytes - overhead - kBatchFieldsOverhead : max_bytes / 2;
  std::size_t per_chunk = std::max<std::size_t>(1, available / average);
  std::vector<List> out;
  for (std::size_t i = 0; i < items.size(); i += per_chunk)
    out.emplace_back(items.begin() + static_cast<std::ptrdiff_t>(i), items.begin() + static_cast<std::ptrdiff_t>(std::min(items.size(), i + per_chunk)));
  return out;
}

// A random (version 4) UUID: the batch id that ties the chunks of one upload together.
std::string random_uuid() {
  std::random_device rd;
  unsigned char b[16];
  for (auto& c : b) c = static_cast<unsigned char>(rd());
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  static const char* const hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 0x0f];
  }
  return out;
}

// POSTs `body` with the token, as upstream's doWithRetry: a 401 (after `refresh`, when the token came from
// GitHub OIDC), a 5xx or a connection failure is tried again after 1, 2 and 4 seconds; other answers are final.
void post_with_retries(aws::HttpTransport& transport, const std::string& url, const Secret& token, const std::string& body,
                       const std::function<void()>& refresh) {
  const char* what = "failed to upload stacks";
  for (int attempt = 0;; ++attempt) {
    aws::HttpRequest req;
    req.method = "POST";
    req.url = url;
    req.headers.add("Authorization", "Bearer " + token.reveal());
    req.headers.add("Content-Type", "application/json");
    req.headers.add("User-Agent", user_agent());
    req.body = body;
    log::debug("Uploading affected components and stacks to {}", url);
    std::optional<Error> failure;
    long status = 0;
    try {
      aws::HttpResponse resp = send(transport, req, what);
      status = resp.status;
      if (status >= 200 && status < 300) return;
      failure = api_error(what, resp);
    } catch (const Error& e) {
      failure = e;
    }
    bool retryable = status == 0 || status == 401 || status >= 500;
    if (!retryable) throw *failure;
    if (attempt == kMaxRetries) {
      failure->explain(failure->explanation() + "\n(gave up after " + std::to_string(kMaxRetries + 1) + " attempts)");
      throw *failure;
    }
    if (status == 401 && refresh) refresh();
    log::warn("Upload to Atmos Pro failed ({}), retrying", status == 0 ? std::string("no answer") : "HTTP " + std::to_string(status));
    std::this_thread::sleep_for(std::chrono::seconds(1 << attempt));
  }
}

}  // namespace

void check_upload_flags(const ParsedArgs& args) {
  if (!args.flag("upload")) return;
  if (args.has("query")) throw Error(ErrorKind::Usage, "--upload cannot be combined with --query: the whole affected list is uploaded");
  if (args.get("format", "json") == "matrix")
    throw Error(ErrorKind::Usage, "--upload cannot be combined with --format=matrix: the affected list is uploaded, not the matrix");
}

Value strip_affected_for_upload(const Value& affected) {
  List out;
  if (affected.is_list())
    for (const Value& a : affected.as_list()) {
      Map m{{"component", Value(str_of(a.get("component")))},
            {"component_type", Value("")},
            {"component_path", Value("")},
            {"stack", Value(str_of(a.get("stack")))},
            {"stack_slug", Value("")},
            {"affected", Value("")},
            {"affected_all", Value()},
            {"dependents", strip_dependents(a.get("dependents"))},
            {"included_in_dependents", Value(a.get("included_in_dependents").is_bool() && a.get("included_in_dependents").as_bool())},
            {"settings", strip_settings(a.get("settings"))}};
      if (a.get("deleted").is_bool() && a.get("deleted").as_bool()) {
        m.emplace_back("deleted", Value(true));
        m.emplace_back("deletion_type", Value(str_of(a.get("deletion_type"))));
      }
      out.push_back(Value::ordered_map(std::move(m)));
    }
  return Value::list(std::move(out));
}

void upload_affected(const ParsedArgs& args, const config::CliConfig& cfg, const Environment& env, aws::HttpTransport& transport,
                     const AffectedRun& run, const Value& stripped) {
  // With CI auto-detection (the base came from the GitHub Actions event), only the events Atmos Pro can
  // correlate with a check run are accepted, and a pull request's (or merge group's) head SHA is the one sent.
  std::string head_sha = run.head_sha;
  bool ci = cfg.get_bool({"ci", "enabled"}) && env.get_or("GITHUB_ACTIONS", "") == "true" && !args.has("base") &&
            !args.has("ref") && !args.has("sha") && args.get("repo-path").empty();
  if (ci) {
    std::string event = env.get_or("GITHUB_EVENT_NAME", "");
    if (!event.empty() && event != "pull_request" && event != "pull_request_target" && event != "merge_group")
      throw Error(ErrorKind::Usage, "upload requires a supported CI event")
          .explain("detected CI event \"" + event + "\", but Atmos Pro only supports pull_request, pull_request_target, and merge_group events")
          .hint("Trigger your workflow on pull_request, pull_request_target, or merge_group events when using --upload")
          .hint("Push events and other ad-hoc triggers cannot be correlated to an Atmos Pro check run");
    Value payload;
    if (auto path = env.get("GITHUB_EVENT_PATH"); path && !path->empty())
      if (auto text = read_file_if_exists(*path)) payload = parse_json(*text);
    std::string sha = event == "merge_group" ? str_of(payload.get("merge_group").get("head_sha"))
                                             : str_of(payload.get("pull_request").get("head").get("sha"));
    if (!sha.empty()) head_sha = sha;
  }
  std::string url = remote_url(run.root);
  if (url.empty())
    throw Error(ErrorKind::Config, "--upload needs the repository's git remote")
        .explain("the repository at '" + run.root + "' has no remote, so Atmos Pro cannot tell which repository this is")
        .hint("git remote add origin https://github.com/<owner>/<repo>.git");
  RepoParts repo = parse_repo_url(url);

  std::string base_url = pro_setting(cfg, env, "ATMOS_PRO_BASE_URL", {"base_url"});
  if (base_url.empty()) base_url = kDefaultBaseUrl;
  std::string endpoint = pro_setting(cfg, env, "ATMOS_PRO_ENDPOINT", {"endpoint"});
  if (endpoint.empty()) endpoint = kDefaultEndpoint;
  std::string api = base_url + "/" + endpoint;
  if (!auth::acceptable_token_url(api))
    throw Error(ErrorKind::Config, "invalid Atmos Pro base URL '" + base_url + "'")
        .explain("the token is sent to it: it must be an https URL (plain http only to a loopback address)");

  std::string static_token = pro_setting(cfg, env, "ATMOS_PRO_TOKEN", {"token"});
  bool oidc = static_token.empty();
  Secret token = oidc ? exchange_oidc_token(cfg, env, transport, api) : Secret(std::move(static_token));

  Value meta = Value::ordered_map({{"head_sha", Value(head_sha)},
                                   {"base_sha", Value(run.base_sha)},
                                   {"repo_url", Value(repo.url)},
                                   {"repo_name", Value(repo.name)},
                                   {"repo_owner", Value(repo.owner)},
                                   {"repo_host", Value(repo.host)},
                                   {"stacks", Value::list({})}});
  Value max = cfg.get({"settings", "pro", "max_payload_bytes"});
  std::size_t max_bytes = max.is_number() && max.as_int() > 0 ? static_cast<std::size_t>(max.as_int()) : kDefaultMaxPayloadBytes;
  const List& items = stripped.is_list() ? stripped.as_list() : List();
  std::vector<List> chunks = chunk_items(items, to_json(meta, JsonStyle::Compact).size(), max_bytes);
  std::string batch_id = chunks.size() > 1 ? random_uuid() : "";
  auto refresh = [&] { token = exchange_oidc_token(cfg, env, transport, api); };
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    Value body = meta.with("stacks", Value::list(std::move(chunks[i])));
    if (!batch_id.empty())
      body = body.with("batch_id", Value(batch_id))
                 .with("batch_index", Value(static_cast<std::int64_t>(i)))
                 .with("batch_total", Value(static_cast<std::int64_t>(chunks.size())));
    try {
      post_with_retries(transport, api + "/affected-stacks", token, to_json(body, JsonStyle::Compact), oidc ? refresh : std::function<void()>());
    } catch (Error& e) {
      if (!batch_id.empty())
        e.explain("failed to send chunk " + std::to_string(i + 1) + "/" + std::to_string(chunks.size()) + " (batch_id=" + batch_id +
                  "): " + e.explanation());
      throw;
    }
  }
  std::fprintf(stderr, "Uploaded %zu affected component(s) to Atmos Pro\n", items.size());
}

}  // namespace atmos::cli
