#include "crosstalk/align/attention_json.h"

#include <cstdio>

#include "crosstalk/common/error.h"
#include "crosstalk/common/open_file.h"
#include "crosstalk/common/json.h"

namespace crosstalk::align {

namespace {

void write_strings(std::ostream& out, const std::vector<std::string>& items) {
  out << '[';
  for (size_t i = 0; i < items.size(); ++i) out << (i ? ", " : "") << json_string(items[i]);
  out << ']';
}

void write_ints(std::ostream& out, const std::vector<int64_t>& items) {
  out << '[';
  for (size_t i = 0; i < items.size(); ++i) out << (i ? ", " : "") << items[i];
  out << ']';
}

void write_number(std::ostream& out, float value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", static_cast<double>(value));
  out << buf;
}

// rows x cols of `data` (row-major) as nested arrays.
void write_matrix(std::ostream& out, const float* data, int64_t rows, int64_t cols) {
  out << '[';
  for (int64_t r = 0; r < rows; ++r) {
    out << (r ? ", [" : "[");
    for (int64_t c = 0; c < cols; ++c) {
      if (c) out << ", ";
      write_number(out, data[r * cols + c]);
    }
    out << ']';
  }
  out << ']';
}

}  // namespace

AttentionJsonWriter::AttentionJsonWriter(const std::string& path) : path_(path), out_(open_for_writing(path, "--json")) {
  out_ << "{\"format\": \"crosstalk-attention-1\",\n \"sentences\": [";
}

AttentionJsonWriter::~AttentionJsonWriter() {
  if (!closed_) {
    try {
      close();
    } catch (...) {
    }
  }
}

void AttentionJsonWriter::add(int64_t sentence, const std::string& source, const std::string& target,
                              const AttentionRecord& record, const AttentionSelection& selection,
                              const Alignment& alignment, const SymmetrizedJson* symmetrized) {
  auto src_pieces = record.src_pieces, tgt_pieces = record.tgt_pieces;
  src_pieces.emplace_back(kEosLabel);
  tgt_pieces.emplace_back(kEosLabel);
  out_ << (first_ ? "\n" : ",\n") << "  {\"sentence\": " << sentence << ", \"source\": " << json_string(source)
       << ", \"target\": " << json_string(target) << ",\n   \"src_pieces\": ";
  first_ = false;
  write_strings(out_, src_pieces);
  out_ << ", \"tgt_pieces\": ";
  write_strings(out_, tgt_pieces);
  out_ << ",\n   \"src_words\": ";
  write_strings(out_, record.src.words);
  out_ << ", \"tgt_words\": ";
  write_strings(out_, record.tgt.words);
  out_ << ",\n   \"src_piece_word\": ";
  write_ints(out_, record.src.piece_word);
  out_ << ", \"tgt_piece_word\": ";
  write_ints(out_, record.tgt.piece_word);
  const int64_t layers = record.layers(), heads = record.heads();
  const int64_t rows = record.attention.size(2), cols = record.attention.size(3);
  out_ << ",\n   \"layers\": " << layers << ", \"heads\": " << heads << ", \"attention\": [";
  const float* data = record.attention.data_ptr<float>();
  for (int64_t l = 0; l < layers; ++l) {
    out_ << (l ? ",\n    [" : "\n    [");
    for (int64_t h = 0; h < heads; ++h) {
      if (h) out_ << ",\n     ";
      write_matrix(out_, data + (l * heads + h) * rows * cols, rows, cols);
    }
    out_ << ']';
  }
  const auto words = record.word_matrix(selection);
  out_ << "],\n   \"selection\": " << json_string(describe(selection, layers, heads)) << ", \"word_attention\": ";
  write_matrix(out_, words.weights.data(), words.n_rows(), words.n_cols());
  out_ << ",\n   \"alignment\": " << json_string(to_pharaoh(alignment));
  if (symmetrized) {
    const auto& sym = *symmetrized;
    out_ << ",\n   \"symmetrize_method\": " << json_string(sym.method) << ", \"reverse_word_attention\": ";
    write_matrix(out_, sym.reverse_words.weights.data(), sym.reverse_words.n_rows(), sym.reverse_words.n_cols());
    out_ << ",\n   \"reverse_alignment\": " << json_string(to_pharaoh(sym.reverse_alignment));
    if (!sym.combined.weights.empty()) {
      out_ << ",\n   \"symmetrized_word_attention\": ";
      write_matrix(out_, sym.combined.weights.data(), sym.combined.n_rows(), sym.combined.n_cols());
    }
    out_ << ",\n   \"symmetrized_alignment\": " << json_string(to_pharaoh(sym.symmetrized));
  }
  out_ << "}";
}

void AttentionJsonWriter::close() {
  if (closed_) return;
  closed_ = true;
  out_ << "\n ]}\n";
  out_.close();
  if (!out_) throw UserError("writing --json '" + path_ + "' failed");
}

}  // namespace crosstalk::align
