// libgit2 and libssh2, loaded (dlopen) when a command first needs git rather than at every start.
//
// Why: linking libgit2 makes the dynamic loader map and relocate it and its dependencies (libssh2, mbedTLS,
// Kerberos, PCRE2, http-parser, OpenSSL) at every start: about 10 ms on top of the 3 ms an empty program costs
// here, paid by every `atmos` run although only describe/list affected, `terraform --affected`, `vendor pull`
// from git and `describe affected --upload` use git (docs/benchmarks.md, "Start-up"). libcurl is loaded the same
// way (src/aws/lazy_libcurl.cpp).
//
// How: each function atmos calls is defined here as a two-instruction trampoline that jumps through a pointer.
// git_libgit2_init() (always the first libgit2 call; stacks::git::Session makes it) loads both libraries and
// fills every pointer; until then a pointer leads to a function that aborts naming the mistake. A function
// missing from the lists below is an undefined symbol at link time, never a silent fallback.
#include <dlfcn.h>
#include <git2.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "stacks/git_handles.hpp"

#ifndef ATMOS_LIBGIT2_SONAME
#error "ATMOS_LIBGIT2_SONAME must name libgit2's shared object (CMakeLists.txt reads it from the library's SONAME)"
#endif
#ifndef ATMOS_LIBSSH2_SONAME
#error "ATMOS_LIBSSH2_SONAME must name libssh2's shared object"
#endif

// Every libgit2 function atmos calls except git_libgit2_init (defined below).
#define ATMOS_LIBGIT2_FUNCTIONS(X) \
  X(git_blob_free) \
  X(git_blob_lookup) \
  X(git_blob_rawcontent) \
  X(git_blob_rawsize) \
  X(git_buf_dispose) \
  X(git_checkout_tree) \
  X(git_clone) \
  X(git_commit_free) \
  X(git_commit_lookup) \
  X(git_commit_tree) \
  X(git_credential_ssh_key_from_agent) \
  X(git_credential_ssh_key_new) \
  X(git_credential_username_new) \
  X(git_diff_free) \
  X(git_diff_get_delta) \
  X(git_diff_num_deltas) \
  X(git_diff_tree_to_workdir_with_index) \
  X(git_error_last) \
  X(git_error_set_str) \
  X(git_index_entrycount) \
  X(git_index_free) \
  X(git_index_get_byindex) \
  X(git_libgit2_shutdown) \
  X(git_merge_base) \
  X(git_object_free) \
  X(git_object_id) \
  X(git_object_peel) \
  X(git_odb_add_disk_alternate) \
  X(git_odb_exists) \
  X(git_odb_free) \
  X(git_odb_read_header) \
  X(git_odb_refresh) \
  X(git_oid_cpy) \
  X(git_oid_tostr) \
  X(git_reference_name_to_id) \
  X(git_remote_connect) \
  X(git_remote_create_anonymous) \
  X(git_remote_default_branch) \
  X(git_remote_disconnect) \
  X(git_remote_download) \
  X(git_remote_free) \
  X(git_remote_list) \
  X(git_remote_lookup) \
  X(git_remote_ls) \
  X(git_remote_url) \
  X(git_repository_commondir) \
  X(git_repository_free) \
  X(git_repository_index) \
  X(git_repository_init) \
  X(git_repository_is_bare) \
  X(git_repository_is_shallow) \
  X(git_repository_odb) \
  X(git_repository_open_ext) \
  X(git_repository_set_head_detached) \
  X(git_repository_workdir) \
  X(git_revparse_single) \
  X(git_strarray_dispose) \
  X(git_tree_entry_byindex) \
  X(git_tree_entry_byname) \
  X(git_tree_entry_filemode) \
  X(git_tree_entry_free) \
  X(git_tree_entry_id) \
  X(git_tree_entry_name) \
  X(git_tree_entry_type) \
  X(git_tree_entrycount) \
  X(git_tree_free) \
  X(git_tree_lookup) \
  X(git_tree_walk)

