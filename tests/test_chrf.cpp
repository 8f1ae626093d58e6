// corpus_chrf against sacreBLEU 2.5 (fixtures: see test_bleu.cpp and
// scripts/make_eval_fixtures.py).
#include <catch2/catch.hpp>

#include "eval_fixtures.h"
#include "tolerance.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "crosstalk/common/error.h"
#include "crosstalk/eval/bleu.h"
#include "crosstalk/eval/chrf.h"

using eval_fixtures::read_cases;

using crosstalk::eval::corpus_chrf;

TEST_CASE("corpus_chrf equals sacreBLEU 2.5 on every fixture", "[eval][chrf]") {
  for (const auto& c : read_cases()) {
    const auto& row = c.row;
    const auto& hyps = c.hyps;
    const auto& refs = c.refs;
    INFO("fixture case " << row.at("case"));

    const auto chrf = corpus_chrf(hyps, refs);
    // The figure is repr() of sacreBLEU's double, which reads back as that very double: the
    // printed digits add no error (see test_bleu.cpp). chrF = 100 (1 + 4) P R / (4 P + R), P
    // and R the means over up to 6 orders of match / count ratios; every term is positive, so
    // relative errors add along the chain: P and R 7 each (the ratio 1, the 6-term sum 5,
    // / orders 1), the numerator 5 P R 7 + 7 + 2, the denominator 4 P + R 7 + 1 (4 P is exact),
    // the division and * 100 2: 26 roundings on either side.
    CHECK(chrf.score == tolerance::approx_rel(std::strtod(row.at("chrf").c_str(), nullptr), tolerance::double_rtol(26)));
    CHECK(chrf.to_string() == row.at("chrf_str"));
    CHECK(chrf.signature == row.at("chrf_signature"));
  }
}

TEST_CASE("corpus_chrf signature, printout and whitespace", "[eval][chrf]") {
  const auto chrf = corpus_chrf({"the cat sat on the mat ."}, {"the cat sat on a mat ."});
  CHECK(chrf.signature == std::string("nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:") +
                              crosstalk::eval::kSacrebleuVersion);
  CHECK(chrf.to_string() == "chrF2 = 71.42");  // sacrebleu.CHRF().corpus_score(...)
  // Whitespace (Unicode's too) is dropped before counting character n-grams. Then every
  // ratio is n / n = 1 exactly, P = R = 4 / 4 = 1, 5 * 1 * 1 / (4 + 1) = 1: exactly 100.
  CHECK(corpus_chrf({"a b\xC2\xA0" "c\xE3\x80\x80" "d"}, {"abcd"}).score == 100.0);
  CHECK(corpus_chrf({""}, {""}).score == 0.0);
}

TEST_CASE("corpus_chrf rejects mismatched and empty corpora", "[eval][chrf]") {
  CHECK_THROWS_AS(corpus_chrf({"a", "b", "c"}, {"a", "b", "c", "d", "e"}), crosstalk::UserError);
  CHECK_THROWS_WITH(corpus_chrf({"a", "b", "c"}, {"a", "b", "c", "d", "e"}),
                    Catch::Contains("3 hypotheses") && Catch::Contains("5 references"));
  CHECK_THROWS_WITH(corpus_chrf({"a", "b", "c", "d", "e", "f", "g"}, {"a", "b"}),
                    Catch::Contains("7 hypotheses") && Catch::Contains("2 references"));
  CHECK_THROWS_AS(corpus_chrf({}, {}), crosstalk::UserError);
}
