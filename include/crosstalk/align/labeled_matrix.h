#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace crosstalk::align {

/// A weight matrix with a label per row and per column, free of torch so that
/// drawing and printing need nothing but the numbers and the words.
/// For cross-attention: rows are target words (queries), columns are source
/// words (keys), and each row sums to 1.
struct LabeledMatrix {
  std::vector<std::string> rows;  // [n_rows] target labels, top to bottom
  std::vector<std::string> cols;  // [n_cols] source labels, left to right
  std::vector<float> weights;     // [n_rows * n_cols], row-major

  int64_t n_rows() const { return static_cast<int64_t>(rows.size()); }
  int64_t n_cols() const { return static_cast<int64_t>(cols.size()); }
  float at(int64_t r, int64_t c) const { return weights[static_cast<size_t>(r * n_cols() + c)]; }
};

}  // namespace crosstalk::align
