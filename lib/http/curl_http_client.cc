#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include <curl/curl.h>
#include <sys/stat.h>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "lib/http/curl_status.h"
#include "lib/http/http_client.h"

namespace leverconnect::http {

std::optional<std::string> Response::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

namespace {

// Marks statuses of requests that never left (see MarkNotSent).
constexpr absl::string_view kNotSentPayload = "leverconnect/http-not-sent";

}  // namespace

absl::Status MarkNotSent(absl::Status status) {
  status.SetPayload(kNotSentPayload, absl::Cord("1"));
  return status;
}

bool IsNotSent(const absl::Status& status) {
  return status.GetPayload(kNotSentPayload).has_value();
}

namespace {

// Answers larger than this are refused rather than buffered.
constexpr std::size_t kMaxBodyBytes = 64 << 20;

struct Transfer {
  const Request* request;
  Response response;
  bool body_too_large = false;
  std::FILE* body_file = nullptr;  // open while the transfer runs, if any
  curl_off_t body_file_size = 0;
};

std::size_t OnReadBody(char* buffer, std::size_t size, std::size_t count,
                       void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t read =
      std::fread(buffer, 1, size * count, transfer->body_file);
  return read == 0 && std::ferror(transfer->body_file) ? CURL_READFUNC_ABORT
                                                       : read;
}

// Lets libcurl send the body again (after a redirect or an authentication
// exchange it handles itself).
int OnSeekBody(void* user, curl_off_t offset, int origin) {
  auto* transfer = static_cast<Transfer*>(user);
  return fseeko(transfer->body_file, static_cast<off_t>(offset), origin) == 0
             ? CURL_SEEKFUNC_OK
             : CURL_SEEKFUNC_FAIL;
}

// Opens `request.body_file` into `transfer`, or says why it cannot be read.
absl::Status OpenBodyFile(const Request& request, absl::string_view what,
                          Transfer& transfer) {
  transfer.body_file = std::fopen(request.body_file.c_str(), "rb");
  struct stat info;
  if (transfer.body_file == nullptr ||
      fstat(fileno(transfer.body_file), &info) != 0 || !S_ISREG(info.st_mode)) {
    const int error = errno;
    if (transfer.body_file != nullptr) std::fclose(transfer.body_file);
    transfer.body_file = nullptr;
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": cannot read the body file \"", request.body_file,
                     "\": ", std::strerror(error)));
  }
  transfer.body_file_size = static_cast<curl_off_t>(info.st_size);
  return absl::OkStatus();
}

std::size_t OnBody(char* data, std::size_t size, std::size_t count,
                   void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (transfer->response.body.size() + bytes > kMaxBodyBytes) {
    transfer->body_too_large = true;
    return 0;
  }
  transfer->response.body.append(data, bytes);
  return bytes;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count,
                     void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  absl::string_view line(data, bytes);
  if (absl::StartsWith(line, "HTTP/")) {
    // A new status line (e.g. after "100 Continue"): forget earlier headers.
    transfer->response.headers.clear();
    return bytes;
  }
  const std::size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return bytes;
  std::string name = absl::AsciiStrToLower(line.substr(0, colon));
  std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  // A body of announced size is received into one buffer of that size,
  // instead of one that grows and is copied again and again.
  std::size_t length = 0;
  if (name == "content-length" && absl::SimpleAtoi(value, &length) &&
      length <= kMaxBodyBytes) {
    transfer->response.body.reserve(length);
  }
  transfer->response.headers.emplace_back(std::move(name), std::move(value));
  return bytes;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<Transfer*>(user);
  const auto& cancelled = transfer->request->cancelled;
  return cancelled && cancelled() ? 1 : 0;
}

long Milliseconds(absl::Duration duration) {
  if (duration == absl::InfiniteDuration()) return 0;
  return static_cast<long>(
      std::max<int64_t>(1, absl::ToInt64Milliseconds(duration)));
}

// The path of `url` without host or query, for error messages.
std::string UrlPath(const std::string& url) {
  std::size_t start = url.find("://");
  start = start == std::string::npos ? 0 : url.find('/', start + 3);
  if (start == std::string::npos) return "/";
  return url.substr(start, url.find('?', start) - start);
}

