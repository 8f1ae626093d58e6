#pragma once

#include <cstdint>
#include <fstream>
#include <string>

#include "crosstalk/align/attention_record.h"

namespace crosstalk::align {

/// Writes attention records as one JSON document, a sentence at a time:
/// {"format": "crosstalk-attention-1", "sentences": [ {...}, ... ]}
/// Each sentence object (one line) holds "sentence" (1-based line number) and then
/// every key of align::sentence_json (sentence_json.h) with the attention: "source",
/// "target", "src_pieces", "tgt_pieces", "src_words", "tgt_words", "src_piece_word",
/// "tgt_piece_word", "layers", "heads", "attention", "selection", "word_attention",
/// "alignment". Floats have 6 significant digits.
/// A symmetrized run (align --reverse-model) adds, per sentence, "symmetrize_method",
/// "reverse_word_attention" (the reverse model's word matrix transposed to the forward
/// orientation, [tgt words + 1][src words + 1]), "reverse_alignment" (its links,
/// source-target), "symmetrized_word_attention" (soft methods only: the combined
/// matrix) and "symmetrized_alignment" (the links written out); "alignment" stays the
/// forward model's own. A pair the two models split into different words is not
/// symmetrized: "symmetrize_method" is then "none (word counts differ)".
struct SymmetrizedJson {
  std::string method;
  LabeledMatrix reverse_words;  // transposed: rows target words, cols source words
  Alignment reverse_alignment;  // source-target
  LabeledMatrix combined;       // soft methods; empty otherwise
  Alignment symmetrized;
};

class AttentionJsonWriter {
 public:
  /// UserError if `path` cannot be written.
  explicit AttentionJsonWriter(const std::string& path);
  ~AttentionJsonWriter();  // closes the document if close() was not called

  void add(int64_t sentence, const std::string& source, const std::string& target, const AttentionRecord& record,
           const AttentionSelection& selection, const Alignment& alignment,
           const SymmetrizedJson* symmetrized = nullptr);
  /// Ends the document; UserError if writing failed.
  void close();

 private:
  std::string path_;
  std::ofstream out_;
  bool first_ = true;
  bool closed_ = false;
};

}  // namespace crosstalk::align
