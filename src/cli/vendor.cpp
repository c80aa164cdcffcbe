// `atmos vendor pull [-c COMPONENT] [--tags a,b] [--dry-run]` (docs/vendoring.md): copies components from local
// paths, git repositories and http(s) archives into the repository, as upstream's internal/exec/vendor_*.go does
// from vendor.yaml (AtmosVendorConfig) or a component's component.yaml (ComponentVendorConfig). Each target is
// replaced atomically: the new tree is assembled next to it and swapped in with rename(2), so a failed pull
// leaves the previous files untouched.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "aws/curl_transport.hpp"
#include "cli/args.hpp"
#include "cli/context.hpp"
#include "cli/vendor_libs.hpp"
#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/file.hpp"
#include "core/glob.hpp"
#include "core/log.hpp"
#include "core/yaml_load.hpp"
#include "template/functions.hpp"
#include "template/template.hpp"

namespace atmos::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxImportDepth = 10;
constexpr int kMaxRedirects = 10;

struct Mixin {
  std::string uri, version, filename;
};

struct Source {
  std::string component, uri, version, origin;
  std::vector<std::string> targets;  // absolute after resolution
  std::vector<std::string> included, excluded, tags;
  std::vector<Mixin> mixins;
  std::string base_dir;  // relative sources and targets are resolved against it
  bool keep_component_yaml = false;
};

std::vector<std::string> strings_of(const Value& v, const std::string& what, const std::string& origin) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (!v.is_list()) throw Error(ErrorKind::Config, "invalid vendor config " + origin).explain("`" + what + "` must be a list of strings");
  for (const auto& item : v.as_list()) {
    if (item.is_map() || item.is_list() || item.is_null())
      throw Error(ErrorKind::Config, "invalid vendor config " + origin).explain("`" + what + "` must be a list of strings");
    out.push_back(item.is_string() ? item.as_string() : tmpl::to_text(item));
  }
  return out;
}

std::string text_of(const Value& v) { return v.is_null() ? "" : v.is_string() ? v.as_string() : tmpl::to_text(v); }

void check_keys(const Value& m, std::initializer_list<const char*> allowed, const std::string& what, const std::string& origin) {
  for (const auto& [k, v] : m.as_map())
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; }))
      throw Error(ErrorKind::Config, "invalid vendor config " + origin).explain(what + " setting `" + k + "` is not supported");
}

// vendor.yaml (and the files it imports), in order.
void load_vendor_file(const fs::path& file, int depth, std::vector<Source>& out, std::set<std::string>& seen) {
  std::string origin = file.string();
  if (depth > kMaxImportDepth)
    throw Error(ErrorKind::Config, "invalid vendor config " + origin).explain("imports are nested more than " + std::to_string(kMaxImportDepth) + " levels deep");
  if (!seen.insert(fs::weakly_canonical(file).string()).second) return;
  Value doc = load_yaml_file(origin);
  if (!doc.is_map()) throw Error(ErrorKind::Config, "invalid vendor config " + origin).explain("the file must be a map with `spec`");
  if (Value kind = doc.get("kind"); !kind.is_null() && text_of(kind) != "AtmosVendorConfig")
    throw Error(ErrorKind::Config, "invalid vendor config " + origin).explain("`kind` must be AtmosVendorConfig, not " + text_of(kind));
  Value spec = doc.get("spec");
  if (!spec.is_map()) throw Error(ErrorKind::Config, "invalid vendor config " + origin).explain("`spec` must be a map");
  check_keys(spec, {"imports", "sources"}, "spec", origin);
  fs::path dir = file.parent_path();
  for (const auto& imp : strings_of(spec.get("imports"), "spec.imports", origin)) {
    fs::path p = fs::path(imp).is_absolute() ? fs::path(imp) : dir / imp;
    std::vector<std::string> files = has_glob_meta(p.string()) ? glob(p.string()) : std::vector<std::string>{p.string()};
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      if (!fs::is_regular_file(f)) throw Error(ErrorKind::Config, "invalid vendor config " + origin).explain("imported file '" + f + "' does not exist");
      load_vendor_file(f, depth + 1, out, seen);
    }
  }
  Value sources = spec.get("sources");
  if (!sources.is_null() && !sources.is_list()) throw Error(ErrorKind::Config, "invalid vendor config " + origin).explain("`spec.sources` must be a list");
  for (const auto& s : sources.is_list() ? sources.as_list() : List{}) {
    if (!s.is_map()) throw Error(ErrorKind::Config, "invalid vendor config " + origin).explain("each source must be a map");
    check_keys(s, {"component", "source", "version", "targets", "included_paths", "excluded_paths", "tags"}, "source", origin);
    Source src;
    src.origin = origin;
    src.base_dir = dir.string();
    src.component = text_of(s.get("component"));
    src.uri = text_of(s.get("source"));
    src.version = text_of(s.get("version"));
    src.targets = strings_of(s.get("targets"), "targets", origin);
    src.included = strings_of(s.get("included_paths"), "included_paths", origin);
    src.excluded = strings_of(s.get("excluded_paths"), "excluded_paths", origin);
    src.tags = strings_of(s.get("tags"), "tags", origin);
    if (src.uri.empty())
      throw Error(ErrorKind::Config, "invalid vendor config " + origin).explain("source of component '" + src.component + "' has no `source`");
    if (src.targets.empty())
      throw Error(ErrorKind::Config, "invalid vendor config " + origin).explain("source '" + src.uri + "' has no `targets`");
    out.push_back(std::move(src));
  }
}

