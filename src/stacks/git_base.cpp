#include "stacks/git_base.hpp"

#include <git2.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"

namespace atmos::stacks {
namespace fs = std::filesystem;

namespace {

std::string last_git_error() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

struct Library {
  Library() { git_libgit2_init(); }
  ~Library() { git_libgit2_shutdown(); }
};

std::string oid_hex(const git_oid* id) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, id);
  return buf;
}

template <typename T, void (*Free)(T*)>
struct Owned {
  T* p = nullptr;
  Owned() = default;
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  ~Owned() {
    if (p) Free(p);
  }
};

using Repo = Owned<git_repository, git_repository_free>;
using Object = Owned<git_object, git_object_free>;
using Tree = Owned<git_tree, git_tree_free>;
using TreeEntry = Owned<git_tree_entry, git_tree_entry_free>;
using Diff = Owned<git_diff, git_diff_free>;
using Odb = Owned<git_odb, git_odb_free>;
using Blob = Owned<git_blob, git_blob_free>;
using Commit = Owned<git_commit, git_commit_free>;

const char* const kDefaultBase = "refs/remotes/origin/HEAD";

}  // namespace

struct GitBase::Handles {
  Library lib;
  Repo repo;
  Tree base_tree;
};

GitBase::GitBase(const GitBaseRequest& req) : h_(std::make_unique<Handles>()) {
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
      throw Error(ErrorKind::Config, "--repo-path '" + req.repo_path + "' has no HEAD commit: " + last_git_error());
    Odb odb;
    std::string objects = (fs::path(git_repository_commondir(other.p)) / "objects").string();
    if (git_repository_odb(&odb.p, repo) != 0 || git_odb_add_disk_alternate(odb.p, objects.c_str()) != 0)
      throw Error(ErrorKind::Io, "failed to read the objects of '" + req.repo_path + "': " + last_git_error());
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
      throw Error(ErrorKind::Config, "the base '" + spec + "' is not a commit: " + last_git_error());
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
    throw Error(ErrorKind::Config, "the base commit " + hex + " is not in the object database of '" + root_ + "': " + last_git_error());
  }
  base_sha_ = oid_hex(&base_id);
  if (git_commit_tree(&h_->base_tree.p, commit.p) != 0)
    throw Error(ErrorKind::Io, "failed to read the tree of the base commit " + base_sha_ + ": " + last_git_error());
}

GitBase::~GitBase() = default;

std::vector<std::string> GitBase::changed_files() const {
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS;
  Diff diff;
  if (git_diff_tree_to_workdir_with_index(&diff.p, h_->repo.p, h_->base_tree.p, &opts) != 0)
    throw Error(ErrorKind::Io, "failed to compare the working tree of '" + root_ + "' with the base " + base_sha_ + ": " +
                                   last_git_error());
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

struct WalkState {
  git_repository* repo;
  fs::path dest;
  std::string error;
};

int write_entry(const char* root, const git_tree_entry* entry, void* payload) {
  auto* st = static_cast<WalkState*>(payload);
  std::string name = git_tree_entry_name(entry);
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) return 1;  // never leave dest
  if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB || git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) return 0;
  Blob blob;
  if (git_blob_lookup(&blob.p, st->repo, git_tree_entry_id(entry)) != 0) {
    st->error = std::string(root) + name + ": " + last_git_error();
    return -1;
  }
  fs::path out = st->dest / root / name;
  std::error_code ec;
  fs::create_directories(out.parent_path(), ec);
  std::ofstream f(out, std::ios::binary);
  f.write(static_cast<const char*>(git_blob_rawcontent(blob.p)), static_cast<std::streamsize>(git_blob_rawsize(blob.p)));
  if (!f) {
    st->error = out.string() + ": write failed";
    return -1;
  }
  return 0;
}

}  // namespace

bool GitBase::write_tree(const std::string& subdir, const std::string& dest) const {
  Tree sub;
  git_tree* tree = h_->base_tree.p;
  if (!subdir.empty() && subdir != ".") {
    TreeEntry entry;
    if (git_tree_entry_bypath(&entry.p, tree, subdir.c_str()) != 0 || git_tree_entry_type(entry.p) != GIT_OBJECT_TREE)
      return false;
    if (git_tree_lookup(&sub.p, h_->repo.p, git_tree_entry_id(entry.p)) != 0)
      throw Error(ErrorKind::Io, "failed to read '" + subdir + "' of the base commit " + base_sha_ + ": " + last_git_error());
    tree = sub.p;
  }
  WalkState st{h_->repo.p, fs::path(dest), ""};
  if (git_tree_walk(tree, GIT_TREEWALK_PRE, write_entry, &st) != 0)
    throw Error(ErrorKind::Io, "failed to read the base commit " + base_sha_ + ": " + (st.error.empty() ? last_git_error() : st.error));
  return true;
}

}  // namespace atmos::stacks
