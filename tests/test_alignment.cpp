// Word alignments from word-level attention, and the Pharaoh format both ways.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "crosstalk/align/alignment.h"
#include "crosstalk/common/error.h"

namespace al = crosstalk::align;
using crosstalk::UserError;

namespace {

// rows: 3 target words + </s>; cols: 3 source words + </s>
al::LabeledMatrix example() {
  return {{"A", "man", "sleeps", "</s>"},
          {"Ein", "Mann", "schläft", "</s>"},
          {0.6f, 0.1f, 0.1f, 0.2f,     //
           0.1f, 0.2f, 0.05f, 0.65f,   // EOS holds the most: the argmax over real words is "Mann"
           0.05f, 0.45f, 0.4f, 0.1f,   //
           0.0f, 0.0f, 0.1f, 0.9f}};
}

}  // namespace

TEST_CASE("extract_alignment: one argmax link per target word, EOS never linked", "[align][alignment]") {
  const auto m = example();
  const auto a = al::extract_alignment(m, 3, 3);
  CHECK(al::to_pharaoh(a) == "0-0 1-1 1-2");
  for (const auto& link : a) {
    CHECK(link.src < 3);
    CHECK(link.tgt < 3);
  }
  CHECK_THROWS_AS(al::extract_alignment(m, 5, 3), std::invalid_argument);
  CHECK(al::extract_alignment(m, 0, 3).empty());
}

TEST_CASE("extract_alignment: a threshold on the row renormalized without EOS", "[align][alignment]") {
  const auto m = example();
  // row 0 without EOS: 0.75 0.125 0.125; row 1: 0.29 0.57 0.14; row 2: 0.056 0.5 0.44
  CHECK(al::to_pharaoh(al::extract_alignment(m, 3, 3, {0.4})) == "0-0 1-1 1-2 2-2");
  CHECK(al::to_pharaoh(al::extract_alignment(m, 3, 3, {0.9})).empty());
  CHECK(al::extract_alignment(m, 3, 3, {0.1}).size() == 8);
}

TEST_CASE("Pharaoh lines parse back to the same links", "[align][alignment]") {
  const al::Alignment a = {{0, 0}, {2, 1}, {1, 2}, {3, 3}};
  const auto text = al::to_pharaoh(a);
  CHECK(text == "0-0 1-2 2-1 3-3");
  CHECK(al::to_pharaoh(al::parse_pharaoh(text, "x")) == text);
  CHECK(al::parse_pharaoh("  3-3   0-0 0-0 ", "x").size() == 2);  // sorted, duplicates dropped
  CHECK(al::parse_pharaoh("", "x").empty());
}

TEST_CASE("gold lines: sure and possible links in both notations", "[align][alignment]") {
  const auto g = al::parse_gold("0-0 1?2 2-1-S 3-3-P 1?2", "gold:1");
  CHECK(al::to_pharaoh(g.sure) == "0-0 2-1");
  CHECK(al::to_pharaoh(g.possible) == "0-0 1-2 2-1 3-3");  // possible includes sure
}

TEST_CASE("bad alignment links are user errors naming the place and the token", "[align][alignment]") {
  using Catch::Contains;
  CHECK_THROWS_WITH(al::parse_pharaoh("0-0 1-x", "hyp.txt:4"), Contains("hyp.txt:4") && Contains("'1-x'"));
  CHECK_THROWS_AS(al::parse_pharaoh("0-0 1-x", "hyp.txt:4"), UserError);
  CHECK_THROWS_WITH(al::parse_pharaoh("1?2", "hyp.txt:1"), Contains("'1?2'"));  // hypotheses are sure only
  CHECK_THROWS_WITH(al::parse_pharaoh("-1-2", "h:1"), Contains("'-1-2'"));
  CHECK_THROWS_WITH(al::parse_pharaoh("1-2-P", "h:1"), Contains("'1-2-P'"));
  CHECK_THROWS_WITH(al::parse_gold("0-0 1-2-Q", "gold:7"), Contains("gold:7") && Contains("'1-2-Q'"));
  CHECK_THROWS_WITH(al::parse_gold("12", "gold:2"), Contains("'12'"));
  CHECK_THROWS_WITH(al::parse_gold("1?2?3", "gold:2"), Contains("'1?2?3'"));
}