// The libssh2 functions the SSH host-key check calls (src/stacks/git_fetch.cpp).
#define ATMOS_LIBSSH2_FUNCTIONS(X) \
  X(libssh2_session_init_ex) \
  X(libssh2_session_free) \
  X(libssh2_knownhost_init) \
  X(libssh2_knownhost_free) \
  X(libssh2_knownhost_readfile) \
  X(libssh2_knownhost_checkp)

namespace {

[[noreturn]] void called_before_loading() {
  std::fputs("atmos: internal error: a libgit2 function was called before git_libgit2_init() loaded libgit2\n", stderr);
  std::abort();
}

}  // namespace

// One pointer per function, named atmos_lazy_<function> for the trampolines.
#define ATMOS_POINTER(name) \
  __attribute__((used, visibility("hidden"))) void* atmos_lazy_##name asm("atmos_lazy_" #name) = reinterpret_cast<void*>(&called_before_loading);
ATMOS_LIBGIT2_FUNCTIONS(ATMOS_POINTER)
ATMOS_LIBSSH2_FUNCTIONS(ATMOS_POINTER)

#if defined(__x86_64__)
#define ATMOS_TRAMPOLINE(name)                                                                              \
  asm(".pushsection .text\n.globl " #name "\n.type " #name ", @function\n.p2align 4\n" #name ":\n"           \
      "\tendbr64\n\tjmp *atmos_lazy_" #name "(%rip)\n.size " #name ", .-" #name "\n.popsection\n");
#elif defined(__aarch64__)
#define ATMOS_TRAMPOLINE(name)                                                                              \
  asm(".pushsection .text\n.globl " #name "\n.type " #name ", %function\n.p2align 2\n" #name ":\n"           \
      "\tadrp x16, atmos_lazy_" #name "\n\tldr x16, [x16, :lo12:atmos_lazy_" #name "]\n\tbr x16\n"          \
      ".size " #name ", .-" #name "\n.popsection\n");
#else
#error "lazy_libgit2.cpp has trampolines for x86-64 and AArch64 only"
#endif
ATMOS_LIBGIT2_FUNCTIONS(ATMOS_TRAMPOLINE)
ATMOS_LIBSSH2_FUNCTIONS(ATMOS_TRAMPOLINE)

namespace {

struct Loaded {
  int (*init)() = nullptr;
  std::string error;  // why the libraries could not be loaded; "" when they were
};

const Loaded& load() {
  static const Loaded loaded = [] {
    Loaded l;
    void* git = ::dlopen(ATMOS_LIBGIT2_SONAME, RTLD_NOW | RTLD_LOCAL);
    void* ssh = git ? ::dlopen(ATMOS_LIBSSH2_SONAME, RTLD_NOW | RTLD_LOCAL) : nullptr;
    if (!git || !ssh) {
      const char* why = ::dlerror();
      l.error = why ? why : "unknown error";
      return l;
    }
    auto bind = [&](void* handle, const char* name, void*& slot) {
      void* fn = ::dlsym(handle, name);
      if (!fn && l.error.empty()) l.error = std::string(name) + " is missing from the library";
      if (fn) slot = fn;
    };
#define ATMOS_BIND_GIT(name) bind(git, #name, atmos_lazy_##name);
#define ATMOS_BIND_SSH(name) bind(ssh, #name, atmos_lazy_##name);
    ATMOS_LIBGIT2_FUNCTIONS(ATMOS_BIND_GIT)
    ATMOS_LIBSSH2_FUNCTIONS(ATMOS_BIND_SSH)
    void* init = ::dlsym(git, "git_libgit2_init");
    if (!init && l.error.empty()) l.error = "git_libgit2_init is missing from the library";
    if (l.error.empty()) l.init = reinterpret_cast<int (*)()>(init);
    return l;
  }();
  return loaded;
}

}  // namespace

extern "C" int git_libgit2_init(void) {
  const Loaded& l = load();
  return l.init ? l.init() : -1;
}

namespace atmos::stacks::git {

std::string load_error() { return load().error; }

}  // namespace atmos::stacks::git