class CurlHttpClient : public HttpClient {
 public:
  CurlHttpClient() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  ~CurlHttpClient() override {
    for (CURL* handle : idle_) curl_easy_cleanup(handle);
  }

  absl::StatusOr<Response> Send(const Request& request) override {
    if (!absl::StartsWith(request.url, "http://") &&
        !absl::StartsWith(request.url, "https://")) {
      return absl::InvalidArgumentError(
          "only http:// and https:// URLs are supported");
    }
    CURL* handle = Acquire();
    absl::StatusOr<Response> result = Perform(handle, request);
    Release(handle);
    return result;
  }

 private:
  CURL* Acquire() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        CURL* handle = idle_.back();
        idle_.pop_back();
        curl_easy_reset(handle);
        return handle;
      }
    }
    return curl_easy_init();
  }

  // Keeps the handle, and with it its open connections, for the next call.
  void Release(CURL* handle) {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(handle);
  }

  absl::StatusOr<Response> Perform(CURL* handle, const Request& request) {
    const std::string what =
        absl::StrCat(request.method, " ", UrlPath(request.url));
    Transfer transfer{&request, {}, false};
    if (!request.body_file.empty()) {
      absl::Status opened = OpenBodyFile(request, what, transfer);
      if (!opened.ok()) return opened;
    }
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) {
      headers =
          curl_slist_append(headers, absl::StrCat(name, ": ", value).c_str());
    }
    SetOptions(handle, request, headers, &transfer);

    const CURLcode code = curl_easy_perform(handle);
    curl_slist_free_all(headers);
    if (transfer.body_file != nullptr) std::fclose(transfer.body_file);
    if (transfer.body_too_large) {
      return absl::ResourceExhaustedError(absl::StrCat(
          what, ": the answer is larger than ", kMaxBodyBytes, " bytes"));
    }
    if (code != CURLE_OK) return StatusFromCurlCode(code, what);

    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    transfer.response.status = static_cast<int>(status);
    return std::move(transfer.response);
  }

  static void SetOptions(CURL* handle, const Request& request,
                         curl_slist* headers, Transfer* transfer) {
    curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    // libcurl sends a request again by itself when a kept connection turns
    // out dead with no answer; on a new connection it never does.
    curl_easy_setopt(handle, CURLOPT_FRESH_CONNECT,
                     request.fresh_connection ? 1L : 0L);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, Milliseconds(request.timeout));
    curl_easy_setopt(
        handle, CURLOPT_CONNECTTIMEOUT_MS,
        Milliseconds(std::min(request.connect_timeout, request.timeout)));
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "HEAD") curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
    if (transfer->body_file != nullptr) {
      SetBodyFileOptions(handle, request, transfer);
    } else if (!request.body.empty() || request.method == "POST" ||
               request.method == "PUT") {
      curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
    if (!request.basic_auth_user.empty()) {
      curl_easy_setopt(handle, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(handle, CURLOPT_USERNAME,
                       request.basic_auth_user.c_str());
      curl_easy_setopt(handle, CURLOPT_PASSWORD,
                       request.basic_auth_password.c_str());
    }
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, transfer);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, transfer);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, &OnProgress);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, transfer);
  }

  // The body comes from the open file, read as libcurl sends it; PUT
  // uploads, any other method posts. CURLOPT_CUSTOMREQUEST still names
  // the method.
  static void SetBodyFileOptions(CURL* handle, const Request& request,
                                 Transfer* transfer) {
    if (request.method == "PUT") {
      curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE,
                       transfer->body_file_size);
    } else {
      curl_easy_setopt(handle, CURLOPT_POST, 1L);
      curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                       transfer->body_file_size);
    }
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, &OnReadBody);
    curl_easy_setopt(handle, CURLOPT_READDATA, transfer);
    curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, &OnSeekBody);
    curl_easy_setopt(handle, CURLOPT_SEEKDATA, transfer);
  }

  std::mutex mu_;
  std::vector<CURL*> idle_;
};

}  // namespace

std::unique_ptr<HttpClient> MakeCurlHttpClient() {
  return std::make_unique<CurlHttpClient>();
}

}  // namespace leverconnect::http
