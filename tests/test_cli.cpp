// End-to-end tests of the `crosstalk` command line: they run the real executable
// (CROSSTALK_BINARY) from the repository root (CROSSTALK_SOURCE_DIR), so that the
// relative paths in configs/*.toml resolve, and look at its exit code, stdout, stderr
// and the files it writes.
//
// ctest runs every TEST_CASE in a process of its own, so the (one) trained tiny model is
// shared by the SECTIONs of one TEST_CASE through a function-local static.
#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#ifndef CROSSTALK_SOURCE_DIR
#error "the build must define CROSSTALK_SOURCE_DIR"
#endif
#ifndef CROSSTALK_BINARY
#error "the build must define CROSSTALK_BINARY"
#endif

namespace {

namespace fs = std::filesystem;

const std::string kSource = CROSSTALK_SOURCE_DIR;
const std::string kBinary = CROSSTALK_BINARY;

// ---- helpers ---------------------------------------------------------------------------

/// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
      const fs::path p = fs::temp_directory_path() /
                         ("crosstalk-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
                          std::to_string(rd() % 1000000));
      std::error_code ec;
      if (fs::create_directory(p, ec)) {
        path_ = p;
        return;
      }
    }
    FAIL("cannot create a temporary directory under " << fs::temp_directory_path());
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

void write_file(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  REQUIRE(out.good());
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  write_file(path, s);
}

std::string source_path(const std::string& relative) { return kSource + "/" + relative; }

/// Single-quoted for /bin/sh.
std::string quote(const std::string& s) {
  std::string q = "'";
  for (const char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

struct Result {
  int code = -1;  // exit status; 128 + signal if the shell saw the program die of one
  std::string out, err;
  std::string command;
};

/// Runs `crosstalk args...` in the repository root; stdin from `input` (a file path,
/// /dev/null if empty); stdout and stderr captured through files in a temp dir.
Result run(const std::vector<std::string>& args, const std::string& input = "") {
  TempDir io;
  Result r;
  std::string cmd = quote(kBinary);
  for (const auto& a : args) cmd += " " + quote(a);
  r.command = "crosstalk";
  for (const auto& a : args) r.command += " " + a;
  const std::string shell = "cd " + quote(kSource) + " && " + cmd + " < " + quote(input.empty() ? "/dev/null" : input) +
                            " > " + quote(io / "stdout") + " 2> " + quote(io / "stderr");
  const int status = std::system(shell.c_str());
  REQUIRE(status != -1);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  r.out = read_file(io / "stdout");
  r.err = read_file(io / "stderr");
  return r;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

/// The user-error line `crosstalk <cmd>: error: ...` of stderr ("" if there is none).
std::string error_line(const Result& r, const std::string& cmd) {
  const std::string prefix = "crosstalk " + cmd + ": error: ";
  std::istringstream in(r.err);
  std::string line, found;
  int count = 0;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) {
      found = line;
      ++count;
    }
  }
  return count == 1 ? found : "";
}

/// A user error: exit code 2 and one `crosstalk <cmd>: error: ...` line on stderr
/// that contains every one of `needles`.
void check_user_error(const Result& r, const std::string& cmd, const std::vector<std::string>& needles) {
  INFO("command: " << r.command);
  INFO("stderr:\n" << r.err);
  CHECK(r.code == 2);
  const std::string line = error_line(r, cmd);
  CHECK_FALSE(line.empty());
  for (const auto& n : needles) {
    INFO("expected in the error line: " << n);
    CHECK(contains(line, n));
  }
  CHECK_FALSE(contains(r.err, "internal error"));
}

/// A number field of train_summary.json (a flat JSON object).
double json_number(const std::string& json, const std::string& key) {
  std::smatch m;
  const std::regex re("\"" + key + "\"\\s*:\\s*(-?[0-9.eE+-]+)");
  INFO("train_summary.json: " << json);
  REQUIRE(std::regex_search(json, m, re));
  return std::stod(m[1].str());
}

std::string json_string(const std::string& json, const std::string& key) {
  std::smatch m;
  const std::regex re("\"" + key + "\"\\s*:\\s*\"([^\"]*)\"");
  INFO("train_summary.json: " << json);
  REQUIRE(std::regex_search(json, m, re));
  return m[1].str();
}

/// `train --config configs/tiny.toml --model-dir DIR extra...`
Result train_tiny(const std::string& model_dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"train", "--config", "configs/tiny.toml", "--model-dir", model_dir};
  args.insert(args.end(), extra.begin(), extra.end());
  return run(args);
}

