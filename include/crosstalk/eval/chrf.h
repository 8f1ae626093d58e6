#pragma once

#include <string>
#include <vector>

namespace crosstalk::eval {

struct ChrfScore {
  double score;  // 0..100
  /// "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.5.1-src"
  std::string signature;
  /// As sacreBLEU prints it: "chrF2 = 55.12".
  std::string to_string() const;
};

/// Corpus chrF with one reference per hypothesis (UTF-8 lines), equal to sacreBLEU 2.5's
/// sacrebleu.CHRF().corpus_score(hyps, [refs]): character n-grams of orders 1..6 over
/// Unicode code points with all whitespace removed, no word n-grams, beta 2, mixed case,
/// and sacreBLEU's default smoothing (eps_smoothing=False: precision and recall are
/// averaged over the orders that have both hypothesis and reference n-grams; "eff:yes").
/// Throws crosstalk::UserError when the counts differ or the corpus is empty.
ChrfScore corpus_chrf(const std::vector<std::string>& hyps, const std::vector<std::string>& refs);

}  // namespace crosstalk::eval
