#include "stacks/git_base.hpp"

#include <git2.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <string_view>

#include "core/error.hpp"
#include "stacks/git_handles.hpp"

namespace atmos::stacks {
namespace fs = std::filesystem;

namespace {

using git::Blob;
using git::Commit;
using git::Diff;
using git::Index;
using git::Object;
using git::Odb;
using git::oid_hex;
using git::Repo;
using git::Tree;
using git::TreeEntry;

const char* const kDefaultBase = "refs/remotes/origin/HEAD";

}  // namespace

struct GitBase::Handles {
  git::Session lib;
  Repo repo;
  Tree base_tree;
};

GitBase::GitBase(const GitBaseRequest& req) : h_(std::make_shared<Handles>()) {
  if (git_repository_open_ext(&h_->repo.p, req.cwd.c_str(), 0, nullptr) != 0)
    throw Error(ErrorKind::Config, "'" + req.cwd + "' is not inside a git repository")
        .explain("`atmos describe affected` compares the working tree with a base commit, so it must run inside a "
                 "git clone of the repository that holds the stacks.")
        .hint("Run it from your clone (git clone <url> && cd <repo>), or initialise one with `git init` and commit");
  git_repository* repo = h_->repo.p;
  if (git_repository_is_bare(repo))
    throw Error(ErrorKind::Config, "the git repository at '" + req.cwd + "' is bare: it has no working tree to compare");
  root_ = git_repository_workdir(repo);
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();

  git_oid head;
  if (git_reference_name_to_id(&head, repo, "HEAD") == 0) head_sha_ = oid_hex(&head);

  git_oid base_id;
  if (!req.repo_path.empty()) {
    // An already-cloned base: its HEAD commit, read through its object database added as an alternate.
    Repo other;
    if (git_repository_open_ext(&other.p, req.repo_path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0)
      throw Error(ErrorKind::Config, "--repo-path '" + req.repo_path + "' is not a git repository")
          .hint("Pass the directory of a clone of the base (the target branch), e.g. one made with actions/checkout");
    if (git_reference_name_to_id(&base_id, other.p, "HEAD") != 0)
      throw Error(ErrorKind::Config, "--repo-path '" + req.repo_path + "' has no HEAD commit: " + git::last_error());
    Odb odb;
    std::string objects = (fs::path(git_repository_commondir(other.p)) / "objects").string();
    if (git_repository_odb(&odb.p, repo) != 0 || git_odb_add_disk_alternate(odb.p, objects.c_str()) != 0)
      throw Error(ErrorKind::Io, "failed to read the objects of '" + req.repo_path + "': " + git::last_error());
  } else {
    std::string spec = req.base.empty() ? kDefaultBase : req.base;
    if (req.clone_target_ref) {
      GitFetchRequest fetch = req.fetch;
      fetch.base = req.base;
      spec = fetch_base(repo, root_, fetch);
    }
    Object obj;
    int rc = git_revparse_single(&obj.p, repo, spec.c_str());
    // A branch that exists only on the remote (CI checkouts have no local branches): `main`, `refs/heads/main`.
    std::string branch = spec.rfind("refs/heads/", 0) == 0 ? spec.substr(11) : spec.find('/') == std::string::npos ? spec : "";
    if (rc != 0 && !branch.empty() && branch.size() < GIT_OID_HEXSZ) {
      std::string remote = "refs/remotes/origin/" + branch;
      rc = git_revparse_single(&obj.p, repo, remote.c_str());
    }
    bool merge_base = req.merge_base;
    if (rc != 0 && !req.fallback.empty()) {
      rc = git_revparse_single(&obj.p, repo, req.fallback.c_str());
      merge_base = false;
    }
    if (rc != 0) {
      if (git_repository_is_shallow(repo) == 1)
        throw Error(ErrorKind::Config, "the repository at '" + root_ + "' is a shallow clone and does not contain the base '" +
                                           spec + "'")
            .explain("The base commit must be in the local object database: a shallow clone holds only the newest commits.")
            .hint("Fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout), or fetch "
                  "the base itself (`git fetch origin " + (req.base.empty() ? std::string("main") : req.base) + "`)");
      Error e(ErrorKind::Config, "the base '" + spec + "' does not exist in the repository at '" + root_ + "'");
      if (req.base.empty())
        e.explain("Without --base, the base is the remote's default branch (refs/remotes/origin/HEAD), which this "
                  "clone does not have.")
            .hint("Pass the target branch, tag or commit with --base (e.g. --base main), or run "
                  "`git remote set-head origin --auto`");
      else
        e.hint("Pass an existing branch, tag or commit SHA with --base, or fetch it first (`git fetch origin " + req.base + "`)");
      throw e;
    }
    Object commit;
    if (git_object_peel(&commit.p, obj.p, GIT_OBJECT_COMMIT) != 0)
      throw Error(ErrorKind::Config, "the base '" + spec + "' is not a commit: " + git::last_error());
    git_oid_cpy(&base_id, git_object_id(commit.p));
    git_oid fork;
    if (merge_base && !head_sha_.empty() && git_merge_base(&fork, repo, &head, &base_id) == 0) base_id = fork;
  }
  Commit commit;
  if (git_commit_lookup(&commit.p, repo, &base_id) != 0) {
    std::string hex = oid_hex(&base_id);
    if (git_repository_is_shallow(repo) == 1)
      throw Error(ErrorKind::Config, "the repository at '" + root_ + "' is a shallow clone and does not contain the base commit " + hex)
          .hint("Fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)");
    throw Error(ErrorKind::Config, "the base commit " + hex + " is not in the object database of '" + root_ + "': " + git::last_error());
  }
  base_sha_ = oid_hex(&base_id);
  if (git_commit_tree(&h_->base_tree.p, commit.p) != 0)
    throw Error(ErrorKind::Io, "failed to read the tree of the base commit " + base_sha_ + ": " + git::last_error());
}

GitBase::~GitBase() = default;

std::vector<std::string> GitBase::changed_files() const {
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS;
  Diff diff;
  if (git_diff_tree_to_workdir_with_index(&diff.p, h_->repo.p, h_->base_tree.p, &opts) != 0)
    throw Error(ErrorKind::Io, "failed to compare the working tree of '" + root_ + "' with the base " + base_sha_ + ": " +
                                   git::last_error());
  std::vector<std::string> out;
  std::size_t n = git_diff_num_deltas(diff.p);
  for (std::size_t i = 0; i < n; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff.p, i);
    if (d->old_file.path) out.push_back(root_ + "/" + d->old_file.path);
    if (d->new_file.path && (!d->old_file.path || std::string(d->new_file.path) != d->old_file.path))
      out.push_back(root_ + "/" + d->new_file.path);
  }
  return out;
}

namespace {

// Symbolic links followed while resolving one path: more is a loop.
constexpr int kMaxLinks = 40;

// The base commit's tree as a FileTree. libgit2 objects are not shared between threads, so every call takes
// the lock; the stack engine asks for few files and caches what it parses.
class GitTree final : public FileTree {
 public:
  explicit GitTree(std::shared_ptr<GitBase::Handles> h) : h_(std::move(h)) {}

