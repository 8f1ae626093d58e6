#include "crosstalk/common/threads.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <omp.h>

#include <atomic>
#include <string>

#include "crosstalk/common/error.h"

#include <spdlog/spdlog.h>

namespace crosstalk {

namespace {
std::atomic<int> g_threads{0};
}

void set_compute_threads(int threads) {
  if (threads <= 0) throw UserError("--threads must be positive, got " + std::to_string(threads));
  // LibTorch: its atomic setting, which every thread's lazy initialization then
  // applies, and omp_set_num_threads for this thread now.
  at::set_num_threads(threads);
  at::internal::lazy_init_num_threads();
  omp_set_num_threads(threads);
  // OpenBLAS (when libblas.so.3 is OpenBLAS): its own count, which its pthread
  // build keeps apart from OpenMP's. Absent with another BLAS: nothing to set.
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(threads);
  g_threads.store(threads);
}

void init_compute_thread() {
  const int threads = g_threads.load();
  if (threads <= 0) return;  // nothing set: keep the library defaults
  omp_set_num_threads(threads);
  at::internal::lazy_init_num_threads();
}

void init_light_thread() { omp_set_num_threads(1); }

void release_thread_team() {
  // Only the calling thread's pool (libgomp's gomp_pause_host); nonzero if it is inside a
  // parallel region, where there is nothing to release.
  if (omp_pause_resource_all(omp_pause_soft) != 0) spdlog::debug("OpenMP kept this thread's team (inside a parallel region)");
}

int compute_threads() { return g_threads.load(); }

}  // namespace crosstalk
