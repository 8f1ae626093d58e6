// `crosstalk train` data-parallel on c10d: 2 processes on 127.0.0.1 against 1 process with the
// same global batches, resumes across world sizes, failures and interrupts. Ports are free
// ones picked at run time, so the tests pass under ctest -j2.
#include <signal.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <cmath>
#include <fstream>

#include "child_process.h"
#include "cli_support.h"
#include "crosstalk/dist/communicator.h"
#include "crosstalk/dist/world.h"

namespace {

// Dropout on, so that the masks must agree too (keyed by the example: model/dropout.h).
const std::vector<std::string> kCommon = {"--threads", "1", "--dropout", "0.1", "--attention-dropout", "0.1",
                                          "--log-every", "1", "--valid-every", "1000", "--max-epochs", "1000",
                                          "--save-every-minutes", "0"};
constexpr int kSteps = 20;

std::vector<std::string> args_with(const std::string& dir, std::vector<std::string> extra) {
  auto all = kCommon;
  all.insert(all.end(), extra.begin(), extra.end());
  return tiny_args(dir, all);
}

Result train_run(const std::string& dir, std::vector<std::string> extra) {
  const auto r = run(args_with(dir, std::move(extra)));
  INFO("command: " << r.command);
  INFO("stderr:\n" << r.err);
  REQUIRE(r.code == 0);
  return r;
}

double loss_of(const std::string& line) {
  std::smatch m;
  const std::regex re(R"re("loss":([^,]+),)re");
  REQUIRE(std::regex_search(line, m, re));
  return std::stod(m[1].str());
}

// The schedule of configs/tiny.toml (lr 0.005, warmup 50) summed over `steps` updates.
double sum_of_learning_rates(int steps) {
  double sum = 0;
  for (int t = 1; t <= steps; ++t) sum += 0.005 * std::min(t / 50.0, std::sqrt(50.0 / t));
  return sum;
}

// Losses of steps [from, to] agree to 1e-5 relative. Each step's loss is a sum over the
// same tokens in another order and grouping (two shards, two padded shapes), from weights
// that agree to the bound below: float rounding, far below 1e-5 for 20 steps.
void check_same_losses(const std::string& a, const std::string& b, int64_t from, int64_t to) {
  const auto la = train_lines(a), lb = train_lines(b);
  std::map<int64_t, double> loss_b;
  for (const auto& [step, line] : lb) loss_b[step] = loss_of(line);
  int64_t compared = 0;
  for (const auto& [step, line] : la) {
    if (step < from || step > to) continue;
    INFO("step " << step);
    REQUIRE(loss_b.count(step) == 1);
    const double x = loss_of(line), y = loss_b[step];
    CHECK(std::abs(x - y) <= 1e-5 * std::abs(x));
    ++compared;
  }
  CHECK(compared == to - from + 1);
}

// Final weights agree: max|dw| <= 1e-4 max|w|. Why that bound holds, and where it cannot:
// Adam's update is lr_t m/(sqrt(v) + eps), and |m/sqrt(v)| <= 1 whenever 1 - beta1 <=
// sqrt(1 - beta2) (Kingma & Ba, sec. 2.1; 0.1 <= 0.141 here), so two runs can differ by at
// most 2 lr_t per step and 2 sum(lr_t) in all. Where a gradient is well above rounding, m/sqrt(v)
// is scale-free and a relative gradient difference rho (float rounding of sums in another
// order, ~1e-6) moves it by ~2 rho: 2 rho sum(lr_t) = 2e-6 * 0.021, far below 1e-4 max|w|
// (max|w| ~ 1). Where the exact gradient is zero, m/sqrt(v) is noise over noise and reaches
// the worst case: the key projection's bias (the middle third of in_proj_bias), since softmax
// ignores a constant added to all scores of a query. It is held to 2 sum(lr_t) (0.042 for 20
// steps) instead; the same is true of any data-parallel Adam.
void check_same_weights(const std::string& a, const std::string& b, int steps) {
  auto ma = load_last(a), mb = load_last(b);
  const auto pa = ma->named_parameters(), pb = mb->named_parameters();
  REQUIRE(pa.size() == pb.size());
  double max_w = 0;
  for (const auto& p : pa) max_w = std::max(max_w, p.value().abs().max().item<double>());
  const double adam_worst = 2 * sum_of_learning_rates(steps);
  for (size_t i = 0; i < pa.size(); ++i) {
    const auto& name = pa[i].key();
    auto x = pa[i].value().to(torch::kDouble), y = pb[i].value().to(torch::kDouble);
    INFO(name);
    if (name.find("in_proj_bias") != std::string::npos) {
      const int64_t d = x.size(0) / 3;
      const double key_diff = (x.narrow(0, d, d) - y.narrow(0, d, d)).abs().max().item<double>();
      CHECK(key_diff <= adam_worst);
      x = torch::cat({x.narrow(0, 0, d), x.narrow(0, 2 * d, d)});
      y = torch::cat({y.narrow(0, 0, d), y.narrow(0, 2 * d, d)});
    }
    const double diff = (x - y).abs().max().item<double>();
    INFO("max |dw| " << diff << ", max |w| " << max_w);
    CHECK(diff <= 1e-4 * max_w);
  }
}

}  // namespace

