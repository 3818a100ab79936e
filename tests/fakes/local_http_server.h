// An HTTP server on a local port for the fakes: one handler for every
// method and path, served on background threads until Stop().
//
// It accepts dozens of simultaneous clients without making them wait for
// SYN retries (httplib alone listens with a backlog of 5), answers on
// kept-alive connections without Nagle's delay, and closes idle kept-alive
// connections after a second so that Stop() is quick.
//
// Thread safety: the handler runs on many threads at once; Stop() may be
// called from any thread, more than once.
#ifndef LEVERCONNECT_TESTS_FAKES_LOCAL_HTTP_SERVER_H_
#define LEVERCONNECT_TESTS_FAKES_LOCAL_HTTP_SERVER_H_

#include <httplib.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace leverconnect::testing {

class LocalHttpServer {
 public:
  using Handler =
      std::function<void(const httplib::Request&, httplib::Response&)>;

  // Binds `host`:`port` (0: any free port) and serves every request with
  // `handler` (enough threads for about 32 concurrent clients). A handler
  // that throws answers 500 with `failure_body`, sent as JSON.
  // Unavailable when it cannot bind; errors start with `name` ("fake
  // Lever").
  static absl::StatusOr<std::unique_ptr<LocalHttpServer>> Start(
      absl::string_view name, const std::string& host, int port,
      Handler handler, std::string failure_body);

  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  ~LocalHttpServer();

  // Stops accepting, lets requests in flight finish and joins the threads.
  // A handler that blocks must be released for Stop to return.
  void Stop();

  int port() const { return port_; }

  // "http://<host>:<port>"; a wildcard host is written as 127.0.0.1 and an
  // IPv6 address in brackets.
  std::string origin() const;

 private:
  class Server;

  LocalHttpServer(std::string host, Handler handler, std::string failure_body);

  absl::Status Bind(int port);
  absl::Status Listen();

  const std::string host_;
  const Handler handler_;
  const std::string failure_body_;
  std::unique_ptr<Server> server_;
  std::thread listener_;
  std::atomic<bool> listener_finished_{false};
  int port_ = 0;
  std::mutex stop_mutex_;
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_LOCAL_HTTP_SERVER_H_
