// The libcurl client against a local server: bodies streamed from files,
// and which failures it marks as never sent.
#include <httplib.h>

#include <memory>
#include <mutex>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/http/http_client.h"
#include "tests/fakes/local_http_server.h"
#include "tests/unit/temp_directory_test.h"

namespace leverconnect::http {
namespace {

using ::testing::HasSubstr;

// What the server saw of the last request.
struct Received {
  std::string method;
  std::string body;
  std::string content_length;
  std::string content_type;
};

class CurlHttpClientTest : public testing::TempDirectoryTest {
 protected:
  void SetUp() override {
    TempDirectoryTest::SetUp();
    auto server = testing::LocalHttpServer::Start(
        "test server", "127.0.0.1", 0,
        [this](const httplib::Request& request, httplib::Response& response) {
          std::lock_guard<std::mutex> lock(mutex_);
          received_ = {request.method, request.body,
                       request.get_header_value("Content-Length"),
                       request.get_header_value("Content-Type")};
          response.set_content("{\"ok\":true}", "application/json");
        },
        "{}");
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  Request Post(const std::string& body_file) const {
    Request request;
    request.method = "POST";
    request.url = server_->origin() + "/upload";
    request.headers = {{"Content-Type", "text/csv"}};
    request.body_file = body_file;
    return request;
  }

  Received received() {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }

  // Declared first so that it stops last, after the client has closed its
  // kept-alive connections.
  std::unique_ptr<testing::LocalHttpServer> server_;
  std::unique_ptr<HttpClient> client_ = MakeCurlHttpClient();
  std::mutex mutex_;
  Received received_;
};

TEST_F(CurlHttpClientTest, StreamsTheBodyFileWithItsLength) {
  std::string content = "Id,Name\r\n";
  for (int row = 0; row < 50000; ++row) {
    content +=
        std::to_string(row) + ",\"row, " + std::to_string(row) + "\"\r\n";
  }
  const std::string path = WriteFile("big.csv", content);

  absl::StatusOr<Response> response = client_->Send(Post(path));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  const Received seen = received();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.content_length, std::to_string(content.size()));
  EXPECT_EQ(seen.content_type, "text/csv");
  EXPECT_EQ(seen.body, content);
}

TEST_F(CurlHttpClientTest, AnEmptyBodyFileSendsAnEmptyBody) {
  absl::StatusOr<Response> response =
      client_->Send(Post(WriteFile("empty.csv", "")));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(received().content_length, "0");
  EXPECT_EQ(received().body, "");
}

TEST_F(CurlHttpClientTest, TheHandleIsReusableAfterAFileUpload) {
  ASSERT_TRUE(client_->Send(Post(WriteFile("a.csv", "a\n1\n"))).ok());
  Request plain;
  plain.method = "POST";
  plain.url = server_->origin() + "/upload";
  plain.body = "inline";
  ASSERT_TRUE(client_->Send(plain).ok());
  EXPECT_EQ(received().body, "inline");
}

TEST_F(CurlHttpClientTest, AMissingBodyFileIsAFailedPrecondition) {
  const std::string path = (directory_ / "missing.csv").string();
  absl::StatusOr<Response> response = client_->Send(Post(path));
  EXPECT_EQ(response.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(response.status().message(), HasSubstr("missing.csv"));
  EXPECT_THAT(response.status().message(), HasSubstr("POST /upload"));
  EXPECT_FALSE(IsNotSent(response.status()));
  EXPECT_EQ(received().method, "");
}

TEST_F(CurlHttpClientTest, AFolderIsNoBodyFile) {
  absl::StatusOr<Response> response = client_->Send(Post(directory_.string()));
  EXPECT_EQ(response.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(CurlHttpClientTest, ARefusedConnectionIsMarkedNotSent) {
  const std::string origin = server_->origin();
  server_->Stop();
  Request request = Post(WriteFile("a.csv", "a\n"));
  request.url = origin + "/upload";
  absl::StatusOr<Response> response = client_->Send(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(IsNotSent(response.status())) << response.status();
}

TEST(NotSentTest, OnlyMarkedStatusesCount) {
  EXPECT_FALSE(IsNotSent(absl::UnavailableError("reset")));
  const absl::Status marked = MarkNotSent(absl::UnavailableError("refused"));
  EXPECT_TRUE(IsNotSent(marked));
  EXPECT_EQ(marked.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(marked.message(), "refused");
}

}  // namespace
}  // namespace leverconnect::http