// components/terraform/<component>/component.yaml.
Source load_component_file(const fs::path& file, const std::string& component) {
  std::string origin = file.string();
  Value doc = load_yaml_file(origin);
  Value spec = doc.get("spec");
  if (!spec.is_map()) throw Error(ErrorKind::Config, "invalid component vendoring config " + origin).explain("`spec` must be a map");
  if (Value kind = doc.get("kind"); !kind.is_null() && text_of(kind) != "ComponentVendorConfig")
    throw Error(ErrorKind::Config, "invalid component vendoring config " + origin).explain("`kind` must be ComponentVendorConfig, not " + text_of(kind));
  check_keys(spec, {"source", "mixins"}, "spec", origin);
  Value s = spec.get("source");
  if (!s.is_map()) throw Error(ErrorKind::Config, "invalid component vendoring config " + origin).explain("`spec.source` must be a map");
  check_keys(s, {"type", "uri", "version", "included_paths", "excluded_paths"}, "source", origin);
  Source src;
  src.origin = origin;
  src.component = component;
  src.base_dir = file.parent_path().string();
  src.uri = text_of(s.get("uri"));
  src.version = text_of(s.get("version"));
  src.included = strings_of(s.get("included_paths"), "included_paths", origin);
  src.excluded = strings_of(s.get("excluded_paths"), "excluded_paths", origin);
  src.targets = {file.parent_path().string()};
  src.keep_component_yaml = true;
  if (src.uri.empty()) throw Error(ErrorKind::Config, "invalid component vendoring config " + origin).explain("`spec.source.uri` is empty");
  Value mixins = spec.get("mixins");
  if (!mixins.is_null() && !mixins.is_list()) throw Error(ErrorKind::Config, "invalid component vendoring config " + origin).explain("`spec.mixins` must be a list");
  for (const auto& m : mixins.is_list() ? mixins.as_list() : List{}) {
    if (!m.is_map()) throw Error(ErrorKind::Config, "invalid component vendoring config " + origin).explain("each mixin must be a map");
    check_keys(m, {"uri", "version", "filename"}, "mixin", origin);
    Mixin x{text_of(m.get("uri")), text_of(m.get("version")), text_of(m.get("filename"))};
    if (x.uri.empty() || x.filename.empty() || !fs::path(x.filename).has_filename() || x.filename.find('/') != std::string::npos)
      throw Error(ErrorKind::Config, "invalid component vendoring config " + origin).explain("a mixin needs a `uri` and a plain `filename`");
    src.mixins.push_back(std::move(x));
  }
  return src;
}

