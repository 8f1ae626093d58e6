#include "crosstalk/align/sentence_json.h"

#include <cstdio>
#include <cstdlib>

namespace crosstalk::align {

double round_6(double value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", value);
  return std::strtod(buf, nullptr);
}

nlohmann::ordered_json matrix_json(const float* data, int64_t rows, int64_t cols) {
  auto out = nlohmann::ordered_json::array();
  for (int64_t r = 0; r < rows; ++r) {
    auto row = nlohmann::ordered_json::array();
    for (int64_t c = 0; c < cols; ++c) row.push_back(round_6(data[r * cols + c]));
    out.push_back(std::move(row));
  }
  return out;
}

namespace {

// [layers][heads][rows][cols] of the record's attention.
nlohmann::ordered_json all_attention_json(const AttentionRecord& record) {
  const int64_t layers = record.layers(), heads = record.heads();
  const int64_t rows = record.attention.size(2), cols = record.attention.size(3);
  const float* data = record.attention.data_ptr<float>();
  auto out = nlohmann::ordered_json::array();
  for (int64_t l = 0; l < layers; ++l) {
    auto layer = nlohmann::ordered_json::array();
    for (int64_t h = 0; h < heads; ++h) layer.push_back(matrix_json(data + (l * heads + h) * rows * cols, rows, cols));
    out.push_back(std::move(layer));
  }
  return out;
}

}  // namespace

nlohmann::ordered_json sentence_json(const SentenceJsonInput& in) {
  const auto& record = in.record;
  auto src_pieces = record.src_pieces, tgt_pieces = record.tgt_pieces;
  src_pieces.emplace_back(kEosLabel);
  tgt_pieces.emplace_back(kEosLabel);
  nlohmann::ordered_json j;
  j["source"] = in.source;
  j["target"] = in.target;
  j["src_pieces"] = src_pieces;
  j["tgt_pieces"] = tgt_pieces;
  j["src_words"] = record.src.words;
  j["tgt_words"] = record.tgt.words;
  j["src_piece_word"] = record.src.piece_word;
  j["tgt_piece_word"] = record.tgt.piece_word;
  j["layers"] = record.layers();
  j["heads"] = record.heads();
  if (in.with_attention) j["attention"] = all_attention_json(record);
  j["selection"] = describe(in.selection, record.layers(), record.heads());
  if (in.with_attention) {
    const auto words = record.word_matrix(in.selection);
    j["word_attention"] = matrix_json(words.weights.data(), words.n_rows(), words.n_cols());
  }
  j["alignment"] = to_pharaoh(in.alignment);
  return j;
}

}  // namespace crosstalk::align