/// The tiny model, trained into a temp dir that lives until the process ends.
struct TrainedModel {
  TempDir dir;
  Result result;
  TrainedModel() : result(train_tiny(path())) {}
  std::string path() const { return dir / "model"; }
};

/// Trained once per process, on first use.
const TrainedModel& trained_tiny() {
  static const TrainedModel model;
  INFO("command: " << model.result.command);
  INFO("stderr:\n" << model.result.err);
  REQUIRE(model.result.code == 0);
  return model;
}

void copy_dir(const std::string& from, const std::string& to) {
  fs::copy(from, to, fs::copy_options::recursive);
}

}  // namespace

// ---- a trained tiny model: files, translation -------------------------------------------

TEST_CASE("cli: train tiny, then translate with it", "[cli]") {
  const auto& model = trained_tiny();
  const std::string dir = model.path();
  const auto src = read_lines(source_path("data/toy/valid.de"));
  const auto ref = read_lines(source_path("data/toy/valid.en"));
  REQUIRE(src.size() == 40);
  REQUIRE(ref.size() == src.size());

  SECTION("the model directory holds every file and a sensible summary") {
    for (const char* f : {"config.toml", "spm.model", "best.pt", "last.pt", "last.optimizer.pt", "last.state.pt",
                          "train_summary.json"}) {
      INFO("missing " << f);
      CHECK(fs::is_regular_file(fs::path(dir) / f));
    }
    const std::string json = read_file(dir + "/train_summary.json");
    CHECK(json_number(json, "steps") > 0);
    CHECK(json_number(json, "epochs") == 40);  // configs/tiny.toml: max-epochs = 40
    CHECK(json_number(json, "best_bleu") >= 80.0);
    CHECK(json_number(json, "best_step") > 0);
    CHECK(json_number(json, "best_step") <= json_number(json, "steps"));
    CHECK(json_string(json, "stopped_by") == "epochs");
    const std::string config = read_file(dir + "/config.toml");
    CHECK(contains(config, "d_model = 32"));
    CHECK(contains(config, "vocab_size = 64"));
    CHECK(model.result.out.empty());  // logs go to stderr
  }

  SECTION("piped translation: one line per input line, in order, mostly exact") {
    const auto r = run({"translate", "--model", dir}, source_path("data/toy/valid.de"));
    INFO("stderr:\n" << r.err);
    REQUIRE(r.code == 0);
    std::vector<std::string> out;
    {
      std::istringstream in(r.out);
      std::string line;
      while (std::getline(in, line)) out.push_back(line);
    }
    REQUIRE(out.size() == src.size());
    size_t exact = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] == ref[i]) ++exact;
      else WARN("line " << i + 1 << ": '" << src[i] << "' -> '" << out[i] << "' (reference '" << ref[i] << "')");
    }
    INFO(exact << " of " << out.size() << " translations equal the reference");
    CHECK(exact * 10 >= out.size() * 8);
    CHECK_FALSE(contains(r.err, "empty"));

    // --input / --output give the same text as the pipe.
    TempDir io;
    const auto f = run({"translate", "--model", dir, "--input", source_path("data/toy/valid.de"), "--output",
                        io / "out.en"});
    INFO("stderr:\n" << f.err);
    REQUIRE(f.code == 0);
    CHECK(f.out.empty());
    CHECK(read_file(io / "out.en") == r.out);
  }

  SECTION("an empty input line gives an empty output line and a warning") {
    TempDir io;
    write_lines(io / "in.de", {src[0], "", src[1]});
    const auto r = run({"translate", "--model", dir}, io / "in.de");
    INFO("stderr:\n" << r.err);
    REQUIRE(r.code == 0);
    std::vector<std::string> out;
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    REQUIRE(out.size() == 3);
    CHECK_FALSE(out[0].empty());
    CHECK(out[1].empty());
    CHECK_FALSE(out[2].empty());
    CHECK(contains(r.err, "1 of 3 input lines were empty"));
  }

  SECTION("a model directory without spm.model") {
    TempDir tmp;
    const std::string copy = tmp / "model";
    copy_dir(dir, copy);
    fs::remove(copy + "/spm.model");
    check_user_error(run({"translate", "--model", copy}, source_path("data/toy/valid.de")), "translate",
                     {"spm.model"});
  }

  SECTION("a model directory without config.toml") {
    TempDir tmp;
    const std::string copy = tmp / "model";
    copy_dir(dir, copy);
    fs::remove(copy + "/config.toml");
    check_user_error(run({"translate", "--model", copy}, source_path("data/toy/valid.de")), "translate",
                     {"config.toml"});
  }
}

