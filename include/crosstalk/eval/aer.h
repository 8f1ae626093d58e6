#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crosstalk/align/alignment.h"

namespace crosstalk::eval {

/// Corpus-level alignment quality against a gold standard with sure (S) and
/// possible (P, S included) links (Och & Ney 2003), counts summed over sentences:
///   precision = |A ∩ P| / |A|,  recall = |A ∩ S| / |S|,
///   AER = 1 - (|A ∩ S| + |A ∩ P|) / (|A| + |S|).
struct AlignmentScore {
  double precision = 0.0;
  double recall = 0.0;
  double aer = 0.0;
  int64_t sentences = 0;
  int64_t hyp_links = 0;       // |A|
  int64_t sure_links = 0;      // |S|
  int64_t possible_links = 0;  // |P|
  int64_t hits_sure = 0;       // |A ∩ S|
  int64_t hits_possible = 0;   // |A ∩ P|

  /// "AER = 0.2143  precision = 0.8000  recall = 0.7500  (30 sentences, 412 links; gold 380 sure, 455 possible)"
  std::string to_string() const;
};

/// Scores `hyp` against `gold`, sentence i against sentence i.
/// std::invalid_argument if the counts differ. An empty hypothesis or gold gives
/// precision / recall 0 where the denominator is 0 (AER 1 when both are empty).
AlignmentScore score_alignments(const std::vector<align::GoldAlignment>& gold, const std::vector<align::Alignment>& hyp);

/// A bootstrap confidence interval of the corpus AER (Koehn 2004's resampling
/// for BLEU, applied to AER): `samples` test sets of as many sentences, drawn
/// with replacement from the scored ones (std::mt19937_64 seeded with `seed`, so
/// the interval is reproducible), each scored as a whole; the interval holds the
/// middle `level` of their AERs (percentile method).
struct AerInterval {
  double low = 0.0, high = 0.0;
  double level = 0.95;
  int64_t samples = 0;
  /// "[0.1812, 0.2254]"
  std::string to_string() const;
};
AerInterval bootstrap_aer(const std::vector<align::GoldAlignment>& gold, const std::vector<align::Alignment>& hyp,
                          int64_t samples = 1000, double level = 0.95, uint64_t seed = 12345);

}  // namespace crosstalk::eval
