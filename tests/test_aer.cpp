// Alignment error rate, precision and recall (Och & Ney 2003) on hand-made cases.
#include <catch2/catch.hpp>

#include "crosstalk/eval/aer.h"
#include "tolerance.h"

namespace al = crosstalk::align;

TEST_CASE("AER: perfect alignment is 0, disjoint is 1", "[align][aer]") {
  const auto gold = al::parse_gold("0-0 1-1 2?2", "g");
  // Exact comparisons: n / n = 1, 0 / n = 0 and 1 - 1 = 0 involve no rounding in double.
  SECTION("the sure links exactly") {
    const auto s = crosstalk::eval::score_alignments({gold}, {al::parse_pharaoh("0-0 1-1", "h")});
    CHECK(s.aer == 0.0);
    CHECK(s.precision == 1.0);
    CHECK(s.recall == 1.0);
  }
  SECTION("sure plus possible links is perfect too") {
    CHECK(crosstalk::eval::score_alignments({gold}, {al::parse_pharaoh("0-0 1-1 2-2", "h")}).aer == 0.0);
  }
  SECTION("nothing in common") {
    const auto s = crosstalk::eval::score_alignments({gold}, {al::parse_pharaoh("0-1 1-0 2-0", "h")});
    CHECK(s.aer == 1.0);
    CHECK(s.precision == 0.0);
    CHECK(s.recall == 0.0);
  }
}

TEST_CASE("AER: a mixed case computed by hand, summed over two sentences", "[align][aer]") {
  // Sentence 1: S = {0-0, 1-1, 2-2}, P = S + {1-2}; A = {0-0, 1-2, 2-1}
  //   |A| = 3, |A∩S| = 1 (0-0), |A∩P| = 2 (0-0, 1-2)
  // Sentence 2: S = {0-0}, P = S + {0-1}; A = {0-0, 0-1}
  //   |A| = 2, |A∩S| = 1, |A∩P| = 2
  // Totals: |A| = 5, |S| = 4, |A∩S| = 2, |A∩P| = 4
  //   precision = 4/5, recall = 2/4, AER = 1 - (2 + 4) / (5 + 4) = 1/3
  const std::vector<al::GoldAlignment> gold = {al::parse_gold("0-0 1-1 2-2 1?2", "g:1"),
                                               al::parse_gold("0-0 0-1-P", "g:2")};
  const std::vector<al::Alignment> hyp = {al::parse_pharaoh("0-0 1-2 2-1", "h:1"), al::parse_pharaoh("0-0 0-1", "h:2")};
  const auto s = crosstalk::eval::score_alignments(gold, hyp);
  CHECK(s.hyp_links == 5);
  CHECK(s.sure_links == 4);
  CHECK(s.possible_links == 6);
  CHECK(s.hits_sure == 2);
  CHECK(s.hits_possible == 4);
  // Doubles: 4 / 5 and 2 / 4 round once, as do the literals: double_rtol(1). AER = 1 - 6 / 9:
  // the quotient rounds once, relative to 2/3; the subtraction is exact (Sterbenz) but leaves
  // that error relative to 1/3, twice as large (2); 1.0 / 3.0 rounds once (1).
  CHECK(s.precision == tolerance::approx_rel(0.8, tolerance::double_rtol(1)));
  CHECK(s.recall == tolerance::approx_rel(0.5, tolerance::double_rtol(1)));
  CHECK(s.aer == tolerance::approx_rel(1.0 / 3.0, tolerance::double_error(2 + 1)));
  CHECK_THAT(s.to_string(), Catch::Contains("AER = 0.3333"));
}

TEST_CASE("AER: empty hypotheses and mismatched sentence counts", "[align][aer]") {
  const auto gold = al::parse_gold("0-0 1-1", "g");
  const auto s = crosstalk::eval::score_alignments({gold}, {al::Alignment{}});
  CHECK(s.precision == 0.0);
  CHECK(s.recall == 0.0);
  CHECK(s.aer == 1.0);
  CHECK_THROWS_AS(crosstalk::eval::score_alignments({gold, gold}, {al::Alignment{}}), std::invalid_argument);
}

TEST_CASE("AER bootstrap: the interval holds the AER, narrows with more sentences, and is reproducible",
          "[align][aer]") {
  // Sentence k is perfect when k % 3 != 0, and half wrong otherwise: the per-sentence AER varies.
  auto make = [](size_t n, std::vector<al::GoldAlignment>* gold, std::vector<al::Alignment>* hyp) {
    for (size_t k = 0; k < n; ++k) {
      gold->push_back(al::parse_gold("0-0 1-1 2-2 3-3", "g"));
      hyp->push_back(al::parse_pharaoh(k % 3 == 0 ? "0-0 1-1 2-3 3-2" : "0-0 1-1 2-2 3-3", "h"));
    }
  };
  std::vector<al::GoldAlignment> gold30, gold300;
  std::vector<al::Alignment> hyp30, hyp300;
  make(30, &gold30, &hyp30);
  make(300, &gold300, &hyp300);
  const double aer = crosstalk::eval::score_alignments(gold30, hyp30).aer;
  const auto small = crosstalk::eval::bootstrap_aer(gold30, hyp30);
  const auto large = crosstalk::eval::bootstrap_aer(gold300, hyp300);
  INFO("30 sentences: AER " << aer << " " << small.to_string() << "; 300: " << large.to_string());
  CHECK(small.low < aer);
  CHECK(aer < small.high);
  CHECK(large.low <= aer);
  CHECK(aer <= large.high);
  // The spread of a mean of n draws shrinks as 1 / sqrt(n): ten times the sentences,
  // about a third of the width (below a half leaves room for the resampling's own noise).
  CHECK(large.high - large.low < 0.5 * (small.high - small.low));
  const auto again = crosstalk::eval::bootstrap_aer(gold30, hyp30);
  CHECK(again.low == small.low);
  CHECK(again.high == small.high);
  // Every sentence perfect: every resample is perfect.
  std::vector<al::Alignment> perfect(30, al::parse_pharaoh("0-0 1-1 2-2 3-3", "h"));
  const auto zero = crosstalk::eval::bootstrap_aer(gold30, perfect);
  CHECK(zero.low == 0.0);
  CHECK(zero.high == 0.0);
  CHECK_THROWS_AS(crosstalk::eval::bootstrap_aer(gold30, {}), std::invalid_argument);
}
