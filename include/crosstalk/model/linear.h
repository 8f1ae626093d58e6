#pragma once

#include <torch/torch.h>

namespace crosstalk::model {

/// x W^T + b for x [..., in], weight [out, in], bias [out] (may be undefined)
/// -> [..., out]. Differentiable.
///
/// A single row (batch-1 decoding) goes to BLAS gemv, which streams the weight
/// once; LibTorch 1.13 would call gemm, which first packs the whole weight
/// (4x slower for the 8000 x 256 output projection). Without autograd, 2 to 8
/// float32 CPU rows (beam 4 of one sentence, a completion and its alternatives)
/// go to a kernel that reads the weight once per 4 rows (model/few_rows.h), where
/// one gemv a row would read it once a row and gemm would pack it first. Other
/// inputs are folded to 2-D so that the bias is fused into addmm instead of a
/// separate add.
torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

}  // namespace crosstalk::model
