#pragma once

#include <torch/torch.h>

namespace crosstalk::model {

struct OneQueryAttention {
  torch::Tensor context;  // [batch, 1, heads * d_head]: the heads side by side, ready for the output projection
  torch::Tensor weights;  // [batch, heads, 1, kv_len]: the softmax the context was computed with
};

/// Attention of a single query position per row, the shape of every decoding step:
/// softmax(q k^T + bias) v for each (row, head), without dropout.
///   q:     [batch, heads, 1, d_head] float32 CPU, already scaled by 1/sqrt(d_head)
///   key:   [batch, heads, kv_len, d_head], value the same
///   bias:  undefined, or additive [batch, 1, 1, kv_len] (-inf = masked out)
///
/// The general path (two batched GEMMs, a softmax, a transpose and their reshapes)
/// costs ~15 dispatched LibTorch operations and 2 x batch x heads BLAS calls for what
/// is, at decoding shapes, a few thousand multiply-adds per head: one step of
/// one-sentence decoding spent more time dispatching them than computing. This is one
/// loop per (row, head), parallel over rows only when there is enough work.
bool one_query_attention_applies(const torch::Tensor& q, const torch::Tensor& key, const torch::Tensor& value,
                                 const torch::Tensor& bias);
OneQueryAttention one_query_attention(const torch::Tensor& q, const torch::Tensor& key, const torch::Tensor& value,
                                      const torch::Tensor& bias);

}  // namespace crosstalk::model
