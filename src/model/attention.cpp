#include "crosstalk/model/attention.h"

#include <cmath>
#include <limits>

#include "crosstalk/model/batched_matmul.h"
#include "crosstalk/model/dropout.h"
#include "crosstalk/model/linear.h"
#include "crosstalk/model/one_query_attention.h"

namespace crosstalk::model {

MultiHeadAttentionImpl::MultiHeadAttentionImpl(const MultiHeadAttentionOptions& options)
    : options_(options) {
  TORCH_CHECK(options_.heads() > 0 && options_.d_model() % options_.heads() == 0,
              "d_model (", options_.d_model(), ") must be divisible by heads (",
              options_.heads(), ")");
  const int64_t d = options_.d_model();
  d_head_ = d / options_.heads();
  scale_ = 1.0 / std::sqrt(static_cast<double>(d_head_));
  in_proj_weight = register_parameter("in_proj_weight", torch::empty({3 * d, d}));
  in_proj_bias = register_parameter("in_proj_bias", torch::empty({3 * d}));
  out_proj = register_module("out_proj", torch::nn::Linear(d, d));
  reset_parameters();
}

void MultiHeadAttentionImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  torch::nn::init::xavier_uniform_(in_proj_weight);
  in_proj_bias.zero_();
  torch::nn::init::xavier_uniform_(out_proj->weight);
  out_proj->bias.zero_();
}

torch::Tensor MultiHeadAttentionImpl::split_heads(const torch::Tensor& x) const {
  // [batch, len, d_model] -> [batch, heads, len, d_head]
  return x.view({x.size(0), x.size(1), options_.heads(), d_head_}).transpose(1, 2);
}

torch::Tensor MultiHeadAttentionImpl::project_query(const torch::Tensor& query) {
  const int64_t d = options_.d_model();
  auto q = linear(query, in_proj_weight.narrow(0, 0, d), in_proj_bias.narrow(0, 0, d));
  return split_heads(q * scale_);  // [batch, heads, q_len, d_head]
}

KeyValue MultiHeadAttentionImpl::project_key_value(const torch::Tensor& key_value) {
  const int64_t d = options_.d_model();
  auto kv = linear(key_value, in_proj_weight.narrow(0, d, 2 * d),
                          in_proj_bias.narrow(0, d, 2 * d));  // [batch, kv_len, 2 * d]
  auto parts = kv.chunk(2, -1);
  return {split_heads(parts[0]), split_heads(parts[1]), torch::Tensor()};
}

AttentionOutput MultiHeadAttentionImpl::attend(const torch::Tensor& q, const KeyValue& kv,
                                               const torch::Tensor& bias, bool need_weights) {
  AttentionOutput out;
  if (!is_training() && !torch::GradMode::is_enabled() && one_query_attention_applies(q, kv.key, kv.value, bias)) {
    auto a = one_query_attention(q, kv.key, kv.value, bias);  // a decoding step
    out.output = linear(a.context, out_proj->weight, out_proj->bias);
    if (need_weights) out.weights = a.weights;
    return out;
  }
  const int64_t b = q.size(0), h = q.size(1), q_len = q.size(2), kv_len = kv.key.size(2);
  // scores: [batch, heads, q_len, kv_len], one small GEMM per (batch, head)
  auto scores = batched_matmul(q.reshape({b * h, q_len, d_head_}), kv.key.reshape({b * h, kv_len, d_head_}),
                               false, true)
                    .view({b, h, q_len, kv_len});
  if (bias.defined()) scores.add_(bias);
  auto weights = torch::softmax(scores, -1);
  auto dropped = apply_dropout(weights, options_.dropout(), is_training());
  auto context = batched_matmul(dropped.reshape({b * h, q_len, kv_len}),
                                kv.value.reshape({b * h, kv_len, d_head_}));  // [batch * heads, q_len, d_head]
  context = context.view({b, h, q_len, d_head_}).transpose(1, 2).reshape({b, q_len, options_.d_model()});
  out.output = linear(context, out_proj->weight, out_proj->bias);  // [batch, q_len, d_model]
  if (need_weights) out.weights = weights;
  return out;
}