  PathKind kind(const std::string& rel) const override {
    std::lock_guard lock(mu_);
    Entry e = resolve(rel);
    return e.kind;
  }

  std::vector<std::string> list(const std::string& rel) const override {
    std::lock_guard lock(mu_);
    std::vector<std::string> names;
    Entry e = resolve(rel);
    if (e.kind != PathKind::Directory) return names;
    Tree sub;
    const git_tree* tree = e.root ? base() : nullptr;
    if (!tree) {
      if (git_tree_lookup(&sub.p, repo(), &e.id) != 0) return names;
      tree = sub.p;
    }
    std::size_t n = git_tree_entrycount(tree);
    for (std::size_t i = 0; i < n; ++i) names.emplace_back(git_tree_entry_name(git_tree_entry_byindex(tree, i)));
    return names;
  }

  std::optional<std::size_t> size(const std::string& rel) const override {
    std::lock_guard lock(mu_);
    Entry e = resolve(rel);
    if (e.kind != PathKind::File) return std::nullopt;
    Odb odb;
    std::size_t len = 0;
    git_object_t type;
    if (git_repository_odb(&odb.p, repo()) != 0 || git_odb_read_header(&len, &type, odb.p, &e.id) != 0) return std::nullopt;
    return len;
  }

  std::optional<std::string> read(const std::string& rel) const override {
    std::lock_guard lock(mu_);
    Entry e = resolve(rel);
    if (e.kind != PathKind::File) return std::nullopt;
    Blob blob;
    if (git_blob_lookup(&blob.p, repo(), &e.id) != 0) return std::nullopt;
    return std::string(static_cast<const char*>(git_blob_rawcontent(blob.p)), static_cast<std::size_t>(git_blob_rawsize(blob.p)));
  }

 private:
  struct Entry {
    PathKind kind = PathKind::Missing;
    git_oid id{};
    bool root = false;
  };