// ---- --resume --------------------------------------------------------------------------

TEST_CASE("cli: --resume continues a run where it stopped", "[cli]") {
  TempDir tmp;
  const std::string dir = tmp / "model";
  const auto first = train_tiny(dir, {"--max-epochs", "2"});
  {
    INFO("stderr:\n" << first.err);
    REQUIRE(first.code == 0);
  }
  const std::string json1 = read_file(dir + "/train_summary.json");
  const double steps1 = json_number(json1, "steps");
  CHECK(steps1 > 0);
  CHECK(json_number(json1, "epochs") == 2);

  // Without --resume the finished run is not overwritten.
  const auto again = train_tiny(dir, {"--max-epochs", "4"});
  check_user_error(again, "train", {"--resume"});
  CHECK(read_file(dir + "/train_summary.json") == json1);

  const auto resumed = train_tiny(dir, {"--resume", "--max-epochs", "4"});
  INFO("stderr:\n" << resumed.err);
  REQUIRE(resumed.code == 0);
  CHECK(contains(resumed.err, "resum"));
  const std::string json2 = read_file(dir + "/train_summary.json");
  const double steps2 = json_number(json2, "steps");
  CHECK(steps2 > steps1);
  CHECK(json_number(json2, "epochs") == 4);
  CHECK(json_string(json2, "stopped_by") == "epochs");

  // --resume where there is nothing to resume.
  check_user_error(train_tiny(tmp / "empty", {"--resume"}), "train", {"--resume"});
}

// ---- training data problems -----------------------------------------------------------

TEST_CASE("cli: empty lines in the training data are skipped with a warning", "[cli]") {
  TempDir tmp;
  auto de = read_lines(source_path("data/toy/train.de"));
  auto en = read_lines(source_path("data/toy/train.en"));
  REQUIRE(de.size() == en.size());
  // Three pairs with an empty side: both, source only, target only.
  de.insert(de.begin() + 5, "");
  en.insert(en.begin() + 5, "");
  de.insert(de.begin() + 50, "");
  en.insert(en.begin() + 50, "ein satz ohne quelle");
  de.insert(de.begin() + 100, "ein satz ohne ziel");
  en.insert(en.begin() + 100, "   ");
  write_lines(tmp / "train.de", de);
  write_lines(tmp / "train.en", en);
  const auto r = train_tiny(tmp / "model", {"--train-src", tmp / "train.de", "--train-tgt", tmp / "train.en",
                                            "--max-steps", "2"});
  INFO("stderr:\n" << r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.err, "skipped 3 training pairs"));
  CHECK(json_number(read_file(tmp / "model/train_summary.json"), "steps") == 2);
}

