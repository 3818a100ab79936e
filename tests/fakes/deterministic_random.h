// A small pseudo-random generator whose output depends only on its seed,
// on every platform and standard library (unlike std::*_distribution), so
// generated test data is reproducible. Not thread-safe; not for secrets.
#ifndef LEVERCONNECT_TESTS_FAKES_DETERMINISTIC_RANDOM_H_
#define LEVERCONNECT_TESTS_FAKES_DETERMINISTIC_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace leverconnect::testing {

class DeterministicRandom {
 public:
  explicit DeterministicRandom(std::uint64_t seed) : state_(seed) {}

  // The next 64 random bits (the SplitMix64 sequence).
  std::uint64_t Next();

  // A number in [0, bound). REQUIRES: bound > 0.
  std::uint64_t Below(std::uint64_t bound) { return Next() % bound; }

  // A number in [low, high]. REQUIRES: low <= high.
  std::int64_t Between(std::int64_t low, std::int64_t high);

  // True with the given chance, in percent.
  bool Percent(int percent) {
    return Below(100) < static_cast<unsigned>(percent);
  }

  // One element of a non-empty array.
  template <typename T, std::size_t N>
  const T& Pick(const T (&choices)[N]) {
    return choices[Below(N)];
  }

  // A random version-4 UUID in its usual lower-case text form.
  std::string Uuid();

 private:
  std::uint64_t state_;
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_DETERMINISTIC_RANDOM_H_
