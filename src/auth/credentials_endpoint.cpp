#include "auth/credentials_endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <tuple>

#include "aws/timestamp.hpp"
#include "core/error.hpp"
#include "core/log.hpp"

namespace atmos::auth {
namespace {

constexpr std::chrono::seconds kMaxMargin{15 * 60};

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  std::size_t got = 0;
  while (got < bytes) {
    ssize_t n = ::getrandom(raw.data() + got, bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(ErrorKind::Io, std::string("cannot read random bytes: ") + std::strerror(errno));
    got += static_cast<std::size_t>(n);
  }
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char c : raw) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  wipe(raw);
  return out;
}

void json_string(std::string& out, const std::string& s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 431: return "Request Header Fields Too Large";
    default: return "Service Unavailable";
  }
}

std::string error_json(const std::string& code, const std::string& message) {
  std::string out = "{\"code\":";
  json_string(out, code);
  out += ",\"message\":";
  json_string(out, message);
  return out + "}";
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

void send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string container_credentials_json(const aws::Credentials& c, aws::TimePoint now) {
  std::string out = "{\"AccessKeyId\":";
  json_string(out, c.access_key_id);
  out += ",\"SecretAccessKey\":";
  json_string(out, c.secret_access_key.reveal());
  out += ",\"Token\":";
  json_string(out, c.session_token.reveal());
  out += ",\"Expiration\":";
  json_string(out, aws::format_iso8601(c.expiration ? *c.expiration : now + kNoExpiryLease));
  return out + "}";
}

std::string credential_process_json(const aws::Credentials& c) {
  std::string out = "{\"Version\":1,\"AccessKeyId\":";
  json_string(out, c.access_key_id);
  out += ",\"SecretAccessKey\":";
  json_string(out, c.secret_access_key.reveal());
  if (!c.session_token.empty()) {
    out += ",\"SessionToken\":";
    json_string(out, c.session_token.reveal());
  }
  if (c.expiration) {
    out += ",\"Expiration\":";
    json_string(out, aws::format_iso8601(*c.expiration));
  }
  return out + "}";
}

std::chrono::seconds refresh_margin(const aws::Credentials& c, aws::TimePoint now) {
  if (!c.expiration || *c.expiration <= now) return std::chrono::seconds(0);
  auto half = std::chrono::duration_cast<std::chrono::seconds>(*c.expiration - now) / 2;
  return std::min(half, kMaxMargin);
}

const std::vector<std::string>& CredentialsEndpoint::displaced_variables() {
  static const std::vector<std::string> kNames = {"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                                  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"};
  return kNames;
}

struct CredentialsEndpoint::Server {
  Server(aws::Clock& clock, CredentialMinter mint, std::string label, aws::Credentials current)
      : clock(clock), mint(std::move(mint)), label(std::move(label)), current(std::move(current)) {}
  ~Server() {
    if (listen_fd >= 0) ::close(listen_fd);
    if (wake_fd >= 0) ::close(wake_fd);
  }

  void serve();
  void handle(int fd);
  std::pair<int, std::string> answer(const std::string& head);
  std::pair<int, std::string> credentials_answer();

  aws::Clock& clock;
  CredentialMinter mint;
  std::string label;
  std::atomic<bool> stopping{false};
  std::mutex mutex;  // held while a request is answered; taken by the endpoint's destructor after `stopping`
  aws::Credentials current;
  std::chrono::seconds margin{0};
  std::string reported;  // the last re-mint failure printed, so a retrying SDK does not repeat it
  std::string path;
  Secret token;
  int listen_fd = -1;
  int wake_fd = -1;
};

CredentialsEndpoint::CredentialsEndpoint(aws::Credentials current, CredentialMinter mint, aws::Clock& clock, std::string label)
    : server_(std::make_shared<Server>(clock, std::move(mint), std::move(label), std::move(current))) {
  Server& s = *server_;
  s.margin = refresh_margin(s.current, clock.now());
  s.path = "/" + random_hex(16);
  s.token = Secret(random_hex(32));
  token_ = s.token;
  s.listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s.listen_fd < 0) throw Error(ErrorKind::Io, std::string("cannot open the credentials endpoint: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(s.listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(s.listen_fd, 16) != 0 ||
      ::getsockname(s.listen_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw Error(ErrorKind::Io, std::string("cannot open the credentials endpoint on 127.0.0.1: ") + std::strerror(errno));
  port_ = ntohs(addr.sin_port);
  s.wake_fd = ::eventfd(0, EFD_CLOEXEC);
  if (s.wake_fd < 0) throw Error(ErrorKind::Io, std::string("cannot start the credentials endpoint: ") + std::strerror(errno));
  url_ = "http://127.0.0.1:" + std::to_string(port_) + s.path;
  std::thread([server = server_] { server->serve(); }).detach();
  log::debug("Credentials endpoint started port={} identity={}", port_, s.label);
}

CredentialsEndpoint::~CredentialsEndpoint() {
  Server& s = *server_;
  s.stopping = true;
  std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(s.wake_fd, &one, sizeof one);
  // No new connections from here on: the port is closed although the thread may not have run yet.
  ::shutdown(s.listen_fd, SHUT_RDWR);
  // A request being answered (a re-mint uses the caller's manager and clock) finishes before we return; the
  // thread answers none after seeing `stopping`.
  { std::lock_guard lock(s.mutex); }
  log::debug("Credentials endpoint stopped port={}", port_);
}

std::vector<std::pair<std::string, std::string>> CredentialsEndpoint::environment() const {
  return {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", url_}, {"AWS_CONTAINER_AUTHORIZATION_TOKEN", token_.reveal()}};
}

aws::Credentials CredentialsEndpoint::latest() const {
  std::lock_guard lock(server_->mutex);
  return server_->current;
}

void CredentialsEndpoint::Server::serve() {
  pollfd fds[2] = {{wake_fd, POLLIN, 0}, {listen_fd, POLLIN, 0}};
  for (;;) {
    int ready = ::poll(fds, 2, -1);
    if (stopping) return;
    if (ready < 0 && errno == EINTR) continue;
    std::lock_guard lock(mutex);
    if (stopping) return;
    if (ready < 0) {
      log::warn("Credentials endpoint stopped: poll failed error={}", std::strerror(errno));
      return;
    }
    if (fds[0].revents || !(fds[1].revents & POLLIN)) continue;
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;
    handle(fd);
    ::close(fd);
  }
}

void CredentialsEndpoint::Server::handle(int fd) {
  std::string head;
  auto deadline = std::chrono::steady_clock::now() + kEndpointReadDeadline;
  char buf[2048];
  int status = 0;
  std::string body;
  while (head.find("\r\n\r\n") == std::string::npos) {
    if (head.size() > kEndpointMaxRequestBytes) {
      status = 431;
      body = error_json("RequestTooLarge", "request head over " + std::to_string(kEndpointMaxRequestBytes) + " bytes");
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    pollfd both[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    if (left <= 0 || ::poll(both, 2, static_cast<int>(left)) <= 0 || both[1].revents) return;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return;
    head.append(buf, static_cast<std::size_t>(n));
  }
  if (status == 0) std::tie(status, body) = answer(head);
  wipe(head);
  log::trace("Credentials endpoint answered status={}", status);
  std::string response = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) +
                         "\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body;
  wipe(body);
  send_all(fd, response);
  wipe(response);
}

std::pair<int, std::string> CredentialsEndpoint::Server::answer(const std::string& head) {
  std::size_t line_end = head.find("\r\n");
  std::string_view request_line(head.data(), line_end);
  std::size_t sp1 = request_line.find(' ');
  std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || request_line.substr(sp2 + 1).rfind("HTTP/1.", 0) != 0)
    return {400, error_json("BadRequest", "not an HTTP/1.x request")};
  std::string_view method = request_line.substr(0, sp1);
  std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string authorization;
  int authorization_headers = 0;
  for (std::size_t pos = line_end + 2; pos < head.size();) {
    std::size_t end = head.find("\r\n", pos);
    if (end == std::string::npos || end == pos) break;
    std::string_view line(head.data() + pos, end - pos);
    std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && iequals(line.substr(0, colon), "authorization")) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      authorization.assign(value);
      ++authorization_headers;
    }
    pos = end + 2;
  }
  Secret given(std::move(authorization));
  if (authorization_headers != 1 || !(given == token)) return {401, error_json("Unauthorized", "missing or wrong authorization token")};
  if (method != "GET" || target != path) return {404, error_json("NotFound", "no such resource")};
  return credentials_answer();
}

std::pair<int, std::string> CredentialsEndpoint::Server::credentials_answer() {
  aws::TimePoint now = clock.now();
  if (current.expiration && *current.expiration <= now + margin) {
    log::debug("Credentials endpoint re-minting identity={} expiration={}", label, aws::format_iso8601(*current.expiration));
    try {
      aws::Credentials fresh = mint();
      current = std::move(fresh);
      margin = refresh_margin(current, clock.now());
    } catch (const Error& e) {
      std::string text = "atmos: the credentials endpoint cannot renew the credentials of identity " + label + ": " + e.message();
      if (!e.explanation().empty()) text += "\n  " + e.explanation();
      for (const auto& h : e.hints()) text += "\n  " + h;
      if (text != reported) std::fprintf(stderr, "%s\n", text.c_str());
      reported = text;
      if (!current.expiration || *current.expiration > now) return {200, container_credentials_json(current, now)};
      return {503, error_json("CredentialsUnavailable", "atmos could not renew the credentials of identity " + label +
                                                            " (see atmos's output): " + e.message())};
    }
  }
  return {200, container_credentials_json(current, now)};
}

}  // namespace atmos::auth
