#include "crosstalk/dist/launcher.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "crosstalk/common/error.h"
#include "crosstalk/dist/world.h"

extern char** environ;

namespace crosstalk::dist {

namespace {

volatile sig_atomic_t pending_signal = 0;

void remember_signal(int sig) { pending_signal = sig; }

struct Worker {
  int rank = 0;
  pid_t pid = -1;
  bool running = false;
  int code = 0;  // exit code, or 128 + signal
};

// The environment of worker `rank`: ours without torchrun's variables, plus them.
std::vector<std::string> worker_environment(int rank, int size, int port) {
  const std::vector<std::string> ours = {"RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT",
                                         "GLOG_minloglevel", kLauncherVariable};
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& o : ours) replaced = replaced || name == o;
    if (!replaced) env.push_back(entry);
  }
  env.push_back("RANK=" + std::to_string(rank));
  env.push_back("LOCAL_RANK=" + std::to_string(rank));
  env.push_back("WORLD_SIZE=" + std::to_string(size));
  env.push_back("MASTER_ADDR=127.0.0.1");
  env.push_back("MASTER_PORT=" + std::to_string(port));
  env.push_back("GLOG_minloglevel=3");  // c10d's own log lines: none, ours say what failed
  env.push_back(std::string(kLauncherVariable) + "=" + std::to_string(::getpid()));
  return env;
}

pid_t start_worker(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::vector<char*> argv, envp;
  auto a = args;  // execve's arrays: prepared before fork, only async-signal-safe calls after it
  auto e = env;
  for (auto& s : a) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : e) envp.push_back(s.data());
  envp.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw UserError(std::string("cannot start a worker process: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);  // its own process group: a terminal's Ctrl-C reaches the launcher only
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);  // the launcher died before prctl
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve("/proc/self/exe", argv.data(), envp.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from here: no race with the first kill of its group
  return pid;
}

std::string describe(int status) {
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  return "exited with code " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

int launch_local(const LaunchOptions& o) {
  TORCH_CHECK(o.nproc >= 1 && !o.argv.empty(), "launch_local: bad options");
  const int port = free_port();
  spdlog::info("world size {}: starting {} local workers, rendezvous on 127.0.0.1:{}", o.nproc, o.nproc, port);
  struct sigaction sa {}, old_int {}, old_term {};
  sa.sa_handler = remember_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);
  std::vector<Worker> workers(static_cast<size_t>(o.nproc));
  for (int r = 0; r < o.nproc; ++r) {
    workers[r].rank = r;
    workers[r].pid = start_worker(o.argv, worker_environment(r, o.nproc, port));
    workers[r].running = true;
  }
  int running = o.nproc, first_failure = 0;
  std::chrono::steady_clock::time_point deadline{};
  bool killing = false, forwarded = false;
  while (running > 0) {
    if (const int sig = pending_signal) {
      pending_signal = 0;
      if (workers[0].running) ::kill(workers[0].pid, sig);  // rank 0 decides when the world stops
      forwarded = true;
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (auto& w : workers) {
        if (w.pid != pid || !w.running) continue;
        w.running = false;
        --running;
        w.code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        const bool interrupted = forwarded && (w.code == 130 || w.code == 143);
        if (w.code != 0 && !killing && !interrupted) {
          spdlog::error("worker rank {} (pid {}) {}", w.rank, w.pid, describe(status));
          if (first_failure == 0) first_failure = w.code;
          if (deadline == std::chrono::steady_clock::time_point{} && running > 0) {
            deadline = std::chrono::steady_clock::now() + o.grace;
            spdlog::info("waiting up to {} s for the other workers to stop", o.grace.count());
          }
        }
      }
      continue;
    }
    if (pid < 0 && errno == ECHILD) break;
    if (deadline != std::chrono::steady_clock::time_point{} && !killing && std::chrono::steady_clock::now() >= deadline) {
      killing = true;
      for (const auto& w : workers)
        if (w.running) {
          spdlog::error("worker rank {} (pid {}) did not stop in time: killed", w.rank, w.pid);
          ::kill(-w.pid, SIGKILL);
        }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  return workers[0].code != 0 ? workers[0].code : first_failure;
}

}  // namespace crosstalk::dist