TEST_CASE("cli: a missing training file is named", "[cli]") {
  TempDir tmp;
  const std::string missing = tmp / "no-such-file.de";
  check_user_error(train_tiny(tmp / "model", {"--train-src", missing}), "train", {missing});
}

TEST_CASE("cli: source and target files with different line counts", "[cli]") {
  TempDir tmp;
  write_lines(tmp / "a.de", {"der hund", "die katze", "ein vogel"});
  write_lines(tmp / "a.en", {"the dog", "the cat"});
  check_user_error(train_tiny(tmp / "model", {"--train-src", tmp / "a.de", "--train-tgt", tmp / "a.en"}), "train",
                   {tmp / "a.de", tmp / "a.en", "has 3 lines", "has 2"});
}

// ---- flags and config files ------------------------------------------------------------

TEST_CASE("cli: an unknown config key is named", "[cli]") {
  TempDir tmp;
  write_file(tmp / "bad.toml", "max-tokens = 512\nno-such-key = 3\n");
  check_user_error(run({"train", "--config", tmp / "bad.toml", "--model-dir", tmp / "model"}), "train",
                   {"no-such-key"});
}

TEST_CASE("cli: a missing config file", "[cli]") {
  TempDir tmp;
  check_user_error(run({"train", "--config", tmp / "nope.toml", "--model-dir", tmp / "model"}), "train",
                   {tmp / "nope.toml"});
}

TEST_CASE("cli: a bad flag value", "[cli]") {
  TempDir tmp;
  check_user_error(train_tiny(tmp / "model", {"--max-tokens", "abc"}), "train", {"--max-tokens", "abc"});
  check_user_error(train_tiny(tmp / "model", {"--max-tokens", "0"}), "train", {"--max-tokens"});
  check_user_error(train_tiny(tmp / "model", {"--vocab-type", "words"}), "train", {"--vocab-type"});
  check_user_error(train_tiny(tmp / "model", {"--no-such-flag", "1"}), "train", {"--no-such-flag"});
}

TEST_CASE("cli: --device cuda without CUDA", "[cli]") {
  if (torch::cuda::is_available()) {
    WARN("CUDA is available here: the no-CUDA error cannot be checked");
    return;
  }
  TempDir tmp;
  check_user_error(train_tiny(tmp / "model", {"--device", "cuda"}), "train", {"CUDA"});
  check_user_error(run({"translate", "--model", tmp / "model", "--device", "cuda"}), "translate", {"CUDA"});
}

TEST_CASE("cli: translate without a usable model directory", "[cli]") {
  TempDir tmp;
  check_user_error(run({"translate", "--model", tmp / "no-model"}, source_path("data/toy/valid.de")), "translate",
                   {tmp / "no-model"});
  check_user_error(run({"translate"}), "translate", {"--model"});
  // An empty directory: the first missing part is config.toml.
  fs::create_directory(tmp / "empty");
  check_user_error(run({"translate", "--model", tmp / "empty"}), "translate", {"config.toml"});
}

TEST_CASE("cli: unknown subcommand, help", "[cli]") {
  const auto r = run({"frobnicate"});
  INFO("stderr:\n" << r.err);
  CHECK(r.code == 2);
  CHECK(contains(r.err, "crosstalk frobnicate: error: "));
  CHECK(contains(r.err, "frobnicate"));

  const auto help = run({"--help"});
  CHECK(help.code == 0);
  CHECK(contains(help.out, "train"));
  CHECK(contains(help.out, "translate"));

  const auto train_help = run({"train", "--help"});
  CHECK(train_help.code == 0);
  CHECK(contains(train_help.out, "--max-tokens"));
  CHECK(contains(train_help.out, "--resume"));
}
