#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace crosstalk::dist {

/// `crosstalk train ... --nproc N`: N local worker processes of one data-parallel world.
struct LaunchOptions {
  int nproc = 2;
  std::vector<std::string> argv;     // each worker's command line, argv[0] included; run as /proc/self/exe
  std::chrono::seconds grace{330};   // how long the others get once a worker has failed (--dist-timeout + 30 s)
};

/// The environment variable the launcher sets in its workers (its pid), so that
/// a worker knows its --nproc was the launcher's.
constexpr const char* kLauncherVariable = "CROSSTALK_LAUNCHER_PID";

/// Starts the workers (fork + exec, torchrun's variables RANK, WORLD_SIZE,
/// LOCAL_RANK, MASTER_ADDR=127.0.0.1 and a free MASTER_PORT) and waits for them.
/// Each worker runs in its own process group and dies with the launcher
/// (PR_SET_PDEATHSIG). SIGINT and SIGTERM to the launcher go to rank 0, which
/// stops the world at a step boundary. When a worker fails, the launcher names
/// it and gives the others `grace` before it kills them. Returns rank 0's exit
/// code, else the first failed worker's (128 + signal when killed).
int launch_local(const LaunchOptions& options);

}  // namespace crosstalk::dist
