#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "crosstalk/common/error.h"
#include "crosstalk/text/corpus.h"

namespace fs = std::filesystem;
using crosstalk::UserError;
using crosstalk::text::prefixed_path;
using crosstalk::text::read_lines;
using crosstalk::text::read_parallel;

namespace {

/// A fresh directory under the system temp dir, removed on scope exit.
struct CorpusTempDir {
  fs::path path;
  CorpusTempDir() {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path = fs::temp_directory_path() /
           ("crosstalk_test_corpus_" + std::to_string(stamp) + "_" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~CorpusTempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& bytes) const {
    const fs::path file = path / name;
    std::ofstream out(file, std::ios::binary);
    out << bytes;
    return file.string();
  }
};

std::string error_message(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const UserError& e) {
    return e.what();
  }
  FAIL("expected a crosstalk::UserError");
  return {};
}

}  // namespace

TEST_CASE("read_lines splits lines and strips CR", "[corpus]") {
  CorpusTempDir tmp;
  SECTION("LF, with and without a final newline") {
    CHECK(read_lines(tmp.write("a.txt", "eins\nzwei\n")) == std::vector<std::string>{"eins", "zwei"});
    CHECK(read_lines(tmp.write("b.txt", "eins\nzwei")) == std::vector<std::string>{"eins", "zwei"});
  }
  SECTION("CRLF") {
    CHECK(read_lines(tmp.write("c.txt", "der hund\r\ndie katze\r\n")) ==
          std::vector<std::string>{"der hund", "die katze"});
  }
  SECTION("empty lines are kept; an empty file has no lines") {
    CHECK(read_lines(tmp.write("d.txt", "a\n\nb\n")) == std::vector<std::string>{"a", "", "b"});
    CHECK(read_lines(tmp.write("e.txt", "")).empty());
  }
  SECTION("UTF-8 with umlauts, and a leading byte-order mark is dropped") {
    CHECK(read_lines(tmp.write("f.txt", "\xEF\xBB\xBFM\xC3\xA4" "dchen\nStra\xC3\x9F" "e\n")) ==
          std::vector<std::string>{"Mädchen", "Straße"});
  }
}

TEST_CASE("read_lines reports a missing file", "[corpus]") {
  CorpusTempDir tmp;
  const std::string missing = (tmp.path / "nope.de").string();
  const std::string msg = error_message([&] { read_lines(missing); });
  CHECK(msg == "cannot open '" + missing + "': No such file or directory");
}

TEST_CASE("read_lines rejects invalid UTF-8 and names the line", "[corpus]") {
  CorpusTempDir tmp;
  const char* bad = GENERATE(as<const char*>{},
                             "\xC3",              // truncated sequence
                             "\xFF",              // never valid
                             "\xC0\xAF",          // overlong '/'
                             "\xED\xA0\x80",      // surrogate half
                             "\xF4\x90\x80\x80",  // above U+10FFFF
                             "M\xE4" "dchen");    // Latin-1 umlaut
  const std::string path = tmp.write("bad.de", std::string("gut\nauch gut\nnicht ") + bad + "\nok\n");
  const std::string msg = error_message([&] { read_lines(path); });
  CHECK_THAT(msg, Catch::Contains("'" + path + "'"));
  CHECK_THAT(msg, Catch::Contains("line 3"));
  CHECK_THAT(msg, Catch::Contains("invalid UTF-8"));
}

TEST_CASE("read_lines accepts all valid UTF-8 lengths", "[corpus]") {
  CorpusTempDir tmp;
  // 1-, 2-, 3- and 4-byte sequences, including the boundary code points.
  const std::string text = "a \xC2\x80 \xDF\xBF \xE0\xA0\x80 \xEF\xBF\xBF \xF0\x90\x80\x80 \xF4\x8F\xBF\xBF";
  CHECK(read_lines(tmp.write("ok.txt", text + "\n")) == std::vector<std::string>{text});
}

TEST_CASE("read_parallel checks line counts", "[corpus]") {
  CorpusTempDir tmp;
  const std::string de = tmp.write("a.de", "eins\nzwei\ndrei\n");
  const std::string en = tmp.write("a.en", "one\ntwo\n");
  const std::string msg = error_message([&] { read_parallel(de, en); });
  CHECK(msg == "line counts differ: '" + de + "' has 3 lines, '" + en + "' has 2");
}

TEST_CASE("read_parallel skips and counts empty pairs", "[corpus]") {
  CorpusTempDir tmp;
  const std::string de = tmp.write("b.de", "der hund\n\ndie katze\n  \t \nein kind\r\nein mann\n");
  const std::string en = tmp.write("b.en", "the dog\nthe bird\n\nthe horse\r\na child\r\n \n");
  const auto corpus = read_parallel(de, en);
  CHECK(corpus.src == std::vector<std::string>{"der hund", "ein kind"});
  CHECK(corpus.tgt == std::vector<std::string>{"the dog", "a child"});
  CHECK(corpus.skipped_empty == 4);
}

TEST_CASE("read_parallel reports a missing side", "[corpus]") {
  CorpusTempDir tmp;
  const std::string de = tmp.write("c.de", "hallo\n");
  const std::string en = (tmp.path / "c.en").string();
  CHECK_THROWS_WITH(read_parallel(de, en), Catch::Contains("cannot open '" + en + "'"));
}

TEST_CASE("read_parallel reads the toy and Multi30k corpora", "[corpus]") {
  const std::string root = CROSSTALK_SOURCE_DIR;
  const auto toy = read_parallel(prefixed_path(root + "/data/toy/train", "de"),
                                 prefixed_path(root + "/data/toy/train", "en"));
  CHECK(toy.src.size() == 400);
  CHECK(toy.tgt.size() == 400);
  CHECK(toy.skipped_empty == 0);
  const auto val = read_parallel(root + "/data/multi30k/val.de", root + "/data/multi30k/val.en");
  CHECK(val.src.size() + val.skipped_empty == 1014);
}

TEST_CASE("prefixed_path joins prefix and language", "[corpus]") {
  CHECK(prefixed_path("data/multi30k/train", "de") == "data/multi30k/train.de");
  CHECK(prefixed_path("/x/y.v2/test_2016_flickr", "en") == "/x/y.v2/test_2016_flickr.en");
  CHECK_THROWS_AS(prefixed_path("data/multi30k/train", ""), UserError);
  CHECK_THROWS_AS(prefixed_path("", "de"), UserError);
}
