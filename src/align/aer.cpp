#include "crosstalk/align/aer.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <stdexcept>

namespace crosstalk::align {

namespace {

int64_t intersection(const Alignment& a, const Alignment& b) {  // both sorted and unique
  Alignment common;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(common));
  return static_cast<int64_t>(common.size());
}

}  // namespace

std::string AlignmentScore::to_string() const {
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "AER = %.4f  precision = %.4f  recall = %.4f  (%lld sentences, %lld links; gold %lld sure, %lld possible)",
                aer, precision, recall, static_cast<long long>(sentences), static_cast<long long>(hyp_links),
                static_cast<long long>(sure_links), static_cast<long long>(possible_links));
  return buf;
}

AlignmentScore score_alignments(const std::vector<GoldAlignment>& gold, const std::vector<Alignment>& hyp) {
  if (gold.size() != hyp.size())
    throw std::invalid_argument("score_alignments: " + std::to_string(gold.size()) + " gold sentences but " +
                                std::to_string(hyp.size()) + " hypotheses");
  AlignmentScore s;
  s.sentences = static_cast<int64_t>(gold.size());
  for (size_t i = 0; i < gold.size(); ++i) {
    Alignment a = hyp[i];
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    s.hyp_links += static_cast<int64_t>(a.size());
    s.sure_links += static_cast<int64_t>(gold[i].sure.size());
    s.possible_links += static_cast<int64_t>(gold[i].possible.size());
    s.hits_sure += intersection(a, gold[i].sure);
    s.hits_possible += intersection(a, gold[i].possible);
  }
  s.precision = s.hyp_links > 0 ? static_cast<double>(s.hits_possible) / s.hyp_links : 0.0;
  s.recall = s.sure_links > 0 ? static_cast<double>(s.hits_sure) / s.sure_links : 0.0;
  const int64_t denominator = s.hyp_links + s.sure_links;
  s.aer = denominator > 0 ? 1.0 - static_cast<double>(s.hits_sure + s.hits_possible) / denominator : 1.0;
  return s;
}

}  // namespace crosstalk::align
