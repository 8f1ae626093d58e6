// common/atomic_file: all-or-nothing writes.
#include <catch2/catch.hpp>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <string>

#include "crosstalk/common/atomic_file.h"
#include "crosstalk/common/error.h"
#include "temp_dir.h"

namespace fs = std::filesystem;
using crosstalk::UserError;

TEST_CASE("atomic file: writes, replaces, and leaves no temporary", "[atomic_file]") {
  ScopedTempDir tmp("atomic");
  const std::string path = (tmp.path / "f.txt").string();
  crosstalk::write_file_atomic(path, "one");
  CHECK(crosstalk::read_file_bytes(path) == "one");
  crosstalk::write_file_atomic(path, std::string("two\0three", 9));
  CHECK(crosstalk::read_file_bytes(path) == std::string("two\0three", 9));
  CHECK_FALSE(fs::exists(path + ".tmp"));
}

TEST_CASE("atomic file: a failing producer leaves the old file and no temporary", "[atomic_file]") {
  ScopedTempDir tmp("atomic_fail");
  const std::string path = (tmp.path / "f.txt").string();
  crosstalk::write_file_atomic(path, "old");
  CHECK_THROWS_AS(crosstalk::write_file_atomic_with(path,
                                                    [](const crosstalk::ByteSink& sink) {
                                                      sink("new", 3);
                                                      throw std::runtime_error("producer failed");
                                                    }),
                  UserError);
  CHECK(crosstalk::read_file_bytes(path) == "old");
  CHECK_FALSE(fs::exists(path + ".tmp"));
}

TEST_CASE("atomic file: a write over RLIMIT_FSIZE fails in one line and keeps the old file", "[atomic_file]") {
  ScopedTempDir tmp("atomic_fsize");
  const std::string path = (tmp.path / "big.bin").string();
  crosstalk::write_file_atomic(path, "previous");
  // In a child process: the limit and SIGXFSZ must not touch the test binary.
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{64 * 1024, 64 * 1024};
    setrlimit(RLIMIT_FSIZE, &limit);
    try {
      crosstalk::write_file_atomic(path, std::string(1 << 20, 'x'));
      _exit(10);  // should not succeed
    } catch (const UserError& e) {
      const std::string what = e.what();
      _exit(what.find("big.bin") != std::string::npos && what.find("File too large") != std::string::npos ? 0 : 11);
    } catch (...) {
      _exit(12);
    }
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(crosstalk::read_file_bytes(path) == "previous");
  CHECK_FALSE(fs::exists(path + ".tmp"));
}

TEST_CASE("atomic file: reading a directory or a missing file is a UserError", "[atomic_file]") {
  ScopedTempDir tmp("atomic_read");
  CHECK_THROWS_AS(crosstalk::read_file_bytes(tmp.path.string()), UserError);
  CHECK_THROWS_AS(crosstalk::read_file_bytes((tmp.path / "absent").string()), UserError);
  CHECK_NOTHROW(crosstalk::check_writable_directory(tmp.path.string()));
  CHECK_THROWS_AS(crosstalk::check_writable_directory((tmp.path / "absent").string()), UserError);
}
