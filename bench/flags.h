// A tiny "--name value" flag reader for the benchmark programs.
#ifndef LEVERCONNECT_BENCH_FLAGS_H_
#define LEVERCONNECT_BENCH_FLAGS_H_

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace leverconnect::bench {

// Reads "--name value" pairs; only names in `defaults` are accepted, and
// any other argument prints `usage` and exits with 2.
class Flags {
 public:
  Flags(int argc, char** argv, std::map<std::string, std::string> defaults,
        const char* usage)
      : values_(std::move(defaults)) {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg.rfind("--", 0) != 0 || i + 1 >= argc ||
          values_.count(arg.substr(2)) == 0) {
        std::fprintf(stderr, "%s", usage);
        std::exit(2);
      }
      values_[arg.substr(2)] = argv[++i];
    }
  }

  const std::string& Get(const std::string& name) const {
    return values_.at(name);
  }
  int Int(const std::string& name) const {
    return std::atoi(values_.at(name).c_str());
  }
  double Double(const std::string& name) const {
    return std::atof(values_.at(name).c_str());
  }
  // "one_cursor", "parallel" or "both" (the default).
  template <typename Mode>
  std::vector<Mode> Modes(Mode one_cursor, Mode parallel) const {
    const std::string& modes = values_.at("modes");
    if (modes == "one_cursor") return {one_cursor};
    if (modes == "parallel") return {parallel};
    return {one_cursor, parallel};
  }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace leverconnect::bench

#endif  // LEVERCONNECT_BENCH_FLAGS_H_
