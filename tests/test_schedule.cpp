#include <catch2/catch.hpp>

#include <cmath>

#include "crosstalk/train/schedule.h"
#include "tolerance.h"

using crosstalk::train::InverseSqrtSchedule;
using tolerance::approx_abs;
using tolerance::approx_rel;

namespace {
// lr(s) = peak * min(s / w, sqrt(w / s)) in double: the division, the sqrt, the product
// (3 roundings); the expected values take at most as many (peak / w, peak / 3, peak *
// sqrt(1000 / 2500)). Two sides: double_rtol(3) = 6.7e-16.
const double kRtol = tolerance::double_rtol(3);
}  // namespace

TEST_CASE("inverse sqrt schedule: linear warmup to the peak", "[schedule]") {
  const double peak = 7e-4;
  const int64_t warmup = 4000;
  InverseSqrtSchedule lr(peak, warmup);
  CHECK(lr(1) == approx_rel(peak / warmup, kRtol));
  CHECK(lr(warmup / 4) == approx_rel(peak / 4, kRtol));
  CHECK(lr(warmup / 2) == approx_rel(peak / 2, kRtol));
  CHECK(lr(warmup) == approx_rel(peak, kRtol));
  // Linear: equal increments per step during warmup. The difference cancels: the rounding of
  // both rates is relative to their size, lr(s + 1) + lr(s), not to the increment.
  CHECK(lr(1001) - lr(1000) == approx_abs(peak / warmup, kRtol * (lr(1001) + lr(1000))));
  CHECK(lr(3001) - lr(3000) == approx_abs(peak / warmup, kRtol * (lr(3001) + lr(3000))));
  for (int64_t s = 1; s < warmup; s += 97) CHECK(lr(s) < lr(s + 1));
}

TEST_CASE("inverse sqrt schedule: decays as sqrt(warmup / step) after the peak", "[schedule]") {
  const double peak = 1e-3;
  const int64_t warmup = 1000;
  InverseSqrtSchedule lr(peak, warmup);
  CHECK(lr(4 * warmup) == approx_rel(peak / 2, kRtol));
  CHECK(lr(9 * warmup) == approx_rel(peak / 3, kRtol));
  CHECK(lr(100 * warmup) == approx_rel(peak / 10, kRtol));
  CHECK(lr(2500) == approx_rel(peak * std::sqrt(1000.0 / 2500.0), kRtol));
  for (int64_t s = warmup; s < 20 * warmup; s += 331) CHECK(lr(s + 1) < lr(s));
  // The peak is the maximum, exactly: rounding is monotone and 1 and peak are doubles, so
  // s / w <= 1 and sqrt(w / s) <= 1 stay <= 1 when rounded, and so does peak * x <= peak.
  for (int64_t s = 1; s < 10 * warmup; s += 7) CHECK(lr(s) <= peak);
}

TEST_CASE("inverse sqrt schedule: warmup 0 is a constant rate", "[schedule]") {
  InverseSqrtSchedule lr(5e-4, 0);
  // The peak is returned as given, without arithmetic: exactly.
  for (int64_t s : {1, 2, 10, 1000, 1000000}) CHECK(lr(s) == 5e-4);
}
