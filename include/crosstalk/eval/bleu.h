#pragma once

#include <string>
#include <vector>

namespace crosstalk::eval {

/// The sacreBLEU release whose defaults corpus_bleu and corpus_chrf reproduce (the
/// version string of the reference copy, as it appears in sacreBLEU's signatures).
inline constexpr const char* kSacrebleuVersion = "2.5.1-src";

struct BleuScore {
  double score;                    // 0..100
  std::vector<double> precisions;  // the 4 n-gram precisions, in percent (smoothed)
  double bp;                       // brevity penalty
  double sys_len;                  // hypothesis tokens in the corpus
  double ref_len;                  // reference tokens in the corpus
  /// "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.5.1-src"
  std::string signature;
  /// As sacreBLEU prints it: "BLEU = 30.95 62.1/36.9/23.5/15.3 (BP = 1.000
  /// ratio = 1.012 hyp_len = 12345 ref_len = 12200)".
  std::string to_string() const;
};

/// Corpus BLEU with one reference per hypothesis (UTF-8 lines), equal to sacreBLEU 2.5's
/// sacrebleu.BLEU().corpus_score(hyps, [refs]): 13a tokenizer, exp smoothing, mixed
/// case, n-grams up to 4, effective order off. Throws crosstalk::UserError when the
/// counts differ or the corpus is empty (sacreBLEU fails on an empty corpus too).
BleuScore corpus_bleu(const std::vector<std::string>& hyps, const std::vector<std::string>& refs);

}  // namespace crosstalk::eval
