// A token bucket that waits instead of refusing: the client-side budget of
// requests to an API that rate-limits per key.
//
// Tokens accrue at `rate` per second up to `burst`. Acquire takes one,
// waiting when none is left; waiters are served in the order they arrived
// (each reserves the next token, leaving the bucket in debt), so many
// imports sharing one bucket share it fairly and together never exceed it.
// Thread-safe.
#ifndef LEVERCONNECT_LIB_RATELIMIT_TOKEN_BUCKET_H_
#define LEVERCONNECT_LIB_RATELIMIT_TOKEN_BUCKET_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/retry/clock.h"

namespace leverconnect::ratelimit {

struct BucketOptions {
  double rate = 9;    // tokens per second; a little under Lever's 10
  double burst = 18;  // most tokens held at once; a little under Lever's 20
};

// The request budget of one API key: every request to the API takes one
// token first. Implementations are thread-safe.
class RequestBudget {
 public:
  virtual ~RequestBudget() = default;

  // Takes a token and returns how long it waited for it. Fails, without
  // taking a token, with DEADLINE_EXCEEDED when the token would come after
  // `deadline`; fails with CANCELLED when `cancelled` (may be empty) turns
  // true during the wait (the reserved token is not given back). Other
  // errors (UNAVAILABLE) come from where the budget is kept.
  virtual absl::StatusOr<absl::Duration> Acquire(
      absl::Time deadline, const std::function<bool()>& cancelled) = 0;
};

// Hands out the budget of each API key. Thread-safe.
class BudgetSource {
 public:
  virtual ~BudgetSource() = default;

  // The budget of the key whose fingerprint is `key_fingerprint` (a digest,
  // never the key itself). Every budget handed out for one fingerprint
  // draws from the same tokens.
  virtual std::shared_ptr<RequestBudget> ForKey(
      absl::string_view key_fingerprint) = 0;
};

// A budget kept in this process.
class TokenBucket : public RequestBudget {
 public:
  // The bucket starts full. `clock` must outlive the bucket.
  // REQUIRES: options.rate > 0 and options.burst >= 1.
  TokenBucket(BucketOptions options, retry::Clock& clock);

  absl::StatusOr<absl::Duration> Acquire(
      absl::Time deadline, const std::function<bool()>& cancelled) override;

 private:
  const BucketOptions options_;
  retry::Clock& clock_;
  absl::Mutex mu_;
  double tokens_ ABSL_GUARDED_BY(mu_);
  absl::Time refilled_ ABSL_GUARDED_BY(mu_);
};

// One bucket per API key, created on first use and shared by every import,
// schema read and connection test that uses that key in this process: the
// budget of a single replica. Thread-safe.
class BucketRegistry : public BudgetSource {
 public:
  BucketRegistry(BucketOptions options, retry::Clock& clock);

  std::shared_ptr<RequestBudget> ForKey(
      absl::string_view key_fingerprint) override;

 private:
  const BucketOptions options_;
  retry::Clock& clock_;
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<TokenBucket>, std::less<>> buckets_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace leverconnect::ratelimit

#endif  // LEVERCONNECT_LIB_RATELIMIT_TOKEN_BUCKET_H_
