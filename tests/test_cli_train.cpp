// `crosstalk train` under interrupts, kills, a full disk and an unwritable
// directory: the checkpoint stays whole and --resume continues exactly.
#include <signal.h>

#include <chrono>
#include <random>
#include <regex>
#include <thread>

#include "child_process.h"
#include "cli_support.h"
#include "crosstalk/train/checkpoint.h"


TEST_CASE("cli: SIGINT or SIGTERM during train saves a complete checkpoint and --resume continues", "[cli][interrupt]") {
  for (const int sig : {SIGINT, SIGTERM}) {
    DYNAMIC_SECTION("signal " << sig) {
      TempDir tmp;
      const std::string dir = tmp / "model";
      ChildProcess child(kBinary, tiny_args(dir, {"--max-epochs", "100000", "--log-every", "1"}), kSource,
                         tmp.path().string());
      REQUIRE(child.wait_until([&] { return last_logged_step(dir) >= 5; }));
      child.signal(sig);
      const int code = child.wait();
      const std::string err = read_file(child.stderr_path());
      INFO("stderr:\n" << err);
      CHECK(code == 128 + sig);
      CHECK(contains(err, "interrupted"));
      CHECK(contains(err, kBinary + " train --config configs/tiny.toml --model-dir " + dir +
                              " --max-epochs 100000 --log-every 1 --resume"));
      const std::string json = read_file(dir + "/train_summary.json");
      CHECK(json_string(json, "stopped_by") == "interrupted");
      const auto steps = static_cast<int64_t>(json_number(json, "steps"));
      CHECK(steps >= 5);
      CHECK(last_logged_step(dir) == steps);

      const auto translated = run({"translate", "--model", dir}, source_path("data/toy/valid.de"));
      CHECK(translated.code == 0);
      const auto resumed = train_tiny(dir, {"--resume", "--max-steps", std::to_string(steps + 3)});
      INFO("resume stderr:\n" << resumed.err);
      CHECK(resumed.code == 0);
      CHECK(contains(resumed.err, "resumed at step " + std::to_string(steps)));
      CHECK(json_number(read_file(dir + "/train_summary.json"), "steps") == steps + 3);
    }
  }
}

TEST_CASE("cli: a second signal a second later quits at once and keeps the last checkpoint", "[cli][interrupt]") {
  TempDir tmp;
  const std::string dir = tmp / "model";
  REQUIRE(train_tiny(dir, {"--max-steps", "6"}).code == 0);
  // Saves now pause 5 s before they commit: the first signal's save is still running
  // when the second signal comes.
  ChildProcess child(kBinary,
                     tiny_args(dir, {"--resume", "--max-steps", "100000", "--max-epochs", "100000", "--valid-every",
                                     "100000", "--log-every", "1"}),
                     kSource, tmp.path().string(), {"CROSSTALK_TEST_SAVE_DELAY_MS=5000"});
  REQUIRE(child.wait_until([&] { return last_logged_step(dir) >= 9; }));
  child.signal(SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  const auto second = std::chrono::steady_clock::now();
  child.signal(SIGINT);
  const int code = child.wait();
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - second).count();
  const std::string err = read_file(child.stderr_path());
  INFO("stderr:\n" << err);
  CHECK(code == 130);
  CHECK(waited < 4.0);  // it did not wait for the save's 5 s pause
  CHECK(contains(err, "quitting now"));
  const auto resumed = train_tiny(dir, {"--resume", "--max-steps", "8"});
  INFO("resume stderr:\n" << resumed.err);
  CHECK(resumed.code == 0);
  CHECK(contains(resumed.err, "resumed at step 6"));  // the checkpoint before the cut-short save
  CHECK(last_logged_step(dir) == 8);
}

TEST_CASE("cli: resume after Ctrl-C is exact with one thread (same losses and bit-identical weights)", "[cli][interrupt]") {
  TempDir tmp;
  const std::string straight = tmp / "straight", split = tmp / "split";
  // Dropout on, so that the RNG state must be restored too.
  // The weight average too: it lives in the checkpoint and must come back bit for bit.
  const std::vector<std::string> common = {"--threads", "1", "--dropout", "0.1", "--log-every", "1",
                                           "--valid-every", "1000", "--max-steps", "60", "--max-epochs", "1000",
                                           "--ema-decay", "0.99"};
  const auto a = run(tiny_args(straight, common));
  INFO("straight stderr:\n" << a.err);
  REQUIRE(a.code == 0);

  ChildProcess child(kBinary, tiny_args(split, common), kSource, tmp.path().string());
  REQUIRE(child.wait_until([&] { return last_logged_step(split) >= 20; }));
  child.signal(SIGINT);
  REQUIRE(child.wait() == 130);
  const auto stopped_at = static_cast<int64_t>(json_number(read_file(split + "/train_summary.json"), "steps"));
  REQUIRE(stopped_at < 60);  // the interrupt really split the run
  auto resume_args = tiny_args(split, common);
  resume_args.push_back("--resume");
  const auto b = run(resume_args);
  INFO("resumed stderr:\n" << b.err);
  REQUIRE(b.code == 0);

  const auto la = train_lines(straight), lb = train_lines(split);
  REQUIRE(la.size() == 60);
  REQUIRE(lb.size() == 60);
  for (size_t i = 0; i < la.size(); ++i) {
    INFO("step " << la[i].first << " (interrupted after step " << stopped_at << ")");
    CHECK(la[i].first == lb[i].first);
    CHECK(loss_and_lr(la[i].second) == loss_and_lr(lb[i].second));
  }
  for (const bool averaged : {false, true}) {
    auto ma = load_last(straight), mb = load_last(split);
    if (averaged) {
      REQUIRE(crosstalk::train::load_weight_average(crosstalk::store::ModelDir(straight), ma));
      REQUIRE(crosstalk::train::load_weight_average(crosstalk::store::ModelDir(split), mb));
    }
    const auto pa = ma->named_parameters(), pb = mb->named_parameters();
    REQUIRE(pa.size() == pb.size());
    for (size_t i = 0; i < pa.size(); ++i) {
      INFO((averaged ? "average " : "") << pa[i].key());
      CHECK(torch::equal(pa[i].value(), pb[i].value()));
    }
  }
}

