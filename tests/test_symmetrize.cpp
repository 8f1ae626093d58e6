// Symmetrization of word alignments (align/symmetrize.h): the atools heuristics on
// hand-made cases, their order on random alignments, and the soft methods.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "crosstalk/align/symmetrize.h"
#include "crosstalk/common/error.h"

#include "alignment_printer.h"

namespace al = crosstalk::align;
using crosstalk::UserError;
using M = al::SymmetrizeMethod;

namespace {

al::Alignment links(const std::string& pharaoh) { return al::parse_pharaoh(pharaoh, "test"); }

std::string sym(const std::string& fwd, const std::string& rev, M method) {
  return al::to_pharaoh(al::symmetrize(links(fwd), links(rev), method));
}

bool subset(const al::Alignment& a, const al::Alignment& b) {
  return std::includes(b.begin(), b.end(), a.begin(), a.end());
}

const M kHard[] = {M::intersect, M::grow_diag, M::grow_diag_final_and, M::grow_diag_final, M::union_links};

}  // namespace

TEST_CASE("symmetrize: every heuristic on a hand-made pair as atools computes it", "[symmetrize]") {
  // 5 source x 5 target words, both alignments source-target.
  //   forward F = 0-0 1-1 2-1 4-4      reverse R = 0-0 0-3 1-0 1-1
  // intersection: 0-0 1-1 (source words 0 1 and target words 0 1 aligned).
  // union: 0-0 0-3 1-0 1-1 2-1 4-4.
  // grow-diag, union links not chosen in (src, tgt) order: 0-3 1-0 2-1 4-4.
  //   pass 1: 0-3 has no chosen neighbour (0-2 0-4 1-2 1-3 1-4 are not chosen): no.
  //           1-0 touches 0-0 and 1-1 but source 1 and target 0 are both aligned: no.
  //           2-1 touches 1-1 and source 2 is unaligned: added.
  //           4-4 has no chosen neighbour: no.
  //   pass 2: nothing more -> grow-diag = 0-0 1-1 2-1.
  // final-and, forward links first: 4-4, source 4 and target 4 both unaligned: added;
  //   then the reverse links: 0-3 (source 0 aligned) and 1-0 (both aligned): no.
  //   -> grow-diag-final-and = 0-0 1-1 2-1 4-4.
  // final (one or both unaligned): 4-4 added, then 0-3 (target 3 unaligned) added, 1-0 not.
  //   -> grow-diag-final = 0-0 0-3 1-1 2-1 4-4.
  const std::string f = "0-0 1-1 2-1 4-4", r = "0-0 0-3 1-0 1-1";
  CHECK(sym(f, r, M::intersect) == "0-0 1-1");
  CHECK(sym(f, r, M::grow_diag) == "0-0 1-1 2-1");
  CHECK(sym(f, r, M::grow_diag_final_and) == "0-0 1-1 2-1 4-4");
  CHECK(sym(f, r, M::grow_diag_final) == "0-0 0-3 1-1 2-1 4-4");
  CHECK(sym(f, r, M::union_links) == "0-0 0-3 1-0 1-1 2-1 4-4");
}

TEST_CASE("symmetrize: grow-diag adds within a pass in source-target order", "[symmetrize]") {
  // F = 0-0 0-1 1-1, R = 0-0 1-0: intersection 0-0; pending 0-1 1-0 1-1.
  // 0-1 (target 1 unaligned, next to 0-0): added; 1-0 (source 1 unaligned): added;
  // 1-1 now has source 1 and target 1 aligned: not added, in this or any later pass,
  // nor by the final passes. (Taking the diagonal 1-1 first would have blocked 0-1 and 1-0.)
  for (const M m : {M::grow_diag, M::grow_diag_final_and, M::grow_diag_final})
    CHECK(sym("0-0 0-1 1-1", "0-0 1-0", m) == "0-0 0-1 1-0");
}

TEST_CASE("symmetrize: the final passes take the forward links before the reverse ones", "[symmetrize]") {
  // F = 0-0 3-3, R = 0-0 3-4: neither 3-3 nor 3-4 touches 0-0, so grow-diag keeps 0-0.
  // final-and: 3-3 (forward) first, both words free: added; then 3-4: source 3 taken: no.
  // final: 3-4 still has target 4 unaligned: added.
  CHECK(sym("0-0 3-3", "0-0 3-4", M::grow_diag) == "0-0");
  CHECK(sym("0-0 3-3", "0-0 3-4", M::grow_diag_final_and) == "0-0 3-3");
  CHECK(sym("0-0 3-4", "0-0 3-3", M::grow_diag_final_and) == "0-0 3-4");
  CHECK(sym("0-0 3-3", "0-0 3-4", M::grow_diag_final) == "0-0 3-3 3-4");
}

