// An HttpClient for tests: answers from a script, in order, and keeps
// every request it was sent.
#ifndef LEVERCONNECT_TESTS_UNIT_SCRIPTED_HTTP_H_
#define LEVERCONNECT_TESTS_UNIT_SCRIPTED_HTTP_H_

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "lib/http/http_client.h"

namespace leverconnect::testing {

class ScriptedHttp : public http::HttpClient {
 public:
  void Answer(int status, std::string body, http::Headers headers = {}) {
    http::Response response;
    response.status = status;
    response.body = std::move(body);
    response.headers = std::move(headers);
    script_.push_back(std::move(response));
  }
  void Fail(absl::Status status) { script_.push_back(std::move(status)); }

  absl::StatusOr<http::Response> Send(const http::Request& request) override {
    requests_.push_back(request);
    if (script_.empty()) return absl::InternalError("script ran out");
    auto next = std::move(script_.front());
    script_.pop_front();
    return next;
  }

  const std::vector<http::Request>& requests() const { return requests_; }

 private:
  std::deque<absl::StatusOr<http::Response>> script_;
  std::vector<http::Request> requests_;
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_UNIT_SCRIPTED_HTTP_H_
