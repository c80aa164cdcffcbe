// Hard limits against hostile or runaway input (docs/limits.md): each is far above what a real repository or
// a real AWS answer needs, and low enough that reaching it costs well under a second and a few hundred MB.
// Reaching one is a clear error naming the file or host and the limit, never a crash.
#pragma once

#include <cstddef>
#include <string>

namespace atmos::limits {

// One stack manifest (or a file it `!include`s), in bytes.
inline constexpr std::size_t kManifestFileBytes = std::size_t{16} << 20;
// Imports processed for one top-level stack manifest, counting every file each time it is processed anew
// (with a different context or overrides), so fan-out through globs and repeated diamonds are bounded too.
inline constexpr std::size_t kImportsPerManifest = 10'000;
// Nesting of arrays and objects in one JSON document (Go's encoding/json allows 10,000 too).
inline constexpr std::size_t kJsonDepth = 10'000;
// The output of one template execution, and any string a template function returns, in bytes: as large as the
// manifest it may become.
inline constexpr std::size_t kTemplateOutputBytes = kManifestFileBytes;
// The body of one HTTP answer from AWS (or the lab), in bytes, and its header lines together (below libcurl's
// own 300 KiB, which would end the transfer as a retried receive error instead).
inline constexpr std::size_t kHttpBodyBytes = std::size_t{16} << 20;
inline constexpr std::size_t kHttpHeaderBytes = std::size_t{256} << 10;

// "16 MiB", "64 KiB" or "1000 bytes", for error messages.
inline std::string size_text(std::size_t bytes) {
  if (bytes >= (std::size_t{1} << 20) && bytes % (std::size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace atmos::limits