TEST_CASE("symmetrize: empty and one-sided inputs", "[symmetrize]") {
  for (const M m : kHard) CHECK(sym("", "", m).empty());
  // Nothing in common: grow-diag has nothing to grow from; the final passes still add.
  CHECK(sym("0-0 1-1", "", M::grow_diag).empty());
  CHECK(sym("0-0 1-1", "", M::grow_diag_final_and) == "0-0 1-1");
  CHECK(sym("0-0 1-0", "", M::grow_diag_final_and) == "0-0");
  CHECK(sym("0-0 1-0", "", M::grow_diag_final) == "0-0 1-0");
  CHECK(sym("", "2-1", M::union_links) == "2-1");
}

TEST_CASE("symmetrize: intersect within grow-diag within gdfa and gdf within union on random alignments",
          "[symmetrize]") {
  // The final passes only add links, so grow-diag is inside both final variants. But
  // grow-diag-final-and is NOT always inside grow-diag-final (see the next test case):
  // each is checked against grow-diag and the union only.
  std::mt19937 rng(20031);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int trial = 0; trial < 2000; ++trial) {
    const int src = 1 + static_cast<int>(rng() % 9), tgt = 1 + static_cast<int>(rng() % 9);
    const double density = 0.05 + 0.4 * u(rng);
    al::Alignment f, r;
    for (int s = 0; s < src; ++s)
      for (int t = 0; t < tgt; ++t) {
        if (u(rng) < density) f.push_back({s, t});
        if (u(rng) < density) r.push_back({s, t});
      }
    INFO("F = " << al::to_pharaoh(f) << "   R = " << al::to_pharaoh(r));
    const auto inter = al::symmetrize(f, r, M::intersect), gd = al::symmetrize(f, r, M::grow_diag),
               gdfa = al::symmetrize(f, r, M::grow_diag_final_and), gdf = al::symmetrize(f, r, M::grow_diag_final),
               uni = al::symmetrize(f, r, M::union_links);
    CHECK(subset(inter, gd));
    CHECK(subset(gd, gdfa));
    CHECK(subset(gd, gdf));
    CHECK(subset(gdfa, uni));
    CHECK(subset(gdf, uni));
    CHECK(subset(inter, f));
    CHECK(subset(f, uni));
    CHECK(subset(r, uni));
    // grow-diag-final-and adds a link only where both words were unaligned: no word of
    // grow-diag gains a link, and the added links share no word with each other.
    std::vector<int> src_links(static_cast<size_t>(src)), tgt_links(static_cast<size_t>(tgt));
    for (const auto& link : gdfa) ++src_links[static_cast<size_t>(link.src)], ++tgt_links[static_cast<size_t>(link.tgt)];
    for (const auto& link : gdfa)
      if (!std::binary_search(gd.begin(), gd.end(), link)) {
        CHECK(src_links[static_cast<size_t>(link.src)] == 1);
        CHECK(tgt_links[static_cast<size_t>(link.tgt)] == 1);
      }
    // Swapping the two sides changes neither intersection, union nor grow-diag.
    CHECK(al::symmetrize(r, f, M::intersect) == inter);
    CHECK(al::symmetrize(r, f, M::grow_diag) == gd);
    CHECK(al::symmetrize(r, f, M::union_links) == uni);
  }
}

TEST_CASE("symmetrize: grow-diag-final-and can keep a link that grow-diag-final does not", "[symmetrize]") {
  // F = 0-0 0-2 0-3, R = 1-0 1-3 1-4: no common link, grow-diag is empty.
  // final (one or both unaligned), forward: 0-0, 0-2, 0-3 all added (target words new);
  //   reverse: 1-0 (source 1 new) added, 1-3 (source 1 and target 3 now taken) not, 1-4 added.
  // final-and, forward: 0-0 added, 0-2 and 0-3 not (source 0 taken);
  //   reverse: 1-0 not (target 0 taken), 1-3 added (both free), 1-4 not (source 1 taken).
  // So 1-3 is in grow-diag-final-and but not in grow-diag-final, as atools computes them.
  CHECK(sym("0-0 0-2 0-3", "1-0 1-3 1-4", M::grow_diag_final) == "0-0 0-2 0-3 1-0 1-4");
  CHECK(sym("0-0 0-2 0-3", "1-0 1-3 1-4", M::grow_diag_final_and) == "0-0 1-3");
}

TEST_CASE("symmetrize: a symmetric pair is a fixed point of every heuristic", "[symmetrize]") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    al::Alignment a;
    for (int s = 0; s < 7; ++s)
      for (int t = 0; t < 6; ++t)
        if (rng() % 4 == 0) a.push_back({s, t});
    for (const M m : kHard) CHECK(al::symmetrize(a, a, m) == a);
  }
}

