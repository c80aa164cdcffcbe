// libgit2 and libarchive for `atmos vendor pull`. libgit2 is linked (describe affected reads the object database
// with it too, src/stacks/git_base.cpp); libarchive is loaded with dlopen on first use, as libcurl is
// (src/aws/lazy_libcurl.cpp), so that only `vendor pull` maps it and its dependencies.
#pragma once

#include <string>

namespace atmos::cli::vendor_libs {

// Clones `url` (a local path, file://, https://…) into `dir` and checks out `ref` (a branch, tag or commit; the
// remote's HEAD when empty), without a git subprocess. Throws Error naming the URL and libgit2's reason.
void git_clone_ref(const std::string& url, const std::string& ref, const std::string& dir);

// Extracts a tar (any compression) or zip archive held in `data` into `dir`; entries with absolute paths, `..`
// or links that lead outside are refused. Throws Error naming `what` and libarchive's reason.
void extract_archive(const std::string& data, const std::string& dir, const std::string& what);

}  // namespace atmos::cli::vendor_libs
