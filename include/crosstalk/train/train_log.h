#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace crosstalk::train {

/// One line of train_log.jsonl: a logged training step, or a validation.
struct TrainLogEntry {
  std::string event;           // "train" | "valid"
  int64_t step = 0;
  int64_t epoch = 0;
  double elapsed_seconds = 0;  // wall clock since the run began (resumes included)
  // "train": the mean label-smoothed loss per target token since the previous line.
  double loss = 0, lr = 0, tokens_per_second = 0;
  // "valid"
  double valid_loss = 0, valid_ppl = 0, bleu = 0;
  // "train" with guided alignment: the mean alignment loss per linked target piece; < 0: not logged.
  double alignment_loss = -1;
};

/// train_log.jsonl in the model directory: one JSON object per line, appended
/// as training goes, readable while it runs (the server's browser view plots
/// it). It survives kills: each line is one write(2); on resume, lines past the
/// checkpoint's step (and a line torn by a kill) are dropped first, so the file
/// never holds a step twice. Failures to write are UserErrors naming the file.
class TrainLog {
 public:
  /// Opens (creating) the log. `keep_through_step`: drop every line whose step
  /// is greater (a resume); std::nullopt: start a new, empty log.
  TrainLog(std::string path, std::optional<int64_t> keep_through_step);
  ~TrainLog();
  TrainLog(const TrainLog&) = delete;
  TrainLog& operator=(const TrainLog&) = delete;

  void append(const TrainLogEntry& entry);
  /// fsync: called with each checkpoint so the log is as durable as it.
  void sync();
  /// Lines dropped when the log was opened (past the checkpoint, or torn).
  int64_t dropped() const { return dropped_; }

 private:
  std::string path_;
  int fd_ = -1;
  int64_t dropped_ = 0;
};

/// Formats / parses one line (no newline). parse: std::nullopt if malformed.
std::string format_log_entry(const TrainLogEntry& entry);
std::optional<TrainLogEntry> parse_log_entry(const std::string& line);

}  // namespace crosstalk::train
