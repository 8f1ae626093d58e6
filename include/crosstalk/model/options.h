#pragma once

#include <torch/arg.h>

#include <cstdint>

namespace crosstalk::model {

/// Hyper-parameters of the encoder-decoder Transformer. Written to the model
/// directory (config.toml) so that a trained model can be rebuilt exactly.
struct ModelOptions {
  ModelOptions() = default;
  /// Joint source-target vocabulary size (one SentencePiece model).
  TORCH_ARG(int64_t, vocab_size) = 8000;
  TORCH_ARG(int64_t, d_model) = 256;
  TORCH_ARG(int64_t, heads) = 4;
  TORCH_ARG(int64_t, encoder_layers) = 3;
  TORCH_ARG(int64_t, decoder_layers) = 3;
  TORCH_ARG(int64_t, ffn_dim) = 1024;
  TORCH_ARG(double, dropout) = 0.1;
  TORCH_ARG(double, attention_dropout) = 0.0;
  /// LayerNorm before each sub-layer (pre-LN, with a final norm) or after the
  /// residual addition (post-LN, as in Vaswani et al. 2017).
  TORCH_ARG(bool, pre_norm) = false;
  /// One embedding matrix for source, target and the output projection.
  TORCH_ARG(bool, tied_embeddings) = true;
  /// Longest sequence the sinusoidal position table covers.
  TORCH_ARG(int64_t, max_positions) = 1024;
};

}  // namespace crosstalk::model
