#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "crosstalk/align/alignment.h"
#include "crosstalk/align/labeled_matrix.h"
#include "crosstalk/align/selection.h"
#include "crosstalk/align/words.h"

namespace crosstalk::align {

/// The decoder's cross-attention for one sentence pair, every layer and head, on
/// subword pieces. Row i holds the weights the decoder used to emit target piece i
/// (its query is the piece before it, BOS for i = 0); the last row emitted EOS.
/// The last column is the source EOS.
struct AttentionRecord {
  std::vector<std::string> src_pieces;  // [src_len] without EOS
  std::vector<std::string> tgt_pieces;  // [tgt_len] without EOS
  Segmentation src;                     // source words + EOS
  Segmentation tgt;                     // target words + EOS
  torch::Tensor attention;              // [layers, heads, tgt_len + 1, src_len + 1] float32, CPU
  /// The source / target had more pieces than the model's position table holds: the
  /// record covers their first pieces only (forced_attention sets these).
  bool src_truncated = false, tgt_truncated = false;
  /// Of a translation that completed a target prefix: its first forced_pieces pieces are the
  /// prefix's complete words (search::Translation::prefix_word_pieces); 0 otherwise.
  int64_t forced_pieces = 0;

  int64_t layers() const { return attention.size(0); }
  int64_t heads() const { return attention.size(1); }

  /// The selected [tgt_len + 1, src_len + 1] piece matrix, row-major.
  /// UserError if the layer or head does not exist.
  std::vector<float> piece_weights(const AttentionSelection& selection) const;
  /// Piece labels (EOS row and column included).
  LabeledMatrix piece_matrix(const AttentionSelection& selection) const;
  /// Word labels: merge_attention() of the piece matrix (EOS row and column included).
  LabeledMatrix word_matrix(const AttentionSelection& selection) const;
  /// How many target words, from the first, have only pieces the prefix forced (a word the
  /// prefix only began is not one of them): the rows of word_matrix() the user wrote.
  int64_t forced_words() const;
  /// Word alignment from word_matrix(), EOS left out.
  Alignment alignment(const AttentionSelection& selection, const ExtractOptions& options = {}) const;
};

/// Builds a record; checks attention is [layers, heads, tgt_pieces + 1, src_pieces + 1].
AttentionRecord make_record(std::vector<std::string> src_pieces, std::vector<std::string> tgt_pieces,
                            torch::Tensor attention);

}  // namespace crosstalk::align
