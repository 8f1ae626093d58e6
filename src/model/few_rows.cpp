#include "few_rows.h"

#include "parallel_for.h"

#include <algorithm>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace crosstalk::model::detail {

#if defined(__x86_64__)

namespace {

// Multiply-adds per row that one thread takes at least: a 256 x 256 projection stays on one
// thread, where a parallel region would cost about as much as the products.
constexpr int64_t kGrainWork = 1 << 16;

__attribute__((target("avx2,fma"))) inline float sum8(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 h = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(h, _mm_shuffle_ps(h, h, 1)));
}

// R rows x O outputs at a time, one 8-lane accumulator each: R * O >= 3 independent FMA
// chains keep the FMA units busy while the weight streams through once.
template <int R, int O>
__attribute__((target("avx2,fma"))) void kernel(const float* x, const float* w, const float* bias, float* y,
                                                int64_t in, int64_t out, int64_t o0, int64_t o1) {
  const int64_t body = in - in % 8;
  int64_t o = o0;
  for (; o + O <= o1; o += O) {
    __m256 acc[O][R];
    for (int a = 0; a < O; ++a)
      for (int r = 0; r < R; ++r) acc[a][r] = _mm256_setzero_ps();
    for (int64_t i = 0; i < body; i += 8) {
      __m256 xv[R];
      for (int r = 0; r < R; ++r) xv[r] = _mm256_loadu_ps(x + r * in + i);
      for (int a = 0; a < O; ++a) {
        const __m256 wv = _mm256_loadu_ps(w + (o + a) * in + i);
        for (int r = 0; r < R; ++r) acc[a][r] = _mm256_fmadd_ps(wv, xv[r], acc[a][r]);
      }
    }
    for (int a = 0; a < O; ++a) {
      const float* wo = w + (o + a) * in;
      for (int r = 0; r < R; ++r) {
        float s = sum8(acc[a][r]);
        for (int64_t i = body; i < in; ++i) s += wo[i] * x[r * in + i];
        y[r * out + o + a] = bias ? s + bias[o + a] : s;
      }
    }
  }
  if (o < o1) kernel<R, 1>(x, w, bias, y, in, out, o, o1);  // the last outputs, one at a time
}

template <int R, int O>
void run(const float* x, const float* w, const float* bias, float* y, int64_t in, int64_t out) {
  const int64_t grain = std::max<int64_t>(1, kGrainWork / std::max<int64_t>(in, 1));
  at::parallel_for(0, out, grain, [&](int64_t o0, int64_t o1) { kernel<R, O>(x, w, bias, y, in, out, o0, o1); });
}

}  // namespace

bool few_rows_linear(const float* x, const float* w, const float* bias, float* y, int64_t rows, int64_t in,
                     int64_t out) {
  static const bool supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (!supported) return false;
  // Groups of up to 4 rows, each reading the weight once.
  for (int64_t r = 0; r < rows; r += 4) {
    const float* xr = x + r * in;
    float* yr = y + r * out;
    switch (rows - r) {
      case 1: run<1, 4>(xr, w, bias, yr, in, out); break;
      case 2: run<2, 2>(xr, w, bias, yr, in, out); break;
      case 3: run<3, 1>(xr, w, bias, yr, in, out); break;
      default: run<4, 1>(xr, w, bias, yr, in, out); break;
    }
  }
  return true;
}

#else

bool few_rows_linear(const float*, const float*, const float*, float*, int64_t, int64_t, int64_t) { return false; }

#endif

}  // namespace crosstalk::model::detail