TEST_CASE("cli: kill -9 inside saves leaves a checkpoint that translate and --resume use", "[cli][interrupt]") {
  TempDir tmp;
  const std::string dir = tmp / "model";
  REQUIRE(train_tiny(dir, {"--max-steps", "3"}).code == 0);
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> delay_ms(0, 400);
  int64_t previous = 3;
  for (int round = 0; round < 5; ++round) {
    INFO("round " << round);
    ChildProcess child(kBinary,
                       tiny_args(dir, {"--resume", "--max-steps", "100000", "--max-epochs", "100000", "--save-every", "2",
                                       "--log-every", "1"}),
                       kSource, tmp.path().string(), {"CROSSTALK_TEST_SAVE_DELAY_MS=150"});
    REQUIRE(child.wait_until([&] { return last_logged_step(dir) >= previous + 3; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    child.signal(SIGKILL);
    CHECK(child.wait() == 128 + SIGKILL);
    const std::string err = read_file(child.stderr_path());
    CHECK(contains(err, "resumed at step"));
    const auto translated = run({"translate", "--model", dir}, source_path("data/toy/valid.de"));
    INFO("translate stderr:\n" << translated.err);
    CHECK(translated.code == 0);
    previous = last_logged_step(dir);
  }
  const auto finished = train_tiny(dir, {"--resume", "--max-steps", std::to_string(previous + 2)});
  INFO("stderr:\n" << finished.err);
  CHECK(finished.code == 0);
}

TEST_CASE("cli: a save that hits the file size limit fails in one line and keeps the previous checkpoint", "[cli]") {
  TempDir tmp;
  const std::string dir = tmp / "model";
  REQUIRE(train_tiny(dir, {"--max-steps", "4"}).code == 0);
  const auto size = fs::file_size(dir + "/last.pt");
  // ulimit -f counts 1024-byte blocks: half the checkpoint fits, the log lines do too.
  const std::string limit = std::to_string(size / 2048);
  std::string cmd = "cd " + quote(kSource) + " && ulimit -f " + limit + " && exec " + quote(kBinary);
  for (const auto& a : tiny_args(dir, {"--resume", "--max-steps", "8"})) cmd += " " + quote(a);
  cmd += " > " + quote(tmp / "out") + " 2> " + quote(tmp / "err");
  const int status = std::system(("bash -c " + quote(cmd)).c_str());
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.err = read_file(tmp / "err");
  r.command = "train --resume under ulimit -f " + limit;
  check_user_error(r, "train", {"last.pt", "File too large"});
  for (const auto& entry : fs::directory_iterator(dir)) CHECK(entry.path().extension() != ".tmp");
  const auto resumed = train_tiny(dir, {"--resume", "--max-steps", "5"});
  INFO("stderr:\n" << resumed.err);
  CHECK(resumed.code == 0);
  CHECK(contains(resumed.err, "resumed at step 4"));
}

TEST_CASE("cli: an unwritable model directory is refused before training", "[cli]") {
  TempDir tmp;
  write_file(tmp / "file", "x");
  check_user_error(train_tiny(tmp / "file/model"), "train", {"file/model"});
  if (geteuid() != 0) {  // root writes anywhere: the permission case needs a normal user
    const std::string dir = tmp / "readonly";
    fs::create_directory(dir);
    fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec);
    const auto r = train_tiny(dir);
    check_user_error(r, "train", {"not writable"});
    CHECK_FALSE(contains(r.err, "vocabulary"));  // refused before any work
    fs::permissions(dir, fs::perms::owner_all);
  } else {
    // /proc/self's directories exist but take no new files, even from root.
    const auto r = train_tiny("/proc/self/fdinfo");
    check_user_error(r, "train", {"/proc/self/fdinfo", "not writable"});
    CHECK_FALSE(contains(r.err, "vocabulary"));
  }
}

TEST_CASE("cli: a truncated model file gives one error line and exit code 2", "[cli]") {
  TempDir tmp;
  const std::string dir = tmp / "model";
  REQUIRE(train_tiny(dir, {"--max-steps", "4"}).code == 0);
  for (const std::string part : {"best.pt", "last.pt", "spm.model", "config.toml"}) {
    INFO("truncated " << part);
    const std::string copy = tmp / ("cut-" + part);
    copy_dir(dir, copy);
    const auto bytes = read_file(copy + "/" + part);
    write_file(copy + "/" + part, bytes.substr(0, bytes.size() / 2));
    if (part == "last.pt") fs::remove(copy + "/best.pt");  // translate reads best.pt first
    check_user_error(run({"translate", "--model", copy}, source_path("data/toy/valid.de")), "translate", {part});
    if (part != "best.pt")
      check_user_error(train_tiny(copy, {"--resume", "--max-steps", "6"}), "train", {part});
  }
}
