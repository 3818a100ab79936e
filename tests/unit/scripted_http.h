// An HttpClient for tests: answers from a script, in order, and keeps
// every request it was sent. An answer may be kept for requests whose URL
// contains a given text (a path such as "/users"), so that requests sent
// from several threads at once still get the answers meant for them; the
// others go to the next answer kept for any request. Thread-safe.
#ifndef LEVERCONNECT_TESTS_UNIT_SCRIPTED_HTTP_H_
#define LEVERCONNECT_TESTS_UNIT_SCRIPTED_HTTP_H_

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "lib/http/http_client.h"

namespace leverconnect::testing {

class ScriptedHttp : public http::HttpClient {
 public:
  void Answer(int status, std::string body, http::Headers headers = {}) {
    AnswerTo("", status, std::move(body), std::move(headers));
  }
  // An answer for the next request whose URL contains `url_part`.
  void AnswerTo(std::string url_part, int status, std::string body,
                http::Headers headers = {}) {
    http::Response response;
    response.status = status;
    response.body = std::move(body);
    response.headers = std::move(headers);
    absl::MutexLock lock(&mu_);
    script_.push_back({std::move(url_part), std::move(response)});
  }
  void Fail(absl::Status status) {
    absl::MutexLock lock(&mu_);
    script_.push_back({"", std::move(status)});
  }

  absl::StatusOr<http::Response> Send(const http::Request& request) override {
    absl::MutexLock lock(&mu_);
    requests_.push_back(request);
    auto next = script_.end();
    for (auto entry = script_.begin(); entry != script_.end(); ++entry) {
      if (entry->url_part.empty()) {
        if (next == script_.end()) next = entry;
      } else if (request.url.find(entry->url_part) != std::string::npos) {
        next = entry;
        break;
      }
    }
    if (next == script_.end()) return absl::InternalError("script ran out");
    absl::StatusOr<http::Response> answer = std::move(next->answer);
    script_.erase(next);
    return answer;
  }

  // Every request so far, in the order they arrived.
  std::vector<http::Request> requests() const {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

  // The URLs of the requests whose URL contains `url_part`, in order.
  std::vector<std::string> UrlsWith(const std::string& url_part) const {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> urls;
    for (const http::Request& request : requests_) {
      if (request.url.find(url_part) != std::string::npos) {
        urls.push_back(request.url);
      }
    }
    return urls;
  }

 private:
  struct Entry {
    std::string url_part;  // empty: any request
    absl::StatusOr<http::Response> answer;
  };
  mutable absl::Mutex mu_;
  std::deque<Entry> script_ ABSL_GUARDED_BY(mu_);
  std::vector<http::Request> requests_ ABSL_GUARDED_BY(mu_);
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_UNIT_SCRIPTED_HTTP_H_
