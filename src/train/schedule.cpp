#include "crosstalk/train/schedule.h"

#include <algorithm>
#include <cmath>

namespace crosstalk::train {

double InverseSqrtSchedule::operator()(int64_t step) const {
  const double s = static_cast<double>(std::max<int64_t>(step, 1));
  if (warmup_ <= 0) return peak_;
  const double w = static_cast<double>(warmup_);
  return peak_ * std::min(s / w, std::sqrt(w / s));
}

}  // namespace crosstalk::train
