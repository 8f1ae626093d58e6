#include "crosstalk/model/linear.h"

#include "few_rows.h"

extern "C" void sgemv_(const char* trans, const int* m, const int* n, const float* alpha, const float* a,
                       const int* lda, const float* x, const int* incx, const float* beta, float* y,
                       const int* incy);

namespace crosstalk::model {

namespace {

// Up to this many rows skip LibTorch's dispatch: one row goes to gemv, 2 or more to the
// few-rows kernel (beam 4, a completion and its alternatives), or one gemv each without AVX2;
// more go to gemm.
constexpr int64_t kMaxDirectRows = 8;

bool plain_float_cpu(const torch::Tensor& t) {
  return t.is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous();
}

// y = W x + b for each of a few rows, straight into the few-rows kernel (2 rows or more) or
// BLAS gemv (one row, or a CPU without AVX2): at decoding shapes the reshape, addmv and view
// that LibTorch dispatches around one product cost as much as a small product itself, and
// for a few rows gemm packs the whole weight first (the 8000 x 256 output projection: more
// than the rows' products).
torch::Tensor direct_rows(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias, int64_t rows,
                        std::vector<int64_t> sizes) {
  const int in = static_cast<int>(weight.size(1)), out = static_cast<int>(weight.size(0));
  auto y = torch::empty(sizes, x.options());
  if (rows >= 2 && detail::few_rows_linear(x.data_ptr<float>(), weight.data_ptr<float>(),
                              bias.defined() ? bias.data_ptr<float>() : nullptr, y.data_ptr<float>(), rows, in, out))
    return y;
  const float one = 1.0f;
  const float beta = bias.defined() ? 1.0f : 0.0f;
  const int inc = 1;
  for (int64_t r = 0; r < rows; ++r) {
    float* yp = y.data_ptr<float>() + r * out;
    if (bias.defined()) std::copy_n(bias.data_ptr<float>(), out, yp);
    // Row-major W [out, in] is column-major W^T [in, out]: y = (W^T)^T x.
    sgemv_("T", &in, &out, &one, weight.data_ptr<float>(), &in, x.data_ptr<float>() + r * in, &inc, &beta, yp, &inc);
  }
  return y;
}

}  // namespace

torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  TORCH_CHECK(x.dim() >= 1 && weight.dim() == 2 && x.size(-1) == weight.size(1), "linear: input ", x.sizes(),
              " does not fit weight ", weight.sizes());
  const int64_t in = weight.size(1), out = weight.size(0);
  auto sizes = x.sizes().vec();
  sizes.back() = out;
  const int64_t rows = in > 0 ? x.numel() / in : 0;
  const bool direct = !torch::GradMode::is_enabled() && in > 0 && out > 0 && in < (1 << 30) && out < (1 << 30) &&
                      rows >= 1 && rows <= kMaxDirectRows && plain_float_cpu(x) && plain_float_cpu(weight) &&
                      (!bias.defined() || plain_float_cpu(bias));
  if (direct) return direct_rows(x, weight, bias, rows, std::move(sizes));
  if (x.numel() == in) {
    auto v = x.reshape({in});
    auto y = bias.defined() ? torch::addmv(bias, weight, v) : torch::mv(weight, v);  // [out]
    return y.view(sizes);
  }
  return torch::linear(x.reshape({-1, in}), weight, bias).view(sizes);
}

}  // namespace crosstalk::model
