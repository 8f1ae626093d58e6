#pragma once

#include <torch/torch.h>

#include "crosstalk/model/attention.h"
#include "crosstalk/model/cache.h"

namespace crosstalk::model {

struct TransformerLayerOptions {
  TransformerLayerOptions(int64_t d_model, int64_t heads, int64_t ffn_dim)
      : d_model_(d_model), heads_(heads), ffn_dim_(ffn_dim) {}
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, heads);
  TORCH_ARG(int64_t, ffn_dim);
  TORCH_ARG(double, dropout) = 0.1;
  TORCH_ARG(double, attention_dropout) = 0.0;
  TORCH_ARG(bool, pre_norm) = false;
};

/// Position-wise feed-forward: Linear(d, ffn) -> ReLU -> dropout -> Linear(ffn, d).
class FeedForwardImpl : public torch::nn::Module {
 public:
  FeedForwardImpl(int64_t d_model, int64_t ffn_dim, double dropout);
  /// x: [batch, len, d_model] -> [batch, len, d_model]
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  double dropout_;
};
TORCH_MODULE(FeedForward);

/// Self-attention + feed-forward, each wrapped in dropout, residual and LayerNorm
/// (pre-LN or post-LN).
class EncoderLayerImpl : public torch::nn::Module {
 public:
  explicit EncoderLayerImpl(const TransformerLayerOptions& options);
  /// x: [batch, src_len, d_model]; src_padding_mask: [batch, src_len] (true = pad)
  /// returns [batch, src_len, d_model]
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& src_padding_mask);

 private:
  TransformerLayerOptions options_;
  MultiHeadAttention self_attn{nullptr};
  FeedForward ffn{nullptr};
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
};
TORCH_MODULE(EncoderLayer);

/// Causal self-attention + cross-attention on the encoder output + feed-forward.
class DecoderLayerImpl : public torch::nn::Module {
 public:
  explicit DecoderLayerImpl(const TransformerLayerOptions& options);
  /// x: [batch, tgt_len, d_model] (with a cache: only the new positions)
  /// memory: [batch, src_len, d_model]; src_padding_mask: [batch, src_len]
  /// cache: null for teacher forcing over the whole target; else the layer's state,
  /// whose self K/V grow by tgt_len positions and whose cross K/V are computed once.
  /// returns output [batch, tgt_len, d_model] and, if need_weights, the cross-attention's
  /// weights [batch, heads, tgt_len, src_len]
  AttentionOutput forward(const torch::Tensor& x, const torch::Tensor& memory,
                          const torch::Tensor& src_padding_mask, LayerCache* cache = nullptr,
                          bool need_weights = false);

 private:
  TransformerLayerOptions options_;
  MultiHeadAttention self_attn{nullptr}, cross_attn{nullptr};
  FeedForward ffn{nullptr};
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
};
TORCH_MODULE(DecoderLayer);

}  // namespace crosstalk::model
