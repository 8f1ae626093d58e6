#pragma once

#include <cstdint>

namespace crosstalk::train {

/// Linear warmup to `peak` at step `warmup`, then inverse square-root decay:
/// lr(step) = peak * min(step / warmup, sqrt(warmup / step)). Steps count from 1.
class InverseSqrtSchedule {
 public:
  InverseSqrtSchedule(double peak, int64_t warmup) : peak_(peak), warmup_(warmup) {}
  double operator()(int64_t step) const;

 private:
  double peak_;
  int64_t warmup_;
};

}  // namespace crosstalk::train
