#pragma once

#include <torch/torch.h>

namespace crosstalk::model {

/// x W^T + b for x [..., in], weight [out, in], bias [out] (may be undefined)
/// -> [..., out]. Differentiable.
///
/// A single row (batch-1 decoding) goes to BLAS gemv, which streams the weight
/// once; LibTorch 1.13 would call gemm, which first packs the whole weight
/// (4x slower for the 8000 x 256 output projection); without autograd, up to 4 float32
/// CPU rows (beam 4 of one sentence) call sgemv directly, one each, skipping the dispatched
/// reshapes and gemm's packing. Other inputs are folded
/// to 2-D so that the bias is fused into addmm instead of a separate add.
torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

}  // namespace crosstalk::model
