#include "crosstalk/align/words.h"

#include <stdexcept>

namespace crosstalk::align {

namespace {

const std::string kMarker = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's word start

bool starts_word(const std::string& piece) { return piece.compare(0, kMarker.size(), kMarker) == 0; }

std::string strip_markers(const std::string& piece) {
  std::string out;
  for (size_t i = 0; i < piece.size();) {
    if (piece.compare(i, kMarker.size(), kMarker) == 0) {
      i += kMarker.size();
    } else {
      out += piece[i++];
    }
  }
  return out;
}

}  // namespace

Segmentation segment_words(const std::vector<std::string>& pieces, bool with_eos) {
  Segmentation seg;
  seg.with_eos = with_eos;
  for (const auto& piece : pieces) {
    if (seg.words.empty() || starts_word(piece)) seg.words.emplace_back();
    seg.words.back() += strip_markers(piece);
    seg.piece_word.push_back(static_cast<int64_t>(seg.words.size()) - 1);
  }
  // A lone marker piece ("▁" before a piece SentencePiece could not attach) leaves
  // nothing of its own; its word gets the text of the pieces that follow it.
  seg.real_words = static_cast<int64_t>(seg.words.size());
  if (with_eos) {
    seg.words.emplace_back(kEosLabel);
    seg.piece_word.push_back(seg.real_words);
  }
  return seg;
}

LabeledMatrix merge_attention(const std::vector<float>& piece_weights, const Segmentation& tgt,
                              const Segmentation& src) {
  const int64_t tp = tgt.pieces(), sp = src.pieces();
  if (static_cast<int64_t>(piece_weights.size()) != tp * sp)
    throw std::invalid_argument("merge_attention: " + std::to_string(piece_weights.size()) + " weights for " +
                                std::to_string(tp) + " target x " + std::to_string(sp) + " source pieces");
  LabeledMatrix m;
  m.rows = tgt.words;
  m.cols = src.words;
  const int64_t tw = m.n_rows(), sw = m.n_cols();
  std::vector<double> sums(static_cast<size_t>(tw * sw), 0.0);
  std::vector<int64_t> count(static_cast<size_t>(tw), 0);
  for (int64_t t = 0; t < tp; ++t) {
    const int64_t row = tgt.piece_word[t];
    ++count[row];
    for (int64_t s = 0; s < sp; ++s) sums[row * sw + src.piece_word[s]] += piece_weights[t * sp + s];
  }
  m.weights.resize(sums.size());
  for (int64_t r = 0; r < tw; ++r)
    for (int64_t c = 0; c < sw; ++c)
      m.weights[r * sw + c] = count[r] > 0 ? static_cast<float>(sums[r * sw + c] / count[r]) : 0.0f;
  return m;
}

LabeledMatrix piece_matrix(const std::vector<float>& piece_weights, const std::vector<std::string>& tgt_pieces,
                           const std::vector<std::string>& src_pieces) {
  if (piece_weights.size() != tgt_pieces.size() * src_pieces.size())
    throw std::invalid_argument("piece_matrix: weights do not match the piece counts");
  return LabeledMatrix{tgt_pieces, src_pieces, piece_weights};
}

}  // namespace crosstalk::align
