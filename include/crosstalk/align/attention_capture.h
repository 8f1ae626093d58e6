#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crosstalk/align/attention_record.h"
#include "crosstalk/model/transformer.h"
#include "crosstalk/search/translator.h"
#include "crosstalk/text/vocab.h"

namespace crosstalk::align {

/// Forced alignment: the model reads each source sentence and is teacher-forced
/// through the given target sentence (BOS + target pieces), and the decoder's
/// cross-attention of every layer and head is recorded. Sentences run in batches
/// of `batch_size` on the model's device; lines longer than the position table
/// are cut to their first pieces, and the record says so (src_truncated, tgt_truncated). UserError if the line counts differ.
std::vector<AttentionRecord> forced_attention(model::Transformer& model, const text::Vocab& vocab,
                                              const std::vector<std::string>& sources,
                                              const std::vector<std::string>& targets, int64_t batch_size = 32);

/// The record of hypothesis `k` of a translation's n-best list (0 = the best; the
/// search must have run with DecodeOptions::return_attention; for beam search these
/// are the weights of that hypothesis, carried through the back-pointers).
/// `source_line` gives the surface text of the source pieces.
/// An empty translation (empty source line) gives a record without layers.
AttentionRecord translation_attention(const search::Translation& translation, const text::Vocab& vocab,
                                      const std::string& source_line, size_t k = 0);

}  // namespace crosstalk::align
