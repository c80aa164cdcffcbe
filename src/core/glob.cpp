#include "core/glob.hpp"

#include <algorithm>

#include "core/mount.hpp"

namespace atmos {
namespace {

std::vector<std::string> split_segments(std::string_view p) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= p.size(); ++i) {
    if (i == p.size() || p[i] == '/') {
      out.emplace_back(p.substr(start, i - start));
      start = i + 1;
    } else if (p[i] == '\\' && i + 1 < p.size()) {
      ++i;
    }
  }
  return out;
}

// Expands `{a,b}` alternatives (outermost first) into plain patterns.
std::vector<std::string> expand_alts(const std::string& p) {
  int depth = 0;
  std::size_t open = std::string::npos;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      ++i;
      continue;
    }
    if (p[i] == '{') {
      if (depth++ == 0) open = i;
    } else if (p[i] == '}' && depth > 0) {
      if (--depth == 0) {
        std::vector<std::string> alts;
        std::size_t start = open + 1;
        int d = 0;
        for (std::size_t j = open + 1; j <= i; ++j) {
          if (p[j] == '\\') {
            ++j;
            continue;
          }
          if (p[j] == '{') ++d;
          else if (p[j] == '}' && d > 0) --d;
          else if ((p[j] == ',' && d == 0) || j == i) {
            alts.push_back(p.substr(start, j - start));
            start = j + 1;
          }
        }
        std::vector<std::string> out;
        std::string prefix = p.substr(0, open), rest = p.substr(i + 1);
        for (const auto& a : alts)
          for (auto& e : expand_alts(prefix + a + rest)) out.push_back(std::move(e));
        return out;
      }
    }
  }
  return {p};
}

// Matches one segment (no `/`, no alternatives) like path.Match.
bool match_segment(std::string_view pat, std::string_view name) {
  std::size_t p = 0, n = 0, star_p = std::string_view::npos, star_n = 0;
  while (n < name.size()) {
    if (p < pat.size()) {
      char c = pat[p];
      if (c == '*') {
        star_p = p++;
        star_n = n;
        continue;
      }
      if (c == '?') {
        ++p;
        ++n;
        continue;
      }
      if (c == '[') {
        std::size_t q = p + 1;
        bool negate = false;
        if (q < pat.size() && (pat[q] == '!' || pat[q] == '^')) {
          negate = true;
          ++q;
        }
        bool matched = false;
        bool first = true;
        while (q < pat.size() && (pat[q] != ']' || first)) {
          first = false;
          char lo = pat[q];
          if (lo == '\\' && q + 1 < pat.size()) lo = pat[++q];
          char hi = lo;
          if (q + 2 < pat.size() && pat[q + 1] == '-' && pat[q + 2] != ']') {
            hi = pat[q + 2];
            if (hi == '\\' && q + 3 < pat.size()) hi = pat[++q + 2];
            q += 2;
          }
          if (name[n] >= lo && name[n] <= hi) matched = true;
          ++q;
        }
        if (q < pat.size() && matched != negate) {
          p = q + 1;
          ++n;
          continue;
        }
      } else {
        if (c == '\\' && p + 1 < pat.size()) c = pat[p + 1];
        if (c == name[n]) {
          p += (pat[p] == '\\' && p + 1 < pat.size()) ? 2 : 1;
          ++n;
          continue;
        }
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p + 1;
    n = ++star_n;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

bool match_segments(const std::vector<std::string>& pat, std::size_t pi, const std::vector<std::string>& path, std::size_t si) {
  while (pi < pat.size()) {
    if (pat[pi] == "**") {
      for (std::size_t k = si; k <= path.size(); ++k)
        if (match_segments(pat, pi + 1, path, k)) return true;
      return false;
    }
    if (si >= path.size() || !match_segment(pat[pi], path[si])) return false;
    ++pi;
    ++si;
  }
  return si == path.size();
}

std::string join(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

bool is_dir(const std::string& p) { return path_kind(p) == PathKind::Directory; }

void collect_dirs(const std::string& dir, std::vector<std::string>& out) {
  out.push_back(dir);
  for (const auto& name : directory_entries(dir)) {
    std::string p = join(dir, name);
    if (is_dir(p)) collect_dirs(p, out);
  }
}

void glob_from(const std::string& dir, const std::vector<std::string>& segs, std::size_t idx, std::vector<std::string>& out) {
  if (idx == segs.size()) {
    out.push_back(dir);
    return;
  }
  const std::string& seg = segs[idx];
  bool last = idx + 1 == segs.size();
  if (seg == "**") {
    std::vector<std::string> dirs;
    collect_dirs(dir, dirs);
    if (last) {
      // `**` at the end matches every file and directory below.
      for (const auto& d : dirs) {
        if (d != dir) out.push_back(d);
        for (const auto& name : directory_entries(d)) {
          std::string p = join(d, name);
          if (!is_dir(p)) out.push_back(p);
        }
      }
      return;
    }
    for (const auto& d : dirs) glob_from(d, segs, idx + 1, out);
    return;
  }
  if (seg.empty()) {  // trailing slash or `//`
    if (is_dir(dir)) glob_from(dir, segs, idx + 1, out);
    return;
  }
  if (!has_glob_meta(seg)) {
    std::string unescaped;
    for (std::size_t i = 0; i < seg.size(); ++i) {
      if (seg[i] == '\\' && i + 1 < seg.size()) ++i;
      unescaped.push_back(seg[i]);
    }
    std::string p = join(dir, unescaped);
    if (last ? path_kind(p) != PathKind::Missing : is_dir(p)) glob_from(p, segs, idx + 1, out);
    return;
  }
  for (const auto& name : directory_entries(dir)) {
    if (!match_segment(seg, name)) continue;
    std::string p = join(dir, name);
    if (!last && !is_dir(p)) continue;
    glob_from(p, segs, idx + 1, out);
  }
}

}  // namespace

bool has_glob_meta(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c == '*' || c == '?' || c == '[' || c == '{') return true;
  }
  return false;
}

std::vector<std::string> glob(const std::string& pattern) {
  std::vector<std::string> out;
  for (const auto& p : expand_alts(pattern)) {
    std::vector<std::string> segs = split_segments(p);
    std::string start;
    std::size_t idx = 0;
    if (!segs.empty() && segs[0].empty()) {  // absolute
      start = "/";
      idx = 1;
    }
    std::size_t before = out.size();
    glob_from(start, segs, idx, out);
    if (before != 0) {
      // Alternatives: keep the merged result sorted and unique, as doublestar does.
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
    }
  }
  return out;
}

bool glob_match(std::string_view pattern, std::string_view path) {
  std::vector<std::string> path_segs = split_segments(path);
  for (const auto& p : expand_alts(std::string(pattern))) {
    if (match_segments(split_segments(p), 0, path_segs, 0)) return true;
  }
  return false;
}

}  // namespace atmos
