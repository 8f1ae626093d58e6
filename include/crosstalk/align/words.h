#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crosstalk/align/labeled_matrix.h"

namespace crosstalk::align {

/// The label of the end-of-sentence position (a source column, a target row).
inline const char* const kEosLabel = "</s>";

/// SentencePiece pieces grouped into words. A piece that starts with the
/// word-start marker U+2581 ("▁") opens a new word; any other piece belongs to
/// the word before it (the first piece always opens one). Because SentencePiece
/// puts the marker exactly where the text had whitespace, the words are the
/// whitespace-separated tokens of the (normalized) sentence, punctuation included
/// ("Brücke." is one word).
struct Segmentation {
  std::vector<std::string> words;   // [words] text of each word, marker removed; ends with "</s>" if with_eos
  std::vector<int64_t> piece_word;  // [pieces] index of the word each piece belongs to (EOS included if with_eos)
  int64_t real_words = 0;           // words before the EOS word
  bool with_eos = false;

  int64_t pieces() const { return static_cast<int64_t>(piece_word.size()); }
};

/// Groups `pieces` into words; with_eos appends one more piece, EOS, as a word of its own.
Segmentation segment_words(const std::vector<std::string>& pieces, bool with_eos);

/// Piece-level attention -> word-level attention.
/// piece_weights: [tgt.pieces() x src.pieces()] row-major (rows sum to 1).
/// A word's column is the SUM over its source pieces, a word's row is the MEAN over
/// its target pieces, so every word row still sums to 1. Labels are the words.
LabeledMatrix merge_attention(const std::vector<float>& piece_weights, const Segmentation& tgt,
                              const Segmentation& src);

/// The same matrix with piece labels (no merging): rows tgt pieces, cols src pieces.
LabeledMatrix piece_matrix(const std::vector<float>& piece_weights, const std::vector<std::string>& tgt_pieces,
                           const std::vector<std::string>& src_pieces);

}  // namespace crosstalk::align
