#include <catch2/catch.hpp>

#include "temp_dir.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "crosstalk/common/error.h"
#include "crosstalk/text/corpus.h"
#include "crosstalk/text/vocab.h"

namespace fs = std::filesystem;
using crosstalk::UserError;
using crosstalk::text::read_lines;
using crosstalk::text::Vocab;
using crosstalk::text::VocabTrainOptions;

namespace {

const std::string kRoot = CROSSTALK_SOURCE_DIR;

const fs::path& temp_dir() {
  static ScopedTempDir dir("vocab");
  return dir.path;
}

std::string toy(const std::string& name) { return kRoot + "/data/toy/" + name; }

VocabTrainOptions small_options(int vocab_size) {
  VocabTrainOptions opts;
  opts.vocab_size = vocab_size;
  return opts;
}

/// A unigram vocabulary trained once on the toy corpus (both languages).
const Vocab& toy_vocab() {
  static const Vocab vocab = Vocab::train({toy("train.de"), toy("train.en")},
                                          (temp_dir() / "toy").string(), small_options(200));
  return vocab;
}

/// A vocabulary trained once on the Multi30k validation split (both languages).
const Vocab& multi30k_vocab() {
  static const Vocab vocab =
      Vocab::train({kRoot + "/data/multi30k/val.de", kRoot + "/data/multi30k/val.en"},
                   (temp_dir() / "multi30k" / "spm").string(), small_options(1000));
  return vocab;
}

std::vector<std::string> toy_lines(const std::string& split) {
  std::vector<std::string> lines = read_lines(toy(split + ".de"));
  const std::vector<std::string> en = read_lines(toy(split + ".en"));
  lines.insert(lines.end(), en.begin(), en.end());
  return lines;
}

}  // namespace

TEST_CASE("an unloaded vocab is empty", "[vocab]") {
  const Vocab vocab;
  CHECK_FALSE(vocab.loaded());
  CHECK(vocab.size() == 0);
  CHECK(vocab.serialized().empty());
  CHECK_THROWS(vocab.encode("hallo"));
}

TEST_CASE("a trained vocab has the crosstalk special ids", "[vocab]") {
  const Vocab& vocab = toy_vocab();
  REQUIRE(vocab.loaded());
  CHECK(vocab.size() > 4);
  CHECK(vocab.size() <= 200);
  CHECK(crosstalk::text::kPadId == 0);
  CHECK(crosstalk::text::kUnkId == 1);
  CHECK(crosstalk::text::kBosId == 2);
  CHECK(crosstalk::text::kEosId == 3);
  CHECK(vocab.piece(0) == "<pad>");
  CHECK(vocab.piece(1) == "<unk>");
  CHECK(vocab.piece(2) == "<s>");
  CHECK(vocab.piece(3) == "</s>");
  CHECK_THROWS_AS(vocab.piece(vocab.size()), std::out_of_range);
  CHECK(fs::exists(temp_dir() / "toy.model"));
  CHECK(fs::exists(temp_dir() / "toy.vocab"));
  CHECK_FALSE(vocab.serialized().empty());

  // Unknown characters map to <unk>; text never yields pad/bos/eos.
  const auto ids = vocab.encode("der hund \xE2\x82\xAC");  // euro sign: not in the toy data
  CHECK(std::count(ids.begin(), ids.end(), crosstalk::text::kUnkId) >= 1);
  for (const int id : vocab.encode("das mädchen läuft im park")) {
    CHECK(id > crosstalk::text::kEosId);
    CHECK(id < vocab.size());
  }
}

TEST_CASE("decode(encode(s)) == s on the toy corpus", "[vocab]") {
  const Vocab& vocab = toy_vocab();
  for (const auto& line : toy_lines("valid")) {
    CHECK(vocab.decode(vocab.encode(line)) == line);
  }
  CHECK(vocab.decode(vocab.encode("ein großes mädchen hört den müden vogel")) ==
        "ein großes mädchen hört den müden vogel");
  const auto pieces = vocab.encode_pieces("der hund");
  CHECK(pieces.size() == vocab.encode("der hund").size());
  CHECK(pieces.front().rfind("\xE2\x96\x81", 0) == 0);  // word-initial pieces start with U+2581
}

TEST_CASE("decode ignores pad, bos and eos", "[vocab]") {
  const Vocab& vocab = toy_vocab();
  const std::string text = "die katze schläft heute";
  std::vector<int> ids = {crosstalk::text::kBosId};
  for (const int id : vocab.encode(text)) ids.push_back(id);
  ids.insert(ids.end(), {crosstalk::text::kEosId, crosstalk::text::kPadId, crosstalk::text::kPadId});
  CHECK(vocab.decode(ids) == text);
  CHECK(vocab.decode({}).empty());
  CHECK_THROWS_AS(vocab.decode({vocab.size()}), std::out_of_range);
  CHECK_THROWS_AS(vocab.decode({-1}), std::out_of_range);
}

