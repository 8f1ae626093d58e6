// A temporary directory for a test binary, removed with its contents at exit.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <system_error>

struct ScopedTempDir {
  std::filesystem::path path;
  explicit ScopedTempDir(const std::string& tag) {
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path = std::filesystem::temp_directory_path() / ("crosstalk_test_" + tag + "_" + std::to_string(stamp));
    std::filesystem::create_directories(path);
  }
  ~ScopedTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
};