TEST_CASE("symmetrize: transposing links and method names", "[symmetrize]") {
  CHECK(al::to_pharaoh(al::transpose(links("0-2 1-0 3-1"))) == "0-1 1-3 2-0");
  CHECK(al::transpose(al::transpose(links("0-2 1-0 3-1"))) == links("0-2 1-0 3-1"));
  for (const auto& name : al::symmetrize_method_names())
    CHECK(al::method_name(al::parse_symmetrize_method(name, "--method")) == name);
  CHECK(al::method_name(al::kDefaultSymmetrizeMethod) == "soft-product-gdfa");  // the dev-gold choice (symmetrize.h)
  CHECK(al::is_soft(M::soft_product));
  CHECK_FALSE(al::is_soft(M::grow_diag_final_and));
  try {
    al::parse_symmetrize_method("gdfa", "--symmetrize");
    FAIL("no error");
  } catch (const UserError& e) {
    const std::string what = e.what();
    CHECK(what.find("--symmetrize") != std::string::npos);
    CHECK(what.find("'gdfa'") != std::string::npos);
    CHECK(what.find("grow-diag-final-and") != std::string::npos);
  }
  CHECK_THROWS_AS(al::symmetrize({}, {}, M::soft_mean), std::invalid_argument);
}

namespace {

// rows: 3 target words + </s>; cols: 2 source words + </s>; rows sum to 1.
al::LabeledMatrix forward_matrix() {
  return {{"A", "man", "sleeps", "</s>"},
          {"Mann", "schläft", "</s>"},
          {0.5f, 0.3f, 0.2f,    //
           0.2f, 0.1f, 0.7f,    // EOS holds the most: never a link
           0.45f, 0.55f, 0.0f,  //
           0.1f, 0.1f, 0.8f}};
}

// The reverse model's own matrix: rows its targets (our 2 source words + </s>), cols
// its sources (our 3 target words + </s>).
al::LabeledMatrix reverse_matrix() {
  return {{"Mann", "schläft", "</s>"},
          {"A", "man", "sleeps", "</s>"},
          {0.1f, 0.8f, 0.05f, 0.05f,  //
           0.1f, 0.1f, 0.7f, 0.1f,    //
           0.2f, 0.2f, 0.2f, 0.4f}};
}

// A random word matrix [tgt + 1 x src + 1] (EOS row and column included), rows summing to 1.
al::LabeledMatrix random_word_matrix(std::mt19937& rng, int64_t src, int64_t tgt) {
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  al::LabeledMatrix m;
  m.rows.assign(static_cast<size_t>(tgt + 1), "t");
  m.cols.assign(static_cast<size_t>(src + 1), "s");
  for (int64_t r = 0; r <= tgt; ++r) {
    std::vector<float> row(static_cast<size_t>(src + 1));
    float total = 0.0f;
    for (auto& w : row) total += (w = u(rng));
    for (auto w : row) m.weights.push_back(w / total);
  }
  return m;
}

}  // namespace

TEST_CASE("symmetrize: transposed matrices swap rows and columns with their labels", "[symmetrize]") {
  const auto t = al::transpose(reverse_matrix());
  REQUIRE(t.n_rows() == 4);
  REQUIRE(t.n_cols() == 3);
  CHECK(t.rows == forward_matrix().rows);
  CHECK(t.cols == forward_matrix().cols);
  CHECK(t.at(1, 0) == 0.8f);
  CHECK(t.at(2, 1) == 0.7f);
  CHECK(t.at(3, 2) == 0.4f);
  const auto back = al::transpose(t);
  CHECK(back.weights == reverse_matrix().weights);
}

