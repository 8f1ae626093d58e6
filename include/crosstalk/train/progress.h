#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace crosstalk::train {

/// Seconds of the steady clock since `t`.
inline double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/// "1h02m", "3m07s", "42s"
std::string format_duration(double seconds);

/// What the live progress line shows.
struct ProgressInfo {
  int64_t step = 0;
  int64_t epoch = 0;
  double loss = 0.0;           // mean label-smoothed loss per target token since the last line
  double lr = 0.0;
  double tokens_per_second = 0.0;
  double elapsed_seconds = 0.0;
  double eta_seconds = -1.0;   // < 0: no budget, no ETA
  double alignment_loss = -1.0;  // guided alignment: mean per linked target piece since the last line; < 0: none
};

std::string format_progress(const ProgressInfo& info);

}  // namespace crosstalk::train
