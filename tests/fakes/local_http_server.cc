#include "tests/fakes/local_http_server.h"

#include <ctime>
#include <exception>
#include <utility>

#include <sys/socket.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace leverconnect::testing {
namespace {

// Each connection holds one handler thread while it is kept alive, so this
// leaves room for about 32 concurrent clients plus requests held by hooks.
constexpr std::size_t kHandlerThreads = 64;

// An idle kept-alive connection holds its thread, and Stop() waits for it,
// until this timeout; a short one keeps Stop() quick with pooled clients.
constexpr time_t kKeepAliveSeconds = 1;
constexpr std::size_t kRequestsPerConnection = 1000;

// Pending connections the kernel queues before they are accepted.
constexpr int kListenBacklog = 128;

constexpr char kJsonContentType[] = "application/json; charset=utf-8";

bool IsWildcardHost(const std::string& host) {
  return host.empty() || host == "0.0.0.0" || host == "::";
}

}  // namespace

// httplib's server with a deeper accept queue.
class LocalHttpServer::Server : public httplib::Server {
 public:
  // Listening again on a listening socket only changes its backlog.
  bool DeepenBacklog() { return ::listen(svr_sock_, kListenBacklog) == 0; }
};

absl::StatusOr<std::unique_ptr<LocalHttpServer>> LocalHttpServer::Start(
    absl::string_view name, const std::string& host, int port, Handler handler,
    std::string failure_body) {
  absl::Status started;
  try {
    std::unique_ptr<LocalHttpServer> server(
        new LocalHttpServer(host, std::move(handler), std::move(failure_body)));
    started = server->Bind(port);
    if (started.ok()) started = server->Listen();
    if (started.ok()) return server;
  } catch (const std::exception& error) {
    started =
        absl::InternalError(absl::StrCat("failed to start: ", error.what()));
  }
  return absl::Status(started.code(),
                      absl::StrCat(name, ": ", started.message()));
}

LocalHttpServer::LocalHttpServer(std::string host, Handler handler,
                                 std::string failure_body)
    : host_(std::move(host)),
      handler_(std::move(handler)),
      failure_body_(std::move(failure_body)),
      server_(std::make_unique<Server>()) {
  server_->new_task_queue = [] {
    return new httplib::ThreadPool(kHandlerThreads);
  };
  // httplib sends headers and body separately; with Nagle's algorithm the
  // body waits for the client's delayed ACK, about 40 ms per answer on a
  // kept-alive connection. Accepted sockets inherit this from the listener.
  server_->set_tcp_nodelay(true);
  server_->set_keep_alive_timeout(kKeepAliveSeconds);
  server_->set_keep_alive_max_count(kRequestsPerConnection);

  const auto serve = [this](const httplib::Request& request,
                            httplib::Response& response) {
    handler_(request, response);
  };
  server_->Get(".*", serve).Post(".*", serve).Put(".*", serve);
  server_->Patch(".*", serve).Delete(".*", serve).Options(".*", serve);
  server_->set_exception_handler([this](const httplib::Request&,
                                        httplib::Response& response,
                                        std::exception_ptr) {
    response.status = 500;
    response.set_content(failure_body_, kJsonContentType);
  });
}

LocalHttpServer::~LocalHttpServer() { Stop(); }

absl::Status LocalHttpServer::Bind(int port) {
  if (port == 0) {
    port_ = server_->bind_to_any_port(host_);
  } else if (server_->bind_to_port(host_, port)) {
    port_ = port;
  } else {
    port_ = -1;
  }
  if (port_ < 0 || !server_->DeepenBacklog()) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", host_, ":", port));
  }
  return absl::OkStatus();
}

absl::Status LocalHttpServer::Listen() {
  listener_ = std::thread([this] {
    server_->listen_after_bind();
    listener_finished_ = true;
  });
  // Stop() only works once the server runs, so wait for that here.
  while (!server_->is_running() && !listener_finished_) {
    std::this_thread::yield();
  }
  if (server_->is_running()) return absl::OkStatus();
  listener_.join();
  return absl::InternalError("stopped right after starting");
}

void LocalHttpServer::Stop() {
  std::lock_guard<std::mutex> lock(stop_mutex_);
  if (!listener_.joinable()) return;
  server_->stop();
  listener_.join();
}

std::string LocalHttpServer::origin() const {
  const std::string host = IsWildcardHost(host_) ? "127.0.0.1" : host_;
  const bool ipv6 = host.find(':') != std::string::npos;
  return absl::StrCat("http://", ipv6 ? "[" : "", host, ipv6 ? "]" : "", ":",
                      port_);
}

}  // namespace leverconnect::testing
