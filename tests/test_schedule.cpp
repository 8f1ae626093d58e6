#include <catch2/catch.hpp>

#include <cmath>

#include "crosstalk/train/schedule.h"

using crosstalk::train::InverseSqrtSchedule;

TEST_CASE("inverse sqrt schedule: linear warmup to the peak", "[schedule]") {
  const double peak = 7e-4;
  const int64_t warmup = 4000;
  InverseSqrtSchedule lr(peak, warmup);
  CHECK(lr(1) == Approx(peak / warmup));
  CHECK(lr(warmup / 4) == Approx(peak / 4));
  CHECK(lr(warmup / 2) == Approx(peak / 2));
  CHECK(lr(warmup) == Approx(peak));
  // Linear: equal increments per step during warmup.
  CHECK(lr(1001) - lr(1000) == Approx(peak / warmup));
  CHECK(lr(3001) - lr(3000) == Approx(peak / warmup));
  for (int64_t s = 1; s < warmup; s += 97) CHECK(lr(s) < lr(s + 1));
}

TEST_CASE("inverse sqrt schedule: decays as sqrt(warmup / step) after the peak", "[schedule]") {
  const double peak = 1e-3;
  const int64_t warmup = 1000;
  InverseSqrtSchedule lr(peak, warmup);
  CHECK(lr(4 * warmup) == Approx(peak / 2));
  CHECK(lr(9 * warmup) == Approx(peak / 3));
  CHECK(lr(100 * warmup) == Approx(peak / 10));
  CHECK(lr(2500) == Approx(peak * std::sqrt(1000.0 / 2500.0)));
  for (int64_t s = warmup; s < 20 * warmup; s += 331) CHECK(lr(s + 1) < lr(s));
  // The peak is the maximum.
  for (int64_t s = 1; s < 10 * warmup; s += 7) CHECK(lr(s) <= peak * (1 + 1e-12));
}

TEST_CASE("inverse sqrt schedule: warmup 0 is a constant rate", "[schedule]") {
  InverseSqrtSchedule lr(5e-4, 0);
  for (int64_t s : {1, 2, 10, 1000, 1000000}) CHECK(lr(s) == Approx(5e-4));
}
