#include "core/mount.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <shared_mutex>
#include <utility>

namespace atmos {
namespace fs = std::filesystem;
namespace {

struct Mount {
  std::string prefix;
  std::shared_ptr<const FileTree> tree;
};

// Commands mount at most a few trees; a plain list behind a reader-writer lock is enough. `g_count` lets the
// common case (nothing mounted) skip the lock.
std::shared_mutex g_lock;
std::vector<Mount> g_mounts;
std::atomic<std::size_t> g_count{0};

// Whether `path` is a folder above a mount point (it holds the mounted tree whatever the disk says).
bool above_mount(const std::string& path) {
  if (g_count.load() == 0 || path.empty() || path[0] != '/') return false;
  std::string dir = path.back() == '/' ? path : path + "/";
  std::shared_lock lock(g_lock);
  for (const auto& m : g_mounts)
    if (m.prefix.size() > dir.size() && m.prefix.compare(0, dir.size(), dir) == 0) return true;
  return false;
}

}  // namespace

MountedTree::MountedTree(std::string prefix, std::shared_ptr<const FileTree> tree) : prefix_(std::move(prefix)) {
  while (prefix_.size() > 1 && prefix_.back() == '/') prefix_.pop_back();
  std::unique_lock lock(g_lock);
  g_mounts.push_back({prefix_, std::move(tree)});
  g_count.store(g_mounts.size());
}

MountedTree::~MountedTree() {
  std::unique_lock lock(g_lock);
  auto it = std::find_if(g_mounts.rbegin(), g_mounts.rend(), [&](const Mount& m) { return m.prefix == prefix_; });
  if (it != g_mounts.rend()) g_mounts.erase(std::next(it).base());
  g_count.store(g_mounts.size());
}

std::optional<MountedPath> find_mount(std::string_view path) {
  if (g_count.load() == 0 || path.empty() || path[0] != '/') return std::nullopt;
  std::shared_lock lock(g_lock);
  for (auto it = g_mounts.rbegin(); it != g_mounts.rend(); ++it) {
    const std::string& p = it->prefix;
    if (path.size() < p.size() || path.compare(0, p.size(), p) != 0) continue;
    if (path.size() == p.size()) return MountedPath{it->tree, ""};
    if (path[p.size()] == '/') {
      std::string rel(path.substr(p.size() + 1));
      while (!rel.empty() && rel.back() == '/') rel.pop_back();
      return MountedPath{it->tree, rel};
    }
  }
  return std::nullopt;
}

PathKind path_kind(const std::string& path) {
  if (auto m = find_mount(path)) return m->tree->kind(m->rel);
  if (above_mount(path)) return PathKind::Directory;
  std::error_code ec;
  fs::file_status st = fs::status(path.empty() ? "." : path, ec);
  if (ec) return PathKind::Missing;
  if (fs::is_directory(st)) return PathKind::Directory;
  if (fs::is_regular_file(st)) return PathKind::File;
  return fs::exists(st) ? PathKind::Other : PathKind::Missing;
}

std::vector<std::string> directory_entries(const std::string& dir) {
  std::vector<std::string> names;
  if (auto m = find_mount(dir)) {
    names = m->tree->list(m->rel);
  } else {
    std::error_code ec;
    for (fs::directory_iterator it(dir.empty() ? "." : dir, ec), end; !ec && it != end; it.increment(ec))
      names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace atmos
