#pragma once

#include <cstdint>

namespace crosstalk::model::detail {

/// y[r, o] = bias[o] + sum_i w[o, i] x[r, i] for the rows r < rows of x [rows, in] and the
/// outputs o < out of w [out, in] (row-major, contiguous; bias may be null), into y [rows, out].
///
/// Reads the weight once for all the rows: decoding a few rows (beam 4 of one sentence, a
/// completion and its alternatives) is bound by reading the weights, and one gemv per row
/// reads them once per row. Splits the outputs over the OpenMP team. Returns false, having
/// written nothing, where this CPU lacks AVX2 and FMA (the caller then uses BLAS).
bool few_rows_linear(const float* x, const float* w, const float* bias, float* y, int64_t rows, int64_t in,
                     int64_t out);

}  // namespace crosstalk::model::detail
