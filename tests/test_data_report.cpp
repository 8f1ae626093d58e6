// The data report of train: duplicates, length ratios, the block and its JSON.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "crosstalk/train/data_report.h"

using namespace crosstalk::train;

TEST_CASE("data report: exact duplicate pairs count both sides", "[data_report]") {
  crosstalk::text::ParallelCorpus c;
  c.src = {"a", "a", "a", "b", "a"};
  c.tgt = {"x", "x", "y", "x", "x"};
  CHECK(count_duplicate_pairs(c) == 2);  // the 2nd and 5th repeat the 1st; "a|y" and "b|x" are new
  c.src = {"a b", "a"};
  c.tgt = {"c", "b\nc"};  // the key's separator cannot join two pairs into one
  CHECK(count_duplicate_pairs(c) == 0);
}

TEST_CASE("data report: extreme length ratios", "[data_report]") {
  CHECK_FALSE(extreme_length_ratio(10, 30, 3.0));
  CHECK(extreme_length_ratio(10, 31, 3.0));
  CHECK(extreme_length_ratio(31, 10, 3.0));
  CHECK_FALSE(extreme_length_ratio(1, 3, 3.0));
  CHECK(extreme_length_ratio(0, 4, 3.0));  // an empty side counts as one piece
}

TEST_CASE("data report: the log block and the JSON carry every count", "[data_report]") {
  DataReport r;
  r.src_lang = "en";
  r.tgt_lang = "es";
  r.pairs_read = 12345;
  r.empty = 3;
  r.duplicate_pairs = 7;
  r.held_out = 150;
  r.held_out_copies_removed = 2;
  r.max_length = 256;
  r.over_max_length = 4;
  r.length_ratio = 3;
  r.extreme_ratio_pairs = 5;
  r.training_pairs = 12181;
  r.src_pieces_per_word = 1.234;
  r.tgt_pieces_per_word = 1.5;
  const auto block = format_data_report(r);
  for (const char* needle : {"pairs read", "12,345", "3 skipped", "7 kept", "150 (and 2 training copies",
                             "4 dropped", "5 kept (--drop-length-ratio", "en 1.23, es 1.50", "12,181"})
    CHECK_THAT(block, Catch::Contains(needle));
  r.extreme_ratio_dropped = true;
  CHECK_THAT(format_data_report(r), Catch::Contains("5 dropped"));
  const auto j = data_report_json(r);
  CHECK(j["pairs_read"] == 12345);
  CHECK(j["duplicate_pairs"] == 7);
  CHECK(j["held_out"] == 150);
  CHECK(j["extreme_ratio_pairs"] == 5);
  CHECK(j["tgt_pieces_per_word"] == 1.5);
}
