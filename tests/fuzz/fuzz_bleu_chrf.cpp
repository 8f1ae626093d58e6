// libFuzzer target: corpus BLEU and chrF (eval::corpus_bleu, eval::corpus_chrf).
//
// The input is split into lines: even lines are hypotheses, odd lines their references
// (a missing last reference is empty). Properties:
//  - both scores finite and within [0, 100] (1e-9 slack above 100 for the last bit of
//    exp/log rounding), BLEU's precisions within [0, 100], its brevity penalty within
//    [0, 1], and its lengths the 13a token counts of the rstripped lines;
//  - the corpus scored against itself, exactly as sacreBLEU 2.5 defines it (corpus BLEU,
//    exp smoothing, effective order off; chrF with eps_smoothing off):
//      BLEU = 100 (to 1e-9) if some line has at least 4 tokens, else exactly 0: with no
//      4-gram anywhere the 4-gram precision is 0 and my_log(0) = -9999999999, so a
//      corpus of lines of 1 to 3 tokens scores 0 against itself, not 100;
//      chrF = exactly 100 if some line has a non-whitespace character, else 0;
//  - matched unigrams (1-gram precision x hypothesis tokens) at most the reference tokens
//    (clipped counts);
//  - different hypothesis and reference counts, or no lines, throw crosstalk::UserError.

#include <algorithm>
#include <cmath>

#include "crosstalk/common/error.h"
#include "crosstalk/common/utf8.h"
#include "crosstalk/eval/bleu.h"
#include "crosstalk/eval/chrf.h"
#include "crosstalk/eval/tokenizer_13a.h"
#include "fuzz_check.h"

namespace {

using crosstalk::UserError;
using crosstalk::eval::corpus_bleu;
using crosstalk::eval::corpus_chrf;
using crosstalk::eval::is_python_space;

// The tokens BLEU counts for a line: tokenize_13a(line.rstrip()), split on ' '.
int64_t bleu_tokens(const std::string& line) {
  std::u32string text = crosstalk::decode_utf8(line);
  while (!text.empty() && is_python_space(text.back())) text.pop_back();
  const std::string tokenized = crosstalk::eval::tokenize_13a(crosstalk::encode_utf8(text));
  if (tokenized.empty()) return 0;
  int64_t n = 1;
  for (char c : tokenized) n += c == ' ';
  return n;
}

bool has_non_space(const std::string& line) {
  for (char32_t c : crosstalk::decode_utf8(line))
    if (!is_python_space(c)) return true;
  return false;
}

bool score_ok(double x) { return std::isfinite(x) && x >= 0.0 && x <= 100.0 + 1e-9; }

void check_bleu(const crosstalk::eval::BleuScore& b, const std::vector<std::string>& hyps,
                const std::vector<std::string>& refs) {
  FUZZ_CHECK(score_ok(b.score), "BLEU %.17g out of [0, 100]", b.score);
  FUZZ_CHECK(b.precisions.size() == 4, "%zu precisions", b.precisions.size());
  for (double p : b.precisions) FUZZ_CHECK(score_ok(p), "BLEU precision %.17g out of [0, 100]", p);
  FUZZ_CHECK(std::isfinite(b.bp) && b.bp >= 0.0 && b.bp <= 1.0, "BP %.17g out of [0, 1]", b.bp);
  int64_t sys = 0, ref = 0;
  for (const auto& h : hyps) sys += bleu_tokens(h);
  for (const auto& r : refs) ref += bleu_tokens(r);
  FUZZ_CHECK(b.sys_len == static_cast<double>(sys) && b.ref_len == static_cast<double>(ref),
             "lengths %g/%g, expected %lld/%lld", b.sys_len, b.ref_len, static_cast<long long>(sys),
             static_cast<long long>(ref));
  // Clipped counts: the matched unigrams (precision x hypothesis tokens) never outnumber
  // the reference tokens. Also true when smoothed: 100 / (2 x sys_len) x sys_len = 50
  // <= 100 x ref_len, since with ref_len 0 nothing matches and the precisions stay 0.
  FUZZ_CHECK(b.precisions[0] * b.sys_len <= 100.0 * b.ref_len * (1 + 1e-12),
             "unigram matches %.17g exceed the %g reference tokens (unclipped counts?)",
             b.precisions[0] * b.sys_len / 100.0, b.ref_len);
  FUZZ_CHECK(!b.to_string().empty(), "empty to_string");
}

void check_self(const std::vector<std::string>& lines) {
  if (lines.empty()) return;
  int64_t longest = 0;
  bool chars = false;
  for (const auto& l : lines) {
    longest = std::max(longest, bleu_tokens(l));
    chars = chars || has_non_space(l);
  }
  const auto b = corpus_bleu(lines, lines);
  check_bleu(b, lines, lines);
  if (longest >= 4) {
    FUZZ_CHECK(std::fabs(b.score - 100.0) <= 1e-9, "self-BLEU %.17g, expected 100 (longest line %lld tokens)",
               b.score, static_cast<long long>(longest));
  } else {
    FUZZ_CHECK(b.score == 0.0, "self-BLEU %.17g, expected 0 (no line of 4 tokens)", b.score);
  }
  const auto c = corpus_chrf(lines, lines);
  FUZZ_CHECK(c.score == (chars ? 100.0 : 0.0), "self-chrF %.17g, expected %s", c.score, chars ? "100" : "0");
}

template <class F>
void expect_user_error(F f, const char* what) {
  bool threw = false;
  try {
    f();
  } catch (const UserError&) {
    threw = true;
  }
  FUZZ_CHECK(threw, "%s did not throw UserError", what);
}

void run(const std::string& text) {
  const std::vector<std::string> lines = fuzz::lines(text);
  std::vector<std::string> hyps, refs;
  for (size_t i = 0; i < lines.size(); i += 2) {
    hyps.push_back(lines[i]);
    refs.push_back(i + 1 < lines.size() ? lines[i + 1] : std::string());
  }
  if (hyps.empty()) {
    expect_user_error([&] { corpus_bleu(hyps, refs); }, "BLEU of no lines");
    expect_user_error([&] { corpus_chrf(hyps, refs); }, "chrF of no lines");
    return;
  }
  const auto b = corpus_bleu(hyps, refs);
  check_bleu(b, hyps, refs);
  const auto c = corpus_chrf(hyps, refs);
  FUZZ_CHECK(score_ok(c.score), "chrF %.17g out of [0, 100]", c.score);
  FUZZ_CHECK(!c.to_string().empty(), "empty to_string");

  check_self(hyps);

  std::vector<std::string> fewer(refs.begin(), refs.end() - 1);
  expect_user_error([&] { corpus_bleu(hyps, fewer); }, "BLEU with a missing reference");
  expect_user_error([&] { corpus_chrf(hyps, fewer); }, "chrF with a missing reference");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FUZZ_GUARD(run(fuzz::input(data, size)));
  return 0;
}
