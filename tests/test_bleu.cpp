// corpus_bleu and tokenize_13a against sacreBLEU 2.5. The fixtures come from
// scripts/make_eval_fixtures.py (tests/fixtures/eval/: <case>.hyp, <case>.ref and one
// expected.tsv row per case, floats at full precision).
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
#include "crosstalk/eval/tokenizer_13a.h"

using eval_fixtures::kDir;
using eval_fixtures::number;
using eval_fixtures::read_expected;
using eval_fixtures::read_file;
using eval_fixtures::split;

using crosstalk::eval::corpus_bleu;
using crosstalk::eval::tokenize_13a;

TEST_CASE("corpus_bleu equals sacreBLEU 2.5 on every fixture", "[eval][bleu]") {
  const auto rows = read_expected();
  REQUIRE(rows.size() >= 14);
  for (const auto& row : rows) {
    const std::string& name = row.at("case");
    INFO("fixture case " << name);
    const auto hyps = split(read_file(kDir + name + ".hyp"));
    const auto refs = split(read_file(kDir + name + ".ref"));
    REQUIRE(hyps.size() == static_cast<std::size_t>(std::stoul(row.at("lines"))));
    REQUIRE(refs.size() == hyps.size());

    const auto bleu = corpus_bleu(hyps, refs);
    CHECK(bleu.score == Approx(number(row.at("bleu"))).margin(1e-9));
    REQUIRE(bleu.precisions.size() == 4);
    for (int n = 0; n < 4; ++n) {
      INFO("precision " << n + 1);
      CHECK(bleu.precisions[n] == Approx(number(row.at("p" + std::to_string(n + 1)))).margin(1e-9));
    }
    CHECK(bleu.bp == Approx(number(row.at("bp"))).margin(1e-12));
    CHECK(bleu.sys_len == number(row.at("sys_len")));
    CHECK(bleu.ref_len == number(row.at("ref_len")));
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
  CHECK(bleu.score == Approx(100.0));
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
