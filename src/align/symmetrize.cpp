#include "crosstalk/align/symmetrize.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "crosstalk/common/error.h"

namespace crosstalk::align {

namespace {

Alignment sorted_unique(Alignment a) {
  std::sort(a.begin(), a.end());
  a.erase(std::unique(a.begin(), a.end()), a.end());
  return a;
}

// The refinement state of atools' RefineCommand: the chosen links and which source
// and target words they cover.
class Refiner {
 public:
  Refiner(const Alignment& forward, const Alignment& reverse) : forward_(forward), reverse_(reverse) {
    std::set_union(forward.begin(), forward.end(), reverse.begin(), reverse.end(), std::back_inserter(union_));
    Alignment both;
    std::set_intersection(forward.begin(), forward.end(), reverse.begin(), reverse.end(), std::back_inserter(both));
    for (const auto& link : both) add(link);
  }

  // grow-diag: atools' Grow(KoehnAligned, idempotent = false, union).
  void grow_diag() {
    std::vector<Link> pending;
    for (const auto& link : union_)
      if (!chosen_.count(link)) pending.push_back(link);
    bool added_any = !pending.empty();
    while (added_any) {
      added_any = false;
      std::vector<Link> rest;
      for (const auto& link : pending) {
        if (one_or_both_unaligned(link) && neighbour_chosen(link)) {
          add(link);
          added_any = true;
        } else {
          rest.push_back(link);
        }
      }
      pending.swap(rest);
    }
  }

  // The final passes: atools' Grow(pred, idempotent = true, a) then (..., b).
  void final_passes(bool both_unaligned) {
    for (const Alignment* adds : {&forward_, &reverse_})
      for (const auto& link : *adds) {
        if (chosen_.count(link)) continue;
        if (both_unaligned ? neither_aligned(link) : one_or_both_unaligned(link)) add(link);
      }
  }

  Alignment result() const { return Alignment(chosen_.begin(), chosen_.end()); }
  const Alignment& union_links() const { return union_; }

 private:
  void add(const Link& link) {
    chosen_.insert(link);
    src_aligned_.insert(link.src);
    tgt_aligned_.insert(link.tgt);
  }
  bool neighbour_chosen(const Link& link) const {
    for (int64_t ds = -1; ds <= 1; ++ds)
      for (int64_t dt = -1; dt <= 1; ++dt)
        if ((ds || dt) && chosen_.count({link.src + ds, link.tgt + dt})) return true;
    return false;
  }
  bool neither_aligned(const Link& link) const {
    return !src_aligned_.count(link.src) && !tgt_aligned_.count(link.tgt);
  }
  bool one_or_both_unaligned(const Link& link) const {
    return !src_aligned_.count(link.src) || !tgt_aligned_.count(link.tgt);
  }

