// Which listen addresses may be plaintext.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/auth/transport_policy.h"

namespace leverconnect::auth {
namespace {

using ::testing::HasSubstr;

TEST(TransportPolicyTest, LoopbackAddresses) {
  for (const char* address :
       {"127.0.0.1:50051", "127.1.2.3:0", "localhost:50051", "LocalHost:1",
        "[::1]:50051", "::1", "ipv4:127.0.0.1:80", "unix:/tmp/lc.sock"}) {
    EXPECT_TRUE(IsLoopbackAddress(address)) << address;
  }
  for (const char* address :
       {"0.0.0.0:50051", "[::]:50051", ":50051", "10.0.0.7:50051",
        "128.0.0.1:1", "example.com:443", "localhost.example.com:1",
        "[::ffff:10.0.0.1]:1", "[::1:50051", ""}) {
    EXPECT_FALSE(IsLoopbackAddress(address)) << address;
  }
}

TEST(TransportPolicyTest, PlaintextOffLoopbackNeedsTheOverride) {
  EXPECT_TRUE(CheckPlaintextListener("127.0.0.1:0", false).ok());
  EXPECT_TRUE(CheckPlaintextListener("0.0.0.0:50051", true).ok());
  const absl::Status refused = CheckPlaintextListener("0.0.0.0:50051", false);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(),
              HasSubstr("refusing to listen in plaintext on 0.0.0.0:50051, "
                        "which is not a loopback address"));
  EXPECT_THAT(refused.message(), HasSubstr("--allow-plaintext"));
  EXPECT_THAT(refused.message(), HasSubstr("--tls-cert"));
}

}  // namespace
}  // namespace leverconnect::auth
