#include "crosstalk/model/layers.h"

#include "crosstalk/model/dropout.h"
#include "crosstalk/model/linear.h"

namespace crosstalk::model {

namespace {

torch::nn::LayerNorm layer_norm(int64_t d) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}));
}

MultiHeadAttention attention(const TransformerLayerOptions& o) {
  return MultiHeadAttention(
      MultiHeadAttentionOptions(o.d_model(), o.heads()).dropout(o.attention_dropout()));
}

// One residual sub-layer: pre-LN  x + drop(f(norm(x)))  or  post-LN  norm(x + drop(f(x))).
template <typename Fn>
torch::Tensor sublayer(const torch::Tensor& x, torch::nn::LayerNorm& norm, bool pre_norm,
                       double p, bool training, Fn&& fn) {
  if (pre_norm) return x + apply_dropout(fn(norm(x)), p, training);
  return norm(x + apply_dropout(fn(x), p, training));
}

}  // namespace

FeedForwardImpl::FeedForwardImpl(int64_t d_model, int64_t ffn_dim, double dropout)
    : dropout_(dropout) {
  fc1 = register_module("fc1", torch::nn::Linear(d_model, ffn_dim));
  fc2 = register_module("fc2", torch::nn::Linear(ffn_dim, d_model));
  torch::NoGradGuard no_grad;
  torch::nn::init::xavier_uniform_(fc1->weight);
  torch::nn::init::xavier_uniform_(fc2->weight);
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
  auto h = torch::relu(linear(x, fc1->weight, fc1->bias));  // [batch, len, ffn_dim]
  return linear(apply_dropout(h, dropout_, is_training()), fc2->weight, fc2->bias);  // [batch, len, d_model]
}

EncoderLayerImpl::EncoderLayerImpl(const TransformerLayerOptions& options) : options_(options) {
  self_attn = register_module("self_attn", attention(options_));
  ffn = register_module("ffn", FeedForward(options_.d_model(), options_.ffn_dim(), options_.dropout()));
  norm1 = register_module("norm1", layer_norm(options_.d_model()));
  norm2 = register_module("norm2", layer_norm(options_.d_model()));
}

torch::Tensor EncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& src_padding_mask) {
  const bool pre = options_.pre_norm(), train = is_training();
  const double p = options_.dropout();
  auto h = sublayer(x, norm1, pre, p, train, [&](const torch::Tensor& in) {
    return self_attn(in, in, src_padding_mask).output;
  });
  return sublayer(h, norm2, pre, p, train, [&](const torch::Tensor& in) { return ffn(in); });
}

DecoderLayerImpl::DecoderLayerImpl(const TransformerLayerOptions& options) : options_(options) {
  self_attn = register_module("self_attn", attention(options_));
  cross_attn = register_module("cross_attn", attention(options_));
  ffn = register_module("ffn", FeedForward(options_.d_model(), options_.ffn_dim(), options_.dropout()));
  norm1 = register_module("norm1", layer_norm(options_.d_model()));
  norm2 = register_module("norm2", layer_norm(options_.d_model()));
  norm3 = register_module("norm3", layer_norm(options_.d_model()));
}

AttentionOutput DecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& memory,
                                          const torch::Tensor& src_padding_mask,
                                          LayerCache* cache, bool need_weights) {
  const bool pre = options_.pre_norm(), train = is_training();
  const double p = options_.dropout();
  AttentionOutput out;
  // Target padding needs no mask here: padding sits at the end, so the causal
  // mask already keeps every real position from seeing it.
  auto h = sublayer(x, norm1, pre, p, train, [&](const torch::Tensor& in) {
    return cache ? self_attn->forward_incremental(in, &cache->self).output
                 : self_attn(in, in, torch::Tensor(), /*causal=*/true).output;
  });
  h = sublayer(h, norm2, pre, p, train, [&](const torch::Tensor& in) {
    auto a = cache ? cross_attn->forward_static_kv(in, memory, src_padding_mask, &cache->cross,
                                                   need_weights)
                   : cross_attn(in, memory, src_padding_mask, false, need_weights);
    out.weights = a.weights;
    return a.output;
  });
  out.output = sublayer(h, norm3, pre, p, train, [&](const torch::Tensor& in) { return ffn(in); });
  return out;
}

}  // namespace crosstalk::model
