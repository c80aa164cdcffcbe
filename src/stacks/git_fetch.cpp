#include "stacks/git_fetch.hpp"

#include <git2.h>
#include <libssh2.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "stacks/git_handles.hpp"

namespace atmos::stacks {
namespace fs = std::filesystem;

namespace {

// The URL as errors show it: the user name of an http(s) URL may be a token and a password may follow any user
// name, so they are left out.
std::string display_url(const std::string& url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  std::size_t at = url.find('@', scheme + 3);
  std::size_t slash = url.find('/', scheme + 3);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  std::string user = url.substr(scheme + 3, at - scheme - 3);
  if (url.compare(0, 4, "http") == 0) user = "***";
  else if (std::size_t colon = user.find(':'); colon != std::string::npos) user = user.substr(0, colon) + ":***";
  return url.substr(0, scheme + 3) + user + url.substr(at);
}

// The port of an ssh URL (ssh://[user@]host[:port]/path; the scp-like user@host:path uses 22).
int ssh_port(const std::string& url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return 22;
  std::string authority = url.substr(scheme + 3, url.find('/', scheme + 3) - scheme - 3);
  if (std::size_t at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  std::size_t bracket = authority.rfind(']');
  std::size_t colon = authority.rfind(':');
  if (colon == std::string::npos || (bracket != std::string::npos && colon < bracket)) return 22;
  int port = std::atoi(authority.c_str() + colon + 1);
  return port > 0 && port < 65536 ? port : 22;
}

bool is_ssh_url(const std::string& url) {
  if (url.rfind("ssh://", 0) == 0 || url.rfind("ssh+git://", 0) == 0 || url.rfind("git+ssh://", 0) == 0) return true;
  std::size_t colon = url.find(':');
  std::size_t slash = url.find('/');
  return url.find("://") == std::string::npos && colon != std::string::npos && colon > 1 &&
         (slash == std::string::npos || colon < slash);
}

struct KeyInfo {
  bool encrypted = false;
  bool rsa = false;
};

// What a private key file says about itself. PEM marks encryption in a header ("Proc-Type: 4,ENCRYPTED", "BEGIN
// ENCRYPTED PRIVATE KEY") and RSA in its label; the OpenSSH format names its cipher right after the
// "openssh-key-v1\0" magic, and its public key (never encrypted) starts with the key type.
KeyInfo inspect_key(const std::string& text) {
  KeyInfo info;
  info.encrypted = text.find("ENCRYPTED") != std::string::npos;
  info.rsa = text.find("BEGIN RSA PRIVATE KEY") != std::string::npos;
  static const std::string kOpenSsh = "-----BEGIN OPENSSH PRIVATE KEY-----";
  std::size_t begin = text.find(kOpenSsh);
  if (begin == std::string::npos) return info;
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  unsigned int acc = 0;
  int bits = 0;
  for (std::size_t i = begin + kOpenSsh.size(); i < text.size() && bytes.size() < 256; ++i) {
    if (text[i] == '-' || text[i] == '=') break;
    std::size_t v = kAlphabet.find(text[i]);
    if (v == std::string::npos) continue;
    acc = (acc << 6) | static_cast<unsigned int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  static const std::string kMagic("openssh-key-v1\0", 15);
  if (bytes.size() < kMagic.size() + 4 || bytes.compare(0, kMagic.size(), kMagic) != 0) return info;
  std::size_t len = 0;
  for (int i = 0; i < 4; ++i) len = (len << 8) | static_cast<unsigned char>(bytes[kMagic.size() + i]);
  info.encrypted = bytes.compare(kMagic.size() + 4, len, "none") != 0;
  info.rsa = bytes.find(std::string("\0\0\0\7ssh-rsa", 11)) != std::string::npos;
  return info;
}

// The known_hosts files host keys are checked against, as upstream's go-git does: the colon-separated list in
// SSH_KNOWN_HOSTS, else ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts.
std::vector<std::string> known_hosts_files() {
  std::vector<std::string> out;
  if (const char* list = std::getenv("SSH_KNOWN_HOSTS"); list && *list) {
    std::stringstream in(list);
    for (std::string f; std::getline(in, f, ':');)
      if (!f.empty()) out.push_back(f);
    return out;
  }
  if (const char* home = std::getenv("HOME"); home && *home) out.push_back(std::string(home) + "/.ssh/known_hosts");
  out.push_back("/etc/ssh/ssh_known_hosts");
  return out;
}

// Bounds the fetch in time (libgit2 1.5 has no network timeouts). Once the deadline has passed, the sockets opened
// since the fetch began are shut down (libssh2 retries interrupted polls, but a shut-down socket reads end-of-file)
// and the fetching thread gets SIGALRM from a handler installed without SA_RESTART, so a blocking connect() fails
// with EINTR.
class Watchdog {
 public:
  explicit Watchdog(int seconds) : deadline_(std::chrono::steady_clock::now() + std::chrono::seconds(seconds)) {
    struct sigaction sa {};
    sa.sa_handler = [](int) {};
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGALRM, &sa, &old_);
    std::set<int> before = sockets();
    pthread_t target = pthread_self();
    thread_ = std::thread([this, target, before] {
      std::unique_lock<std::mutex> lock(m_);
      if (cv_.wait_until(lock, deadline_, [this] { return done_; })) return;
      expired_ = true;
      while (!done_) {
        for (int fd : sockets())
          if (!before.count(fd)) ::shutdown(fd, SHUT_RDWR);
        pthread_kill(target, SIGALRM);
        cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return done_; });
      }
    });
  }
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(m_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
    ::sigaction(SIGALRM, &old_, nullptr);
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  bool expired() const { return expired_; }

 private:
  static std::set<int> sockets() {
    std::set<int> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc/self/fd", ec)) {
      int fd = std::atoi(e.path().filename().c_str());
      struct stat st {};
      if (::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) out.insert(fd);
    }
    return out;
  }

