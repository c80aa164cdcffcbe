// Read-only file trees mounted over a path prefix for the whole process. Reads (core/file.hpp), existence checks
// and globs (core/glob.hpp) of paths below a mounted prefix are answered by the tree instead of the disk.
// `atmos describe affected` mounts the base commit's tree straight from the git object database this way, so the
// base side is rendered by the same stack engine without a checkout (docs/affected.md#the-base-side).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atmos {

// Other: a device, FIFO or socket on disk (never read as a file).
enum class PathKind { Missing, File, Directory, Other };

// A read-only tree. `rel` is '/'-separated and relative to the tree's root ("" is the root itself); symbolic
// links are the tree's business (resolved or reported missing). Implementations are called from several threads.
class FileTree {
 public:
  virtual ~FileTree() = default;
  virtual PathKind kind(const std::string& rel) const = 0;
  // The names of a directory's entries (any order); empty when `rel` is not a directory.
  virtual std::vector<std::string> list(const std::string& rel) const = 0;
  // The size of a file without reading it; nullopt when `rel` is not a file.
  virtual std::optional<std::size_t> size(const std::string& rel) const = 0;
  // The bytes of a file; nullopt when `rel` is not a file.
  virtual std::optional<std::string> read(const std::string& rel) const = 0;
};

// Mounts `tree` over the absolute path `prefix` until destroyed. The disk below `prefix` is hidden meanwhile.
class MountedTree {
 public:
  MountedTree(std::string prefix, std::shared_ptr<const FileTree> tree);
  ~MountedTree();
  MountedTree(const MountedTree&) = delete;
  MountedTree& operator=(const MountedTree&) = delete;

 private:
  std::string prefix_;
};

struct MountedPath {
  std::shared_ptr<const FileTree> tree;
  std::string rel;
};

// The tree mounted over `path` (absolute, lexically clean) and the path inside it; nullopt for disk paths.
std::optional<MountedPath> find_mount(std::string_view path);

// What `path` is, through mounts, else on disk (symbolic links followed; "" is the current directory).
PathKind path_kind(const std::string& path);

// The names of a directory's entries, sorted by name (Go's os.ReadDir order); empty when it is not a directory.
std::vector<std::string> directory_entries(const std::string& dir);

}  // namespace atmos
