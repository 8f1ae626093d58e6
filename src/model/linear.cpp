#include "crosstalk/model/linear.h"

extern "C" void sgemv_(const char* trans, const int* m, const int* n, const float* alpha, const float* a,
                       const int* lda, const float* x, const int* incx, const float* beta, float* y,
                       const int* incy);

namespace crosstalk::model {

namespace {

bool plain_float_cpu(const torch::Tensor& t) {
  return t.is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous();
}

// y = W x + b straight into BLAS: at decoding shapes the reshape, addmv and view that
// LibTorch dispatches around the product cost as much as a small product itself.
torch::Tensor gemv_row(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                       std::vector<int64_t> sizes) {
  const int in = static_cast<int>(weight.size(1)), out = static_cast<int>(weight.size(0));
  auto y = torch::empty(sizes, x.options());
  float* yp = y.data_ptr<float>();
  const float one = 1.0f;
  float beta = 0.0f;
  if (bias.defined()) {
    std::copy_n(bias.data_ptr<float>(), out, yp);
    beta = 1.0f;
  }
  // Row-major W [out, in] is column-major W^T [in, out]: y = (W^T)^T x.
  const int inc = 1;
  sgemv_("T", &in, &out, &one, weight.data_ptr<float>(), &in, x.data_ptr<float>(), &inc, &beta, yp, &inc);
  return y;
}

}  // namespace

torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  TORCH_CHECK(x.dim() >= 1 && weight.dim() == 2 && x.size(-1) == weight.size(1), "linear: input ", x.sizes(),
              " does not fit weight ", weight.sizes());
  const int64_t in = weight.size(1), out = weight.size(0);
  auto sizes = x.sizes().vec();
  sizes.back() = out;
  if (x.numel() == in) {
    const bool direct = !torch::GradMode::is_enabled() && in > 0 && out > 0 && in < (1 << 30) &&
                        out < (1 << 30) && plain_float_cpu(x) && plain_float_cpu(weight) &&
                        (!bias.defined() || plain_float_cpu(bias));
    if (direct) return gemv_row(x, weight, bias, std::move(sizes));
    auto v = x.reshape({in});
    auto y = bias.defined() ? torch::addmv(bias, weight, v) : torch::mv(weight, v);  // [out]
    return y.view(sizes);
  }
  return torch::linear(x.reshape({-1, in}), weight, bias).view(sizes);
}

}  // namespace crosstalk::model
