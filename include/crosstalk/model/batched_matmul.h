#pragma once

#include <torch/torch.h>

namespace crosstalk::model {

/// c[n] = op(a[n]) @ op(b[n]) for 3-D tensors, op = transpose when asked:
/// a: [N, M, K] (or [N, K, M] with trans_a), b: [N, K, P] (or [N, P, K] with
/// trans_b) -> c: [N, M, P]. Differentiable.
///
/// Attention multiplies many tiny matrices (batch x heads of them, ~30 x 64).
/// LibTorch 1.13's CPU bmm walks that batch with a Tensor select and a
/// dispatched mm per matrix, which costs ~20x the arithmetic. Here contiguous
/// float32 CPU inputs go straight to BLAS sgemm per matrix, in parallel over the
/// batch; anything else (CUDA, other dtypes) uses torch::matmul.
torch::Tensor batched_matmul(const torch::Tensor& a, const torch::Tensor& b, bool trans_a = false,
                             bool trans_b = false);

}  // namespace crosstalk::model
