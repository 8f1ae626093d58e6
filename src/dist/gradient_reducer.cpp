#include "crosstalk/dist/gradient_reducer.h"

namespace crosstalk::dist {

GradientReducer::GradientReducer(std::vector<torch::Tensor> parameters, Communicator* communicator,
                                 int64_t bucket_bytes)
    : parameters_(std::move(parameters)), communicator_(communicator) {
  TORCH_CHECK(communicator_ != nullptr, "GradientReducer needs a communicator");
  TORCH_CHECK(bucket_bytes > 0, "bucket_bytes must be positive");
  int64_t bytes = 0, numel = 0;
  Bucket current;
  auto close = [&] {
    if (current.params.empty()) return;
    const auto& first = parameters_[current.params.front()];
    current.flat = torch::zeros({numel}, first.options().requires_grad(false));
    buckets_.push_back(std::move(current));
    current = Bucket();
    bytes = numel = 0;
  };
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const auto& p = parameters_[i];
    const int64_t size = p.numel() * static_cast<int64_t>(p.element_size());
    const bool other_kind = !current.params.empty() &&
                            (parameters_[current.params.front()].scalar_type() != p.scalar_type() ||
                             parameters_[current.params.front()].device() != p.device());
    if (!current.params.empty() && (bytes + size > bucket_bytes || other_kind)) close();
    current.params.push_back(i);
    bytes += size;
    numel += p.numel();
  }
  close();
}

void GradientReducer::reduce(torch::Tensor& extra, const std::function<double(const torch::Tensor&)>& scale) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> tensors;
  for (auto& b : buckets_) {
    int64_t offset = 0;
    for (const size_t i : b.params) {
      const auto& p = parameters_[i];
      auto slice = b.flat.narrow(0, offset, p.numel());
      if (p.grad().defined()) slice.copy_(p.grad().reshape({-1}));
      else slice.zero_();
      offset += p.numel();
    }
    tensors.push_back(b.flat);
  }
  tensors.push_back(extra);
  communicator_->all_reduce_sum(tensors);
  const double factor = scale(extra);
  for (auto& b : buckets_) {
    b.flat.mul_(factor);
    int64_t offset = 0;
    for (const size_t i : b.params) {
      auto p = parameters_[i];
      auto slice = b.flat.narrow(0, offset, p.numel()).view(p.sizes());
      if (p.grad().defined()) p.mutable_grad().copy_(slice);
      else p.mutable_grad() = slice.clone();
      offset += p.numel();
    }
  }
}

}  // namespace crosstalk::dist
