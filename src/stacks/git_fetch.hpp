// `atmos describe affected --clone-target-ref` (docs/affected.md#clone-target-ref): the base is fetched from the
// repository's `origin` remote into the local object database with libgit2 — no checkout, no `git` subprocess,
// no ref of the user's changed.
#pragma once

#include <string>

struct git_repository;

namespace atmos::stacks {

struct GitFetchRequest {
  std::string base;              // branch, tag, full ref or commit SHA; "" → the remote's default branch
  std::string ssh_key;           // PEM/OpenSSH private key file for ssh:// remotes; "" → the SSH agent
  std::string ssh_key_password;  // its password; never printed
  int timeout_seconds = 300;     // the whole fetch, connection included
};

// Fetches the base from `origin` into `repo`'s object database and returns the id (40 hex digits) of the object
// it names (a commit, or an annotated tag). `root` names the repository in errors. Throws Error naming what failed
// and how to fix it: no `origin` remote, a base the remote does not have, an unreadable or undecryptable key, a
// rejected key, an unknown or changed SSH host key, a timeout.
std::string fetch_base(git_repository* repo, const std::string& root, const GitFetchRequest& req);

}  // namespace atmos::stacks
