#include "crosstalk/eval/bleu.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <unordered_map>

#include "crosstalk/common/error.h"
#include "crosstalk/eval/tokenizer_13a.h"

namespace crosstalk::eval {

namespace {

constexpr int kMaxOrder = 4;

// Sufficient statistics, as sacreBLEU's BLEU keeps them: [hyp_len, ref_len,
// correct_1..4, total_1..4], summed over segments.
struct BleuStats {
  int64_t sys_len = 0;
  int64_t ref_len = 0;
  std::array<int64_t, kMaxOrder> correct{};
  std::array<int64_t, kMaxOrder> total{};
};

// BLEU._preprocess_segment: self.tokenizer(sent.rstrip()), split into tokens.
std::vector<std::string> preprocess(const std::string& sent) {
  std::u32string text = decode_utf8(sent);
  while (!text.empty() && is_python_space(text.back())) text.pop_back();
  const std::string tokenized = tokenize_13a(encode_utf8(text));
  std::vector<std::string> tokens;
  std::size_t start = 0;
  while (start < tokenized.size()) {
    std::size_t end = tokenized.find(' ', start);
    if (end == std::string::npos) end = tokenized.size();
    tokens.emplace_back(tokenized, start, end - start);
    start = end + 1;
  }
  return tokens;
}

// N-gram counts of orders 1..4. A key is its tokens joined by ' ' (tokens never contain
// whitespace, so keys are unambiguous and the order is implied by the space count).
using NgramCounts = std::unordered_map<std::string, int64_t>;

NgramCounts count_ngrams(const std::vector<std::string>& tokens) {
  NgramCounts counts;
  for (int n = 1; n <= kMaxOrder; ++n) {
    for (std::size_t i = 0; i + n <= tokens.size(); ++i) {
      std::string key = tokens[i];
      for (int k = 1; k < n; ++k) {
        key += ' ';
        key += tokens[i + k];
      }
      ++counts[key];
    }
  }
  return counts;
}

int ngram_order(const std::string& key) {
  return 1 + static_cast<int>(std::count(key.begin(), key.end(), ' '));
}

void add_segment(const std::string& hyp, const std::string& ref, BleuStats& stats) {
  const std::vector<std::string> hyp_tokens = preprocess(hyp);
  const std::vector<std::string> ref_tokens = preprocess(ref);
  const NgramCounts ref_counts = count_ngrams(ref_tokens);
  stats.sys_len += static_cast<int64_t>(hyp_tokens.size());
  stats.ref_len += static_cast<int64_t>(ref_tokens.size());
  for (const auto& [ngram, count] : count_ngrams(hyp_tokens)) {
    const int n = ngram_order(ngram) - 1;
    stats.total[n] += count;
    const auto it = ref_counts.find(ngram);
    if (it != ref_counts.end()) stats.correct[n] += std::min(count, it->second);
  }
}

// BLEU.compute_bleu with smooth_method='exp', effective_order=False. The operations
// (and their order) follow the Python source so the doubles come out identical.
BleuScore compute_bleu(const BleuStats& st) {
  BleuScore result;
  result.sys_len = static_cast<double>(st.sys_len);
  result.ref_len = static_cast<double>(st.ref_len);
  result.bp = 1.0;
  if (st.sys_len < st.ref_len) {
    result.bp = st.sys_len > 0 ? std::exp(1.0 - result.ref_len / result.sys_len) : 0.0;
  }
  result.precisions.assign(kMaxOrder, 0.0);
  result.score = 0.0;
  if (std::all_of(st.correct.begin(), st.correct.end(), [](int64_t c) { return c == 0; })) {
    return result;  // early stop when nothing matches (sacreBLEU #141)
  }
  double smooth_mteval = 1.0;
  for (int n = 0; n < kMaxOrder; ++n) {
    if (st.total[n] == 0) break;
    if (st.correct[n] == 0) {
      smooth_mteval *= 2;
      result.precisions[n] = 100.0 / (smooth_mteval * static_cast<double>(st.total[n]));
    } else {
      result.precisions[n] =
          100.0 * static_cast<double>(st.correct[n]) / static_cast<double>(st.total[n]);
    }
  }
  // sum(my_log(p) for p in precisions): a plain left-to-right sum (CPython <= 3.11;
  // 3.12+ compensates, which can move the last bit), where my_log(0) = -9999999999.
  double log_sum = 0.0;
  for (double p : result.precisions) log_sum += p == 0.0 ? -9999999999.0 : std::log(p);
  result.score = result.bp * std::exp(log_sum / kMaxOrder);
  return result;
}

}  // namespace

std::string BleuScore::to_string() const {
  const double ratio = ref_len != 0.0 ? sys_len / ref_len : 0.0;
  auto p = [this](std::size_t i) { return i < precisions.size() ? precisions[i] : 0.0; };
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "BLEU = %.2f %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %lld "
                "ref_len = %lld)",
                score, p(0), p(1), p(2), p(3), bp, ratio, static_cast<long long>(sys_len),
                static_cast<long long>(ref_len));
  return buf;
}

BleuScore corpus_bleu(const std::vector<std::string>& hyps, const std::vector<std::string>& refs) {
  if (hyps.size() != refs.size()) {
    throw UserError("BLEU: " + std::to_string(hyps.size()) + " hypotheses but " +
                    std::to_string(refs.size()) + " references (need one reference per "
                    "hypothesis)");
  }
  if (hyps.empty()) throw UserError("BLEU: no hypotheses to score (0 hypotheses, 0 references)");
  BleuStats stats;
  for (std::size_t i = 0; i < hyps.size(); ++i) add_segment(hyps[i], refs[i], stats);
  BleuScore result = compute_bleu(stats);
  result.signature = std::string("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:") +
                     kSacrebleuVersion;
  return result;
}

}  // namespace crosstalk::eval
