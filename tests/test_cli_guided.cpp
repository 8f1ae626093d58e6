// End-to-end tests of `crosstalk train --guided-alignment`: the alignment loss reaches the
// progress line and train_log.jsonl, the guided layer and head become the model's
// alignment selection, --resume keeps guiding, and each bad value is one error line.
#include "cli_support.h"


TEST_CASE("cli: train --guided-alignment logs the alignment loss, saves the selection and resumes",
          "[cli][guided]") {
  TempDir tmp;
  const auto links = toy_links(tmp);
  const std::string dir = tmp / "model";
  const auto r = train_tiny(dir, {"--guided-alignment", links, "--guided-alignment-weight", "0.5", "--max-steps", "30",
                                  "--log-every", "10", "--decoder-layers", "2", "--guided-alignment-head", "2"});
  INFO("stderr:\n" << r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.err, "guided alignment: "));
  CHECK(contains(r.err, "alignment loss "));
  const auto log = read_lines(dir + "/train_log.jsonl");
  size_t train_lines = 0;
  for (const auto& line : log) {
    if (!contains(line, "\"event\":\"train\"")) continue;
    ++train_lines;
    CHECK(contains(line, "\"alignment_loss\":"));
  }
  CHECK(train_lines == 3);
  // The default layer of a 2-layer decoder is the first (the penultimate); head 2 as asked.
  const std::string saved = read_file(dir + "/alignment.toml");
  CHECK(contains(saved, "layer = 1"));
  CHECK(contains(saved, "head = 2"));
  CHECK(contains(saved, "guided alignment training"));
  const auto resumed = train_tiny(dir, {"--guided-alignment", links, "--guided-alignment-weight", "0.5", "--max-steps",
                                        "40", "--log-every", "10", "--decoder-layers", "2",
                                        "--guided-alignment-head", "2", "--resume"});
  INFO("resume stderr:\n" << resumed.err);
  REQUIRE(resumed.code == 0);
  const auto after = read_lines(dir + "/train_log.jsonl");
  CHECK(contains(after.back() + after[after.size() - 2], "\"step\":40"));
  CHECK(contains(read_file(dir + "/train_log.jsonl"), "\"alignment_loss\""));
  // align reads the guided selection by default
  const auto aligned = run({"align", "--model", dir, "--src", source_path("data/toy/valid.de"), "--tgt",
                            source_path("data/toy/valid.en")});
  REQUIRE(aligned.code == 0);
  CHECK(contains(aligned.err, "alignment selection from"));
  CHECK(contains(aligned.err, "layer 1 of 2, head 2 of 2"));
  // Without guidance the log has no alignment loss.
  CHECK_FALSE(contains(read_file(trained_tiny().path() + "/train_log.jsonl"), "alignment_loss"));
}

TEST_CASE("cli: bad guided alignment files and values are one error line each", "[cli][guided]") {
  TempDir tmp;
  const auto links = toy_links(tmp);
  const auto good = read_lines(links);
  int runs = 0;  // each run its own model directory
  auto train_with = [&](std::vector<std::string> extra) { return train_tiny(tmp / ("m" + std::to_string(runs++)), extra); };
  check_user_error(train_with({"--guided-alignment", tmp / "none.align"}), "train", {tmp / "none.align"});
  write_lines(tmp / "short.align", {good.begin(), good.begin() + 10});
  check_user_error(train_with({"--guided-alignment", tmp / "short.align"}), "train",
                   {"short.align", "has 10 lines", "400"});
  auto bad = good;
  bad[4] = "0-0 9-1";
  write_lines(tmp / "far.align", bad);
  check_user_error(train_with({"--guided-alignment", tmp / "far.align"}), "train", {"far.align:5", "link 9-1"});
  bad[4] = "0-0 1:1";
  write_lines(tmp / "token.align", bad);
  check_user_error(train_with({"--guided-alignment", tmp / "token.align"}), "train", {"token.align:5"});
  check_user_error(train_with({"--guided-alignment", links, "--guided-alignment-weight", "-1"}), "train",
                   {"--guided-alignment-weight"});
  check_user_error(train_with({"--guided-alignment", links, "--guided-alignment-layer", "0"}), "train",
                   {"--guided-alignment-layer", "'0'"});
  check_user_error(train_with({"--guided-alignment", links, "--guided-alignment-layer", "last"}), "train",
                   {"--guided-alignment-layer", "'default'"});
  check_user_error(train_with({"--guided-alignment", links, "--guided-alignment-layer", "5"}), "train",
                   {"--guided-alignment-layer 5", "layers 1..1"});
  check_user_error(train_with({"--guided-alignment", links, "--guided-alignment-head", "3"}), "train",
                   {"--guided-alignment-head 3", "heads 1..2"});
  check_user_error(train_with({"--guided-alignment", links, "--guided-alignment-head", "mean"}), "train",
                   {"--guided-alignment-head", "'avg'"});
}