TEST_CASE("symmetrize: soft-mean and soft-product combine the two directions", "[symmetrize]") {
  const auto f = forward_matrix(), r = al::transpose(reverse_matrix());
  const auto mean = al::combine_soft(f, r, M::soft_mean);
  CHECK(mean.rows == f.rows);
  CHECK(mean.cols == f.cols);
  for (size_t k = 0; k < f.weights.size(); ++k) CHECK(mean.weights[k] == Approx(0.5 * (f.weights[k] + r.weights[k])));
  const auto product = al::combine_soft(f, r, M::soft_product);
  for (int64_t row = 0; row < product.n_rows(); ++row) {
    double total = 0.0, raw_total = 0.0;
    for (int64_t c = 0; c < product.n_cols(); ++c) {
      total += product.at(row, c);
      raw_total += double(f.at(row, c)) * r.at(row, c);
    }
    CHECK(total == Approx(1.0));
    CHECK(product.at(row, 0) == Approx(double(f.at(row, 0)) * r.at(row, 0) / raw_total));
  }
  // Forward alone: A-Mann man-Mann sleeps-schläft. The reverse model links "man" to
  // Mann and "sleeps" to schläft; "A" gets 0.1 from both, so the forward 0.5 wins.
  // Row "man": forward 0.2/0.1 (EOS 0.7 is no link), reverse 0.8/0.1: mean 0.5/0.1 -> Mann.
  // Row "sleeps": forward 0.45/0.55, reverse 0.05/0.7: mean 0.25/0.625 -> schläft.
  CHECK(al::to_pharaoh(al::symmetrize_soft(f, r, M::soft_mean, 2, 3)) == "0-0 0-1 1-2");
  CHECK(al::to_pharaoh(al::symmetrize_soft(f, r, M::soft_product, 2, 3)) == "0-0 0-1 1-2");
  // A threshold keeps every link at or above it (rows renormalized over real words).
  CHECK(al::to_pharaoh(al::symmetrize_soft(f, r, M::soft_mean, 2, 3, {0.35})) == "0-0 0-1 1-0 1-2");
  CHECK_THROWS_AS(al::combine_soft(f, reverse_matrix(), M::soft_mean), std::invalid_argument);
  CHECK_THROWS_AS(al::combine_soft(f, r, M::grow_diag), std::invalid_argument);
}

TEST_CASE("symmetrize: soft methods of identical matrices give the argmax alignment", "[symmetrize]") {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t src = 1 + rng() % 6, tgt = 1 + rng() % 6;
    const auto m = random_word_matrix(rng, src, tgt);
    const auto argmax = al::extract_alignment(m, src, tgt);
    CHECK(al::symmetrize_soft(m, m, M::soft_mean, src, tgt) == argmax);
    CHECK(al::symmetrize_soft(m, m, M::soft_product, src, tgt) == argmax);
    const auto links = al::symmetrize_soft(m, m, M::soft_mean, src, tgt);
    for (const auto& link : links) {
      CHECK(link.src < src);  // the EOS column is never linked
      CHECK(link.tgt < tgt);  // nor the EOS row
    }
    CHECK(static_cast<int64_t>(links.size()) == tgt);
  }
}

TEST_CASE("symmetrize: the -gdfa soft methods grow the mutual argmax links", "[symmetrize]") {
  // Rows target words t0..t2, columns source words s0..s2 and EOS.
  al::LabeledMatrix m;
  m.rows = {"t0", "t1", "t2", "</s>"};
  m.cols = {"s0", "s1", "s2", "</s>"};
  m.weights = {0.7f, 0.2f, 0.1f, 0.0f,   // t0 -> s0
               0.1f, 0.6f, 0.3f, 0.0f,   // t1 -> s1
               0.1f, 0.5f, 0.4f, 0.0f,   // t2 -> s1 by its row; s2's column peaks at t2
               0.2f, 0.2f, 0.2f, 0.4f};  // EOS row: never linked
  // Argmax per target word leaves s2 unaligned.
  CHECK(al::to_pharaoh(al::symmetrize_soft(m, m, M::soft_mean, 3, 3)) == "0-0 1-1 1-2");
  // Mutual argmax: 0-0 1-1. Grow-diag adds 1-2 (next to 1-1, t2 unaligned), then 2-2 (next
  // to 1-1 and 1-2, s2 unaligned): every word is aligned.
  CHECK(al::to_pharaoh(al::symmetrize_soft(m, m, M::soft_mean_gdfa, 3, 3)) == "0-0 1-1 1-2 2-2");
  CHECK(al::to_pharaoh(al::symmetrize_soft(m, m, M::soft_product_gdfa, 3, 3)) == "0-0 1-1 1-2 2-2");
  // As a property on random matrices: mutual argmax <= result <= row argmax + column argmax.
  std::mt19937 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t src = 1 + rng() % 6, tgt = 1 + rng() % 6;
    const auto r = random_word_matrix(rng, src, tgt);
    const auto rows = al::extract_alignment(r, src, tgt);
    const auto cols = al::transpose(al::extract_alignment(al::transpose(r), tgt, src));
    const auto grown = al::soft_links(r, M::soft_mean_gdfa, src, tgt);
    const auto mutual = al::symmetrize(rows, cols, M::intersect);
    CHECK(std::includes(grown.begin(), grown.end(), mutual.begin(), mutual.end()));
    const auto both = al::symmetrize(rows, cols, M::union_links);
    CHECK(std::includes(both.begin(), both.end(), grown.begin(), grown.end()));
  }
  CHECK_THROWS_AS(al::soft_links(m, M::grow_diag, 3, 3), std::invalid_argument);
}