AttentionOutput MultiHeadAttentionImpl::forward(const torch::Tensor& query,
                                                const torch::Tensor& key_value,
                                                const torch::Tensor& key_padding_mask, bool causal,
                                                bool need_weights) {
  TORCH_CHECK(query.dim() == 3 && key_value.dim() == 3,
              "attention expects [batch, len, d_model] inputs, got ", query.sizes(), " and ",
              key_value.sizes());
  TORCH_CHECK(query.size(0) == key_value.size(0), "query and key_value batch sizes differ: ",
              query.size(0), " vs ", key_value.size(0));
  TORCH_CHECK(query.size(2) == options_.d_model() && key_value.size(2) == options_.d_model(),
              "attention expects d_model ", options_.d_model());
  torch::Tensor q;
  KeyValue kv;
  if (query.is_same(key_value)) {
    // Self-attention: Q, K and V in one GEMM.
    auto qkv = linear(query, in_proj_weight, in_proj_bias).chunk(3, -1);
    q = split_heads(qkv[0] * scale_);
    kv = {split_heads(qkv[1]), split_heads(qkv[2]), torch::Tensor()};
  } else {
    q = project_query(query);
    kv = project_key_value(key_value);
  }
  torch::Tensor bias;
  if (key_padding_mask.defined()) {
    TORCH_CHECK(key_padding_mask.sizes() == torch::IntArrayRef({key_value.size(0), key_value.size(1)}),
                "key_padding_mask must be [batch, kv_len] = [", key_value.size(0), ", ",
                key_value.size(1), "], got ", key_padding_mask.sizes());
    bias = padding_bias(key_padding_mask, q.scalar_type());
  }
  if (causal) {
    auto c = causal_bias(query.size(1), key_value.size(1), 0, q.options());
    bias = bias.defined() ? bias + c : c;
  }
  return attend(q, kv, bias, need_weights);
}

AttentionOutput MultiHeadAttentionImpl::forward_incremental(const torch::Tensor& query,
                                                            KeyValue* cache, bool need_weights) {
  TORCH_CHECK(cache != nullptr, "forward_incremental needs a cache");
  const int64_t past = cache->length();
  auto qkv = linear(query, in_proj_weight, in_proj_bias).chunk(3, -1);
  auto q = split_heads(qkv[0] * scale_);
  auto k = split_heads(qkv[1]);
  auto v = split_heads(qkv[2]);
  if (cache->defined()) {
    cache->key = torch::cat({cache->key, k}, 2);
    cache->value = torch::cat({cache->value, v}, 2);
  } else {
    cache->key = k.contiguous();
    cache->value = v.contiguous();
  }
  torch::Tensor bias;
  if (query.size(1) > 1) bias = causal_bias(query.size(1), past + query.size(1), past, q.options());
  return attend(q, *cache, bias, need_weights);
}

AttentionOutput MultiHeadAttentionImpl::forward_static_kv(const torch::Tensor& query,
                                                          const torch::Tensor& memory,
                                                          const torch::Tensor& key_padding_mask,
                                                          KeyValue* cache, bool need_weights) {
  TORCH_CHECK(cache != nullptr, "forward_static_kv needs a cache");
  if (!cache->defined()) {
    auto kv = project_key_value(memory);
    *cache = {kv.key.contiguous(), kv.value.contiguous(), torch::Tensor()};  // read at every step
    if (key_padding_mask.defined()) cache->bias = padding_bias(key_padding_mask, query.scalar_type());
  }
  return attend(project_query(query), *cache, cache->bias, need_weights);
}

torch::Tensor padding_bias(const torch::Tensor& key_padding_mask, torch::ScalarType dtype) {
  TORCH_CHECK(key_padding_mask.dim() == 2 && key_padding_mask.scalar_type() == torch::kBool,
              "key_padding_mask must be a bool [batch, kv_len] tensor");
  auto bias = torch::zeros(key_padding_mask.sizes(),
                           torch::TensorOptions().dtype(dtype).device(key_padding_mask.device()));
  bias.masked_fill_(key_padding_mask, -std::numeric_limits<double>::infinity());
  return bias.view({key_padding_mask.size(0), 1, 1, key_padding_mask.size(1)});
}

torch::Tensor causal_bias(int64_t q_len, int64_t kv_len, int64_t offset,
                          const torch::TensorOptions& options) {
  // Key j is in the future of query i when j > offset + i.
  auto ones = torch::ones({q_len, kv_len}, options.dtype(torch::kBool));
  auto future = torch::triu(ones, offset + 1);
  return torch::zeros({q_len, kv_len}, options)
      .masked_fill_(future, -std::numeric_limits<double>::infinity());
}

}  // namespace crosstalk::model
