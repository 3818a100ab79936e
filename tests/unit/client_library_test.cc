#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "client/leverconnect_client.h"
#include "client/testing/fake_server.h"
#include "google/protobuf/unknown_field_set.h"

namespace leverconnect::client {
namespace {

using ::leverconnect::testing::FakeServer;
using ::testing::ElementsAre;

v1::StreamRequisitionsResponse SchemaMessage() {
  v1::StreamRequisitionsResponse response;
  response.mutable_schema()->add_columns()->set_name("id");
  return response;
}

v1::StreamRequisitionsResponse BatchMessage(int page, int rows) {
  v1::StreamRequisitionsResponse response;
  response.mutable_batch()->set_page(page);
  for (int i = 0; i < rows; ++i) {
    v1::Row* row = response.mutable_batch()->add_rows();
    row->set_requisition_id("r" + std::to_string(page) + "-" +
                            std::to_string(i));
  }
  return response;
}

v1::StreamRequisitionsResponse SummaryMessage(int64_t rows, int pages) {
  v1::StreamRequisitionsResponse response;
  response.mutable_summary()->set_rows(rows);
  response.mutable_summary()->set_pages(pages);
  return response;
}

// How the test receives batches: decoded into messages (on_batch), or as
// views of their bytes (on_rows).
enum class Receiving { kMessages, kViews };

// What a stream handed to the handlers, in order.
struct Seen {
  std::vector<std::string> events;
  int batches = 0;

  // The batch handler returns false at batch number `stop_at` (1-based);
  // -1 never.
  StreamHandlers Handlers(Receiving receiving, int stop_at = -1) {
    StreamHandlers handlers;
    handlers.on_schema = [this](const v1::RequisitionSchema& schema) {
      events.push_back("schema " + schema.columns(0).name());
    };
    if (receiving == Receiving::kMessages) {
      handlers.on_batch = [this, stop_at](const v1::RowBatch& batch) {
        std::string ids;
        for (const v1::Row& row : batch.rows())
          ids += " " + row.requisition_id();
        return Saw(batch.page(), ids, stop_at);
      };
    } else {
      handlers.on_rows = [this, stop_at](const RowBatchView& batch) {
        std::string ids;
        for (const RowView& row : batch.rows()) {
          ids += " " + std::string(row.requisition_id());
        }
        return Saw(batch.page(), ids, stop_at);
      };
    }
    return handlers;
  }

  bool Saw(int page, const std::string& ids, int stop_at) {
    events.push_back("batch " + std::to_string(page) + ids);
    return ++batches != stop_at;
  }
};

class StreamRequisitionsTest : public ::testing::TestWithParam<Receiving> {};

INSTANTIATE_TEST_SUITE_P(BothWays, StreamRequisitionsTest,
                         ::testing::Values(Receiving::kMessages,
                                           Receiving::kViews));

TEST(FromGrpcStatusTest, KeepsCodeAndMessage) {
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
  const absl::Status status = FromGrpcStatus(
      grpc::Status(grpc::StatusCode::NOT_FOUND, "connection 'x' not found"));
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "connection 'x' not found");
  EXPECT_EQ(
      FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no"))
          .code(),
      absl::StatusCode::kUnauthenticated);
}

TEST(ClientTest, UnaryCallReturnsTheAnswer) {
  FakeServer server;
  server.get_connection = [](const v1::GetConnectionRequest& request,
                             v1::Connection* connection) {
    connection->set_name(request.name());
    connection->set_display_name("Acme");
    return grpc::Status::OK;
  };
  v1::GetConnectionRequest request;
  request.set_name("connections/acme-prod");

  absl::StatusOr<v1::Connection> connection =
      server.NewClient()->GetConnection(request);
  ASSERT_TRUE(connection.ok()) << connection.status();
  EXPECT_EQ(connection->name(), "connections/acme-prod");
  EXPECT_EQ(connection->display_name(), "Acme");
}

TEST(ClientTest, UnaryCallReturnsTheServersError) {
  FakeServer server;
  server.delete_connection = [](const v1::DeleteConnectionRequest&,
                                google::protobuf::Empty*) {
    return grpc::Status(grpc::StatusCode::ABORTED, "etag 'e1' is stale");
  };
  const absl::Status status =
      server.NewClient()->DeleteConnection(v1::DeleteConnectionRequest());
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(status.message(), "etag 'e1' is stale");
}

TEST(ClientTest, TimeoutBecomesTheDeadline) {
  FakeServer server;
  std::unique_ptr<Client> client = server.NewClient();
  client->TestConnection(v1::TestConnectionRequest(), {absl::Seconds(30)})
      .IgnoreError();
  client->TestConnection(v1::TestConnectionRequest()).IgnoreError();

  const std::vector<FakeServer::Call> calls = server.calls();
  ASSERT_EQ(calls.size(), 2u);
  // gRPC may round a deadline up a little on its way.
  EXPECT_LT(absl::AbsDuration(calls[0].time_left - absl::Seconds(30)),
            absl::Seconds(5));
  EXPECT_EQ(calls[1].time_left, absl::InfiniteDuration());
}

TEST_P(StreamRequisitionsTest, HandsOverSchemaAndBatchesThenReturnsSummary) {
  FakeServer server;
  server.stream_requisitions = [](const v1::StreamRequisitionsRequest&,
                                  FakeServer::StreamWriter* writer) {
    writer->Write(SchemaMessage());
    writer->Write(BatchMessage(1, 2));
    writer->Write(BatchMessage(2, 1));
    writer->Write(SummaryMessage(3, 2));
    return grpc::Status::OK;
  };
  Seen seen;
  v1::StreamRequisitionsRequest request;
  request.set_connection("connections/acme-prod");

  absl::StatusOr<v1::ImportSummary> summary =
      server.NewClient()->StreamRequisitions(request,
                                             seen.Handlers(GetParam()));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->rows(), 3);
  EXPECT_EQ(summary->pages(), 2);
  EXPECT_THAT(seen.events,
              ElementsAre("schema id", "batch 1 r1-0 r1-1", "batch 2 r2-0"));
  EXPECT_EQ(server.LastRequest<v1::StreamRequisitionsRequest>().connection(),
            "connections/acme-prod");
}