TEST_CASE("cli distributed: 2 processes train what 1 process trains (losses and weights)", "[cli][distributed][once]") {
  REQUIRE(crosstalk::dist::distributed_available());
  TempDir tmp;
  const std::string one = tmp / "one", two = tmp / "two";
  const auto steps = std::to_string(kSteps);
  train_run(one, {"--max-steps", steps});
  const auto r = train_run(two, {"--max-steps", steps, "--nproc", "2"});
  CHECK(contains(r.err, "world size 2: starting 2 local workers, rendezvous on 127.0.0.1:"));
  CHECK(contains(r.err, "[rank 0]"));
  check_same_losses(one, two, 1, kSteps);
  check_same_weights(one, two, kSteps);
  SECTION("and with --update-freq 2 (two batches per update)") {
    const std::string acc1 = tmp / "acc1", acc2 = tmp / "acc2";
    train_run(acc1, {"--max-steps", "10", "--update-freq", "2"});
    train_run(acc2, {"--max-steps", "10", "--update-freq", "2", "--nproc", "2"});
    check_same_losses(acc1, acc2, 1, 10);
    check_same_weights(acc1, acc2, 10);
  }
  SECTION("and with --guided-alignment (the links are sharded with their examples)") {
    const auto links = toy_links(tmp);
    const std::string g1 = tmp / "guided1", g2 = tmp / "guided2";
    train_run(g1, {"--max-steps", "10", "--guided-alignment", links});
    train_run(g2, {"--max-steps", "10", "--guided-alignment", links, "--nproc", "2"});
    check_same_losses(g1, g2, 1, 10);
    check_same_weights(g1, g2, 10);
  }
  SECTION("resume 1 -> 2 and 2 -> 1 continue the straight run") {
    for (const bool first_alone : {true, false}) {
      DYNAMIC_SECTION((first_alone ? "1 -> 2" : "2 -> 1")) {
        const std::string split = tmp / (first_alone ? "split12" : "split21");
        const std::vector<std::string> first = first_alone ? std::vector<std::string>{} : std::vector<std::string>{"--nproc", "2"};
        const std::vector<std::string> second = first_alone ? std::vector<std::string>{"--nproc", "2"} : std::vector<std::string>{};
        auto a = first;
        a.insert(a.end(), {"--max-steps", "10"});
        train_run(split, a);
        auto b = second;
        b.insert(b.end(), {"--max-steps", steps, "--resume"});
        train_run(split, b);
        check_same_losses(one, split, 11, kSteps);
        check_same_weights(one, split, kSteps);
      }
    }
  }
}

TEST_CASE("cli distributed: a killed worker stops the other within the timeout, naming it", "[cli][distributed]") {
  REQUIRE(crosstalk::dist::distributed_available());
  for (const int victim : {1, 0}) {
    DYNAMIC_SECTION("kill rank " << victim) {
      TempDir tmp;
      const std::string dir = tmp / "model";
      ChildProcess launcher(kBinary, args_with(dir, {"--max-steps", "100000", "--nproc", "2", "--dist-timeout", "20"}),
                            kSource, tmp.path().string());
      REQUIRE(launcher.wait_until([&] { return last_logged_step(dir) >= 3; }));
      // The worker of rank `victim`: a child of the launcher with RANK=victim in its environment.
      pid_t pid = -1;
      for (const auto& entry : fs::directory_iterator("/proc")) {
        const auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        const auto env = read_file(entry.path().string() + "/environ");
        const std::string rank = std::string(1, '\0') + "RANK=" + std::to_string(victim) + '\0';
        const std::string ours = "CROSSTALK_LAUNCHER_PID=" + std::to_string(launcher.pid()) + '\0';
        if (contains(env, rank) && contains(env, ours)) pid = std::stoi(name);
      }
      REQUIRE(pid > 0);
      const auto killed = std::chrono::steady_clock::now();
      ::kill(pid, SIGKILL);
      const int code = launcher.wait();
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
      const auto err = read_file(launcher.stderr_path());
      INFO("stderr:\n" << err);
      CHECK(code != 0);
      CHECK(seconds < 20 + 10);  // the survivor's own failure, well before the launcher's grace (20 + 30 s)
      CHECK(contains(err, "worker rank " + std::to_string(victim) + " (pid " + std::to_string(pid) + ") was killed by signal 9"));
      CHECK(contains(err, "rank " + std::to_string(1 - victim) + ": distributed training stopped"));
      CHECK(contains(err, "lost rank " + std::to_string(victim)));
      CHECK_FALSE(contains(err, "did not stop in time"));
    }
  }
}