  const Alignment& forward_;
  const Alignment& reverse_;
  Alignment union_;
  std::set<Link> chosen_;
  std::set<int64_t> src_aligned_, tgt_aligned_;
};

}  // namespace

Alignment transpose(const Alignment& alignment) {
  Alignment out;
  out.reserve(alignment.size());
  for (const auto& link : alignment) out.push_back({link.tgt, link.src});
  return sorted_unique(std::move(out));
}

Alignment symmetrize(const Alignment& forward, const Alignment& reverse, SymmetrizeMethod method) {
  if (is_soft(method))
    throw std::invalid_argument("symmetrize: " + method_name(method) + " works on matrices (symmetrize_soft)");
  const Alignment fwd = sorted_unique(forward), rev = sorted_unique(reverse);
  Refiner refiner(fwd, rev);
  switch (method) {
    case SymmetrizeMethod::intersect:
      return refiner.result();
    case SymmetrizeMethod::union_links:
      return refiner.union_links();
    case SymmetrizeMethod::grow_diag:
      refiner.grow_diag();
      return refiner.result();
    case SymmetrizeMethod::grow_diag_final:
      refiner.grow_diag();
      refiner.final_passes(/*both_unaligned=*/false);
      return refiner.result();
    case SymmetrizeMethod::grow_diag_final_and:
      refiner.grow_diag();
      refiner.final_passes(/*both_unaligned=*/true);
      return refiner.result();
    default:
      break;
  }
  throw std::invalid_argument("symmetrize: unknown method");
}

LabeledMatrix transpose(const LabeledMatrix& matrix) {
  LabeledMatrix out;
  out.rows = matrix.cols;
  out.cols = matrix.rows;
  const int64_t rows = matrix.n_rows(), cols = matrix.n_cols();
  out.weights.resize(matrix.weights.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out.weights[static_cast<size_t>(c * rows + r)] = matrix.at(r, c);
  return out;
}

LabeledMatrix combine_soft(const LabeledMatrix& forward, const LabeledMatrix& reverse_transposed,
                           SymmetrizeMethod method) {
  if (!is_soft(method))
    throw std::invalid_argument("combine_soft: " + method_name(method) + " works on links (symmetrize)");
  if (forward.n_rows() != reverse_transposed.n_rows() || forward.n_cols() != reverse_transposed.n_cols() ||
      forward.weights.size() != reverse_transposed.weights.size())
    throw std::invalid_argument("combine_soft: a " + std::to_string(forward.n_rows()) + " x " +
                                std::to_string(forward.n_cols()) + " forward matrix and a " +
                                std::to_string(reverse_transposed.n_rows()) + " x " +
                                std::to_string(reverse_transposed.n_cols()) + " reverse one");
  const bool mean = method == SymmetrizeMethod::soft_mean || method == SymmetrizeMethod::soft_mean_gdfa;
  LabeledMatrix out = forward;
  const int64_t rows = out.n_rows(), cols = out.n_cols();
  for (int64_t r = 0; r < rows; ++r) {
    double total = 0.0;
    for (int64_t c = 0; c < cols; ++c) {
      const size_t k = static_cast<size_t>(r * cols + c);
      const float f = forward.weights[k], b = reverse_transposed.weights[k];
      out.weights[k] = mean ? 0.5f * (f + b) : f * b;
      total += out.weights[k];
    }
    if (!mean && total > 0.0)
      for (int64_t c = 0; c < cols; ++c)
        out.weights[static_cast<size_t>(r * cols + c)] =
            static_cast<float>(out.weights[static_cast<size_t>(r * cols + c)] / total);
  }
  return out;
}

Alignment soft_links(const LabeledMatrix& combined, SymmetrizeMethod method, int64_t src_words, int64_t tgt_words,
                     const ExtractOptions& options) {
  if (!is_soft(method)) throw std::invalid_argument("soft_links: " + method_name(method) + " works on links");
  if (method == SymmetrizeMethod::soft_mean || method == SymmetrizeMethod::soft_product)
    return extract_alignment(combined, src_words, tgt_words, options);
  const int64_t cols = combined.n_cols();
  if (src_words > cols || tgt_words > combined.n_rows())
    throw std::invalid_argument("soft_links: more words than the matrix has rows or columns");
  auto at = [&](int64_t t, int64_t s) { return combined.weights[static_cast<size_t>(t * cols + s)]; };
  Alignment rows, columns;  // the argmax of each target word's row / of each source word's column
  for (int64_t t = 0; t < tgt_words && src_words > 0; ++t) {
    int64_t best = 0;
    for (int64_t s = 1; s < src_words; ++s)
      if (at(t, s) > at(t, best)) best = s;
    rows.push_back({best, t});
  }
  for (int64_t s = 0; s < src_words && tgt_words > 0; ++s) {
    int64_t best = 0;
    for (int64_t t = 1; t < tgt_words; ++t)
      if (at(t, s) > at(best, s)) best = t;
    columns.push_back({s, best});
  }
  return symmetrize(sorted_unique(rows), sorted_unique(columns), SymmetrizeMethod::grow_diag_final_and);
}

Alignment symmetrize_soft(const LabeledMatrix& forward, const LabeledMatrix& reverse_transposed,
                          SymmetrizeMethod method, int64_t src_words, int64_t tgt_words,
                          const ExtractOptions& options) {
  return soft_links(combine_soft(forward, reverse_transposed, method), method, src_words, tgt_words, options);
}

}  // namespace crosstalk::align
