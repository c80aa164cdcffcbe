#include "cli/vendor_libs.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <git2.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "stacks/git_handles.hpp"

namespace atmos::cli::vendor_libs {
namespace {

namespace fs = std::filesystem;

// Everything extracted from one archive together; beyond it the archive is refused (a decompression bomb).
constexpr std::uintmax_t kMaxExtractedBytes = std::uintmax_t{1} << 30;
constexpr std::size_t kMaxArchiveEntries = 200'000;

template <typename Fn>
bool bind(void* handle, const char* name, Fn& fn) {
  fn = reinterpret_cast<Fn>(::dlsym(handle, name));
  return fn != nullptr;
}

struct LibArchive {
  bool loaded = false;
  archive* (*read_new)() = nullptr;
  int (*support_filter_all)(archive*) = nullptr;
  int (*support_format_all)(archive*) = nullptr;
  int (*open_memory)(archive*, const void*, size_t) = nullptr;
  int (*next_header)(archive*, archive_entry**) = nullptr;
  la_ssize_t (*read_data)(archive*, void*, size_t) = nullptr;
  int (*read_free)(archive*) = nullptr;
  const char* (*error_string)(archive*) = nullptr;
  const char* (*entry_pathname)(archive_entry*) = nullptr;
  __LA_MODE_T (*entry_filetype)(archive_entry*) = nullptr;
  __LA_MODE_T (*entry_perm)(archive_entry*) = nullptr;
  const char* (*entry_symlink)(archive_entry*) = nullptr;
};

const LibArchive& libarchive() {
  static const LibArchive lib = [] {
    LibArchive l;
    void* h = ::dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
    if (!h) return l;
    l.loaded = bind(h, "archive_read_new", l.read_new) && bind(h, "archive_read_support_filter_all", l.support_filter_all) &&
               bind(h, "archive_read_support_format_all", l.support_format_all) &&
               bind(h, "archive_read_open_memory", l.open_memory) && bind(h, "archive_read_next_header", l.next_header) &&
               bind(h, "archive_read_data", l.read_data) && bind(h, "archive_read_free", l.read_free) &&
               bind(h, "archive_error_string", l.error_string) && bind(h, "archive_entry_pathname", l.entry_pathname) &&
               bind(h, "archive_entry_filetype", l.entry_filetype) && bind(h, "archive_entry_perm", l.entry_perm) &&
               bind(h, "archive_entry_symlink", l.entry_symlink);
    return l;
  }();
  return lib;
}

// A relative path that stays below its root: no absolute path, no `..` component.
bool contained(const fs::path& p) {
  if (p.empty() || p.is_absolute()) return false;
  for (const auto& part : p)
    if (part == "..") return false;
  return true;
}

}  // namespace

void git_clone_ref(const std::string& url, const std::string& ref, const std::string& dir) {
  stacks::git::Session session;
  auto fail = [&](const std::string& what) {
    const git_error* e = git_error_last();
    return Error(ErrorKind::Io, what).explain(e && e->message ? e->message : "libgit2 gave no reason");
  };
  git_clone_options opts = GIT_CLONE_OPTIONS_INIT;
  opts.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
  git_repository* repo = nullptr;
  if (git_clone(&repo, url.c_str(), dir.c_str(), &opts) != 0) throw fail("failed to clone '" + url + "'");
  git_object* target = nullptr;
  git_object* commit = nullptr;
  try {
    std::string spec = ref.empty() ? "HEAD" : ref;
    for (const std::string& candidate : {"refs/remotes/origin/" + spec, "refs/tags/" + spec, spec})
      if (git_revparse_single(&target, repo, candidate.c_str()) == 0) break;
    if (!target) throw fail("ref '" + spec + "' not found in '" + url + "'");
    if (git_object_peel(&commit, target, GIT_OBJECT_COMMIT) != 0) throw fail("ref '" + spec + "' of '" + url + "' is not a commit");
    git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
    co.checkout_strategy = GIT_CHECKOUT_FORCE;
    if (git_checkout_tree(repo, commit, &co) != 0 || git_repository_set_head_detached(repo, git_object_id(commit)) != 0)
      throw fail("failed to check out '" + spec + "' of '" + url + "'");
  } catch (...) {
    if (commit) git_object_free(commit);
    if (target) git_object_free(target);
    git_repository_free(repo);
    throw;
  }
  git_object_free(commit);
  git_object_free(target);
  git_repository_free(repo);
}

void extract_archive(const std::string& data, const std::string& dir, const std::string& what) {
  const LibArchive& la = libarchive();
  if (!la.loaded)
    throw Error(ErrorKind::Io, "cannot extract '" + what + "': libarchive (libarchive13) is not installed").hint("Install the libarchive13 package");
  archive* a = la.read_new();
  la.support_filter_all(a);
  la.support_format_all(a);
  auto fail = [&](const std::string& why) {
    Error e(ErrorKind::Io, "failed to extract '" + what + "'");
    e.explain(why);
    la.read_free(a);
    return e;
  };
  if (la.open_memory(a, data.data(), data.size()) != ARCHIVE_OK) throw fail(la.error_string(a) ? la.error_string(a) : "not an archive");
  std::uintmax_t total = 0;
  std::size_t entries = 0;
  std::string buf(1 << 16, '\0');
  archive_entry* entry = nullptr;
  for (;;) {
    int r = la.next_header(a, &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) throw fail(la.error_string(a) ? la.error_string(a) : "unreadable entry");
    if (++entries > kMaxArchiveEntries) throw fail("more than " + std::to_string(kMaxArchiveEntries) + " entries");
    const char* name = la.entry_pathname(entry);
    fs::path rel = fs::path(name ? name : "").lexically_normal();
    if (rel == "." || rel.empty()) continue;
    if (!contained(rel)) throw fail("entry '" + std::string(name ? name : "") + "' would be written outside the target");
    fs::path out = fs::path(dir) / rel;
    std::error_code ec;
    auto type = la.entry_filetype(entry);
    if (type == AE_IFDIR) {
      fs::create_directories(out, ec);
      continue;
    }
    fs::create_directories(out.parent_path(), ec);
    if (type == AE_IFLNK) {
      const char* link = la.entry_symlink(entry);
      fs::path target = link ? fs::path(link) : fs::path();
      if (!contained((rel.parent_path() / target).lexically_normal()))
        throw fail("symbolic link '" + rel.string() + "' points outside the archive");
      fs::create_symlink(target, out, ec);
      if (ec) throw fail("cannot create '" + rel.string() + "': " + ec.message());
      continue;
    }
    if (type != AE_IFREG) throw fail("entry '" + rel.string() + "' is neither a file, a directory nor a symbolic link");
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    if (!f) throw fail("cannot write '" + out.string() + "'");
    for (;;) {
      la_ssize_t n = la.read_data(a, buf.data(), buf.size());
      if (n < 0) throw fail(la.error_string(a) ? la.error_string(a) : "unreadable data");
      if (n == 0) break;
      total += static_cast<std::uintmax_t>(n);
      if (total > kMaxExtractedBytes) throw fail("it expands to more than 1 GiB");
      f.write(buf.data(), n);
    }
    f.close();
    ::chmod(out.c_str(), (la.entry_perm(entry) & 0777) | 0600);
  }
  la.read_free(a);
}

}  // namespace atmos::cli::vendor_libs
