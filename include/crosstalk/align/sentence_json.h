#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "crosstalk/align/attention_record.h"

namespace crosstalk::align {

/// `value` rounded to 6 significant digits (the precision of every float the
/// attention JSON and the server write): the double nearest to its "%.6g" text,
/// which nlohmann/json then prints in at most 6 digits.
double round_6(double value);

/// rows x cols of `data` (row-major) as nested arrays, rounded by round_6.
nlohmann::ordered_json matrix_json(const float* data, int64_t rows, int64_t cols);

/// What one sentence object of the attention JSON is built from.
struct SentenceJsonInput {
  const std::string& source;
  const std::string& target;
  const AttentionRecord& record;
  const AttentionSelection& selection;
  const Alignment& alignment;
  bool with_attention = true;  // false: no "attention" and "word_attention" (the server's default)
};

/// One sentence of the `crosstalk-attention-1` format, keys in this order:
///   "source", "target" (text), "src_pieces", "tgt_pieces" (EOS last, as "</s>"),
///   "src_words", "tgt_words" (EOS last), "src_piece_word", "tgt_piece_word" (word index
///   of each piece, EOS included), "layers", "heads",
///   "attention": [layers][heads][tgt pieces + 1][src pieces + 1] (with_attention),
///   "selection" (e.g. "layer 5 of 6, heads averaged"),
///   "word_attention" [tgt words + 1][src words + 1] of that selection (with_attention),
///   "alignment" (Pharaoh, source-target, words, EOS left out).
/// Shared by `align --json` (AttentionJsonWriter) and `crosstalk serve` (its Result object).
nlohmann::ordered_json sentence_json(const SentenceJsonInput& in);

}  // namespace crosstalk::align
