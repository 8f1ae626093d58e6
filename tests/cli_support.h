// Shared helpers of the end-to-end CLI tests (test_cli*.cpp): they run the real
// executable (CROSSTALK_BINARY) from the repository root (CROSSTALK_SOURCE_DIR), so that
// the relative paths in configs/*.toml resolve, and look at its exit code, stdout,
// stderr and the files it writes.
#pragma once

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

#include "crosstalk/store/model_config.h"
#include "crosstalk/store/model_dir.h"
#include "crosstalk/store/weights.h"

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

/// The lines of a program's output.
std::vector<std::string> output_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
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

/// A tiny model (train_tiny with `extra` flags), trained into a temp dir that lives until
/// the process ends.
struct TrainedModel {
  TempDir dir;
  Result result;
  explicit TrainedModel(std::vector<std::string> extra = {}) : result(train_tiny(path(), std::move(extra))) {}
  std::string path() const { return dir / "model"; }
};

/// `model`, once its training is known to have succeeded (the command and its stderr otherwise).
const TrainedModel& require_trained(const TrainedModel& model) {
  INFO("command: " << model.result.command);
  INFO("stderr:\n" << model.result.err);
  REQUIRE(model.result.code == 0);
  return model;
}

/// The tiny de->en model, trained once per process, on first use.
const TrainedModel& trained_tiny() {
  static const TrainedModel model;
  return require_trained(model);
}

void copy_dir(const std::string& from, const std::string& to) {
  fs::copy(from, to, fs::copy_options::recursive);
}

// ---- training runs: their logs and weights ------------------------------------------

// The (step, line) of every "train" line of train_log.jsonl.
std::vector<std::pair<int64_t, std::string>> train_lines(const std::string& dir) {
  std::vector<std::pair<int64_t, std::string>> out;
  const std::regex step(R"re("event":"train","step":([0-9]+))re");
  for (const auto& line : read_lines(dir + "/train_log.jsonl")) {
    std::smatch m;
    if (std::regex_search(line, m, step)) out.emplace_back(std::stoll(m[1].str()), line);
  }
  return out;
}

int64_t last_logged_step(const std::string& dir) {
  const auto lines = train_lines(dir);
  return lines.empty() ? 0 : lines.back().first;
}

// The training loss and learning rate of a log line (the parts that must not depend on timing).
std::string loss_and_lr(const std::string& line) {
  std::smatch m;
  const std::regex re(R"re("loss":([^,]+),"lr":([^,]+),)re");
  return std::regex_search(line, m, re) ? m[1].str() + " " + m[2].str() : "(no loss in: " + line + ")";
}

std::vector<std::string> tiny_args(const std::string& dir, std::vector<std::string> extra) {
  std::vector<std::string> args = {"train", "--config", "configs/tiny.toml", "--model-dir", dir};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

crosstalk::model::Transformer load_last(const std::string& dir) {
  crosstalk::store::ModelDir files(dir);
  crosstalk::model::Transformer model(crosstalk::store::read_model_config(files.config()), 0);
  crosstalk::store::load_weights(model, files.last());
  return model;
}

/// Whitespace-separated words of a line.
size_t word_count(const std::string& s) {
  std::istringstream in(s);
  size_t n = 0;
  for (std::string w; in >> w;) ++n;
  return n;
}

/// The toy corpus's monotone links (word i - word i) for pairs of equal length, an empty
/// line (no links) for the others: one line per line of data/toy/train.*.
std::string toy_links(const TempDir& tmp) {
  const auto de = read_lines(source_path("data/toy/train.de"));
  const auto en = read_lines(source_path("data/toy/train.en"));
  std::vector<std::string> lines;
  for (size_t i = 0; i < de.size(); ++i) {
    std::string line;
    if (word_count(de[i]) == word_count(en[i]))
      for (size_t w = 0; w < word_count(de[i]); ++w)
        line += (line.empty() ? "" : " ") + std::to_string(w) + "-" + std::to_string(w);
    lines.push_back(line);
  }
  write_lines(tmp / "toy.align", lines);
  return tmp / "toy.align";
}


}  // namespace