std::string render(const std::string& text, const Source& s, const std::string& version, const std::string& what) {
  if (text.find("{{") == std::string::npos) return text;
  ProcessEnvironment env;
  tmpl::FuncTable funcs = tmpl::atmos_functions(env, true, true);
  try {
    return tmpl::render(what, text, Value::map({{"Version", Value(version)}, {"Component", Value(s.component)}}), {}, &funcs);
  } catch (const tmpl::TemplateError& e) {
    throw Error(ErrorKind::Config, "invalid vendor config " + s.origin).explain(what + ": " + e.what());
  }
}

// A source address split as go-getter reads it: `git::` forcing, `//subdir`, `?ref=`.
struct Address {
  std::string kind;  // git, http, local
  std::string url;   // without the subdir and the ref
  std::string subdir, ref;
};

Address parse_address(std::string uri, const std::string& base_dir) {
  Address a;
  bool forced_git = false;
  if (uri.rfind("git::", 0) == 0) forced_git = true, uri = uri.substr(5);
  if (uri.rfind("github.com/", 0) == 0) forced_git = true, uri = "https://" + uri;
  std::string query;
  if (auto q = uri.find('?'); q != std::string::npos) query = uri.substr(q + 1), uri = uri.substr(0, q);
  std::string rest;
  for (std::size_t pos = 0; pos < query.size();) {
    std::size_t amp = query.find('&', pos);
    std::string kv = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    pos = amp == std::string::npos ? query.size() : amp + 1;
    if (kv.rfind("ref=", 0) == 0) a.ref = kv.substr(4);
    else if (kv.rfind("depth=", 0) == 0) continue;  // a shallow-clone hint; a full clone gives the same files
    else rest += (rest.empty() ? "" : "&") + kv;
  }
  std::size_t scheme = uri.find("://");
  std::size_t from = scheme == std::string::npos ? 0 : scheme + 3;
  if (auto sub = uri.find("//", from); sub != std::string::npos) a.subdir = uri.substr(sub + 2), uri = uri.substr(0, sub);
  bool http = uri.rfind("http://", 0) == 0 || uri.rfind("https://", 0) == 0;
  if (forced_git || (http && uri.size() > 4 && uri.compare(uri.size() - 4, 4, ".git") == 0)) {
    a.kind = "git";
  } else if (http) {
    a.kind = "http";
  } else {
    a.kind = "local";
  }
  if (uri.rfind("file://", 0) == 0) uri = uri.substr(7);
  else if (a.kind != "http" && uri.find("://") == std::string::npos && !fs::path(uri).is_absolute()) uri = (fs::path(base_dir) / uri).lexically_normal().string();
  if (a.kind == "local" && fs::is_directory(fs::path(uri) / ".git") && !a.ref.empty()) a.kind = "git";
  if (a.kind == "local" && !a.ref.empty())
    throw Error(ErrorKind::Config, "source '" + uri + "' has a ref but is not a git repository");
  if (a.kind != "http" && !rest.empty())
    throw Error(ErrorKind::Config, "source '" + uri + "': query parameters '" + rest + "' are not supported");
  a.url = http && !rest.empty() ? uri + "?" + rest : uri;
  if (!a.subdir.empty() && !fs::path(a.subdir).lexically_normal().empty()) {
    fs::path sd = fs::path(a.subdir).lexically_normal();
    for (const auto& part : sd)
      if (part == "..") throw Error(ErrorKind::Config, "source '" + uri + "': subdirectory '" + a.subdir + "' leaves the source");
  }
  return a;
}

bool is_archive_name(const std::string& path) {
  for (const char* ext : {".tar.gz", ".tgz", ".zip", ".tar", ".tar.bz2", ".tbz2", ".tar.xz", ".txz"}) {
    std::string e(ext);
    if (path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0) return true;
  }
  return false;
}

