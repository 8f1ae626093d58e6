// train_log.jsonl: one JSON line per logged step / validation, pruned on resume.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "crosstalk/common/atomic_file.h"
#include "crosstalk/train/train_log.h"
#include "temp_dir.h"

using namespace crosstalk::train;

namespace {

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TrainLogEntry train_entry(int64_t step) {
  TrainLogEntry e;
  e.event = "train";
  e.step = step;
  e.epoch = 1 + step / 10;
  e.loss = 1.0 / 3.0 + static_cast<double>(step);  // not exactly representable in decimal
  e.lr = 1e-3 * static_cast<double>(step);
  e.tokens_per_second = 1234.5;
  e.elapsed_seconds = 0.1 * static_cast<double>(step);
  return e;
}

}  // namespace

TEST_CASE("train log: an entry survives format and parse bit for bit", "[train_log]") {
  const auto e = train_entry(7);
  const auto line = format_log_entry(e);
  CHECK(line.find('\n') == std::string::npos);
  const auto back = parse_log_entry(line);
  REQUIRE(back);
  CHECK(back->event == "train");
  CHECK(back->step == 7);
  CHECK(back->epoch == e.epoch);
  CHECK(back->loss == e.loss);  // exact: the JSON text is the shortest round-trip form
  CHECK(back->lr == e.lr);
  CHECK(back->elapsed_seconds == e.elapsed_seconds);

  TrainLogEntry v;
  v.event = "valid";
  v.step = 9;
  v.valid_loss = 2.5;
  v.valid_ppl = 9.75;
  v.bleu = 31.25;
  const auto vb = parse_log_entry(format_log_entry(v));
  REQUIRE(vb);
  CHECK(vb->bleu == 31.25);
  CHECK(vb->valid_loss == 2.5);
  CHECK(format_log_entry(v).find("\"loss\"") == std::string::npos);  // validations carry no training loss
}

TEST_CASE("train log: malformed lines do not parse", "[train_log]") {
  for (const std::string bad : {"", "{", "{\"event\":\"train\"", "[1,2]", "{\"step\":3}", "{\"event\":\"train\",\"step\":\"3\"}",
                                "{\"event\":\"train\",\"step\":1.5}", "\xff\xfe"}) {
    INFO("line: " << bad);
    CHECK_FALSE(parse_log_entry(bad));
  }
}

TEST_CASE("train log: a new run starts empty, a resume drops steps past the checkpoint and torn lines", "[train_log]") {
  ScopedTempDir tmp("train_log");
  const std::string path = (tmp.path / "train_log.jsonl").string();
  {
    TrainLog log(path, std::nullopt);
    for (int64_t s = 1; s <= 10; ++s) log.append(train_entry(s));
    log.sync();
  }
  REQUIRE(lines_of(path).size() == 10);
  // A kill -9 in the middle of a line leaves it torn.
  {
    std::ofstream out(path, std::ios::app);
    out << "{\"event\":\"train\",\"step\":11,\"lo";
  }
  {
    TrainLog resumed(path, 6);  // the checkpoint is at step 6
    CHECK(resumed.dropped() == 5);  // steps 7..10 and the torn line
    resumed.append(train_entry(7));
  }
  const auto lines = lines_of(path);
  REQUIRE(lines.size() == 7);
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto e = parse_log_entry(lines[i]);
    REQUIRE(e);
    CHECK(e->step == static_cast<int64_t>(i) + 1);  // every step once, in order
  }
  // A fresh run truncates whatever was there.
  { TrainLog fresh(path, std::nullopt); }
  CHECK(lines_of(path).empty());
}
