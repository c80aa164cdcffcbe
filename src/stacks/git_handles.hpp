// What the code that uses libgit2 shares: a session that loads and initialises it (src/stacks/lazy_libgit2.cpp),
// owning handles, object ids as hex, and the last error's text.
#pragma once

#include <git2.h>

#include <string>

#include "core/error.hpp"

namespace atmos::stacks::git {

// Why libgit2 or libssh2 could not be loaded; "" once they are (src/stacks/lazy_libgit2.cpp).
std::string load_error();

// libgit2 loaded and initialised for as long as it lives (the first libgit2 call of any command).
class Session {
 public:
  Session() {
    if (git_libgit2_init() < 0)
      throw Error(ErrorKind::Io, "libgit2 could not be loaded: " + load_error())
          .hint("Install libgit2 1.5 and libssh2 (Debian: apt-get install libgit2-1.5 libssh2-1; scripts/setup does)");
  }
  ~Session() { git_libgit2_shutdown(); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

inline std::string last_error() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

inline std::string oid_hex(const git_oid* id) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, id);
  return buf;
}

// A libgit2 object freed with `Free` when the holder goes.
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
using Index = Owned<git_index, git_index_free>;
using Remote = Owned<git_remote, git_remote_free>;

}  // namespace atmos::stacks::git
