// corpus_bleu and tokenize_13a against sacreBLEU 2.5. The fixtures come from
// scripts/make_eval_fixtures.py (tests/fixtures/eval/: <case>.hyp, <case>.ref and one
// expected.tsv row per case, floats at full precision).
#include <catch2/catch.hpp>

#include "eval_fixtures.h"
#include "tolerance.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "crosstalk/common/error.h"
#include "crosstalk/eval/bleu.h"
#include "crosstalk/eval/tokenizer_13a.h"

using eval_fixtures::number;
using eval_fixtures::read_cases;

using crosstalk::eval::corpus_bleu;
using crosstalk::eval::tokenize_13a;

namespace {

// sacreBLEU's figures are written with repr(), the shortest decimal that reads back as the
// very double sacreBLEU computed: the printed digits add no error. corpus_bleu performs
// sacreBLEU's operations in sacreBLEU's order, so equal bits are expected; what may still
// differ is double rounding where the libraries differ: log and exp of another libm (each
// within 1 ulp, 2 roundings) and CPython 3.12+'s compensated sum (the 4-term sum: 3). The
// bounds count every rounding of each figure, on both sides (double_rtol).

// A precision: 100 * correct / total, or 100 / (2^k total) with 2^k total exact: 2 roundings.
const double kPrecisionRtol = tolerance::double_rtol(2);

// bp = exp(1 - ref_len / sys_len) when 0 < sys_len < ref_len (else exactly 1 or 0): the
// division and the subtraction (2), exp (2). exp turns the absolute error of its argument,
// relative to 1 + ref_len / sys_len, into a relative one.
double bp_rtol(double sys_len, double ref_len) {
  if (sys_len <= 0 || sys_len >= ref_len) return 0.0;
  return tolerance::double_rtol(2 + 2) * (1 + ref_len / sys_len);
}

// BLEU = bp * exp(sum_n log(p_n) / 4): 4 logs (2), the sum (3), / 4 (1), exp (2), the
// product (1), and bp's 4: 13 roundings. The argument's error is relative to the magnitude
// of its terms, sum_n |log p_n| / 4 (and bp's 1 + ref_len / sys_len), which multiplies the
// bound. A zero precision makes the score exactly 0 (exp(-9999999999 / 4)).
double score_rtol(const std::vector<double>& precisions, double sys_len, double ref_len) {
  double magnitude = 1;
  for (double p : precisions) {
    if (p == 0.0) return 0.0;
    magnitude += std::abs(std::log(p)) / 4;
  }
  if (sys_len > 0 && sys_len < ref_len) magnitude += 1 + ref_len / sys_len;
  return tolerance::double_rtol(13) * magnitude;
}

}  // namespace

TEST_CASE("corpus_bleu equals sacreBLEU 2.5 on every fixture", "[eval][bleu]") {
  for (const auto& c : read_cases()) {
    const auto& row = c.row;
    const auto& hyps = c.hyps;
    const auto& refs = c.refs;
    INFO("fixture case " << row.at("case"));

    const auto bleu = corpus_bleu(hyps, refs);
    std::vector<double> expected_p;
    for (int n = 0; n < 4; ++n) expected_p.push_back(number(row.at("p" + std::to_string(n + 1))));
    const double sys_len = number(row.at("sys_len")), ref_len = number(row.at("ref_len"));
    CHECK(bleu.score == tolerance::approx_rel(number(row.at("bleu")), score_rtol(expected_p, sys_len, ref_len)));
    REQUIRE(bleu.precisions.size() == 4);
    for (int n = 0; n < 4; ++n) {
      INFO("precision " << n + 1);
      CHECK(bleu.precisions[n] == tolerance::approx_rel(expected_p[n], kPrecisionRtol));
    }
    CHECK(bleu.bp == tolerance::approx_rel(number(row.at("bp")), bp_rtol(sys_len, ref_len)));
    CHECK(bleu.sys_len == sys_len);
    CHECK(bleu.ref_len == ref_len);
    CHECK(bleu.to_string() == row.at("bleu_str"));
    CHECK(bleu.signature == row.at("bleu_signature"));
  }
}

TEST_CASE("corpus_bleu signature and printout", "[eval][bleu]") {
  const auto bleu = corpus_bleu({"the cat sat on the mat ."}, {"the cat sat on a mat ."});
  CHECK(bleu.signature ==
        std::string("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:") +
            crosstalk::eval::kSacrebleuVersion);
  // From sacrebleu.BLEU().corpus_score(...) on the same input.
  CHECK(bleu.to_string() ==
        "BLEU = 48.89 85.7/66.7/40.0/25.0 (BP = 1.000 ratio = 1.000 hyp_len = 7 ref_len = 7)");
}