TEST_CASE("cli distributed: Ctrl-C or SIGTERM on the launcher stops both at one step, saves, exits 130 / 143, "
          "one process resumes", "[cli][distributed][interrupt]") {
  REQUIRE(crosstalk::dist::distributed_available());
  for (const int sig : {SIGINT, SIGTERM}) {
    DYNAMIC_SECTION("signal " << sig) {
      TempDir tmp;
      const std::string dir = tmp / "model";
      ChildProcess launcher(kBinary, args_with(dir, {"--max-steps", "100000", "--nproc", "2"}), kSource,
                            tmp.path().string());
      REQUIRE(launcher.wait_until([&] { return last_logged_step(dir) >= 3; }));
      launcher.signal(sig);
      const int code = launcher.wait();
      const auto err = read_file(launcher.stderr_path());
      INFO("stderr:\n" << err);
      CHECK(code == 128 + sig);
      const std::string json = read_file(dir + "/train_summary.json");
      CHECK(json_string(json, "stopped_by") == "interrupted");
      const auto steps = static_cast<int64_t>(json_number(json, "steps"));
      CHECK(last_logged_step(dir) == steps);
      CHECK(contains(err, "--nproc 2 --resume"));
      CHECK_FALSE(contains(err, "error"));
      const auto resumed = train_tiny(dir, {"--resume", "--max-steps", std::to_string(steps + 2), "--threads", "1"});
      INFO("resume stderr:\n" << resumed.err);
      CHECK(resumed.code == 0);
      CHECK(contains(resumed.err, "resumed at step " + std::to_string(steps)));
    }
  }
}

namespace {

// `crosstalk train` (tiny, 5 steps) with torchrun's variables set.
Result train_with_env(const std::string& dir, const std::string& env, std::vector<std::string> extra = {}) {
  auto args = args_with(dir, {"--max-steps", "5"});
  args.insert(args.end(), extra.begin(), extra.end());
  std::string cmd = "cd " + quote(kSource) + " && env " + env + " " + quote(kBinary);
  for (const auto& a : args) cmd += " " + quote(a);
  TempDir io;
  cmd += " < /dev/null > " + quote(io / "out") + " 2> " + quote(io / "err");
  const int status = std::system(cmd.c_str());
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  r.out = read_file(io / "out");
  r.err = read_file(io / "err");
  r.command = cmd;
  return r;
}

}  // namespace

TEST_CASE("cli distributed: bad launches are one clear line and exit 2", "[cli][distributed]") {
  REQUIRE(crosstalk::dist::distributed_available());
  TempDir tmp;
  const std::string dir = tmp / "model";
  SECTION("RANK out of range") {
    check_user_error(train_with_env(dir, "RANK=2 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=29999"), "train",
                     {"RANK=2 is not below WORLD_SIZE=2"});
  }
  SECTION("MASTER_ADDR missing") {
    check_user_error(train_with_env(dir, "RANK=0 WORLD_SIZE=2 MASTER_PORT=29999"), "train", {"MASTER_ADDR is not set"});
  }
  SECTION("--nproc and WORLD_SIZE both") {
    check_user_error(train_with_env(dir, "RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=29999", {"--nproc", "2"}),
                     "train", {"--nproc 2 and WORLD_SIZE=2 both given"});
  }
  SECTION("bad flags") {
    check_user_error(run(args_with(dir, {"--nproc", "-1"})), "train", {"--nproc must be positive"});
    check_user_error(run(args_with(dir, {"--update-freq", "0"})), "train", {"--update-freq must be positive"});
    check_user_error(run(args_with(dir, {"--dist-timeout", "0"})), "train", {"--dist-timeout must be a positive"});
    const auto backend = run(args_with(dir, {"--dist-backend", "mpi"}));
    CHECK(backend.code == 2);
    CHECK(contains(backend.err, "--dist-backend"));
  }
  SECTION("MASTER_PORT in use") {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 1) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    const int port = ntohs(addr.sin_port);
    const auto r = train_with_env(dir, "RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port));
    ::close(fd);
    check_user_error(r, "train", {"rank 0 cannot listen on 127.0.0.1:" + std::to_string(port), "the port is in use"});
  }
}

// A minute of waiting for a rank 0 that never comes: once, in the normal build (the
// rendezvous code is the one the other distributed tests run).
TEST_CASE("cli distributed: nobody at MASTER_ADDR:MASTER_PORT is one clear line after the join timeout",
          "[cli][distributed][once]") {
  REQUIRE(crosstalk::dist::distributed_available());
  TempDir tmp;
  const std::string dir = tmp / "model";
  const int port = crosstalk::dist::free_port();
  // Joining waits max(--dist-timeout, 60 s): a minute here.
  const auto r = train_with_env(dir, "RANK=1 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port),
                                {"--dist-timeout", "5"});
  check_user_error(r, "train", {"rank 1 cannot reach rank 0 at 127.0.0.1:" + std::to_string(port)});
  CHECK_FALSE(fs::exists(dir));  // ranks other than 0 never write to --model-dir
}
