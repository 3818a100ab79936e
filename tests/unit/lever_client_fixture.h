// What tests of LeverClient share: a scripted HTTP client, a fake clock,
// and a client on both with three attempts, 100 ms apart at first.
#ifndef LEVERCONNECT_TESTS_UNIT_LEVER_CLIENT_FIXTURE_H_
#define LEVERCONNECT_TESTS_UNIT_LEVER_CLIENT_FIXTURE_H_

#include "gtest/gtest.h"
#include "lib/lever/lever_client.h"
#include "tests/unit/fake_clock.h"
#include "tests/unit/scripted_http.h"

namespace leverconnect::testing {

class LeverClientFixture : public ::testing::Test {
 protected:
  lever::LeverClient MakeClient() {
    lever::LeverClient::Options options;
    options.base_url = "https://lever.test/v1";
    options.api_key = "secret-key";
    options.retry.max_attempts = 3;
    options.retry.initial_backoff = absl::Milliseconds(100);
    return lever::LeverClient(
        http_, clock_, [] { return 1.0; }, options);
  }

  ScriptedHttp http_;
  FakeClock clock_;
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_UNIT_LEVER_CLIENT_FIXTURE_H_
