#pragma once

namespace crosstalk {

/// Sets how many threads every later tensor operation uses: LibTorch's
/// intra-op pool, the OpenMP team of the calling thread, and OpenBLAS's.
///
/// Call it once per process, before the first tensor operation (the commands
/// do it from --threads, the test binary from tests/main.cpp). Why it matters:
/// LibTorch initializes its thread count lazily, at the first parallel region
/// of each thread (at::internal::lazy_init_num_threads), from OMP_NUM_THREADS
/// or the core count. Until then OpenMP and OpenBLAS run with their own
/// defaults, so without an explicit setting the first operations of a process
/// can run on another thread count than the later ones, and reductions split
/// differently round differently. OMP_NUM_THREADS, MKL_NUM_THREADS and
/// OPENBLAS_NUM_THREADS are overridden by `threads`.
/// UserError if threads <= 0.
void set_compute_threads(int threads);

/// Applies the setting to the calling thread. OpenMP's team size is per
/// thread: a thread the program starts itself (a server's worker, say) begins
/// with OpenMP's default (the CPU count), and LibTorch corrects it only at that
/// thread's first parallel region, so a matrix product before that one would
/// run on another team. Such threads call this first.
void init_compute_thread();

/// For threads that only touch small tensors while another thread does the heavy work
/// (a server's connection threads): the calling thread computes on one thread, so it never
/// starts an OpenMP team of its own. Every team counts: once libgomp manages more threads
/// than there are cores, the idle ones stop spinning and sleep, and each parallel region
/// of the thread that does the work then waits for a wake-up (a server's decoding step
/// took three times as long).
void init_light_thread();

/// Ends the calling thread's OpenMP team (its threads exit; the next parallel region on
/// this thread starts a new one), for the same reason: e.g. the thread that loaded a model
/// that another thread runs from then on.
void release_thread_team();

/// The value last given to set_compute_threads (0 before any call).
int compute_threads();

}  // namespace crosstalk
