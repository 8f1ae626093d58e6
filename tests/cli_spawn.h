// Running the crosstalk binary as a child process the tests can signal and measure:
// stdin from any file descriptor (a pipe, a directory opened read-only), stdout and
// stderr into files, the exit status and the child's peak memory (RSS).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "cli_support.h"

namespace {

struct Spawned {
  int code = -1;  // exit status, or 128 + signal
  std::string out, err;
  long max_rss_kb = 0;
  std::string command;
};

/// A running `crosstalk args...` in the repository root.
class Child {
 public:
  /// stdin_fd is dup'ed onto the child's stdin (the caller keeps and closes its own).
  Child(const std::vector<std::string>& args, int stdin_fd) {
    command_ = "crosstalk";
    for (const auto& a : args) command_ += " " + a;
    std::vector<std::string> argv_s = {kBinary};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string out = io_ / "stdout", err = io_ / "stderr";
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {  // only async-signal-safe calls until exec
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      for (int sig : {SIGINT, SIGTERM, SIGPIPE}) signal(sig, SIG_DFL);
      const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (o < 0 || e < 0 || ::chdir(kSource.c_str()) != 0) ::_exit(121);
      ::dup2(stdin_fd, 0);
      ::dup2(o, 1);
      ::dup2(e, 2);
      ::execv(argv[0], argv.data());
      ::_exit(122);
    }
  }
  ~Child() {
    if (pid_ > 0 && !waited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  std::string stdout_path() const { return io_ / "stdout"; }
  std::string stdout_text() const { return read_file(io_ / "stdout"); }

  /// Waits for the end: exit status (128 + signal if killed), output, peak RSS.
  Spawned wait() {
    Spawned r;
    int status = 0;
    rusage usage{};
    REQUIRE(::wait4(pid_, &status, 0, &usage) == pid_);
    waited_ = true;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    r.max_rss_kb = usage.ru_maxrss;
    r.out = read_file(io_ / "stdout");
    r.err = read_file(io_ / "stderr");
    r.command = command_;
    return r;
  }

 private:
  TempDir io_;
  pid_t pid_ = -1;
  bool waited_ = false;
  std::string command_;
};

/// `crosstalk args...` with stdin opened read-only from `stdin_path` (a directory too).
Spawned spawn_run(const std::vector<std::string>& args, const std::string& stdin_path = "/dev/null") {
  const int fd = ::open(stdin_path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  Child child(args, fd);
  ::close(fd);
  return child.wait();
}

/// Result as cli_support.h's Result, for check_user_error().
Result as_result(const Spawned& s) {
  Result r;
  r.code = s.code;
  r.out = s.out;
  r.err = s.err;
  r.command = s.command;
  return r;
}

}  // namespace