std::string download(const std::string& url) {
  ProcessEnvironment env;
  aws::CurlTransport transport(env);
  std::string current = url;
  for (int hop = 0; hop <= kMaxRedirects; ++hop) {
    aws::HttpRequest req;
    req.method = "GET";
    req.url = current;
    aws::HttpResponse resp;
    try {
      resp = transport.send(req, {std::chrono::milliseconds(10'000), std::chrono::milliseconds(300'000)});
    } catch (const aws::TransportError& e) {
      throw Error(ErrorKind::Io, "failed to download '" + url + "'").explain(e.what());
    }
    if (resp.status >= 300 && resp.status < 400) {
      std::string location;
      for (const auto& [k, v] : resp.headers)
        if (k.size() == 8 && std::equal(k.begin(), k.end(), "location", [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; }))
          location = v;
      if (location.empty()) break;
      if (location.find("://") == std::string::npos) {
        std::size_t host_end = current.find('/', current.find("://") + 3);
        location = current.substr(0, host_end) + (location.front() == '/' ? "" : "/") + location;
      }
      current = location;
      continue;
    }
    if (resp.status != 200)
      throw Error(ErrorKind::Io, "failed to download '" + url + "'").explain("the server answered HTTP " + std::to_string(resp.status));
    return std::move(resp.body);
  }
  throw Error(ErrorKind::Io, "failed to download '" + url + "'").explain("too many redirects");
}

