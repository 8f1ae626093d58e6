#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "crosstalk/text/corpus.h"

namespace crosstalk::train {

/// What preparation found in the training data, before training: one block in the
/// log (format_data_report) and the "data" object of train_summary.json.
struct DataReport {
  std::string src_lang, tgt_lang;
  int64_t pairs_read = 0;          // lines of each training file
  int64_t empty = 0;               // pairs with a blank side: skipped
  int64_t invalid_utf8 = 0;        // pairs with invalid UTF-8 or NUL bytes: skipped
  int64_t duplicate_pairs = 0;     // pairs that repeat an earlier pair exactly: kept
  int64_t held_out = 0;            // pairs held out for validation (0: validation files given)
  int64_t held_out_copies_removed = 0;  // training pairs identical to a held-out pair
  int64_t valid_pairs = 0;         // validation pairs (held out, or read from the files)
  int64_t max_length = 0;          // --max-length
  int64_t over_max_length = 0;     // pairs with more pieces on a side: dropped
  double length_ratio = 0.0;       // --length-ratio
  int64_t extreme_ratio_pairs = 0;  // pairs whose longer side has more than length_ratio x the pieces
  bool extreme_ratio_dropped = false;  // --drop-length-ratio
  int64_t training_pairs = 0;      // what training uses
  double src_pieces_per_word = 0.0, tgt_pieces_per_word = 0.0;  // the vocabulary's coverage
};

/// Pairs that repeat an earlier pair of the corpus exactly (both sides).
int64_t count_duplicate_pairs(const text::ParallelCorpus& corpus);

/// Whether a pair's piece counts differ by more than `ratio` (longer > ratio x shorter).
bool extreme_length_ratio(size_t src_pieces, size_t tgt_pieces, double ratio);

/// The report as a block of lines for the log (no trailing newline).
std::string format_data_report(const DataReport& report);

/// The report as the "data" object of train_summary.json: the members by their names (sorted).
nlohmann::json data_report_json(const DataReport& report);

}  // namespace crosstalk::train
