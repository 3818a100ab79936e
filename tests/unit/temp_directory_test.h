// A test fixture with a fresh directory per test, removed afterwards.
#ifndef LEVERCONNECT_TESTS_UNIT_TEMP_DIRECTORY_TEST_H_
#define LEVERCONNECT_TESTS_UNIT_TEMP_DIRECTORY_TEST_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace leverconnect::testing {

class TempDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "leverconnect-test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
  }

  void TearDown() override { std::filesystem::remove_all(directory_); }

  // Writes `content` to the file `name` in the directory; returns its path.
  std::string WriteFile(const std::string& name, const std::string& content) {
    const std::string path = (directory_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::filesystem::path directory_;
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_UNIT_TEMP_DIRECTORY_TEST_H_
