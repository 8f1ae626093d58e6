#include "crosstalk/eval/aer.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <random>
#include <stdexcept>

namespace crosstalk::eval {

namespace {

int64_t intersection(const align::Alignment& a, const align::Alignment& b) {  // both sorted and unique
  align::Alignment common;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(common));
  return static_cast<int64_t>(common.size());
}

// The counts of one sentence pair that AER sums.
struct PairCounts {
  int64_t hyp = 0, sure = 0, hits_sure = 0, hits_possible = 0;
};

PairCounts count_pair(const align::GoldAlignment& gold, align::Alignment a) {
  std::sort(a.begin(), a.end());
  a.erase(std::unique(a.begin(), a.end()), a.end());
  return {static_cast<int64_t>(a.size()), static_cast<int64_t>(gold.sure.size()), intersection(a, gold.sure),
          intersection(a, gold.possible)};
}

double aer_of(int64_t hyp, int64_t sure, int64_t hits_sure, int64_t hits_possible) {
  const int64_t denominator = hyp + sure;
  return denominator > 0 ? 1.0 - static_cast<double>(hits_sure + hits_possible) / static_cast<double>(denominator)
                         : 1.0;
}

void check_counts(size_t gold, size_t hyp) {
  if (gold != hyp)
    throw std::invalid_argument("score_alignments: " + std::to_string(gold) + " gold sentences but " +
                                std::to_string(hyp) + " hypotheses");
}

}  // namespace

std::string AerInterval::to_string() const {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "[%.4f, %.4f]", low, high);
  return buf;
}

AerInterval bootstrap_aer(const std::vector<align::GoldAlignment>& gold, const std::vector<align::Alignment>& hyp,
                          int64_t samples, double level, uint64_t seed) {
  check_counts(gold.size(), hyp.size());
  if (samples <= 0 || !(level > 0 && level < 1))
    throw std::invalid_argument("bootstrap_aer: samples must be positive and level in (0, 1)");
  AerInterval interval;
  interval.level = level;
  interval.samples = samples;
  if (gold.empty()) return interval;
  std::vector<PairCounts> counts;
  for (size_t i = 0; i < gold.size(); ++i) counts.push_back(count_pair(gold[i], hyp[i]));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, counts.size() - 1);
  std::vector<double> aers(static_cast<size_t>(samples));
  for (auto& aer : aers) {
    PairCounts total;
    for (size_t k = 0; k < counts.size(); ++k) {
      const auto& c = counts[pick(rng)];
      total.hyp += c.hyp;
      total.sure += c.sure;
      total.hits_sure += c.hits_sure;
      total.hits_possible += c.hits_possible;
    }
    aer = aer_of(total.hyp, total.sure, total.hits_sure, total.hits_possible);
  }
  std::sort(aers.begin(), aers.end());
  const double tail = (1.0 - level) / 2.0;
  const auto at = [&](double q) {
    const auto index = static_cast<size_t>(std::llround(q * static_cast<double>(samples - 1)));
    return aers[std::min(index, aers.size() - 1)];
  };
  interval.low = at(tail);
  interval.high = at(1.0 - tail);
  return interval;
}

std::string AlignmentScore::to_string() const {
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "AER = %.4f  precision = %.4f  recall = %.4f  (%lld sentences, %lld links; gold %lld sure, %lld possible)",
                aer, precision, recall, static_cast<long long>(sentences), static_cast<long long>(hyp_links),
                static_cast<long long>(sure_links), static_cast<long long>(possible_links));
  return buf;
}

AlignmentScore score_alignments(const std::vector<align::GoldAlignment>& gold, const std::vector<align::Alignment>& hyp) {
  check_counts(gold.size(), hyp.size());
  AlignmentScore s;
  s.sentences = static_cast<int64_t>(gold.size());
  for (size_t i = 0; i < gold.size(); ++i) {
    const auto c = count_pair(gold[i], hyp[i]);
    s.hyp_links += c.hyp;
    s.sure_links += c.sure;
    s.possible_links += static_cast<int64_t>(gold[i].possible.size());
    s.hits_sure += c.hits_sure;
    s.hits_possible += c.hits_possible;
  }
  s.precision = s.hyp_links > 0 ? static_cast<double>(s.hits_possible) / s.hyp_links : 0.0;
  s.recall = s.sure_links > 0 ? static_cast<double>(s.hits_sure) / s.sure_links : 0.0;
  s.aer = aer_of(s.hyp_links, s.sure_links, s.hits_sure, s.hits_possible);
  return s;
}

}  // namespace crosstalk::eval
