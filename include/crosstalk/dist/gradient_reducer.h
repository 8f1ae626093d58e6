#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "crosstalk/dist/communicator.h"

namespace crosstalk::dist {

/// Sums the parameters' gradients over the ranks of a data-parallel world in
/// flat buckets, one all-reduce per bucket (fairseq's legacy DDP): gradients
/// are copied into buckets of at most `bucket_bytes` (a parameter larger than
/// that gets a bucket of its own), summed, then copied back multiplied by a
/// scale that may depend on a small tensor of counts summed in the same round.
class GradientReducer {
 public:
  static constexpr int64_t kDefaultBucketBytes = 25 << 20;

  GradientReducer(std::vector<torch::Tensor> parameters, Communicator* communicator,
                  int64_t bucket_bytes = kDefaultBucketBytes);

  /// Sums every gradient and `extra` (any 1-D tensor, in place) over the ranks,
  /// then sets each gradient to sum * scale(summed extra). A parameter without a
  /// gradient on this rank (an empty shard, an unused parameter) counts as zeros
  /// and gets one.
  void reduce(torch::Tensor& extra, const std::function<double(const torch::Tensor&)>& scale);

  size_t buckets() const { return buckets_.size(); }

 private:
  struct Bucket {
    std::vector<size_t> params;  // indices into parameters_
    torch::Tensor flat;          // [sum of numel] of the parameters' dtype and device
  };
  std::vector<torch::Tensor> parameters_;
  Communicator* communicator_;
  std::vector<Bucket> buckets_;
};

}  // namespace crosstalk::dist