  git_repository* repo() const { return h_->repo.p; }
  const git_tree* base() const { return h_->base_tree.p; }

  static std::vector<std::string> split(const std::string& path) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= path.size()) {
      std::size_t end = path.find('/', start);
      if (end == std::string::npos) end = path.size();
      std::string part = path.substr(start, end - start);
      if (part == "..") {
        if (out.empty()) return {".."};  // leaves the tree
        out.pop_back();
      } else if (!part.empty() && part != ".") {
        out.push_back(part);
      }
      start = end + 1;
    }
    return out;
  }

  static std::string join(const std::vector<std::string>& parts, std::size_t from, std::size_t to) {
    std::string out;
    for (std::size_t i = from; i < to; ++i) out += (out.empty() ? "" : "/") + parts[i];
    return out;
  }

  // Walks `rel` one name at a time from the root, following symbolic links (relative ones that stay inside the
  // tree; at most kMaxLinks in all).
  Entry resolve(const std::string& rel) const {
    std::vector<std::string> parts = split(rel);
    int links = 0;
    for (;;) {
      if (!parts.empty() && parts[0] == "..") return {};
      Entry cur{PathKind::Directory, {}, true};
      Tree owned;
      const git_tree* tree = base();
      bool restarted = false;
      for (std::size_t i = 0; i < parts.size(); ++i) {
        if (cur.kind != PathKind::Directory) return {};
        if (!cur.root) {
          Tree next;
          if (git_tree_lookup(&next.p, repo(), &cur.id) != 0) return {};
          std::swap(owned.p, next.p);
          tree = owned.p;
        }
        const git_tree_entry* entry = git_tree_entry_byname(tree, parts[i].c_str());
        if (!entry) return {};
        git_filemode_t mode = git_tree_entry_filemode(entry);
        if (mode == GIT_FILEMODE_LINK) {
          Blob target;
          if (++links > kMaxLinks || git_blob_lookup(&target.p, repo(), git_tree_entry_id(entry)) != 0) return {};
          std::string text(static_cast<const char*>(git_blob_rawcontent(target.p)), static_cast<std::size_t>(git_blob_rawsize(target.p)));
          if (text.empty() || text[0] == '/') return {};
          std::string rest = join(parts, i + 1, parts.size());
          std::string dir = join(parts, 0, i);
          parts = split(dir + (dir.empty() ? "" : "/") + text + (rest.empty() ? "" : "/" + rest));
          restarted = true;
          break;
        }
        cur.root = false;
        git_oid_cpy(&cur.id, git_tree_entry_id(entry));
        if (mode == GIT_FILEMODE_TREE) cur.kind = PathKind::Directory;
        else if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) cur.kind = PathKind::File;
        else return {};  // a submodule
      }
      if (!restarted) return cur;
    }
  }

  std::shared_ptr<GitBase::Handles> h_;
  mutable std::mutex mu_;
};

}  // namespace

std::shared_ptr<const FileTree> GitBase::tree() const { return std::make_shared<GitTree>(h_); }

bool GitBase::has_symlinks(const std::string& subdir) const {
  std::string prefix = subdir.empty() || subdir == "." ? "" : subdir + "/";
  bool found = false;
  auto visit = [](const char* root, const git_tree_entry* entry, void* payload) -> int {
    auto* st = static_cast<std::pair<const std::string*, bool*>*>(payload);
    std::string path = std::string(root) + git_tree_entry_name(entry);
    const std::string& want = *st->first;
    if (git_tree_entry_type(entry) == GIT_OBJECT_TREE)
      return want.compare(0, std::min(want.size(), path.size() + 1), path + "/", 0, std::min(want.size(), path.size() + 1)) == 0 ? 0 : 1;
    if (git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK && path.compare(0, want.size(), want) == 0) {
      *st->second = true;
      return -1;
    }
    return 0;
  };
  std::pair<const std::string*, bool*> st{&prefix, &found};
  git_tree_walk(h_->base_tree.p, GIT_TREEWALK_PRE, visit, &st);
  if (found) return true;
  Index index;
  if (git_repository_index(&index.p, h_->repo.p) != 0) return true;  // unknown: the caller takes the safe path
  std::size_t n = git_index_entrycount(index.p);
  for (std::size_t i = 0; i < n; ++i) {
    const git_index_entry* e = git_index_get_byindex(index.p, i);
    if ((e->mode & 0170000) == 0120000 && std::string_view(e->path).substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

}  // namespace atmos::stacks
