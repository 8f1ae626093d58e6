// text::encode_limited: the first pieces of a long line, without encoding all of it.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "crosstalk/text/encode_limited.h"
#include "crosstalk/text/vocab.h"
#include "temp_dir.h"

using crosstalk::text::encode_limited;
using crosstalk::text::encode_pieces_limited;
using crosstalk::text::Vocab;

namespace {

const Vocab& multi30k_vocab() {
  static ScopedTempDir dir("encode_limited");
  static const Vocab vocab = [] {
    crosstalk::text::VocabTrainOptions opts;
    opts.vocab_size = 1000;
    const std::string root = CROSSTALK_SOURCE_DIR;
    return Vocab::train({root + "/data/multi30k/val.de", root + "/data/multi30k/val.en"}, (dir.path / "spm").string(),
                        opts);
  }();
  return vocab;
}

std::string repeated(const std::string& sentence, size_t bytes) {
  std::string s;
  while (s.size() < bytes) s += sentence + " ";
  s.pop_back();
  return s;
}

}  // namespace

TEST_CASE("encode_limited: a short line is encoded whole", "[encode_limited]") {
  const auto& vocab = multi30k_vocab();
  const std::string line = "Ein Mann fährt mit dem Fahrrad über eine Brücke.";
  const auto out = encode_limited(vocab, line, 1023);
  CHECK(out.ids == vocab.encode(line));
  CHECK_FALSE(out.truncated);
  CHECK(encode_pieces_limited(vocab, line, 1023) == vocab.encode_pieces(line));
  const auto cut = encode_limited(vocab, line, 3);
  CHECK(cut.truncated);
  CHECK(cut.ids == std::vector<int>(out.ids.begin(), out.ids.begin() + 3));
}

TEST_CASE("encode_limited: a long line gives exactly the first pieces of the whole", "[encode_limited]") {
  const auto& vocab = multi30k_vocab();
  const std::string line = repeated("Zwei junge Männer spielen auf einer grünen Wiese Fußball.", 200000);
  const auto whole = vocab.encode(line);
  REQUIRE(whole.size() > 1023);
  const auto out = encode_limited(vocab, line, 1023);
  CHECK(out.truncated);
  CHECK(out.ids == std::vector<int>(whole.begin(), whole.begin() + 1023));
  const auto pieces = encode_pieces_limited(vocab, line, 1023);
  const auto all_pieces = vocab.encode_pieces(line);
  CHECK(pieces == std::vector<std::string>(all_pieces.begin(), all_pieces.begin() + 1023));
}

TEST_CASE("encode_limited: a megabyte without a space, and a line of spaces", "[encode_limited]") {
  const auto& vocab = multi30k_vocab();
  const auto out = encode_limited(vocab, std::string(1 << 20, 'x'), 1023);
  CHECK(out.truncated);
  CHECK(out.ids.size() == 1023);
  std::string umlauts;
  while (umlauts.size() < (1u << 20)) umlauts += "\xC3\xA4\xC3\xB6\xC3\xBC";  // äöü: a cut must not split them
  CHECK(encode_limited(vocab, umlauts, 1023).ids.size() == 1023);
  const auto spaces = encode_limited(vocab, std::string(100000, ' ') + "Hund", 1023);
  CHECK_FALSE(spaces.truncated);
  CHECK(spaces.ids == vocab.encode("Hund"));
}
