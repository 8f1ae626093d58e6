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
class AttentionJsonWriter {
 public:
  /// UserError if `path` cannot be written.
  explicit AttentionJsonWriter(const std::string& path);
  ~AttentionJsonWriter();  // closes the document if close() was not called

  void add(int64_t sentence, const std::string& source, const std::string& target, const AttentionRecord& record,
           const AttentionSelection& selection, const Alignment& alignment);
  /// Ends the document; UserError if writing failed.
  void close();

 private:
  std::string path_;
  std::ofstream out_;
  bool first_ = true;
  bool closed_ = false;
};

}  // namespace crosstalk::align
