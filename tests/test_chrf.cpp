// corpus_chrf against sacreBLEU 2.5 (fixtures: see test_bleu.cpp and
// scripts/make_eval_fixtures.py).
#include <catch2/catch.hpp>

#include "eval_fixtures.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "crosstalk/common/error.h"
#include "crosstalk/eval/bleu.h"
#include "crosstalk/eval/chrf.h"

using eval_fixtures::kDir;
using eval_fixtures::number;
using eval_fixtures::read_expected;
using eval_fixtures::read_file;
using eval_fixtures::split;

using crosstalk::eval::corpus_chrf;

TEST_CASE("corpus_chrf equals sacreBLEU 2.5 on every fixture", "[eval][chrf]") {
  const auto rows = read_expected();
  REQUIRE(rows.size() >= 14);
  for (const auto& row : rows) {
    const std::string& name = row.at("case");
    INFO("fixture case " << name);
    const auto hyps = split(read_file(kDir + name + ".hyp"));
    const auto refs = split(read_file(kDir + name + ".ref"));
    REQUIRE(hyps.size() == static_cast<std::size_t>(std::stoul(row.at("lines"))));
    REQUIRE(refs.size() == hyps.size());

    const auto chrf = corpus_chrf(hyps, refs);
    CHECK(chrf.score == Approx(std::strtod(row.at("chrf").c_str(), nullptr)).margin(1e-9));
    CHECK(chrf.to_string() == row.at("chrf_str"));
    CHECK(chrf.signature == row.at("chrf_signature"));
  }
}

TEST_CASE("corpus_chrf signature, printout and whitespace", "[eval][chrf]") {
  const auto chrf = corpus_chrf({"the cat sat on the mat ."}, {"the cat sat on a mat ."});
  CHECK(chrf.signature == std::string("nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:") +
                              crosstalk::eval::kSacrebleuVersion);
  CHECK(chrf.to_string() == "chrF2 = 71.42");  // sacrebleu.CHRF().corpus_score(...)
  // Whitespace (Unicode's too) is dropped before counting character n-grams.
  CHECK(corpus_chrf({"a b\xC2\xA0" "c\xE3\x80\x80" "d"}, {"abcd"}).score == Approx(100.0));
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