TEST_CASE("corpus_bleu rejects mismatched and empty corpora", "[eval][bleu]") {
  CHECK_THROWS_AS(corpus_bleu({"a", "b", "c"}, {"a", "b", "c", "d", "e"}), crosstalk::UserError);
  CHECK_THROWS_WITH(corpus_bleu({"a", "b", "c"}, {"a", "b", "c", "d", "e"}),
                    Catch::Contains("3 hypotheses") && Catch::Contains("5 references"));
  CHECK_THROWS_WITH(corpus_bleu({"a", "b", "c", "d", "e", "f", "g"}, {"a", "b"}),
                    Catch::Contains("7 hypotheses") && Catch::Contains("2 references"));
  CHECK_THROWS_AS(corpus_bleu({}, {}), crosstalk::UserError);
}

TEST_CASE("corpus_bleu survives invalid UTF-8", "[eval][bleu]") {
  const auto bleu = corpus_bleu({"caf\xC3 ok \xFF\xFE."}, {"caf\xC3 ok \xFF\xFE."});
  // Every precision is exactly 100 and bp exactly 1; exp(4 log(100) / 4) rounds as in
  // score_rtol (13 roundings, the argument's magnitude 1 + ln 100), here against the exact 100.
  CHECK(bleu.score == tolerance::approx_rel(100.0, tolerance::double_error(13) * (1 + std::log(100.0))));
}

TEST_CASE("tokenize_13a equals sacreBLEU's Tokenizer13a", "[eval][bleu][tokenizer]") {
  // Expected outputs from sacrebleu.tokenizers.tokenizer_13a.Tokenizer13a()(input).
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Hello, world! It's 3.14 and 1,000.50.", "Hello , world ! It's 3.14 and 1,000.50 ."},
      {"Tom &amp; Jerry &quot;x&quot; &lt;b&gt; &amp;lt; &amp;quot;",
       "Tom & Jerry \" x \" < b > < & quot ;"},
      {"a-\nb c\nd <skipped> e<skip>", "ab c d e < skip >"},
      {"3-4 and x-y and 2019-2020 -5 5-", "3 - 4 and x-y and 2019 - 2020 -5 5 -"},
      {"...?! ,,, .,.,", ". . . ? ! , , , . , . ,"},
      // "Ça coûte 5€, naïve. 東京。 😀!"
      {"\xC3\x87" "a co\xC3\xBBte 5\xE2\x82\xAC, na\xC3\xAFve. "
       "\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x80\x82 \xF0\x9F\x98\x80!",
       "\xC3\x87" "a co\xC3\xBBte 5\xE2\x82\xAC , na\xC3\xAFve . "
       "\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x80\x82 \xF0\x9F\x98\x80 !"},
      // U+00A0, U+3000, U+2028 and U+0085 are whitespace to Python; U+200B is not.
      {"a\xC2\xA0" "b\xE3\x80\x80" "c\xE2\x80\xA8" "d\xC2\x85" "e\xE2\x80\x8B" "f",
       "a b c d e\xE2\x80\x8B" "f"},
      {"e.g. U.S.A. 5.5.5 ,5 5, .a a. 1.a a.1",
       "e . g . U . S . A . 5.5.5 , 5 5 , . a a . 1 . a a . 1"},
      {"$5.00 (approx.) [1] {x} ~y^z_w`v|u\\t @#%*+=:;/",
       "$ 5.00 ( approx . ) [ 1 ] { x } ~ y ^ z _ w ` v | u \\ t @ # % * + = : ; /"},
      {"", ""},
      {"   ", ""},
      {"x\t\ty ", "x y"},
      {"\xC3\xA9.,\xC3\xA9", "\xC3\xA9 . , \xC3\xA9"},
  };
  for (const auto& [input, expected] : cases) {
    INFO("input: " << input);
    CHECK(tokenize_13a(input) == expected);
  }
}

TEST_CASE("UTF-8 helpers round-trip and flag Python whitespace", "[eval][tokenizer]") {
  using crosstalk::decode_utf8;
  using crosstalk::encode_utf8;
  using crosstalk::eval::is_python_space;
  const std::string text = "a\xC3\xA9\xE6\x9D\xB1\xF0\x9F\x98\x80";
  CHECK(decode_utf8(text) == std::u32string{U'a', 0xE9, 0x6771, 0x1F600});
  CHECK(encode_utf8(decode_utf8(text)) == text);
  CHECK(decode_utf8("\xC0\xAF" "x\xED\xA0\x80") ==
        std::u32string{0xFFFD, 0xFFFD, U'x', 0xFFFD, 0xFFFD, 0xFFFD});
  for (char32_t c : {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000,
                     0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000}) {
    CHECK(is_python_space(c));
  }
  for (char32_t c : {0x00, 0x08, 0x0E, 0x21, 0x180E, 0x200B, 0xFEFF, 0x1F600}) {
    CHECK_FALSE(is_python_space(c));
  }
}
