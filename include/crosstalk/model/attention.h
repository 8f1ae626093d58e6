#pragma once

#include <torch/torch.h>

namespace crosstalk::model {

struct MultiHeadAttentionOptions {
  MultiHeadAttentionOptions(int64_t d_model, int64_t heads) : d_model_(d_model), heads_(heads) {}
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, heads);
  /// Dropout on the attention weights (training only).
  TORCH_ARG(double, dropout) = 0.0;
};

/// Projected keys and values of one attention, kept between decoding steps.
struct KeyValue {
  torch::Tensor key;    // [batch, heads, kv_len, d_head]
  torch::Tensor value;  // [batch, heads, kv_len, d_head]
  torch::Tensor bias;   // cross-attention: the padding mask as [batch, 1, 1, kv_len] (-inf = padding); may be undefined
  bool defined() const { return key.defined(); }
  int64_t length() const { return key.defined() ? key.size(2) : 0; }
};

struct AttentionOutput {
  torch::Tensor output;   // [batch, q_len, d_model]
  torch::Tensor weights;  // [batch, heads, q_len, kv_len]; undefined unless requested
};

/// Scaled dot-product multi-head attention: softmax(Q K^T / sqrt(d_head)) V.
/// The query input and the key/value input are separate arguments, so one module
/// serves as self-attention (query == key_value) and as cross-attention (queries
/// from the target side, keys/values from the encoder output).
class MultiHeadAttentionImpl : public torch::nn::Module {
 public:
  explicit MultiHeadAttentionImpl(const MultiHeadAttentionOptions& options);
  void reset_parameters();

  /// query:            [batch, q_len, d_model]
  /// key_value:        [batch, kv_len, d_model]
  /// key_padding_mask: [batch, kv_len] bool, true = padding (masked out); may be undefined
  /// causal:           position i may attend to key positions <= i only
  /// returns           output [batch, q_len, d_model], weights [batch, heads, q_len, kv_len]
  AttentionOutput forward(const torch::Tensor& query, const torch::Tensor& key_value,
                          const torch::Tensor& key_padding_mask = {}, bool causal = false,
                          bool need_weights = false);

  /// Incremental self-attention. query: [batch, q_len, d_model], the next q_len
  /// positions. Projects their keys/values only, appends them to *cache (grown
  /// along kv_len) and attends causally over everything cached so far.
  AttentionOutput forward_incremental(const torch::Tensor& query, KeyValue* cache,
                                      bool need_weights = false);

  /// Cross-attention whose keys/values are computed once: on the first call
  /// (cache empty) `memory` [batch, src_len, d_model] is projected into *cache, with
  /// key_padding_mask [batch, src_len] as its additive bias; later calls reuse both.
  AttentionOutput forward_static_kv(const torch::Tensor& query, const torch::Tensor& memory,
                                    const torch::Tensor& key_padding_mask, KeyValue* cache,
                                    bool need_weights = false);

  /// [batch, len, d_model] -> keys and values [batch, heads, len, d_head]
  KeyValue project_key_value(const torch::Tensor& key_value);

  const MultiHeadAttentionOptions& options() const { return options_; }

 private:
  torch::Tensor project_query(const torch::Tensor& query);  // -> [batch, heads, q_len, d_head], pre-scaled
  torch::Tensor split_heads(const torch::Tensor& x) const;  // [b, len, d] -> [b, heads, len, d_head]
  /// q: [b, h, q_len, dh]; k, v: [b, h, kv_len, dh]; bias broadcastable to [b, h, q_len, kv_len]
  AttentionOutput attend(const torch::Tensor& q, const KeyValue& kv, const torch::Tensor& bias,
                         bool need_weights);

  MultiHeadAttentionOptions options_;
  int64_t d_head_;
  double scale_;
  // Packed [3 * d_model, d_model] projection: rows [0, d) are Q, [d, 2d) K, [2d, 3d) V.
  // Self-attention uses it in one GEMM; cross-attention uses the Q rows on the
  // target side and the K/V rows on the encoder output.
  torch::Tensor in_proj_weight, in_proj_bias;
  torch::nn::Linear out_proj{nullptr};
};
TORCH_MODULE(MultiHeadAttention);

/// Additive mask [batch, 1, 1, kv_len] with -inf at padded keys (true in the mask).
torch::Tensor padding_bias(const torch::Tensor& key_padding_mask, torch::ScalarType dtype);

/// Additive causal mask [q_len, kv_len]: query i (at absolute position offset + i)
/// sees keys 0..offset+i.
torch::Tensor causal_bias(int64_t q_len, int64_t kv_len, int64_t offset,
                          const torch::TensorOptions& options);

}  // namespace crosstalk::model
