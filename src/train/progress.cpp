#include "crosstalk/train/progress.h"

#include <cmath>
#include <cstdio>

namespace crosstalk::train {

std::string format_duration(double seconds) {
  const auto total = static_cast<int64_t>(std::llround(std::max(seconds, 0.0)));
  char buf[32];
  if (total >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(total / 3600),
                  static_cast<long long>(total % 3600 / 60));
  else if (total >= 60)
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(total / 60),
                  static_cast<long long>(total % 60));
  else
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(total));
  return buf;
}

std::string format_progress(const ProgressInfo& info) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "step %lld | epoch %lld | loss %.3f | lr %.2e | %.0f tgt tok/s | %s elapsed",
                static_cast<long long>(info.step), static_cast<long long>(info.epoch), info.loss,
                info.lr, info.tokens_per_second, format_duration(info.elapsed_seconds).c_str());
  std::string line = buf;
  if (info.alignment_loss >= 0) {
    std::snprintf(buf, sizeof buf, " | alignment loss %.3f", info.alignment_loss);
    // beside the translation loss: after "loss X.XXX"
    const auto at = line.find(" | lr ");
    line.insert(at == std::string::npos ? line.size() : at, buf);
  }
  if (info.eta_seconds >= 0) line += " | ETA " + format_duration(info.eta_seconds);
  return line;
}

}  // namespace crosstalk::train
