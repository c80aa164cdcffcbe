// CurlTransport against a tiny HTTP/1.1 server on 127.0.0.1 in the test process: the request goes out as
// built, consecutive calls share one connection, a server that never answers costs the timeout only, and one
// that never stops answering costs the size limit only (docs/limits.md).
#include "aws/curl_transport.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "../hostile_input.hpp"
#include "core/limits.hpp"

namespace atmos::aws {
namespace {

// Serves one connection at a time; answers each request with 200 "ok", or not at all (Stall), or with a body
// or headers that never end (EndlessBody, EndlessHeaders).
enum class Reply { Ok, Stall, EndlessBody, EndlessHeaders };

class LoopbackServer {
 public:
  explicit LoopbackServer(Reply reply = Reply::Ok) : reply_(reply) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (bind(listener_, reinterpret_cast<sockaddr*>(&address), size) != 0 || listen(listener_, 4) != 0 ||
        getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      throw std::runtime_error("loopback server: cannot listen");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    thread_.join();
    close(listener_);
  }

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  int connections() const { return connections_; }
  std::string first_request() {
    std::lock_guard<std::mutex> lock(mutex_);
    return first_request_;
  }

 private:
  bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, 20) > 0;
  }

  void serve() {
    while (!stop_) {
      if (!readable(listener_)) continue;
      int client = accept(listener_, nullptr, nullptr);
      if (client < 0) continue;
      ++connections_;
      std::string buffer;
      while (!stop_) {
        if (!readable(client)) continue;
        char chunk[4096];
        ssize_t n = read(client, chunk, sizeof chunk);
        if (n <= 0) break;
        buffer.append(chunk, static_cast<std::size_t>(n));
        auto end = buffer.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        std::size_t length = 0;
        if (auto at = buffer.find("Content-Length: "); at != std::string::npos && at < end) {
          length = std::stoul(buffer.substr(at + 16));
        }
        if (buffer.size() < end + 4 + length) continue;
        {
          std::lock_guard<std::mutex> lock(mutex_);
          if (first_request_.empty()) first_request_ = buffer.substr(0, end + 4 + length);
        }
        buffer.erase(0, end + 4 + length);
        if (reply_ == Reply::Stall) continue;
        if (reply_ != Reply::Ok) {
          send_endlessly(client);
          break;
        }
        std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nx-amzn-RequestId: req-1\r\n\r\nok";
        if (write(client, reply.data(), reply.size()) < 0) break;
      }
      close(client);
    }
  }

  // Until the client hangs up (or the server stops).
  void send_endlessly(int client) {
    std::string head = reply_ == Reply::EndlessBody ? "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" : "HTTP/1.1 200 OK\r\n";
    std::string chunk = reply_ == Reply::EndlessBody ? std::string(1 << 16, 'x') : "x-amz-padding: " + std::string(1000, 'p') + "\r\n";
    if (::send(client, head.data(), head.size(), MSG_NOSIGNAL) < 0) return;
    while (!stop_) {
      if (::send(client, chunk.data(), chunk.size(), MSG_NOSIGNAL) < 0) return;
    }
  }

  Reply reply_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mutex_;
  std::string first_request_;
  std::thread thread_;
};

HttpRequest post(const std::string& url) {
  HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers.add("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.headers.add("X-Amz-Date", "20240604T120000Z");
  request.body = "Action=GetCallerIdentity&Version=2011-06-15";
  return request;
}

TEST(CurlTransport, SendsTheRequestAsBuiltAndReadsTheAnswer) {
  LoopbackServer server;
  MapEnvironment env;
  CurlTransport transport(env);
  HttpResponse response = transport.send(post(server.url("/")), HttpTimeouts{});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "ok");
  EXPECT_EQ(response.headers.get("X-Amzn-RequestId").value_or(""), "req-1");
  std::string sent = server.first_request();
  EXPECT_EQ(sent.rfind("POST / HTTP/1.1\r\n", 0), 0u) << sent;
  EXPECT_NE(sent.find("\r\nX-Amz-Date: 20240604T120000Z\r\n"), std::string::npos) << sent;
  EXPECT_NE(sent.find("\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"), std::string::npos);
  EXPECT_EQ(sent.find("Expect:"), std::string::npos);
  EXPECT_EQ(sent.substr(sent.size() - 43), "Action=GetCallerIdentity&Version=2011-06-15");
}

TEST(CurlTransport, ReusesTheConnectionAcrossCalls) {
  LoopbackServer server;
  MapEnvironment env;
  CurlTransport transport(env);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(transport.send(post(server.url("/")), HttpTimeouts{}).status, 200);
  EXPECT_EQ(server.connections(), 1);
}

TEST(CurlTransport, AStalledServerCostsTheTotalTimeout) {
  LoopbackServer server(Reply::Stall);
  MapEnvironment env;
  CurlTransport transport(env);
  auto started = std::chrono::steady_clock::now();
  try {
    transport.send(post(server.url("/")), HttpTimeouts{std::chrono::milliseconds(1000), std::chrono::milliseconds(300)});
    FAIL() << "expected a timeout";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.failure(), TransportFailure::Timeout);
    EXPECT_EQ(std::string(e.what()).rfind("127.0.0.1:", 0), 0u) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

void expect_answer_too_large(Reply reply, const std::string& part, double max_peak_mib) {
  LoopbackServer server(reply);
  MapEnvironment env;
  CurlTransport transport(env);
  atmos::testing::expect_cheap("endless answer " + part, max_peak_mib, [&] {
    try {
      transport.send(post(server.url("/")), HttpTimeouts{});
      FAIL() << "expected the answer to be refused";
    } catch (const TransportError& e) {
      EXPECT_EQ(e.failure(), TransportFailure::TooLarge);
      EXPECT_EQ(std::string(e.what()).substr(std::string(e.what()).find(':', 10)),
                ": the answer's " + part + " exceeded " + limits::size_text(part == "body" ? limits::kHttpBodyBytes : limits::kHttpHeaderBytes) +
                    ", the limit for one answer (see docs/limits.md)")
          << e.what();
    }
  });
}

TEST(CurlTransport, AnEndlessBodyStopsAtTheLimit) { expect_answer_too_large(Reply::EndlessBody, "body", 128); }

TEST(CurlTransport, EndlessHeadersStopAtTheLimit) { expect_answer_too_large(Reply::EndlessHeaders, "headers", 64); }

TEST(CurlTransport, ARefusedConnectionIsAConnectFailure) {
  int port;
  {
    LoopbackServer server;  // a port that was free a moment ago and is closed now
    port = std::stoi(server.url("").substr(17));
  }
  MapEnvironment env;
  CurlTransport transport(env);
  try {
    transport.send(post("http://127.0.0.1:" + std::to_string(port) + "/"), HttpTimeouts{});
    FAIL() << "expected a connection failure";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.failure(), TransportFailure::Connect) << e.what();
  }
}

TEST(CurlTransport, HttpsGoesThroughTheConfiguredProxy) {
  MapEnvironment env({{"HTTPS_PROXY", "http://127.0.0.1:9"}, {"NO_PROXY", "localhost"}});
  CurlTransport transport(env);
  HttpRequest request = post("https://sts.us-east-1.amazonaws.com/");
  try {
    transport.send(request, HttpTimeouts{std::chrono::milliseconds(2000), std::chrono::milliseconds(2000)});
    FAIL() << "expected the dead proxy to refuse";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.failure(), TransportFailure::Connect) << e.what();
    EXPECT_NE(std::string(e.what()).find("127.0.0.1 port 9"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace atmos::aws
