#include "crosstalk/align/attention_record.h"

#include <algorithm>

#include "crosstalk/common/error.h"

namespace crosstalk::align {

std::vector<float> AttentionRecord::piece_weights(const AttentionSelection& selection) const {
  check_selection(selection, layers(), heads());
  const int64_t layer = resolved_layer(selection, layers());
  auto a = layer == 0 ? attention.mean(0) : attention[layer - 1];  // [heads, tgt + 1, src + 1]
  a = selection.head == 0 ? a.mean(0) : a[selection.head - 1];      // [tgt + 1, src + 1]
  a = a.to(torch::kFloat).contiguous();
  return std::vector<float>(a.data_ptr<float>(), a.data_ptr<float>() + a.numel());
}

LabeledMatrix AttentionRecord::piece_matrix(const AttentionSelection& selection) const {
  auto rows = tgt_pieces, cols = src_pieces;
  rows.emplace_back(kEosLabel);
  cols.emplace_back(kEosLabel);
  return align::piece_matrix(piece_weights(selection), rows, cols);
}

LabeledMatrix AttentionRecord::word_matrix(const AttentionSelection& selection) const {
  return merge_attention(piece_weights(selection), tgt, src);
}

Alignment AttentionRecord::alignment(const AttentionSelection& selection, const ExtractOptions& options) const {
  return extract_alignment(word_matrix(selection), src.real_words, tgt.real_words, options);
}

int64_t AttentionRecord::forced_words() const {
  const int64_t pieces = std::min<int64_t>(forced_pieces, static_cast<int64_t>(tgt_pieces.size()));
  if (pieces <= 0) return 0;
  // Word w is whole when the piece after the forced ones (or EOS) belongs to a later word.
  const int64_t next_word = tgt.piece_word[static_cast<size_t>(pieces)];
  const int64_t last_word = tgt.piece_word[static_cast<size_t>(pieces - 1)];
  return next_word > last_word ? last_word + 1 : last_word;
}

AttentionRecord make_record(std::vector<std::string> src_pieces, std::vector<std::string> tgt_pieces,
                            torch::Tensor attention) {
  TORCH_CHECK(attention.dim() == 4, "attention must be [layers, heads, tgt + 1, src + 1], got ", attention.sizes());
  TORCH_CHECK(attention.size(2) == static_cast<int64_t>(tgt_pieces.size()) + 1 &&
                  attention.size(3) == static_cast<int64_t>(src_pieces.size()) + 1,
              "attention ", attention.sizes(), " does not match ", tgt_pieces.size(), " target and ",
              src_pieces.size(), " source pieces (+ EOS each)");
  AttentionRecord r;
  r.src = segment_words(src_pieces, /*with_eos=*/true);
  r.tgt = segment_words(tgt_pieces, /*with_eos=*/true);
  r.src_pieces = std::move(src_pieces);
  r.tgt_pieces = std::move(tgt_pieces);
  r.attention = attention.detach().to(torch::kCPU, torch::kFloat).contiguous();
  return r;
}

}  // namespace crosstalk::align