// A scratch directory removed when it goes out of scope.
struct Scratch {
  fs::path path;
  explicit Scratch(const fs::path& parent, const std::string& prefix) {
    std::string tmpl = (parent / (prefix + "XXXXXX")).string();
    if (!::mkdtemp(tmpl.data())) throw Error(ErrorKind::Io, "cannot create a temporary directory in '" + parent.string() + "'");
    path = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
};

// Fetches the address into `dir` and returns the directory (or single file) the source denotes.
fs::path fetch(const Address& a, const fs::path& dir, const std::string& single_name) {
  fs::path root = dir / "src";
  if (a.kind == "git") {
    vendor_libs::git_clone_ref(a.url, a.ref, root.string());
  } else if (a.kind == "http") {
    std::string body = download(a.url);
    std::string path = a.url.substr(0, a.url.find('?'));
    if (is_archive_name(path)) {
      fs::create_directories(root);
      vendor_libs::extract_archive(body, root.string(), a.url);
    } else {
      fs::create_directories(root);
      std::string name = single_name.empty() ? fs::path(path).filename().string() : single_name;
      if (name.empty()) throw Error(ErrorKind::Config, "source '" + a.url + "' names no file");
      std::ofstream(root / name, std::ios::binary) << body;
      return root / name;
    }
  } else {
    if (!fs::exists(a.url)) throw Error(ErrorKind::Io, "source '" + a.url + "' does not exist");
    if (!fs::is_directory(a.url)) {
      if (!a.subdir.empty()) throw Error(ErrorKind::Config, "source '" + a.url + "' is a file and has no subdirectory '" + a.subdir + "'");
      return a.url;
    }
    root = a.url;
  }
  if (a.subdir.empty()) return root;
  fs::path sub = root / fs::path(a.subdir).lexically_normal();
  if (!fs::is_directory(sub)) throw Error(ErrorKind::Io, "subdirectory '" + a.subdir + "' does not exist in '" + a.url + "'");
  return sub;
}

bool selected(const std::string& rel, const Source& s) {
  auto matches = [&](const std::string& pattern) {
    std::string p = pattern;
    while (p.rfind("./", 0) == 0) p = p.substr(2);
    return glob_match(p, rel);
  };
  if (!s.included.empty() && std::none_of(s.included.begin(), s.included.end(), matches)) return false;
  return std::none_of(s.excluded.begin(), s.excluded.end(), matches);
}

// Copies the selected files of `from` into `to` (`.git` never); returns how many.
std::size_t copy_tree(const fs::path& from, const fs::path& to, const Source& s) {
  std::size_t n = 0;
  if (!fs::is_directory(from)) {
    fs::create_directories(to);
    fs::copy_file(from, to / from.filename(), fs::copy_options::overwrite_existing);
    return 1;
  }
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(from, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    fs::path rel = fs::relative(it->path(), from);
    if (it->is_directory() && rel.filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory(ec) && !it->is_symlink(ec)) continue;
    if (!selected(rel.generic_string(), s)) continue;
    fs::path out = to / rel;
    fs::create_directories(out.parent_path());
    if (it->is_symlink(ec)) fs::copy_symlink(it->path(), out);
    else fs::copy_file(it->path(), out, fs::copy_options::overwrite_existing);
    ++n;
  }
  if (ec) throw Error(ErrorKind::Io, "cannot read '" + from.string() + "': " + ec.message());
  return n;
}

// Swaps `staging` in for `target`: the old tree moves aside, the new one takes its name, the old one is removed.
void replace_atomically(const fs::path& staging, const fs::path& target) {
  std::error_code ec;
  fs::path old;
  if (fs::exists(target)) {
    old = target.parent_path() / ("." + target.filename().string() + ".vendor-old-" + std::to_string(::getpid()));
    fs::rename(target, old, ec);
    if (ec) throw Error(ErrorKind::Io, "cannot replace '" + target.string() + "': " + ec.message());
  }
  fs::rename(staging, target, ec);
  if (ec) {
    std::error_code back;
    if (!old.empty()) fs::rename(old, target, back);
    throw Error(ErrorKind::Io, "cannot replace '" + target.string() + "': " + ec.message());
  }
  if (!old.empty()) fs::remove_all(old, ec);
}

void pull(const Source& s, const std::string& base_path, bool dry_run) {
  std::string uri = render(s.uri, s, s.version, "source");
  Address a = parse_address(uri, s.base_dir);
  for (const auto& raw_target : s.targets) {
    fs::path target = fs::path(render(raw_target, s, s.version, "target"));
    if (!target.is_absolute()) target = fs::path(s.base_dir) / target;
    target = target.lexically_normal();
    if (target.filename().empty()) target = target.parent_path();
    fs::path base = fs::path(base_path).lexically_normal();
    if (target == base || fs::relative(base, target).string().find("..") != 0 || target == target.root_path())
      throw Error(ErrorKind::Config, "invalid vendor config " + s.origin)
          .explain("target '" + target.string() + "' of '" + s.component + "' would replace the repository itself");
    std::string label = (s.component.empty() ? uri : s.component) + (s.version.empty() ? "" : " (" + s.version + ")");
    if (dry_run) {
      std::printf("Would pull %s from %s into %s\n", label.c_str(), uri.c_str(), target.string().c_str());
      for (const auto& m : s.mixins)
        std::printf("Would pull mixin %s from %s\n", m.filename.c_str(), render(m.uri, s, m.version, "mixin uri").c_str());
      continue;
    }
    fs::create_directories(target.parent_path());
    Scratch work(target.parent_path(), "." + target.filename().string() + ".vendor-");
    fs::path staging = work.path / "new";
    Scratch download_dir(fs::temp_directory_path(), "atmos-vendor-");
    copy_tree(fetch(a, download_dir.path, ""), staging, s);
    for (const auto& m : s.mixins) {
      Scratch mixin_dir(fs::temp_directory_path(), "atmos-vendor-mixin-");
      Address ma = parse_address(render(m.uri, s, m.version, "mixin uri"), s.base_dir);
      fs::path file = fetch(ma, mixin_dir.path, m.filename);
      if (fs::is_directory(file)) throw Error(ErrorKind::Config, "mixin '" + m.uri + "' is a directory, not a file");
      fs::create_directories(staging);
      fs::copy_file(file, staging / m.filename, fs::copy_options::overwrite_existing);
    }
    fs::create_directories(staging);
    if (s.keep_component_yaml) fs::copy_file(s.origin, staging / "component.yaml", fs::copy_options::overwrite_existing);
    replace_atomically(staging, target);
    std::fprintf(stderr, "✓ %s → %s\n", label.c_str(), target.string().c_str());
  }
}

int vendor_pull(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_args(argv, {{"component", 'c', false}, {"tags", 0, false}, {"dry-run", 0, true}, {"type", 't', false}});
  if (!args.positionals.empty()) throw Error(ErrorKind::Usage, "unknown command \"" + args.positionals.front() + "\" for \"atmos vendor pull\"");
  std::string type = args.get("type", "terraform");
  if (type != "terraform")
    throw Error(ErrorKind::Usage, "component type '" + type + "' is not supported").hint("Only terraform components are vendored by this atmos");
  config::CliConfig cfg = load_config(args);
  std::string component = args.get("component");
  std::vector<std::string> tags = args.list("tags");
  if (!component.empty() && !tags.empty()) throw Error(ErrorKind::Usage, "only one of '--component' or '--tags' can be specified");

  std::string vendor_path = cfg.get_string({"vendor", "base_path"}, "vendor.yaml");
  fs::path vendor_file = fs::path(vendor_path).is_absolute() ? fs::path(vendor_path) : fs::path(cfg.base_path_abs) / vendor_path;
  std::vector<Source> sources;
  if (fs::exists(vendor_file)) {
    std::set<std::string> seen;
    std::vector<fs::path> files;
    if (fs::is_directory(vendor_file)) {
      for (const auto& e : fs::directory_iterator(vendor_file))
        if (e.path().extension() == ".yaml" || e.path().extension() == ".yml") files.push_back(e.path());
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(vendor_file);
    }
    for (const auto& f : files) load_vendor_file(f, 0, sources, seen);
    std::map<std::string, std::string> names;
    for (const auto& s : sources)
      if (!s.component.empty() && !names.emplace(s.component, s.origin).second)
        throw Error(ErrorKind::Config, "duplicate component '" + s.component + "' in the vendor config").explain("Defined in " + names[s.component] + " and " + s.origin + ".");
    if (!component.empty()) {
      std::erase_if(sources, [&](const Source& s) { return s.component != component; });
      if (sources.empty())
        throw Error(ErrorKind::Config, "component '" + component + "' is not defined in the vendor config file '" + vendor_file.string() + "'");
    }
    if (!tags.empty()) {
      std::erase_if(sources, [&](const Source& s) {
        return std::none_of(s.tags.begin(), s.tags.end(), [&](const std::string& t) { return std::find(tags.begin(), tags.end(), t) != tags.end(); });
      });
      if (sources.empty()) throw Error(ErrorKind::Config, "no sources in the vendor config file '" + vendor_file.string() + "' carry the tags given with --tags");
    }
  } else if (!component.empty()) {
    fs::path file = fs::path(cfg.terraform_dir_abs) / component / "component.yaml";
    if (!fs::is_regular_file(file))
      throw Error(ErrorKind::Config, "component vendoring config file does not exist in the '" + (fs::path(cfg.terraform_dir_abs) / component).string() + "' folder")
          .hint("Write component.yaml there, or list the component in " + vendor_file.string());
    sources.push_back(load_component_file(file, component));
  } else {
    throw Error(ErrorKind::Config, "vendor config file '" + vendor_file.string() + "' does not exist")
        .hint("Write vendor.yaml (or set vendor.base_path in atmos.yaml), or pull one component with -c COMPONENT and its component.yaml");
  }
  for (const auto& s : sources) {
    try {
      pull(s, cfg.base_path_abs, args.flag("dry-run"));
    } catch (Error& e) {
      throw Error(e.kind(), "failed to vendor " + (s.component.empty() ? s.uri : s.component) + ": " + e.message())
          .explain(e.explanation().empty() ? "Defined in " + s.origin + "." : e.explanation() + "\n\nDefined in " + s.origin + ".")
          .hint("The previous files of the target were left as they were");
    } catch (const fs::filesystem_error& e) {
      throw Error(ErrorKind::Io, "failed to vendor " + (s.component.empty() ? s.uri : s.component) + ": " + e.what())
          .hint("The previous files of the target were left as they were");
    }
  }
  return 0;
}

}  // namespace

int cmd_vendor(const std::vector<std::string>& args) {
  if (args.empty()) throw Error(ErrorKind::Usage, "missing subcommand for \"atmos vendor\": pull");
  if (args[0] == "pull") return vendor_pull(std::vector<std::string>(args.begin() + 1, args.end()));
  throw Error(ErrorKind::Usage, "unknown command \"" + args[0] + "\" for \"atmos vendor\"");
}

}  // namespace atmos::cli
