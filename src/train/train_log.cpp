#include "crosstalk/train/train_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "crosstalk/common/atomic_file.h"
#include "crosstalk/common/error.h"

namespace crosstalk::train {

namespace {

std::string error_text(int err) {
  if (err == ENOSPC || err == EFBIG || err == EDQUOT) return std::string(std::strerror(err)) + " (disk full or file size limit)";
  return std::strerror(err);
}

// Keeps the lines whose step is <= `through`; counts the others (and torn ones).
std::string kept_lines(const std::string& text, int64_t through, int64_t* dropped) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto entry = parse_log_entry(line);
    if (entry && entry->step <= through) {
      out += line;
      out += '\n';
    } else {
      ++*dropped;
    }
  }
  return out;
}

}  // namespace

std::string format_log_entry(const TrainLogEntry& e) {
  nlohmann::ordered_json j;
  j["event"] = e.event;
  j["step"] = e.step;
  j["epoch"] = e.epoch;
  if (e.event == "valid") {
    j["valid_loss"] = e.valid_loss;
    j["valid_ppl"] = e.valid_ppl;
    j["bleu"] = e.bleu;
  } else {
    j["loss"] = e.loss;
    if (e.alignment_loss >= 0) j["alignment_loss"] = e.alignment_loss;
    j["lr"] = e.lr;
    j["tok_per_s"] = e.tokens_per_second;
  }
  j["elapsed"] = e.elapsed_seconds;
  return j.dump();
}

std::optional<TrainLogEntry> parse_log_entry(const std::string& line) {
  const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("event") || !j["event"].is_string() || !j.contains("step") ||
      !j["step"].is_number_integer())
    return std::nullopt;
  TrainLogEntry e;
  e.event = j["event"].get<std::string>();
  e.step = j["step"].get<int64_t>();
  auto number = [&](const char* key, double* out) {
    if (j.contains(key) && j[key].is_number()) *out = j[key].get<double>();
  };
  if (j.contains("epoch") && j["epoch"].is_number_integer()) e.epoch = j["epoch"].get<int64_t>();
  number("elapsed", &e.elapsed_seconds);
  number("loss", &e.loss);
  number("alignment_loss", &e.alignment_loss);
  number("lr", &e.lr);
  number("tok_per_s", &e.tokens_per_second);
  number("valid_loss", &e.valid_loss);
  number("valid_ppl", &e.valid_ppl);
  number("bleu", &e.bleu);
  return e;
}

TrainLog::TrainLog(std::string path, std::optional<int64_t> keep_through_step) : path_(std::move(path)) {
  std::error_code ec;
  if (keep_through_step) {
    if (std::filesystem::exists(path_, ec)) {
      const auto kept = kept_lines(read_file_bytes(path_), *keep_through_step, &dropped_);
      if (dropped_ > 0) write_file_atomic(path_, kept);
    }
  } else {
    write_file_atomic(path_, "");
  }
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw UserError("cannot open training log '" + path_ + "': " + error_text(errno));
}

TrainLog::~TrainLog() {
  if (fd_ >= 0) ::close(fd_);
}

void TrainLog::append(const TrainLogEntry& entry) {
  const std::string line = format_log_entry(entry) + "\n";
  // One write(2) per line: a kill leaves whole lines, or one torn last line that
  // the next resume drops.
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw UserError("cannot write training log '" + path_ + "': " + error_text(errno));
    done += static_cast<size_t>(n);
  }
}

void TrainLog::sync() {
  if (::fsync(fd_) != 0 && errno != EINVAL)
    throw UserError("cannot sync training log '" + path_ + "': " + error_text(errno));
}

}  // namespace crosstalk::train
