#include "lib/storage/postgres_request_budget.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace leverconnect::storage {
namespace {

// The tokens a row holds now: what it held plus what accrued since its
// last take, at most the burst ($2). $3 is the rate.
constexpr char kAvailable[] =
    "least($2::float8, tokens + $3::float8 * greatest(0, extract(epoch FROM "
    "clock_timestamp() - refilled_at)::float8))";

// Longest wait a take may reserve when the caller has no deadline.
constexpr double kNoDeadlineSeconds = 1e9;

class PostgresBudget : public ratelimit::RequestBudget {
 public:
  PostgresBudget(std::shared_ptr<PostgresPool> pool, std::string key_digest,
                 ratelimit::BucketOptions options, retry::Clock& clock)
      : pool_(std::move(pool)),
        key_digest_(std::move(key_digest)),
        options_(options),
        clock_(clock) {}

  absl::StatusOr<absl::Duration> Acquire(
      absl::Time deadline, const std::function<bool()>& cancelled) override {
    const double max_wait =
        deadline == absl::InfiniteFuture()
            ? kNoDeadlineSeconds
            : std::max(0.0, absl::ToDoubleSeconds(deadline - clock_.Now()));
    absl::StatusOr<std::optional<double>> balance = Take(max_wait);
    // Nothing taken: the key may have no row yet (another replica may be
    // adding it at this moment too), or the wait is too long.
    if (balance.ok() && !balance->has_value()) {
      absl::Status created = CreateRow();
      if (created.ok()) {
        balance = Take(max_wait);
      } else {
        balance = created;
      }
    }
    if (!balance.ok()) {
      return absl::UnavailableError(
          absl::StrCat("the shared request budget is unavailable: ",
                       balance.status().message()));
    }
    if (!balance->has_value()) {
      return absl::DeadlineExceededError(
          "the deadline would pass while waiting for the API key's request "
          "budget");
    }

    const absl::Duration wait = **balance >= 0
                                    ? absl::ZeroDuration()
                                    : absl::Seconds(-**balance / options_.rate);
    if (wait > absl::ZeroDuration() && !clock_.Sleep(wait, cancelled)) {
      return absl::CancelledError(
          "cancelled while waiting for the API key's request budget");
    }
    return wait;
  }

 private:
  // Takes a token unless its wait would exceed `max_wait` seconds; returns
  // the tokens left (negative: a debt to wait out), or nothing when no
  // token was taken (no row yet, or the wait too long).
  absl::StatusOr<std::optional<double>> Take(double max_wait) {
    absl::StatusOr<PostgresResult> taken = pool_->ExecuteRetryable(
        absl::StrCat("UPDATE request_budgets SET tokens = ", kAvailable,
                     " - 1, refilled_at = greatest(refilled_at, "
                     "clock_timestamp()) WHERE key_digest = $1 AND ",
                     kAvailable,
                     " - 1 >= -$3::float8 * $4::float8 RETURNING tokens"),
        PostgresParams()
            .Text(key_digest_)
            .Double(options_.burst)
            .Double(options_.rate)
            .Double(max_wait));
    if (!taken.ok()) return taken.status();
    if (taken->rows() == 0) return std::nullopt;
    return taken->Double(0, 0);
  }

  // Adds the key's row, full, unless it is there already.
  absl::Status CreateRow() {
    return pool_
        ->ExecuteRetryable(
            "INSERT INTO request_budgets (key_digest, tokens, refilled_at) "
            "VALUES ($1, $2::float8, clock_timestamp()) ON CONFLICT DO NOTHING",
            PostgresParams().Text(key_digest_).Double(options_.burst))
        .status();
  }

  const std::shared_ptr<PostgresPool> pool_;
  const std::string key_digest_;
  const ratelimit::BucketOptions options_;
  retry::Clock& clock_;
};

class PostgresBudgets : public ratelimit::BudgetSource {
 public:
  PostgresBudgets(std::shared_ptr<PostgresPool> pool,
                  ratelimit::BucketOptions options, retry::Clock& clock)
      : pool_(std::move(pool)), options_(options), clock_(clock) {}

  std::shared_ptr<ratelimit::RequestBudget> ForKey(
      absl::string_view key_fingerprint) override {
    return std::make_shared<PostgresBudget>(pool_, std::string(key_fingerprint),
                                            options_, clock_);
  }

 private:
  const std::shared_ptr<PostgresPool> pool_;
  const ratelimit::BucketOptions options_;
  retry::Clock& clock_;
};

}  // namespace

std::unique_ptr<ratelimit::BudgetSource> MakePostgresBudgets(
    std::shared_ptr<PostgresPool> pool, ratelimit::BucketOptions options,
    retry::Clock& clock) {
  return std::make_unique<PostgresBudgets>(std::move(pool), options, clock);
}

}  // namespace leverconnect::storage
