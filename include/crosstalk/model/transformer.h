#pragma once

#include <torch/torch.h>

#include <vector>

#include "crosstalk/model/cache.h"
#include "crosstalk/model/layers.h"
#include "crosstalk/model/options.h"

namespace crosstalk::model {

/// What the encoder hands to the decoder.
struct EncoderOutput {
  torch::Tensor memory;            // [batch, src_len, d_model]
  torch::Tensor src_padding_mask;  // [batch, src_len] bool, true = padding

  /// Rows `index` [new_batch] (int64) of both tensors, e.g. to repeat them per beam.
  EncoderOutput index_select(const torch::Tensor& index) const;
};

/// Teacher-forced decoder pass over a whole target prefix.
struct DecoderOutput {
  torch::Tensor hidden;                          // [batch, tgt_len, d_model]
  std::vector<torch::Tensor> cross_attention;    // per layer [batch, heads, tgt_len, src_len]; empty unless requested
};

/// One incremental decoding step.
struct StepOutput {
  torch::Tensor logits;                          // [batch, vocab], for the last new position
  torch::Tensor all_logits;                      // [batch, new_len, vocab]; only if asked (every_position)
  std::vector<torch::Tensor> cross_attention;    // per layer [batch, heads, new_len, src_len]; empty unless requested
};

/// Encoder-decoder Transformer (Vaswani et al. 2017) with our own attention:
/// embeddings scaled by sqrt(d_model) plus sinusoidal positions, N encoder and
/// M decoder layers, output projection (tied to the embeddings if asked).
class TransformerImpl : public torch::nn::Module {
 public:
  explicit TransformerImpl(const ModelOptions& options, int64_t pad_id = 0);

  /// src: [batch, src_len] int64, right-padded with pad_id -> EncoderOutput
  EncoderOutput encode(const torch::Tensor& src);

  /// Teacher forcing. tgt_in: [batch, tgt_len] (BOS + target, right-padded)
  /// returns hidden states [batch, tgt_len, d_model] (+ cross-attention if asked)
  DecoderOutput decode(const torch::Tensor& tgt_in, const EncoderOutput& encoded,
                       bool need_weights = false);

  /// hidden [..., d_model] -> logits [..., vocab]
  torch::Tensor project(const torch::Tensor& hidden);

  /// src [batch, src_len], tgt_in [batch, tgt_len] -> logits [batch, tgt_len, vocab]
  torch::Tensor forward(const torch::Tensor& src, const torch::Tensor& tgt_in);

  /// An empty cache with one entry per decoder layer.
  DecoderCache make_cache() const;

  /// Feeds the next target tokens: tokens [batch] or [batch, new_len], at
  /// positions cache->steps ...; grows the cache and returns the logits of the
  /// last new position [batch, vocab] (every_position: also those of every new
  /// position, all_logits [batch, new_len, vocab]).
  StepOutput decode_step(const torch::Tensor& tokens, const EncoderOutput& encoded,
                         DecoderCache* cache, bool need_weights = false, bool every_position = false);

  const ModelOptions& options() const { return options_; }
  int64_t pad_id() const { return pad_id_; }

 private:
  /// tokens [batch, len] at positions offset.. -> [batch, len, d_model]
  torch::Tensor embed(const torch::Tensor& tokens, const torch::Tensor& table, int64_t offset);
  void reset_parameters();

  ModelOptions options_;
  int64_t pad_id_;
  double embed_scale_;
  torch::Tensor src_embed, tgt_embed, output_weight, output_bias;  // tied: all three weights are one
  torch::Tensor positions;                                         // buffer [max_positions, d_model]
  torch::nn::ModuleList encoder_layers{nullptr}, decoder_layers{nullptr};
  std::vector<EncoderLayer> encoder_;
  std::vector<DecoderLayer> decoder_;
  torch::nn::LayerNorm encoder_norm{nullptr}, decoder_norm{nullptr};  // pre-LN only
};
TORCH_MODULE(Transformer);

/// Sinusoidal position table [length, d_model]: sin on even, cos on odd dimensions.
torch::Tensor sinusoidal_positions(int64_t length, int64_t d_model);

}  // namespace crosstalk::model
