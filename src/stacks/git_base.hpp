// The base side of `atmos describe affected` (docs/affected.md): a commit read straight from the git object
// database with libgit2 — no `git` subprocess, no checkout of the repository.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/mount.hpp"
#include "stacks/git_fetch.hpp"

namespace atmos::stacks {

struct GitBaseRequest {
  std::string cwd;        // where the command runs (inside the working tree)
  std::string base;       // branch, tag, SHA or full ref; "" → refs/remotes/origin/HEAD
  std::string repo_path;  // an already-cloned base: its HEAD is the base (--repo-path)
  bool merge_base = false;  // use the merge-base of HEAD and `base` (a pull request's fork point)
  std::string fallback;     // tried when `base` does not resolve (CI: the pull request's base SHA)
  bool clone_target_ref = false;  // fetch `base` from the `origin` remote first (--clone-target-ref)
  GitFetchRequest fetch;          // SSH key and timeout of that fetch (its `base` is filled from `base`)
};

class GitBase {
 public:
  // Opens the repository holding `cwd` and resolves the base commit. Throws Error naming what is missing and how
  // to fix it: not a git repository, a base that does not exist, a shallow clone without the base commit.
  explicit GitBase(const GitBaseRequest& req);
  ~GitBase();
  GitBase(const GitBase&) = delete;
  GitBase& operator=(const GitBase&) = delete;

  // The working tree's root (absolute, no trailing slash).
  const std::string& root() const { return root_; }
  // The resolved base commit (40 hex digits) and the current HEAD commit ("" on an unborn branch).
  const std::string& base_sha() const { return base_sha_; }
  const std::string& head_sha() const { return head_sha_; }

  // Absolute paths of every file that differs between the base commit and the working tree: committed,
  // staged, unstaged and untracked (not ignored) changes, additions and deletions (both sides of a rename).
  std::vector<std::string> changed_files() const;

  // The base commit's files, read from the object database as they are asked for (mount it with
  // core/mount.hpp). Symbolic links inside the tree are followed; links leaving it, submodules and
  // files of a commit the object database lacks read as missing.
  std::shared_ptr<const FileTree> tree() const;

  // Whether the base commit or the index holds a symbolic link under `subdir` (relative to the root).
  bool has_symlinks(const std::string& subdir) const;

  struct Handles;  // libgit2 handles, shared with the trees handed out

 private:
  std::shared_ptr<Handles> h_;
  std::string root_;
  std::string base_sha_;
  std::string head_sha_;
};

}  // namespace atmos::stacks
