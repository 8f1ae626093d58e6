#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "crosstalk/common/error.h"
#include "crosstalk/text/corpus.h"
#include "log_capture.h"

namespace fs = std::filesystem;
using namespace std::string_literals;
using crosstalk::UserError;
using crosstalk::text::FlawedLines;
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

TEST_CASE("read_lines skips a line with invalid UTF-8 and names the file and line", "[corpus]") {
  CorpusTempDir tmp;
  const char* bad = GENERATE(as<const char*>{},
                             "\xC3",              // truncated sequence
                             "\xFF",              // never valid
                             "\xC0\xAF",          // overlong '/'
                             "\xED\xA0\x80",      // surrogate half
                             "\xF4\x90\x80\x80",  // above U+10FFFF
                             "M\xE4" "dchen");    // Latin-1 umlaut
  const std::string path = tmp.write("bad.de", std::string("gut\nauch gut\nnicht ") + bad + "\nok\n");
  LogCapture log;
  CHECK(read_lines(path) == std::vector<std::string>{"gut", "auch gut", "ok"});
  INFO(log.text());
  CHECK(log.count("warning: '" + path + "' line 3: invalid UTF-8 (byte ") == 1);
  CHECK(log.count(" of the line): line skipped") == 1);
}

TEST_CASE("read_lines repairs invalid UTF-8 with U+FFFD when asked", "[corpus]") {
  CorpusTempDir tmp;
  const std::string path = tmp.write("bad.de", "gut\nM\xE4" "dchen \xC3\nok\n");
  LogCapture log;
  CHECK(read_lines(path, FlawedLines::repair) ==
        std::vector<std::string>{"gut", "M\xEF\xBF\xBD" "dchen \xEF\xBF\xBD", "ok"});
  INFO(log.text());
  CHECK(log.count("'" + path + "' line 2: invalid UTF-8 (byte 2 of the line): bad bytes replaced with U+FFFD") == 1);
}

TEST_CASE("read_lines: NUL bytes inside a line are flawed like invalid UTF-8", "[corpus]") {
  CorpusTempDir tmp;
  const std::string path = tmp.write("nul.de", "ein hund\nzwei\0\0katzen\ndrei\n"s);
  LogCapture log;
  CHECK(read_lines(path) == std::vector<std::string>{"ein hund", "drei"});
  CHECK(log.count("'" + path + "' line 2: 2 NUL bytes: line skipped") == 1);
  CHECK(read_lines(path, FlawedLines::repair)[1] == "zwei\xEF\xBF\xBD\xEF\xBF\xBDkatzen");
}

TEST_CASE("read_lines: byte-order mark, CRLF and an empty file", "[corpus]") {
  CorpusTempDir tmp;
  LogCapture log;
  CHECK(read_lines(tmp.write("bom.txt", "\xEF\xBB\xBF" "eins\r\nzwei\r\n")) == std::vector<std::string>{"eins", "zwei"});
  CHECK(read_lines(tmp.write("bom-only.txt", "\xEF\xBB\xBF")).empty());
  CHECK(read_lines(tmp.write("bom-newline.txt", "\xEF\xBB\xBF\n")) == std::vector<std::string>{""});
  CHECK(read_lines(tmp.write("crlf-last.txt", "eins\r\nzwei\r")) == std::vector<std::string>{"eins", "zwei"});
  CHECK(read_lines(tmp.write("empty.txt", "")).empty());
  CHECK(log.text().empty());
}

TEST_CASE("read_lines refuses directories, binary files and UTF-16", "[corpus]") {
  CorpusTempDir tmp;
  CHECK(error_message([&] { read_lines(tmp.path.string()); }) == "'" + tmp.path.string() + "' is a directory, not a file");
  std::mt19937 rng(7);
  std::string noise(65536, '\0');
  for (auto& c : noise) c = static_cast<char>(rng() & 0xFF);
  const std::string random = tmp.write("random.bin", noise);
  LogCapture log;
  CHECK_THAT(error_message([&] { read_lines(random); }),
             Catch::StartsWith("'" + random + "' looks like a binary file, not text: ") &&
                 Catch::Contains("% of its first 8192 bytes are NUL bytes, control characters or invalid UTF-8"));
  std::string elf = "\x7F" "ELF\x02\x01\x01";
  elf += std::string(4000, '\0') + "\n/lib64/ld-linux-x86-64.so.2\n" + std::string(8000, '\0');
  const std::string binary = tmp.write("elf", elf);
  CHECK_THAT(error_message([&] { read_lines(binary); }), Catch::Contains("looks like a binary file"));
  CHECK(log.text().empty());  // no line warnings before the verdict
  const std::string utf16 = tmp.write("utf16.txt", "\xFF\xFEh\0i\0\n\0"s);
  CHECK_THAT(error_message([&] { read_lines(utf16); }), Catch::Contains("UTF-16") && Catch::Contains(utf16));
}

