#include "auth/aws_files.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "auth/files.hpp"
#include "aws/timestamp.hpp"
#include "core/file.hpp"
#include "core/log.hpp"

namespace atmos::auth {
namespace {

constexpr std::chrono::seconds kLockTimeout{10};

// One `[name]` section with the comment lines just above it and its `key = value` lines in order.
struct IniSection {
  std::vector<std::string> comments;
  std::string name;
  std::vector<std::pair<std::string, std::string>> entries;
};

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<IniSection> parse_ini(const std::string& text) {
  std::vector<IniSection> sections;
  std::vector<std::string> pending;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string line = trim(std::string_view(text).substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    pos = nl == std::string::npos ? text.size() + 1 : nl + 1;
    if (line.empty()) continue;
    if (line[0] == ';' || line[0] == '#') {
      pending.push_back(line);
    } else if (line[0] == '[' && line.back() == ']') {
      sections.push_back(IniSection{std::move(pending), trim(std::string_view(line).substr(1, line.size() - 2)), {}});
      pending.clear();
    } else if (auto eq = line.find('='); eq != std::string::npos && !sections.empty()) {
      sections.back().entries.emplace_back(trim(std::string_view(line).substr(0, eq)), trim(std::string_view(line).substr(eq + 1)));
    }
  }
  return sections;
}

std::string render_ini(const std::vector<IniSection>& sections) {
  std::string out;
  for (const auto& s : sections) {
    if (!out.empty()) out += '\n';
    for (const auto& c : s.comments) out += c + '\n';
    out += '[' + s.name + "]\n";
    std::size_t width = 0;
    for (const auto& [k, v] : s.entries) width = std::max(width, k.size());
    for (const auto& [k, v] : s.entries) out += k + std::string(width - k.size(), ' ') + " = " + v + '\n';
  }
  return out;
}

std::string config_section_name(const std::string& profile) { return profile == "default" ? "default" : "profile " + profile; }

void replace_section(std::vector<IniSection>& sections, IniSection section) {
  auto it = std::find_if(sections.begin(), sections.end(), [&](const IniSection& s) { return s.name == section.name; });
  if (it != sections.end()) {
    *it = std::move(section);
  } else {
    sections.push_back(std::move(section));
  }
}

// Rewrites one file under its lock; an empty result deletes the file.
template <class Edit>
bool edit_file(const std::string& path, Edit edit) {
  FileLock lock(path, kLockTimeout);
  std::string text = read_file_if_exists(path).value_or("");
  std::vector<IniSection> sections = parse_ini(text);
  bool changed = edit(sections);
  if (!changed) return false;
  if (sections.empty()) {
    ::unlink(path.c_str());
    lock.remove_lock_file();
  } else {
    std::string rendered = render_ini(sections);
    write_private_file(path, rendered);
    wipe(rendered);
  }
  wipe(text);
  return true;
}

std::string comment_value(const std::vector<std::string>& comments, const std::string& name) {
  std::string prefix = "; atmos: " + name + "=";
  for (const auto& c : comments)
    if (c.rfind(prefix, 0) == 0) return c.substr(prefix.size());
  return "";
}

}  // namespace

void AwsFiles::write(const std::string& profile, const aws::Credentials& credentials, const std::string& region,
                     const std::string& fingerprint) const {
  log::debug("Writing credentials to file profile={} access_key_prefix={} expiration={}", profile,
             credentials.access_key_id.substr(0, 4) + "...",
             credentials.expiration ? aws::format_iso8601(*credentials.expiration) : "none");
  IniSection creds{{}, profile, {}};
  if (credentials.expiration) creds.comments.push_back("; atmos: expiration=" + aws::format_iso8601(*credentials.expiration));
  if (!fingerprint.empty()) creds.comments.push_back("; atmos: fingerprint=" + fingerprint);
  creds.entries.emplace_back("aws_access_key_id", credentials.access_key_id);
  creds.entries.emplace_back("aws_secret_access_key", credentials.secret_access_key.reveal());
  if (!credentials.session_token.empty()) creds.entries.emplace_back("aws_session_token", credentials.session_token.reveal());
  edit_file(paths_.credentials, [&](std::vector<IniSection>& sections) {
    replace_section(sections, std::move(creds));
    return true;
  });
  IniSection config{{}, config_section_name(profile), {{"region", region.empty() ? "us-east-1" : region}}};
  edit_file(paths_.config, [&](std::vector<IniSection>& sections) {
    replace_section(sections, std::move(config));
    return true;
  });
  log::debug("Set AWS auth context profile={} credentials={} config={} region={}", profile, paths_.credentials,
             paths_.config, region.empty() ? "us-east-1" : region);
}

std::optional<StoredCredentials> AwsFiles::read(const std::string& profile) const {
  std::optional<std::string> text = read_file_if_exists(paths_.credentials);
  if (!text) return std::nullopt;
  std::vector<IniSection> sections = parse_ini(*text);
  wipe(*text);
  for (auto& s : sections) {
    if (s.name != profile) continue;
    StoredCredentials out;
    for (auto& [k, v] : s.entries) {
      if (k == "aws_access_key_id") out.credentials.access_key_id = v;
      if (k == "aws_secret_access_key") out.credentials.secret_access_key = Secret(std::move(v));
      if (k == "aws_session_token") out.credentials.session_token = Secret(std::move(v));
    }
    std::string expiration = comment_value(s.comments, "expiration");
    if (!expiration.empty()) {
      out.credentials.expiration = aws::parse_iso8601(expiration);
      // An unreadable expiration counts as expired.
      if (!out.credentials.expiration) out.credentials.expiration = aws::TimePoint{};
    }
    out.fingerprint = comment_value(s.comments, "fingerprint");
    if (out.credentials.access_key_id.empty() || out.credentials.secret_access_key.empty()) return std::nullopt;
    return out;
  }
  return std::nullopt;
}

bool AwsFiles::remove(const std::string& profile) const {
  auto drop = [](const std::string& name) {
    return [name](std::vector<IniSection>& sections) {
      auto before = sections.size();
      sections.erase(std::remove_if(sections.begin(), sections.end(), [&](const IniSection& s) { return s.name == name; }),
                     sections.end());
      return sections.size() != before;
    };
  };
  bool removed = false;
  if (read_file_if_exists(paths_.credentials)) removed |= edit_file(paths_.credentials, drop(profile));
  if (read_file_if_exists(paths_.config)) removed |= edit_file(paths_.config, drop(config_section_name(profile)));
  return removed;
}

}  // namespace atmos::auth
