// text::LineReader: line numbers, repairs and warnings on streams (stdin), binary sniffing.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "crosstalk/common/error.h"
#include "crosstalk/text/line_reader.h"
#include "log_capture.h"

using crosstalk::UserError;
using crosstalk::text::LineReader;
using namespace std::string_literals;

namespace {

struct Read {
  std::vector<std::string> lines;
  std::vector<bool> flawed;
};

Read read_all(LineReader& reader) {
  Read r;
  std::string line;
  bool flawed = false;
  while (reader.next(&line, &flawed)) {
    r.lines.push_back(line);
    r.flawed.push_back(flawed);
  }
  reader.finish();
  return r;
}

/// An endless stream of one byte, like /dev/zero.
class EndlessBuf : public std::streambuf {
 public:
  explicit EndlessBuf(char c) : c_(c) {}
  int_type underflow() override {
    setg(&c_, &c_, &c_ + 1);
    return traits_type::to_int_type(c_);
  }
  int_type uflow() override {
    ++consumed;
    return traits_type::to_int_type(c_);
  }
  size_t consumed = 0;

 private:
  char c_;
};

}  // namespace

TEST_CASE("LineReader names stdin and numbers the lines it repairs", "[line_reader]") {
  std::istringstream in("\xEF\xBB\xBF" "eins\r\nzwei \xFF\r\n\ndrei\0vier\n"s);
  LineReader reader(in, "", "replaced");
  LogCapture log;
  const auto r = read_all(reader);
  CHECK(r.lines == std::vector<std::string>{"eins", "zwei \xEF\xBF\xBD", "", "drei\xEF\xBF\xBDvier"});
  CHECK(r.flawed == std::vector<bool>{false, true, false, true});
  CHECK(reader.flawed_lines() == 2);
  CHECK(reader.line_number() == 4);
  CHECK(reader.display_name() == "stdin");
  INFO(log.text());
  CHECK(log.count("warning: stdin line 2: invalid UTF-8 (byte 6 of the line): replaced") == 1);
  CHECK(log.count("warning: stdin line 4: 1 NUL byte: replaced") == 1);
}

TEST_CASE("LineReader: a line with both invalid UTF-8 and NUL bytes", "[line_reader]") {
  std::istringstream in("ein ganz normaler satz\na\0b\xC3\0\n"s);
  LineReader reader(in, "x.txt", "kept");
  LogCapture log;
  CHECK(read_all(reader).lines ==
        std::vector<std::string>{"ein ganz normaler satz", "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD"});
  CHECK(log.count("'x.txt' line 2: invalid UTF-8 (byte 4 of the line) and 2 NUL bytes: kept") == 1);
}

TEST_CASE("LineReader stops an endless binary stream after the sniffed window", "[line_reader]") {
  EndlessBuf zeros('\0');
  std::istream in(&zeros);
  LineReader reader(in, "", "replaced");
  std::string line;
  CHECK_THROWS_WITH(reader.next(&line), "stdin looks like a binary file, not text: 100% of its first 8192 bytes are "
                                        "NUL bytes, control characters or invalid UTF-8");
  CHECK(zeros.consumed <= LineReader::kSniffBytes + 1);
}

TEST_CASE("LineReader refuses an endless line of text at 16 MiB", "[line_reader]") {
  EndlessBuf letters('a');
  std::istream in(&letters);
  LineReader reader(in, "", "replaced");
  std::string line;
  CHECK_THROWS_WITH(reader.next(&line), "stdin line 1 is longer than 16 MiB without a line break: not a text file?");
}

TEST_CASE("LineReader judging each line alone skips binary lines, repairs the others", "[line_reader]") {
  std::istringstream in("gut\n\0\0\0\0\nM\xE4" "dchen ok\n\xFF\xFE\xFD\xFC\n"s);
  LineReader reader(in, "", "replaced", LineReader::BinaryCheck::each_line);
  LogCapture log;
  const auto r = read_all(reader);
  CHECK(r.lines == std::vector<std::string>{"gut", "M\xEF\xBF\xBD" "dchen ok"});
  CHECK(r.flawed == std::vector<bool>{false, true});
  CHECK(reader.binary_lines() == 2);
  CHECK(reader.flawed_lines() == 1);
  INFO(log.text());
  CHECK(log.count("stdin line 2: mostly NUL bytes, control characters or invalid UTF-8 (binary data?): skipped") == 1);
  CHECK(log.count("stdin line 4: mostly NUL bytes") == 1);
  CHECK(log.count("stdin line 3: invalid UTF-8 (byte 2 of the line): replaced") == 1);
}

TEST_CASE("LineReader holds line warnings back until it knows the input is text", "[line_reader]") {
  std::string text;
  for (int i = 0; i < 400; ++i) text += "eine ganz normale zeile\n";  // ~9.6 KB of text
  text[5] = '\xFF';                                                    // line 1 is flawed
  std::istringstream in(text);
  LineReader reader(in, "", "replaced");
  LogCapture log;
  std::string line;
  REQUIRE(reader.next(&line));
  CHECK(log.text().empty());  // the verdict needs 8 KiB
  for (int i = 0; i < 350; ++i) REQUIRE(reader.next(&line));
  CHECK(log.count("stdin line 1: invalid UTF-8") == 1);
}

TEST_CASE("LineReader: UTF-16 and UTF-32 byte-order marks", "[line_reader]") {
  for (const std::string mark : {"\xFF\xFE"s, "\xFE\xFF"s, "\0\0\xFE\xFF"s}) {
    std::istringstream in(mark + "h\0i\0\n\0"s);
    LineReader reader(in, "u.txt", "replaced");
    std::string line;
    CHECK_THROWS_WITH(reader.next(&line), Catch::StartsWith("'u.txt' starts with a UTF-16 or UTF-32 byte-order mark"));
  }
}

TEST_CASE("LineReader turns a read error into one clear line", "[line_reader]") {
  const std::string dir = std::filesystem::temp_directory_path().string();
  std::ifstream in(dir, std::ios::binary);  // opening a directory works, reading it fails
  if (!in) {
    WARN("this system cannot open a directory as a file: nothing to check");
    return;
  }
  LineReader reader(in, dir, "replaced");
  std::string line;
  CHECK_THROWS_WITH(reader.next(&line), "cannot read '" + dir + "' after line 0: Is a directory");
}
