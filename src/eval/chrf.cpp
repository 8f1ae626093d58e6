#include "crosstalk/eval/chrf.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <unordered_map>

#include "crosstalk/common/error.h"
#include "crosstalk/eval/bleu.h"
#include "crosstalk/eval/tokenizer_13a.h"

namespace crosstalk::eval {

namespace {

constexpr int kCharOrder = 6;
constexpr int kBeta = 2;

// Per order n (1..6): [hyp n-grams, ref n-grams, matched n-grams], summed over segments.
using ChrfStats = std::array<int64_t, 3 * kCharOrder>;

// ''.join(line.split()): the code points without any (Unicode) whitespace.
std::u32string strip_whitespace(const std::string& line) {
  std::u32string text = decode_utf8(line);
  text.erase(std::remove_if(text.begin(), text.end(), is_python_space), text.end());
  return text;
}

using CharNgramCounts = std::unordered_map<std::u32string_view, int64_t>;

CharNgramCounts count_char_ngrams(const std::u32string& text, std::size_t n) {
  CharNgramCounts counts;
  if (text.size() < n) return counts;
  const std::u32string_view view(text);
  counts.reserve(text.size() - n + 1);
  for (std::size_t i = 0; i + n <= text.size(); ++i) ++counts[view.substr(i, n)];
  return counts;
}

// CHRF._get_match_statistics for every order.
void add_segment(const std::string& hyp_line, const std::string& ref_line, ChrfStats& stats) {
  const std::u32string hyp = strip_whitespace(hyp_line);
  const std::u32string ref = strip_whitespace(ref_line);
  for (std::size_t n = 1; n <= static_cast<std::size_t>(kCharOrder); ++n) {
    const int64_t hyp_count = hyp.size() >= n ? static_cast<int64_t>(hyp.size() - n + 1) : 0;
    const int64_t ref_count = ref.size() >= n ? static_cast<int64_t>(ref.size() - n + 1) : 0;
    int64_t match = 0;
    if (hyp_count > 0 && ref_count > 0) {
      const CharNgramCounts ref_ngrams = count_char_ngrams(ref, n);
      for (const auto& [ngram, count] : count_char_ngrams(hyp, n)) {
        const auto it = ref_ngrams.find(ngram);
        if (it != ref_ngrams.end()) match += std::min(count, it->second);
      }
    }
    int64_t* slot = &stats[3 * (n - 1)];
    slot[0] += ref_count > 0 ? hyp_count : 0;  // no hits counted without a reference
    slot[1] += ref_count;
    slot[2] += match;
  }
}

// CHRF._compute_f_score with eps_smoothing=False, in the Python source's operation order.
double compute_f_score(const ChrfStats& stats) {
  const double factor = kBeta * kBeta;
  double avg_prec = 0.0;
  double avg_rec = 0.0;
  int effective_order = 0;
  for (int i = 0; i < kCharOrder; ++i) {
    const int64_t n_hyp = stats[3 * i];
    const int64_t n_ref = stats[3 * i + 1];
    const int64_t n_match = stats[3 * i + 2];
    if (n_hyp > 0 && n_ref > 0) {
      avg_prec += static_cast<double>(n_match) / static_cast<double>(n_hyp);
      avg_rec += static_cast<double>(n_match) / static_cast<double>(n_ref);
      ++effective_order;
    }
  }
  if (effective_order == 0) return 0.0;
  avg_prec /= effective_order;
  avg_rec /= effective_order;
  if (avg_prec + avg_rec == 0.0) return 0.0;
  double score = (1 + factor) * avg_prec * avg_rec;
  score /= (factor * avg_prec) + avg_rec;
  return 100 * score;
}

}  // namespace

std::string ChrfScore::to_string() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "chrF%d = %.2f", kBeta, score);
  return buf;
}

ChrfScore corpus_chrf(const std::vector<std::string>& hyps, const std::vector<std::string>& refs) {
  if (hyps.size() != refs.size()) {
    throw UserError("chrF: " + std::to_string(hyps.size()) + " hypotheses but " +
                    std::to_string(refs.size()) + " references (need one reference per "
                    "hypothesis)");
  }
  if (hyps.empty()) throw UserError("chrF: no hypotheses to score (0 hypotheses, 0 references)");
  ChrfStats stats{};
  for (std::size_t i = 0; i < hyps.size(); ++i) add_segment(hyps[i], refs[i], stats);
  ChrfScore result;
  result.score = compute_f_score(stats);
  result.signature = std::string("nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:") +
                     kSacrebleuVersion;
  return result;
}

}  // namespace crosstalk::eval
