// `atmos describe affected --upload` (docs/affected.md#atmos-pro): the affected list, stripped as upstream's
// internal/exec/describe_affected_upload.go does, POSTed to Atmos Pro (upstream's pkg/pro/api_client.go) with a
// static token or a GitHub Actions OIDC token exchanged for one.
#pragma once

#include <string>

#include "aws/http.hpp"
#include "cli/affected.hpp"
#include "cli/args.hpp"
#include "config/cli_config.hpp"
#include "core/environment.hpp"
#include "core/value.hpp"

namespace atmos::cli {

// `--upload` cannot be combined with `--query` or `--format matrix` (those outputs are not what is sent).
void check_upload_flags(const ParsedArgs& args);

// upstream's StripAffectedForUpload: each entry keeps component, stack, included_in_dependents, its dependents
// (stripped alike), settings.pro only, deleted and deletion_type; the other fields of upstream's Affected and
// Dependent structs are sent empty, as its JSON encoding does.
Value strip_affected_for_upload(const Value& affected);

// Uploads `stripped` to `<base_url>/<endpoint>/affected-stacks`. Throws Error naming what failed (no token, an
// unsupported CI event, no git remote, the HTTP status and Atmos Pro's message); the token never appears.
void upload_affected(const ParsedArgs& args, const config::CliConfig& cfg, const Environment& env, aws::HttpTransport& transport,
                     const AffectedRun& run, const Value& stripped);

}  // namespace atmos::cli
