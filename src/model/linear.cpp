#include "crosstalk/model/linear.h"

namespace crosstalk::model {

torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  TORCH_CHECK(x.dim() >= 1 && weight.dim() == 2 && x.size(-1) == weight.size(1), "linear: input ", x.sizes(),
              " does not fit weight ", weight.sizes());
  const int64_t in = weight.size(1), out = weight.size(0);
  auto sizes = x.sizes().vec();
  sizes.back() = out;
  if (x.numel() == in) {
    auto v = x.reshape({in});
    auto y = bias.defined() ? torch::addmv(bias, weight, v) : torch::mv(weight, v);  // [out]
    return y.view(sizes);
  }
  return torch::linear(x.reshape({-1, in}), weight, bias).view(sizes);
}

}  // namespace crosstalk::model