TEST_P(StreamRequisitionsTest, EndingWithoutSummaryIsDataLoss) {
  FakeServer server;
  server.stream_requisitions = [](const v1::StreamRequisitionsRequest&,
                                  FakeServer::StreamWriter* writer) {
    writer->Write(SchemaMessage());
    writer->Write(BatchMessage(1, 1));
    return grpc::Status::OK;
  };
  Seen seen;
  absl::StatusOr<v1::ImportSummary> summary =
      server.NewClient()->StreamRequisitions(v1::StreamRequisitionsRequest(),
                                             seen.Handlers(GetParam()));
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(summary.status().message(), "stream ended without a summary");
  EXPECT_THAT(seen.events, ElementsAre("schema id", "batch 1 r1-0"));
}

TEST_P(StreamRequisitionsTest, ServerErrorMidwayIsReturnedAsIs) {
  FakeServer server;
  server.stream_requisitions = [](const v1::StreamRequisitionsRequest&,
                                  FakeServer::StreamWriter* writer) {
    writer->Write(SchemaMessage());
    writer->Write(BatchMessage(1, 1));
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "Lever answered 503 three times");
  };
  Seen seen;
  absl::StatusOr<v1::ImportSummary> summary =
      server.NewClient()->StreamRequisitions(v1::StreamRequisitionsRequest(),
                                             seen.Handlers(GetParam()));
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(summary.status().message(), "Lever answered 503 three times");
  EXPECT_THAT(seen.events, ElementsAre("schema id", "batch 1 r1-0"));
}

TEST_P(StreamRequisitionsTest, FalseFromTheBatchHandlerCancels) {
  FakeServer server;
  server.stream_requisitions = [](const v1::StreamRequisitionsRequest&,
                                  FakeServer::StreamWriter* writer) {
    writer->Write(SchemaMessage());
    for (int page = 1; page <= 50 && writer->Write(BatchMessage(page, 1));
         ++page) {
    }
    writer->Write(SummaryMessage(50, 50));
    return grpc::Status::OK;
  };
  Seen seen;
  absl::StatusOr<v1::ImportSummary> summary =
      server.NewClient()->StreamRequisitions(v1::StreamRequisitionsRequest(),
                                             seen.Handlers(GetParam(), 1));
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kCancelled);
  EXPECT_THAT(seen.events, ElementsAre("schema id", "batch 1 r1-0"));
}

// A batch in a message that also carries a field this client does not
// know (as a newer server may send) still reaches either handler.
TEST_P(StreamRequisitionsTest, ABatchBesideAnUnknownFieldStillArrives) {
  FakeServer server;
  server.stream_requisitions = [](const v1::StreamRequisitionsRequest&,
                                  FakeServer::StreamWriter* writer) {
    writer->Write(SchemaMessage());
    v1::StreamRequisitionsResponse batch = BatchMessage(1, 2);
    batch.GetReflection()->MutableUnknownFields(&batch)->AddVarint(15, 1);
    writer->Write(batch);
    writer->Write(SummaryMessage(2, 1));
    return grpc::Status::OK;
  };
  Seen seen;
  absl::StatusOr<v1::ImportSummary> summary =
      server.NewClient()->StreamRequisitions(v1::StreamRequisitionsRequest(),
                                             seen.Handlers(GetParam()));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(seen.events, ElementsAre("schema id", "batch 1 r1-0 r1-1"));
}

TEST_P(StreamRequisitionsTest, HandlersMayBeLeftEmpty) {
  FakeServer server;
  server.stream_requisitions = [](const v1::StreamRequisitionsRequest&,
                                  FakeServer::StreamWriter* writer) {
    writer->Write(SchemaMessage());
    writer->Write(BatchMessage(1, 1));
    writer->Write(SummaryMessage(1, 1));
    return grpc::Status::OK;
  };
  absl::StatusOr<v1::ImportSummary> summary =
      server.NewClient()->StreamRequisitions(v1::StreamRequisitionsRequest(),
                                             StreamHandlers());
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->rows(), 1);
}

TEST(StreamHandlersTest, BothWaysOfReceivingBatchesAtOnceIsInvalid) {
  FakeServer server;
  StreamHandlers handlers;
  handlers.on_batch = [](const v1::RowBatch&) { return true; };
  handlers.on_rows = [](const RowBatchView&) { return true; };
  absl::StatusOr<v1::ImportSummary> summary =
      server.NewClient()->StreamRequisitions(v1::StreamRequisitionsRequest(),
                                             handlers);
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(summary.status().message(),
            "StreamHandlers: set on_batch or on_rows, not both");
  EXPECT_TRUE(server.calls().empty());
}

}  // namespace
}  // namespace leverconnect::client
