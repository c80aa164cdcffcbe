// Reading whole files: YAML manifests, atmos.yaml, Terraform modules, credential and cache files.
#pragma once

#include <optional>
#include <string>

namespace atmos {

// The file's bytes, nullopt when it (or a parent directory) does not exist.
// Throws Error(Io) "failed to read file '<path>': <reason>" on any other failure (a directory, no permission).
std::optional<std::string> read_file_if_exists(const std::string& path);

// The file's bytes; a missing file is an error too.
std::string read_text_file(const std::string& path);

// A stack manifest (or a file it includes): as read_text_file, and a file larger than
// limits::kManifestFileBytes is an Error(Io) naming the file and the limit, read no further than that.
std::string read_manifest_file(const std::string& path);

}  // namespace atmos