  std::chrono::steady_clock::time_point deadline_;
  struct sigaction old_ {};
  std::mutex m_;
  std::condition_variable cv_;
  bool done_ = false;
  std::atomic<bool> expired_{false};
  std::thread thread_;
};

// What the callbacks saw, to explain a failure better than libgit2's message does.
struct FetchState {
  const GitFetchRequest* req = nullptr;
  const Watchdog* watchdog = nullptr;
  std::string url;
  int ssh_attempts = 0;
  bool key_rejected = false;
  std::string host_problem;  // set when the SSH host key is unknown or changed
  std::string host_fix;
};

int credentials(git_credential** out, const char*, const char* user_from_url, unsigned int allowed, void* payload) {
  auto* st = static_cast<FetchState*>(payload);
  const char* user = user_from_url && *user_from_url ? user_from_url : "git";
  if (allowed & GIT_CREDENTIAL_USERNAME) return git_credential_username_new(out, user);
  if (!(allowed & GIT_CREDENTIAL_SSH_KEY)) return GIT_PASSTHROUGH;
  if (++st->ssh_attempts > 1) {  // libgit2 asks again when the server refused the key
    st->key_rejected = true;
    git_error_set_str(GIT_ERROR_SSH, "the SSH server refused the key");
    return GIT_EAUTH;
  }
  const std::string& key = st->req->ssh_key;
  if (key.empty()) return git_credential_ssh_key_from_agent(out, user);
  const std::string& password = st->req->ssh_key_password;
  return git_credential_ssh_key_new(out, user, nullptr, key.c_str(), password.empty() ? nullptr : password.c_str());
}

int known_host_type(git_cert_ssh_raw_type_t t) {
  switch (t) {
    case GIT_CERT_SSH_RAW_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case GIT_CERT_SSH_RAW_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case GIT_CERT_SSH_RAW_TYPE_KEY_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default: return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
  }
}

// SSH host keys must be listed in a known_hosts file (upstream's go-git default); TLS certificates keep libgit2's
// own verification.
int certificate_check(git_cert* cert, int, const char* host, void* payload) {
  auto* st = static_cast<FetchState*>(payload);
  if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) return GIT_PASSTHROUGH;
  const auto* key = reinterpret_cast<const git_cert_hostkey*>(cert);
  int port = ssh_port(st->url);
  std::string where = port == 22 ? std::string(host) : "[" + std::string(host) + "]:" + std::to_string(port);
  std::vector<std::string> files = known_hosts_files();
  std::string listed;
  for (const auto& f : files) listed += (listed.empty() ? "" : ", ") + f;
  if (!(key->type & GIT_CERT_SSH_RAW)) {
    st->host_problem = "libgit2 did not provide the host key of " + where;
    return GIT_ECERTIFICATE;
  }
  LIBSSH2_SESSION* session = libssh2_session_init();
  LIBSSH2_KNOWNHOSTS* hosts = session ? libssh2_knownhost_init(session) : nullptr;
  int result = LIBSSH2_KNOWNHOST_CHECK_NOTFOUND;
  for (const auto& f : files) {
    if (!hosts || libssh2_knownhost_readfile(hosts, f.c_str(), LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0) continue;
    struct libssh2_knownhost* found = nullptr;
    int r = libssh2_knownhost_checkp(hosts, host, port, key->hostkey, key->hostkey_len,
                                     LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | known_host_type(key->raw_type),
                                     &found);
    if (r == LIBSSH2_KNOWNHOST_CHECK_MATCH || r == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) result = r;
    if (r == LIBSSH2_KNOWNHOST_CHECK_MATCH) break;
  }
  if (hosts) libssh2_knownhost_free(hosts);
  if (session) libssh2_session_free(session);
  if (result == LIBSSH2_KNOWNHOST_CHECK_MATCH) return 0;
  std::string scan = "`ssh-keyscan" + (port == 22 ? std::string() : " -p " + std::to_string(port)) + " " + host + " >> ~/.ssh/known_hosts`";
  st->host_fix = result == LIBSSH2_KNOWNHOST_CHECK_MISMATCH
                     ? "If the server's key really changed, remove the old entry (`ssh-keygen -R '" + where +
                           "'`) and add the new one after verifying its fingerprint: " + scan
                     : "Verify the server's fingerprint, then add its key: " + scan + " (or list a file in SSH_KNOWN_HOSTS)";
  st->host_problem = result == LIBSSH2_KNOWNHOST_CHECK_MISMATCH
                         ? "the SSH host key of " + where + " does not match the one in the known_hosts files (" + listed +
                               "): the server changed its key, or someone is intercepting the connection"
                         : "the SSH host key of " + where + " is not in any known_hosts file (" + listed + ")";
  return GIT_ECERTIFICATE;
}

int transfer_progress(const git_indexer_progress*, void* payload) {
  return static_cast<FetchState*>(payload)->watchdog->expired() ? -1 : 0;
}

// Where a shallow repository's fetch lands: libgit2 1.5 does not speak the shallow protocol, so fetching into the
// shallow repository itself would announce its newest commits as complete history and receive nothing. A fresh
// bare repository inside the git directory fetches without announcing anything; its packs are then moved into the
// repository's own object database.
class PackStaging {
 public:
  PackStaging(git_repository* repo, const std::string& root) : objects_(fs::path(git_repository_commondir(repo)) / "objects") {
    std::string tmpl = (fs::path(git_repository_commondir(repo)) / "atmos-fetch-XXXXXX").string();
    if (!mkdtemp(tmpl.data()))
      throw Error(ErrorKind::Io, "failed to create a directory in the git directory of '" + root + "': " + std::strerror(errno));
    dir_ = tmpl;
    if (git_repository_init(&repo_, dir_.c_str(), 1) != 0)
      throw Error(ErrorKind::Io, "failed to prepare the fetch into '" + root + "': " + git::last_error());
  }
  ~PackStaging() {
    if (repo_) git_repository_free(repo_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  PackStaging(const PackStaging&) = delete;
  PackStaging& operator=(const PackStaging&) = delete;
  git_repository* repo() const { return repo_; }

  // Moves the fetched packs into the repository (each .idx after its .pack, as git does).
  void commit(git_repository* into) {
    std::error_code ec;
    std::vector<fs::path> packs;
    for (const auto& e : fs::directory_iterator(fs::path(dir_) / "objects" / "pack", ec))
      if (e.path().extension() == ".pack") packs.push_back(e.path());
    for (const auto& pack : packs)
      for (const char* ext : {".pack", ".idx"}) {
        fs::path from = fs::path(pack).replace_extension(ext);
        fs::rename(from, objects_ / "pack" / from.filename(), ec);
        if (ec) throw Error(ErrorKind::Io, "failed to move the fetched objects into '" + objects_.string() + "': " + ec.message());
      }
    git::Odb odb;
    if (git_repository_odb(&odb.p, into) == 0) git_odb_refresh(odb.p);
  }

 private:
  fs::path objects_;
  std::string dir_;
  git_repository* repo_ = nullptr;
};

using git::Remote;

bool is_hex(const std::string& s) {
  return s.size() >= 4 && s.size() <= GIT_OID_HEXSZ &&
         s.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
}

}  // namespace

std::string fetch_base(git_repository* repo, const std::string& root, const GitFetchRequest& req) {
  Remote origin;
  if (git_remote_lookup(&origin.p, repo, "origin") != 0 || !git_remote_url(origin.p))
    throw Error(ErrorKind::Config, "the repository at '" + root + "' has no `origin` remote to fetch the base from")
        .explain("--clone-target-ref fetches the base (--base, or the remote's default branch) from the `origin` remote.")
        .hint("Add the remote (`git remote add origin <url>`), or drop --clone-target-ref and fetch the base yourself");
  std::string url = git_remote_url(origin.p);
  // As upstream: with an SSH key, an https:// remote is reached over ssh:// instead.
  if (!req.ssh_key.empty() && url.rfind("https://", 0) == 0) url = "ssh://" + url.substr(8);
  std::string shown = display_url(url);
  std::string local_path = url.rfind("file://", 0) == 0 ? url.substr(7) : url.find("://") == std::string::npos && !is_ssh_url(url) ? url : "";
  if (!local_path.empty() && !fs::exists(fs::path(root) / local_path))
    throw Error(ErrorKind::Config, "the `origin` remote of '" + root + "' points at '" + local_path + "', which does not exist")
        .hint("Fix the remote's URL (`git remote set-url origin <url>`), or drop --clone-target-ref");

  bool rsa_key = false;
  if (!req.ssh_key.empty()) {
    std::ifstream in(req.ssh_key, std::ios::binary);
    if (!in.is_open())
      throw Error(ErrorKind::Config, "cannot read the SSH key '" + req.ssh_key + "': " + std::strerror(errno))
          .hint("Pass the path of a readable private key file with --ssh-key (or ATMOS_SSH_KEY)");
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bool pem = content.find("-----BEGIN ") != std::string::npos && content.find("PRIVATE KEY-----") != std::string::npos;
    KeyInfo info = inspect_key(content);
    bool encrypted = pem && info.encrypted;
    rsa_key = pem && info.rsa;
    std::fill(content.begin(), content.end(), '\0');
    if (!pem)
      throw Error(ErrorKind::Config, "the SSH key '" + req.ssh_key + "' is not a PEM-encoded private key")
          .hint("Pass a private key file (its first line reads -----BEGIN ... PRIVATE KEY-----), not the .pub file");
    if (encrypted && req.ssh_key_password.empty())
      throw Error(ErrorKind::Config, "the SSH key '" + req.ssh_key + "' is encrypted and no password was given")
          .hint("Pass its password with --ssh-key-password (or ATMOS_SSH_KEY_PASSWORD)");
    if (!is_ssh_url(url))
      throw Error(ErrorKind::Usage, "--ssh-key was given but the `origin` remote '" + shown + "' is not an SSH URL")
          .hint("Point origin at ssh://host/path or git@host:path, or drop --ssh-key");
  }

  std::optional<PackStaging> staging;
  if (git_repository_is_shallow(repo) == 1) staging.emplace(repo, root);
  Remote remote;
  if (git_remote_create_anonymous(&remote.p, staging ? staging->repo() : repo, url.c_str()) != 0)
    throw Error(ErrorKind::Config, "the `origin` remote's URL '" + shown + "' is not usable: " + git::last_error());

  Watchdog watchdog(req.timeout_seconds);
  FetchState st;
  st.req = &req;
  st.watchdog = &watchdog;
  st.url = url;
  git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
  callbacks.credentials = credentials;
  callbacks.certificate_check = certificate_check;
  callbacks.transfer_progress = transfer_progress;
  callbacks.payload = &st;

  auto fail = [&](const std::string& what) -> Error {
    if (watchdog.expired())
      return std::move(Error(ErrorKind::Io, what + " `origin` (" + shown + ") timed out after " +
                                                std::to_string(req.timeout_seconds) + "s")
                           .hint("Check that the remote is reachable (`git ls-remote origin`), or allow more time with "
                                 "ATMOS_AFFECTED_FETCH_TIMEOUT=<seconds>"));
    if (!st.host_problem.empty())
      return std::move(Error(ErrorKind::Config, what + " `origin` (" + shown + ") failed: " + st.host_problem)
                           .hint(st.host_fix));
    std::string detail = git::last_error();
    if (st.key_rejected || (st.ssh_attempts > 0 && detail.find("Username/PublicKey combination invalid") != std::string::npos)) {
      if (req.ssh_key.empty())
        return std::move(Error(ErrorKind::Auth, "the SSH server of `origin` (" + shown + ") accepted no key of the SSH agent")
                             .hint("Pass the private key the server knows with --ssh-key (or ATMOS_SSH_KEY)"));
      Error e(ErrorKind::Auth, "the SSH server of `origin` (" + shown + ") rejected the key '" + req.ssh_key + "'");
      if (rsa_key)
        e.explain("libssh2 signs with RSA keys using SHA-1 (ssh-rsa), which OpenSSH 8.8 and later refuse unless the "
                  "server allows it: use an Ed25519 or ECDSA key.");
      return std::move(e.hint("Use the key whose public half is authorised for the repository (a deploy key, or "
                                 "your account's SSH keys)"));
    }
    if (st.ssh_attempts > 0 && !req.ssh_key.empty() && detail.find("private key") != std::string::npos)
      return std::move(Error(ErrorKind::Auth, req.ssh_key_password.empty()
                                                  ? "the SSH key '" + req.ssh_key + "' could not be loaded"
                                                  : "the SSH key '" + req.ssh_key + "' could not be decrypted with the given password")
                           .explain("libssh2 reads unencrypted and password-protected RSA, ECDSA and Ed25519 keys in PEM "
                                    "or OpenSSH format.")
                           .hint(req.ssh_key_password.empty() ? "Check that the file is a private key in one of those formats"
                                                              : "Check --ssh-key-password (or ATMOS_SSH_KEY_PASSWORD)"));
    if (st.ssh_attempts > 0 && req.ssh_key.empty())
      return std::move(Error(ErrorKind::Auth, "the SSH server of `origin` (" + shown + ") needs a key and the SSH agent gave none: " + detail)
                           .hint("Pass the private key the server knows with --ssh-key (or ATMOS_SSH_KEY)"));
    return std::move(Error(ErrorKind::Io, what + " `origin` (" + shown + ") failed: " + detail)
                         .hint("Check the URL and that the repository is reachable (`git ls-remote origin`)"));
  };

  git_proxy_options proxy = GIT_PROXY_OPTIONS_INIT;
  proxy.type = GIT_PROXY_AUTO;
  if (git_remote_connect(remote.p, GIT_DIRECTION_FETCH, &callbacks, &proxy, nullptr) != 0) throw fail("connecting to");

  const git_remote_head** heads = nullptr;
  std::size_t count = 0;
  if (git_remote_ls(&heads, &count, remote.p) != 0) throw fail("listing the references of");
  auto advertised = [&](const std::string& name) -> const git_remote_head* {
    for (std::size_t i = 0; i < count; ++i)
      if (name == heads[i]->name) return heads[i];
    return nullptr;
  };

  std::string ref;
  if (req.base.empty()) {
    git_buf buf = GIT_BUF_INIT;
    if (git_remote_default_branch(&buf, remote.p) == 0) ref = buf.ptr;
    git_buf_dispose(&buf);
    if (ref.empty())
      throw Error(ErrorKind::Config, "`origin` (" + shown + ") has no default branch (HEAD) to compare with")
          .hint("Pass the branch, tag or commit to compare with using --base");
  } else if (req.base.rfind("refs/remotes/origin/", 0) == 0) {
    ref = "refs/heads/" + req.base.substr(20);
  } else if (req.base.rfind("refs/", 0) == 0) {
    ref = req.base;
  } else {
    for (const std::string& candidate : {"refs/heads/" + req.base, "refs/tags/" + req.base})
      if (ref.empty() && advertised(candidate)) ref = candidate;
  }
  bool by_sha = ref.empty() && is_hex(req.base);
  if (!by_sha && !advertised(ref))
    throw Error(ErrorKind::Config, "`origin` (" + shown + ") has no branch or tag '" + (ref.empty() ? req.base : ref) + "'")
        .hint("List what it has with `git ls-remote origin`, and pass an existing branch, tag or commit SHA with --base");

  auto local = [&](std::string& hex) {
    git::Object obj;
    if (git_revparse_single(&obj.p, repo, req.base.c_str()) != 0) return false;
    hex = git::oid_hex(git_object_id(obj.p));
    return true;
  };
  std::string target;
  bool have = false;
  if (by_sha) {
    have = local(target);
  } else {
    target = git::oid_hex(&advertised(ref)->oid);
    git::Odb odb;
    if (git_repository_odb(&odb.p, repo) == 0) have = git_odb_exists(odb.p, &advertised(ref)->oid) == 1;
  }
  if (have) return target;  // already here: objects never change, so there is nothing to fetch

  // A commit SHA is looked for on every branch of the remote, as upstream's clone of all branches does. (A glob
  // needs a destination, but git_remote_download writes no reference.)
  std::string spec = by_sha ? "refs/heads/*:refs/heads/*" : ref;
  char* specs[] = {spec.data()};
  git_strarray refspecs = {specs, 1};
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  opts.callbacks = callbacks;
  opts.proxy_opts = proxy;
  opts.update_fetchhead = 0;
  opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  if (git_remote_download(remote.p, &refspecs, &opts) != 0) throw fail("fetching '" + (by_sha ? req.base : ref) + "' from");
  git_remote_disconnect(remote.p);
  if (staging) staging->commit(repo);

  if (by_sha && !local(target))
    throw Error(ErrorKind::Config, "the commit '" + req.base + "' is on no branch of `origin` (" + shown + ")")
        .hint("Pass a commit that has been pushed, or a branch or tag name, with --base");
  return target;
}

}  // namespace atmos::stacks