TEST_CASE("read_lines: a megabyte line is read but a line over 16 MiB is refused", "[corpus]") {
  CorpusTempDir tmp;
  std::string words;
  while (words.size() < (1u << 20)) words += "ein hund läuft über die brücke ";
  const auto lines = read_lines(tmp.write("long.de", "kurz\n" + words + "\nkurz\n"));
  REQUIRE(lines.size() == 3);
  CHECK(lines[1] == words);
  const std::string huge = tmp.write("huge.de", std::string((16u << 20) + 10, 'a'));
  CHECK(error_message([&] { read_lines(huge); }) ==
        "'" + huge + "' line 1 is longer than 16 MiB without a line break: not a text file?");
}

TEST_CASE("read_lines shows the first flawed lines, then counts the rest", "[corpus]") {
  CorpusTempDir tmp;
  std::string text;
  for (int i = 1; i <= 40; ++i) text += (i % 2 == 0 ? std::string("schlecht \xFF") : std::string("gut")) + "\n";
  const std::string path = tmp.write("many.de", text);
  LogCapture log;
  CHECK(read_lines(path).size() == 20);
  INFO(log.text());
  CHECK(log.count("invalid UTF-8") == 6);  // 5 shown, then the summary
  CHECK(log.count("'" + path + "' line 10: invalid UTF-8") == 1);
  CHECK(log.count("'" + path + "' line 12: invalid UTF-8") == 0);
  CHECK(log.count("'" + path + "': 20 lines had invalid UTF-8 or NUL bytes (15 more than shown above): line skipped") == 1);
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

TEST_CASE("read_parallel for training skips and counts pairs with invalid UTF-8 or NUL bytes", "[corpus]") {
  CorpusTempDir tmp;
  const std::string de = tmp.write("t.de", "der hund\ndie \xE4pfel\nein kind\nein\0mann\n"s);
  const std::string en = tmp.write("t.en", "the dog\nthe apples\na \xC3\x28 child\na man\n");
  LogCapture log;
  const auto corpus = read_parallel(de, en);
  CHECK(corpus.src == std::vector<std::string>{"der hund"});
  CHECK(corpus.tgt == std::vector<std::string>{"the dog"});
  CHECK(corpus.skipped_flawed == 3);
  CHECK(corpus.skipped_empty == 0);
  INFO(log.text());
  CHECK(log.count("'" + de + "' line 2: invalid UTF-8 (byte 5 of the line): sentence pair skipped") == 1);
  CHECK(log.count("'" + de + "' line 4: 1 NUL byte: sentence pair skipped") == 1);
  CHECK(log.count("'" + en + "' line 3: invalid UTF-8 (byte 3 of the line): sentence pair skipped") == 1);
  CHECK(log.count("skipped 3 of 4 sentence pairs of '" + de + "' and '" + en + "': invalid UTF-8 or NUL bytes") == 1);
}

TEST_CASE("read_parallel with keep_empty repairs bad lines and keeps the alignment", "[corpus]") {
  CorpusTempDir tmp;
  const std::string de = tmp.write("k.de", "\xEF\xBB\xBF" "der hund\r\n\r\ndie \xE4pfel\r\n");
  const std::string en = tmp.write("k.en", "the dog\n\nthe apples\n");
  LogCapture log;
  const auto corpus = read_parallel(de, en, /*keep_empty=*/true);
  CHECK(corpus.src == std::vector<std::string>{"der hund", "", "die \xEF\xBF\xBD" "pfel"});
  CHECK(corpus.tgt == std::vector<std::string>{"the dog", "", "the apples"});
  CHECK(corpus.repaired == 1);
  CHECK(corpus.skipped_flawed == 0);
  CHECK(log.count("'" + de + "' line 3: invalid UTF-8 (byte 5 of the line): bad bytes replaced with U+FFFD") == 1);
}

TEST_CASE("read_parallel: a directory, a binary side, empty files", "[corpus]") {
  CorpusTempDir tmp;
  const std::string en = tmp.write("d.en", "the dog\n");
  CHECK(error_message([&] { read_parallel(tmp.path.string(), en); }) ==
        "'" + tmp.path.string() + "' is a directory, not a file");
  const std::string bin = tmp.write("d.de", std::string(100, '\0') + "\n");
  CHECK_THAT(error_message([&] { read_parallel(bin, en); }), Catch::Contains("looks like a binary file"));
  const std::string empty_de = tmp.write("e.de", ""), empty_en = tmp.write("e.en", "");
  const auto corpus = read_parallel(empty_de, empty_en, /*keep_empty=*/true);
  CHECK(corpus.src.empty());
  CHECK(corpus.tgt.empty());
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
