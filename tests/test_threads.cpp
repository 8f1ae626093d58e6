// common/threads: one thread setting for LibTorch, OpenMP and OpenBLAS, made
// once before the first tensor operation (tests/main.cpp does it for this binary).
#include <catch2/catch.hpp>
#include <omp.h>
#include <torch/torch.h>

#include <thread>

#include "crosstalk/common/error.h"
#include "crosstalk/common/threads.h"

// The root cause this guards against: OpenMP's default team is the logical CPU
// count (omp_get_num_procs), LibTorch's default is cpuinfo's core count, and
// LibTorch applies its own only at a thread's first parallel region. Where the
// two differ, a matrix product before that region (BLAS follows OpenMP's team)
// ran on another thread count than everything after it.

TEST_CASE("threads: LibTorch and OpenMP use the one setting on the main thread", "[threads]") {
  const int n = crosstalk::compute_threads();
  REQUIRE(n >= 1);  // set by main() before any test ran
  CHECK(at::get_num_threads() == n);
  CHECK(omp_get_max_threads() == n);
  INFO("OpenMP's own default here: " << omp_get_num_procs() << ", LibTorch's: " << at::intraop_default_num_threads());
  // A matrix product (straight to BLAS, no LibTorch parallel region) leaves it so.
  (void)torch::mm(torch::ones({64, 64}), torch::ones({64, 64})).sum().item<float>();
  CHECK(omp_get_max_threads() == n);
}

TEST_CASE("threads: a new thread takes the setting before its first operation", "[threads]") {
  const int n = crosstalk::compute_threads();
  int before_torch = -1, before_omp = -1, after_omp = -1;
  std::thread t([&] {
    crosstalk::init_compute_thread();
    before_torch = at::get_num_threads();
    before_omp = omp_get_max_threads();
    (void)torch::mm(torch::ones({64, 64}), torch::ones({64, 64})).sum().item<float>();
    after_omp = omp_get_max_threads();
  });
  t.join();
  CHECK(before_torch == n);
  CHECK(before_omp == n);
  CHECK(after_omp == n);
}

TEST_CASE("threads: a count below one is a user error", "[threads]") {
  const int n = crosstalk::compute_threads();
  CHECK_THROWS_AS(crosstalk::set_compute_threads(0), crosstalk::UserError);
  CHECK_THROWS_AS(crosstalk::set_compute_threads(-3), crosstalk::UserError);
  CHECK(crosstalk::compute_threads() == n);  // unchanged
}