TEST_CASE("decode(encode(s)) == s on German sentences with umlauts", "[vocab]") {
  const Vocab& vocab = multi30k_vocab();
  const std::vector<std::string> sentences = {
      "Ein kleines Mädchen klettert in ein Spielhaus aus Holz.",
      "Zwei Männer stehen vor einem Gebäude und unterhalten sich.",
      "Eine Frau mit einem grünen Hut läuft über die Straße.",
      "Ein Junge springt ins Wasser, während seine Mutter zuschaut.",
      "Mehrere Hunde spielen auf einer großen Wiese im Schnee.",
      "Fünf Personen in schwarzen Jacken überqueren eine Brücke.",
  };
  for (const auto& s : sentences) {
    CHECK(vocab.decode(vocab.encode(s)) == s);
  }
  const auto ids = vocab.encode(sentences[2]);
  CHECK(std::find(ids.begin(), ids.end(), crosstalk::text::kUnkId) == ids.end());
}

TEST_CASE("encode_batch equals per-line encode", "[vocab]") {
  const Vocab& vocab = toy_vocab();
  const auto lines = toy_lines("train");  // 800 lines: enough for several threads
  std::vector<std::vector<int>> expected;
  for (const auto& line : lines) expected.push_back(vocab.encode(line));
  for (const int threads : {1, 2, 3, 0}) {
    INFO("threads = " << threads);
    CHECK(vocab.encode_batch(lines, threads) == expected);
  }
  CHECK(vocab.encode_batch({}, 4).empty());
  CHECK(vocab.encode_batch({"der hund", ""}, 4) ==
        std::vector<std::vector<int>>{vocab.encode("der hund"), {}});
}

TEST_CASE("load of a saved model gives identical encodings", "[vocab]") {
  const Vocab& trained = toy_vocab();
  const Vocab loaded = Vocab::load((temp_dir() / "toy.model").string());
  REQUIRE(loaded.loaded());
  CHECK(loaded.size() == trained.size());
  CHECK(loaded.serialized() == trained.serialized());
  for (int id = 0; id < trained.size(); ++id) CHECK(loaded.piece(id) == trained.piece(id));
  for (const auto& line : toy_lines("valid")) CHECK(loaded.encode(line) == trained.encode(line));

  const Vocab copy = Vocab::from_serialized(trained.serialized(), "checkpoint");
  CHECK(copy.encode("der alte mann läuft heute") == trained.encode("der alte mann läuft heute"));
}

TEST_CASE("load reports missing and broken model files", "[vocab]") {
  const std::string missing = (temp_dir() / "no_such.model").string();
  CHECK_THROWS_AS(Vocab::load(missing), UserError);
  CHECK_THROWS_WITH(Vocab::load(missing), Catch::Contains("'" + missing + "'") &&
                                               Catch::Contains("No such file or directory"));

  const std::string garbage = (temp_dir() / "garbage.model").string();
  {
    std::ofstream out(garbage, std::ios::binary);
    out << "this is not a sentencepiece model\n\xFF\xFE\x01\x02";
  }
  CHECK_THROWS_AS(Vocab::load(garbage), UserError);
  CHECK_THROWS_WITH(Vocab::load(garbage), Catch::Contains("'" + garbage + "'"));

  const std::string empty = (temp_dir() / "empty.model").string();
  std::ofstream(empty, std::ios::binary).close();
  CHECK_THROWS_WITH(Vocab::load(empty), Catch::Contains("'" + empty + "'"));

  // A text file that happens to parse is still rejected.
  CHECK_THROWS_AS(Vocab::load(toy("train.en")), UserError);
  CHECK_THROWS_AS(Vocab::from_serialized("garbage", "checkpoint"), UserError);
}

TEST_CASE("train rejects bad options and inputs", "[vocab]") {
  const std::string prefix = (temp_dir() / "bad").string();
  VocabTrainOptions opts = small_options(100);
  opts.model_type = "word2vec";
  CHECK_THROWS_WITH(Vocab::train({toy("train.de")}, prefix, opts), Catch::Contains("word2vec"));
  CHECK_THROWS_AS(Vocab::train({toy("train.de")}, prefix, small_options(3)), UserError);
  CHECK_THROWS_AS(Vocab::train({}, prefix, small_options(100)), UserError);

  const std::string missing = toy("no_such_file.de");
  CHECK_THROWS_WITH(Vocab::train({toy("train.de"), missing}, prefix, small_options(100)),
                    Catch::Contains("'" + missing + "'"));
}

TEST_CASE("a BPE vocab round-trips too", "[vocab]") {
  VocabTrainOptions opts = small_options(120);
  opts.model_type = "bpe";
  opts.threads = 1;
  const Vocab vocab =
      Vocab::train({toy("train.de"), toy("train.en")}, (temp_dir() / "bpe").string(), opts);
  CHECK(vocab.piece(crosstalk::text::kBosId) == "<s>");
  for (const auto& line : toy_lines("valid")) CHECK(vocab.decode(vocab.encode(line)) == line);
}

TEST_CASE("a large vocab size works on a tiny corpus", "[vocab]") {
  VocabTrainOptions opts;  // the default 8000 pieces: far more than the toy data has
  opts.input_sentence_size = 300;
  const Vocab vocab = Vocab::train({toy("valid.de"), toy("valid.en")},
                                   (temp_dir() / "big").string(), opts);
  CHECK(vocab.size() > 4);
  CHECK(vocab.size() < 8000);
  for (const auto& line : toy_lines("valid")) CHECK(vocab.decode(vocab.encode(line)) == line);
}
