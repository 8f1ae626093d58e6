// search::Translator on hostile input: sources longer than the position table are cut
// and flagged, and a stop request between batches leaves the rest undone, not wrong.
#include <catch2/catch.hpp>

#include "toy_model.h"

#include <string>
#include <vector>

#include "crosstalk/align/attention_capture.h"
#include "crosstalk/search/translator.h"

namespace ct = crosstalk;

namespace {

ct::model::Transformer small_model(int64_t vocab) {
  torch::manual_seed(3);
  ct::model::Transformer model(ct::model::ModelOptions().vocab_size(vocab).d_model(32).heads(2).encoder_layers(1)
                                   .decoder_layers(1).ffn_dim(64).dropout(0.0).max_positions(64),
                               ct::text::kPadId);
  model->eval();
  return model;
}

std::string repeated(const std::string& s, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += (i ? " " : "") + s;
  return out;
}

ct::search::DecodeOptions short_greedy() {
  ct::search::DecodeOptions decode;
  decode.max_len_b = 3;  // an untrained model rambles: keep it short
  decode.max_len_a = 0.0;
  return decode;
}

}  // namespace

TEST_CASE("Translator cuts a source longer than the position table and says so", "[search][translator]") {
  ScopedTempDir tmp("translator_long");
  auto toy = toy_pairs(tmp.path, 2);
  ct::search::Translator translator(small_model(toy.vocab.size()), toy.vocab, torch::kCPU);
  const std::string long_line = repeated(toy.de[0], 200);
  REQUIRE(toy.vocab.encode(long_line).size() > 63);
  auto decode = short_greedy();
  decode.return_attention = true;
  const auto out = translator.translate({toy.de[1], long_line, ""}, decode);
  REQUIRE(out.size() == 3);
  CHECK_FALSE(out[0].truncated);
  CHECK(out[1].truncated);
  CHECK(out[1].source_ids.size() == 63);  // max_positions - 1: room for EOS
  const auto expected = toy.vocab.encode(long_line);
  CHECK(out[1].source_ids == std::vector<int>(expected.begin(), expected.begin() + 63));
  CHECK_FALSE(out[1].nbest.empty());
  CHECK(ct::align::translation_attention(out[1], toy.vocab, long_line).src_pieces.size() == 63);
  CHECK_FALSE(out[2].truncated);
  for (const auto& t : out) CHECK(t.done);
}

TEST_CASE("Translator stops between batches when asked", "[search][translator]") {
  ScopedTempDir tmp("translator_stop");
  auto toy = toy_pairs(tmp.path, 6);
  ct::search::Translator translator(small_model(toy.vocab.size()), toy.vocab, torch::kCPU);
  auto decode = short_greedy();
  decode.batch_size = 2;
  std::vector<std::string> lines = toy.de;
  lines.push_back("");
  int asked = 0;
  const auto out = translator.translate(lines, decode, [&] { return ++asked > 1; });  // one batch, then stop
  CHECK(asked == 2);
  int done = 0;
  for (size_t i = 0; i < toy.de.size(); ++i) {
    if (out[i].done) {
      ++done;
      CHECK_FALSE(out[i].nbest.empty());
    } else {
      CHECK(out[i].nbest.empty());
      CHECK(out[i].text.empty());
    }
  }
  CHECK(done == 2);
  CHECK(out.back().done);  // an empty line needs no search
  const auto all = translator.translate(lines, decode);
  for (const auto& t : all) CHECK(t.done);
}

TEST_CASE("forced attention cuts long sides to the position table and says so", "[search][translator]") {
  ScopedTempDir tmp("translator_forced");
  auto toy = toy_pairs(tmp.path, 2);
  auto model = small_model(toy.vocab.size());
  const std::string long_src = repeated(toy.de[0], 200);
  const auto records = ct::align::forced_attention(model, toy.vocab, {long_src, toy.de[1]}, {toy.en[0], toy.en[1]});
  REQUIRE(records.size() == 2);
  CHECK(records[0].src_truncated);
  CHECK_FALSE(records[0].tgt_truncated);
  CHECK(records[0].src_pieces.size() == 63);
  CHECK_FALSE(records[1].src_truncated);
  CHECK_FALSE(records[1].tgt_truncated);
}
