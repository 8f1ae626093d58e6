// A `crosstalk` process running in the background, for tests that signal or
// kill it mid-run (interrupts, crashes). Output goes to files in `io_dir`.
#pragma once

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

class ChildProcess {
 public:
  /// Starts `binary args...` in `cwd` with stdin from /dev/null; `env` entries
  /// ("NAME=value") are added to the environment.
  ChildProcess(const std::string& binary, const std::vector<std::string>& args, const std::string& cwd,
               const std::string& io_dir, const std::vector<std::string>& env = {})
      : out_path_(io_dir + "/child.stdout"), err_path_(io_dir + "/child.stderr") {
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      if (chdir(cwd.c_str()) != 0) _exit(120);
      const int in = open("/dev/null", O_RDONLY);
      const int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in < 0 || out < 0 || err < 0) _exit(121);
      dup2(in, 0);
      dup2(out, 1);
      dup2(err, 2);
      for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
      std::vector<char*> argv{const_cast<char*>(binary.c_str())};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(122);
    }
  }
  ~ChildProcess() {
    if (pid_ > 0 && !done_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void signal(int sig) { kill(pid_, sig); }
  pid_t pid() const { return pid_; }

  /// Polls `ready` every 2 ms until it holds (true) or the process ends or
  /// `limit` passes (false).
  bool wait_until(const std::function<bool()>& ready, std::chrono::seconds limit = std::chrono::seconds(300)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (ready()) return true;
      if (finished()) return ready();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }

  /// Waits for the end: the exit code, or 128 + signal.
  int wait() {
    if (!done_) {
      int status = 0;
      waitpid(pid_, &status, 0);
      code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
      done_ = true;
    }
    return code_;
  }

  bool finished() {
    if (done_) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
      done_ = true;
    }
    return done_;
  }

  const std::string& stdout_path() const { return out_path_; }
  const std::string& stderr_path() const { return err_path_; }

 private:
  pid_t pid_ = -1;
  bool done_ = false;
  int code_ = -1;
  std::string out_path_, err_path_;
};
