#include "crosstalk/model/transformer.h"

#include <cmath>

#include "crosstalk/model/dropout.h"
#include "crosstalk/model/linear.h"

namespace crosstalk::model {

EncoderOutput EncoderOutput::index_select(const torch::Tensor& index) const {
  return {memory.index_select(0, index), src_padding_mask.index_select(0, index)};
}

torch::Tensor sinusoidal_positions(int64_t length, int64_t d_model) {
  auto pos = torch::arange(length, torch::kFloat).unsqueeze(1);                     // [len, 1]
  auto den = torch::exp(torch::arange(0, d_model, 2, torch::kFloat) *
                        (-std::log(10000.0) / static_cast<double>(d_model)));       // [d/2]
  auto table = torch::zeros({length, d_model});
  table.index_put_({torch::indexing::Slice(), torch::indexing::Slice(0, torch::indexing::None, 2)},
                   torch::sin(pos * den));
  table.index_put_({torch::indexing::Slice(), torch::indexing::Slice(1, torch::indexing::None, 2)},
                   torch::cos(pos * den));
  return table;
}

TransformerImpl::TransformerImpl(const ModelOptions& options, int64_t pad_id)
    : options_(options), pad_id_(pad_id) {
  const int64_t d = options_.d_model(), V = options_.vocab_size();
  TORCH_CHECK(V > pad_id_, "vocab_size must exceed the pad id");
  TORCH_CHECK(d % 2 == 0, "d_model must be even for sinusoidal positions");
  embed_scale_ = std::sqrt(static_cast<double>(d));
  if (options_.tied_embeddings()) {
    src_embed = register_parameter("embed", torch::empty({V, d}));
    tgt_embed = src_embed;
    output_weight = src_embed;
  } else {
    src_embed = register_parameter("src_embed", torch::empty({V, d}));
    tgt_embed = register_parameter("tgt_embed", torch::empty({V, d}));
    output_weight = register_parameter("output_weight", torch::empty({V, d}));
  }
  output_bias = register_parameter("output_bias", torch::zeros({V}));
  positions = register_buffer("positions", sinusoidal_positions(options_.max_positions(), d));

  auto layer_options = TransformerLayerOptions(d, options_.heads(), options_.ffn_dim())
                           .dropout(options_.dropout())
                           .attention_dropout(options_.attention_dropout())
                           .pre_norm(options_.pre_norm());
  encoder_layers = register_module("encoder_layers", torch::nn::ModuleList());
  decoder_layers = register_module("decoder_layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < options_.encoder_layers(); ++i) {
    encoder_.emplace_back(layer_options);
    encoder_layers->push_back(encoder_.back());
  }
  for (int64_t i = 0; i < options_.decoder_layers(); ++i) {
    decoder_.emplace_back(layer_options);
    decoder_layers->push_back(decoder_.back());
  }
  if (options_.pre_norm()) {
    encoder_norm = register_module("encoder_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
    decoder_norm = register_module("decoder_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
  }
  reset_parameters();
}

void TransformerImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  const double d = static_cast<double>(options_.d_model());
  if (options_.tied_embeddings()) {
    // Shared input/output matrix: N(0, d^-1/2) so that the scaled input
    // embeddings have unit variance (fairseq, Vaswani et al.).
    src_embed.normal_(0.0, 1.0 / std::sqrt(d));
  } else {
    torch::nn::init::xavier_uniform_(src_embed);
    torch::nn::init::xavier_uniform_(tgt_embed);
    torch::nn::init::xavier_uniform_(output_weight);
  }
}

torch::Tensor TransformerImpl::embed(const torch::Tensor& tokens, const torch::Tensor& table,
                                     int64_t offset) {
  const int64_t len = tokens.size(1);
  TORCH_CHECK(offset + len <= options_.max_positions(), "sequence of ", offset + len,
              " positions exceeds max_positions ", options_.max_positions());
  auto x = torch::embedding(table, tokens) * embed_scale_ + positions.narrow(0, offset, len);
  return apply_dropout(x, options_.dropout(), is_training());  // [batch, len, d_model]
}

EncoderOutput TransformerImpl::encode(const torch::Tensor& src) {
  TORCH_CHECK(src.dim() == 2 && src.scalar_type() == torch::kLong,
              "encode expects int64 [batch, src_len], got ", src.sizes());
  EncoderOutput out;
  out.src_padding_mask = src.eq(pad_id_);  // [batch, src_len]
  auto x = embed(src, src_embed, 0);
  for (auto& layer : encoder_) x = layer(x, out.src_padding_mask);
  out.memory = options_.pre_norm() ? encoder_norm(x) : x;  // [batch, src_len, d_model]
  return out;
}

DecoderOutput TransformerImpl::decode(const torch::Tensor& tgt_in, const EncoderOutput& encoded,
                                      bool need_weights) {
  TORCH_CHECK(tgt_in.dim() == 2 && tgt_in.size(0) == encoded.memory.size(0),
              "decode expects [batch, tgt_len] with the encoder's batch size");
  DecoderOutput out;
  auto x = embed(tgt_in, tgt_embed, 0);
  for (auto& layer : decoder_) {
    auto o = layer->forward(x, encoded.memory, encoded.src_padding_mask, nullptr, need_weights);
    x = o.output;
    if (need_weights) out.cross_attention.push_back(o.weights);
  }
  out.hidden = options_.pre_norm() ? decoder_norm(x) : x;  // [batch, tgt_len, d_model]
  return out;
}

torch::Tensor TransformerImpl::project(const torch::Tensor& hidden) {
  return linear(hidden, output_weight, output_bias);  // [..., vocab]
}

torch::Tensor TransformerImpl::forward(const torch::Tensor& src, const torch::Tensor& tgt_in) {
  return project(decode(tgt_in, encode(src)).hidden);  // [batch, tgt_len, vocab]
}

DecoderCache TransformerImpl::make_cache() const {
  DecoderCache cache;
  cache.layers.resize(decoder_.size());
  return cache;
}

StepOutput TransformerImpl::decode_step(const torch::Tensor& tokens, const EncoderOutput& encoded,
                                        DecoderCache* cache, bool need_weights, bool every_position) {
  TORCH_CHECK(cache != nullptr && cache->layers.size() == decoder_.size(),
              "decode_step needs a cache from make_cache()");
  auto t = tokens.dim() == 1 ? tokens.unsqueeze(1) : tokens;  // [batch, new_len]
  TORCH_CHECK(t.size(0) == encoded.memory.size(0), "decode_step: ", t.size(0),
              " token rows for an encoder batch of ", encoded.memory.size(0));
  StepOutput out;
  auto x = embed(t, tgt_embed, cache->steps);
  for (size_t i = 0; i < decoder_.size(); ++i) {
    auto o = decoder_[i]->forward(x, encoded.memory, encoded.src_padding_mask, &cache->layers[i],
                                  need_weights);
    x = o.output;
    if (need_weights) out.cross_attention.push_back(o.weights);
  }
  cache->steps += t.size(1);
  if (every_position) {
    out.all_logits = project(options_.pre_norm() ? decoder_norm(x) : x);  // [batch, new_len, vocab]
    out.logits = out.all_logits.select(1, t.size(1) - 1);
    return out;
  }
  auto last = x.select(1, t.size(1) - 1);                                 // [batch, d_model]
  out.logits = project(options_.pre_norm() ? decoder_norm(last) : last);  // [batch, vocab]
  return out;
}

}  // namespace crosstalk::model
