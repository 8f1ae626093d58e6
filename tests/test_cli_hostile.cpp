// Hostile input for every command that reads text: invalid UTF-8, NUL bytes, a byte-order
// mark, CRLF, a 1 MB line, an empty file, binary files, a directory. Each gets a warning
// that names the line (and the run goes on) or one clear error line with exit code 2,
// never a crash; the 1 MB line stays far below 1 GB of memory.
#include <random>

#include "cli_spawn.h"

namespace {

const long kMemoryLimitKb = 1024L * 1024L;  // 1 GiB

/// The hostile files, made once per process from the first toy validation pairs.
struct HostileFiles {
  TempDir dir;
  std::vector<std::string> de, en;  // the clean lines
  HostileFiles() {
    const auto src = read_lines(source_path("data/toy/valid.de")), tgt = read_lines(source_path("data/toy/valid.en"));
    de.assign(src.begin(), src.begin() + 3);
    en.assign(tgt.begin(), tgt.begin() + 3);
    for (const std::string lang : {"de", "en"}) {
      const auto& l = lang == "de" ? de : en;
      write_file(path("clean", lang), l[0] + "\n" + l[1] + "\n" + l[2] + "\n");
      write_file(path("invalid", lang), l[0] + "\n" + l[1] + " M\xE4" "dchen\n" + l[2] + "\n");
      write_file(path("nul", lang), l[0] + "\n" + l[1] + std::string(1, '\0') + "x\n" + l[2] + "\n");
      write_file(path("bom", lang), "\xEF\xBB\xBF" + l[0] + "\n" + l[1] + "\n" + l[2] + "\n");
      write_file(path("crlf", lang), l[0] + "\r\n" + l[1] + "\r\n" + l[2] + "\r\n");
      std::string long_line;
      while (long_line.size() < (1u << 20)) long_line += l[1] + " ";
      write_file(path("long", lang), l[0] + "\n" + long_line + "\n" + l[2] + "\n");
      write_file(path("empty", lang), "");
    }
    std::string many_long;  // 8 lines of 20 KB: each over 1023 pieces
    for (int i = 0; i < 8; ++i) {
      std::string line;
      while (line.size() < 20000) line += de[i % 3] + " ";
      many_long += line + "\n";
    }
    write_file(path("many-long", "de"), many_long);
    std::mt19937 rng(2024);
    std::string noise(65536, '\0');
    for (auto& c : noise) c = static_cast<char>(rng() & 0xFF);
    write_file(path("random", "bin"), noise);
    std::string ls = read_file("/bin/ls");  // an executable; a made-up ELF header where there is none
    if (ls.size() < 8192) ls = "\x7F" "ELF\x02\x01\x01" + std::string(65536, '\0');
    write_file(path("ls", "bin"), ls.substr(0, 65536));
    fs::create_directory(dir / "a-directory");
  }
  std::string path(const std::string& kind, const std::string& lang) const { return dir / (kind + "." + lang); }
  std::string directory() const { return dir / "a-directory"; }
};

const HostileFiles& hostile() {
  static const HostileFiles files;
  return files;
}

/// Where a translate command reads: piped stdin, --input, or the interactive prompt on stdin.
enum class Mode { pipe, input, interactive };

std::string mode_name(Mode m) { return m == Mode::pipe ? "pipe" : m == Mode::input ? "--input" : "--interactive"; }

Spawned translate(Mode mode, const std::string& file) {
  std::vector<std::string> args = {"translate", "--model", trained_tiny().path(), "--beam", "1"};
  if (mode == Mode::input) {
    args.insert(args.end(), {"--input", file});
    return spawn_run(args);
  }
  if (mode == Mode::interactive) args.push_back("--interactive");
  return spawn_run(args, file);
}

/// The translations printed: the lines, or interactively the answers after each "> ".
std::vector<std::string> translations(Mode mode, const Spawned& r) {
  auto lines = output_lines(r.out);
  if (mode != Mode::interactive) return lines;
  std::vector<std::string> out;
  for (const auto& line : lines)
    if (line.rfind("> ", 0) == 0 && line.size() > 2) out.push_back(line.substr(2));
  return out;
}

/// How warnings name the input of a translate run.
std::string input_name(Mode mode, const std::string& file) { return mode == Mode::input ? "'" + file + "'" : "stdin"; }

void check_ok(const Spawned& r) {
  INFO("command: " << r.command);
  INFO("stderr:\n" << r.err);
  REQUIRE(r.code == 0);
  CHECK_FALSE(contains(r.err, "error"));
}

void check_in_err(const Spawned& r, const std::string& needle) {
  INFO("command: " << r.command);
  INFO("stderr:\n" << r.err);
  CHECK(contains(r.err, needle));
}

// Every hostile input through one way of reading; SECTIONs, so one trained model serves all.
void check_translate(Mode mode) {
  const auto& h = hostile();
  INFO("mode: " << mode_name(mode));
  const auto clean = translate(mode, h.path("clean", "de"));
  check_ok(clean);
  const auto expected = translations(mode, clean);
  REQUIRE(expected.size() == 3);

  SECTION("invalid UTF-8 and NUL bytes: repaired, warned with the line number, lines stay aligned") {
    for (const std::string kind : {"invalid", "nul"}) {
      const std::string file = h.path(kind, "de");
      const auto r = translate(mode, file);
      check_ok(r);
      CHECK(translations(mode, r).size() == 3);
      check_in_err(r, input_name(mode, file) + " line 2: " + (kind == "nul" ? "1 NUL byte" : "invalid UTF-8 (byte "));
      check_in_err(r, "replaced with U+FFFD");
    }
  }
  SECTION("a byte-order mark and CRLF line ends change nothing") {
    for (const std::string kind : {"bom", "crlf"}) {
      const auto r = translate(mode, h.path(kind, "de"));
      check_ok(r);
      CHECK(translations(mode, r) == expected);
      CHECK_FALSE(contains(r.out, "\r"));
      CHECK_FALSE(contains(r.err, " line 1"));
    }
  }
  SECTION("a 1 MB line is truncated with a warning, in bounded memory") {
    const std::string file = h.path("long", "de");
    const auto r = translate(mode, file);
    check_ok(r);
    CHECK(translations(mode, r).size() == 3);
    check_in_err(r, input_name(mode, file) + " line 2: longer than the model's 1023 pieces: truncated");
    CHECK(r.max_rss_kb < kMemoryLimitKb);
  }
  SECTION("many long lines: the first five are named, then one summary line counts them all") {
    if (mode == Mode::pipe) {
      const auto r = translate(mode, h.path("many-long", "de"));
      check_ok(r);
      CHECK(translations(mode, r).size() == 8);
      check_in_err(r, "stdin line 5: longer than the model's 1023 pieces: truncated");
      CHECK_FALSE(contains(r.err, "stdin line 6: longer"));
      check_in_err(r, "stdin: 8 lines were longer than the model's 1023 pieces and truncated (3 more than shown above)");
    }
  }
  SECTION("an empty file gives no translations") {
    const auto r = translate(mode, h.path("empty", "de"));
    check_ok(r);
    CHECK(translations(mode, r).empty());
    if (mode != Mode::interactive) CHECK(r.out.empty());
  }
  SECTION("binary files: one error line (interactively: binary lines skipped, counted)") {
    for (const std::string kind : {"random", "ls"}) {
      const std::string file = h.path(kind, "bin");
      const auto r = translate(mode, file);
      if (mode == Mode::interactive) {
        check_ok(r);
        check_in_err(r, "stdin line 1: mostly NUL bytes, control characters or invalid UTF-8 (binary data?): skipped");
        check_in_err(r, "lines looked like binary data (");
      } else {
        check_user_error(as_result(r), "translate", {input_name(mode, file), "looks like a binary file"});
        CHECK(r.out.empty());
      }
    }
  }
  SECTION("a directory") {
    const auto r = translate(mode, h.directory());
    if (mode == Mode::input)
      check_user_error(as_result(r), "translate", {"'" + h.directory() + "' is a directory, not a file"});
    else
      check_user_error(as_result(r), "translate", {"stdin is a directory, not a file"});
  }
}

}  // namespace

// One process (and one tiny model) each: together they would run for minutes.
TEST_CASE("hostile input: translate, piped", "[cli][hostile]") { check_translate(Mode::pipe); }
TEST_CASE("hostile input: translate --input", "[cli][hostile]") { check_translate(Mode::input); }
TEST_CASE("hostile input: translate --interactive", "[cli][hostile]") { check_translate(Mode::interactive); }

TEST_CASE("hostile input: translate --output, --ref and --config", "[cli][hostile]") {
  const auto& h = hostile();
  const std::string model = trained_tiny().path();
  check_user_error(as_result(spawn_run({"translate", "--model", model, "--output", h.directory()}, h.path("clean", "de"))),
                   "translate", {"--output '" + h.directory() + "' is a directory, not a file"});
  check_user_error(as_result(spawn_run({"translate", "--model", model, "--ref", h.directory()}, h.path("clean", "de"))),
                   "translate", {"'" + h.directory() + "' is a directory, not a file"});
  check_user_error(as_result(spawn_run({"translate", "--model", model, "--config", h.directory()})), "translate",
                   {"--config '" + h.directory() + "' is a directory, not a file"});
  check_user_error(as_result(spawn_run({"translate", "--model", model, "--config", h.dir / "none.toml"})), "translate",
                   {"cannot read --config '" + h.dir / "none.toml" + "': no such file"});
  const auto r = spawn_run({"translate", "--model", model, "--ref", h.path("invalid", "en")}, h.path("clean", "de"));
  check_ok(r);
  check_in_err(r, "'" + h.path("invalid", "en") + "' line 2: invalid UTF-8");
  check_in_err(r, "BLEU = ");
}

TEST_CASE("hostile input: align", "[cli][hostile]") {
  const auto& h = hostile();
  const std::string model = trained_tiny().path();
  auto align = [&](const std::string& src, const std::string& tgt) {
    return spawn_run({"align", "--model", model, "--src", src, "--tgt", tgt});
  };
  const auto clean = align(h.path("clean", "de"), h.path("clean", "en"));
  check_ok(clean);
  REQUIRE(output_lines(clean.out).size() == 3);

  SECTION("invalid UTF-8 and NUL bytes on either side: repaired, warned, lines stay aligned") {
    for (const std::string kind : {"invalid", "nul"}) {
      const auto r = align(h.path(kind, "de"), h.path(kind, "en"));
      check_ok(r);
      CHECK(output_lines(r.out).size() == 3);
      for (const std::string lang : {"de", "en"}) check_in_err(r, "'" + h.path(kind, lang) + "' line 2: ");
      check_in_err(r, "replaced with U+FFFD");
    }
  }
  SECTION("a byte-order mark and CRLF line ends change nothing") {
    for (const std::string kind : {"bom", "crlf"}) {
      const auto r = align(h.path(kind, "de"), h.path(kind, "en"));
      check_ok(r);
      CHECK(r.out == clean.out);
    }
  }
  SECTION("1 MB lines are truncated with a warning, in bounded memory") {
    const auto r = align(h.path("long", "de"), h.path("long", "en"));
    check_ok(r);
    CHECK(output_lines(r.out).size() == 3);
    check_in_err(r, "'" + h.path("long", "de") + "' and '" + h.path("long", "en") +
                        "' line 2: longer than the model's 1023 pieces: truncated");
    CHECK(r.max_rss_kb < kMemoryLimitKb);
  }
  SECTION("empty files give no alignments") {
    const auto r = align(h.path("empty", "de"), h.path("empty", "en"));
    check_ok(r);
    CHECK(r.out.empty());
  }
  SECTION("binary files and directories: one error line") {
    for (const std::string kind : {"random", "ls"})
      check_user_error(as_result(align(h.path(kind, "bin"), h.path("clean", "en"))), "align",
                       {h.path(kind, "bin"), "looks like a binary file"});
    check_user_error(as_result(align(h.path("clean", "de"), h.directory())), "align",
                     {"'" + h.directory() + "' is a directory, not a file"});
    check_user_error(as_result(spawn_run({"align", "--model", model, "--src", h.path("clean", "de"), "--tgt",
                                          h.path("clean", "en"), "--output", h.directory()})),
                     "align", {"--output '" + h.directory() + "' is a directory, not a file"});
  }
}

TEST_CASE("hostile input: eval", "[cli][hostile]") {
  const auto& h = hostile();
  auto eval = [](const std::string& hyp, const std::string& ref) { return spawn_run({"eval", "--hyp", hyp, "--ref", ref}); };
  for (const std::string kind : {"invalid", "nul"}) {
    const auto r = eval(h.path(kind, "en"), h.path(kind, "en"));
    check_ok(r);
    CHECK(contains(r.out, "BLEU = 100.00"));
    check_in_err(r, "'" + h.path(kind, "en") + "' line 2: ");
    check_in_err(r, "replaced with U+FFFD");
  }
  for (const std::string kind : {"bom", "crlf"}) {
    const auto r = eval(h.path(kind, "en"), h.path("clean", "en"));
    check_ok(r);
    CHECK(contains(r.out, "BLEU = 100.00"));
    CHECK(contains(r.out, "chrF2 = 100.00"));
  }
  const auto long_line = eval(h.path("long", "en"), h.path("long", "en"));
  check_ok(long_line);
  CHECK(contains(long_line.out, "BLEU = 100.00"));
  CHECK(long_line.max_rss_kb < kMemoryLimitKb);
  check_user_error(as_result(eval(h.path("empty", "en"), h.path("empty", "en"))), "eval", {"no hypotheses to score"});
  for (const std::string kind : {"random", "ls"})
    check_user_error(as_result(eval(h.path(kind, "bin"), h.path("clean", "en"))), "eval", {"looks like a binary file"});
  check_user_error(as_result(eval(h.directory(), h.path("clean", "en"))), "eval",
                   {"'" + h.directory() + "' is a directory, not a file"});
}

TEST_CASE("hostile input: eval-align", "[cli][hostile]") {
  const auto& h = hostile();
  TempDir tmp;
  const std::string gold = tmp / "gold", long_gold = tmp / "long.gold";
  write_file(gold, "0-0 1-1\n0-0\n1?1 0-0\n");
  std::string links;
  while (links.size() < (1u << 20)) links += "0-0 1-1 2-2 ";
  write_file(long_gold, "0-0\n" + links + "\n0-0\n");
  auto eval_align = [](const std::string& g, const std::string& hyp) {
    return spawn_run({"eval-align", "--gold", g, "--hyp", hyp});
  };
  const auto perfect = "AER = 0.0000";
  write_file(tmp / "bom", "\xEF\xBB\xBF" "0-0 1-1\n0-0\n0-0 1-1\n");
  write_file(tmp / "crlf", "0-0 1-1\r\n0-0\r\n0-0 1-1\r\n");
  for (const std::string kind : {"bom", "crlf"}) {
    const auto r = eval_align(gold, tmp / kind);
    check_ok(r);
    CHECK(contains(r.out, perfect));
  }
  write_file(tmp / "invalid", "0-0 1-1\n0-0 \xE4\n0-0\n");
  write_file(tmp / "nul", "0-0 1-1\n0-0" + std::string(1, '\0') + "\n0-0\n");
  for (const std::string kind : {"invalid", "nul"}) {
    const auto r = eval_align(gold, tmp / kind);
    check_in_err(r, "'" + tmp / kind + "' line 2: ");
    check_user_error(as_result(r), "eval-align", {tmp / kind + ":2: bad alignment link"});
  }
  const auto long_line = eval_align(long_gold, long_gold);
  check_ok(long_line);
  CHECK(contains(long_line.out, perfect));
  CHECK(long_line.max_rss_kb < kMemoryLimitKb);
  check_user_error(as_result(eval_align(h.path("empty", "en"), h.path("empty", "en"))), "eval-align",
                   {"no alignments to score", "have no lines"});
  for (const std::string kind : {"random", "ls"})
    check_user_error(as_result(eval_align(gold, h.path(kind, "bin"))), "eval-align", {"looks like a binary file"});
  check_user_error(as_result(eval_align(h.directory(), gold)), "eval-align",
                   {"'" + h.directory() + "' is a directory, not a file"});
}

TEST_CASE("hostile input: train data", "[cli][hostile]") {
  const auto& h = hostile();
  TempDir tmp;
  const auto de = read_lines(source_path("data/toy/train.de")), en = read_lines(source_path("data/toy/train.en"));
  // The toy training pairs, with the hostile pair (line 2 of the hostile files) as line 3.
  auto with = [&](const std::string& kind, const std::string& lang) {
    const auto hostile_lines = read_lines(h.path(kind, lang));
    auto lines = lang == "de" ? de : en;
    lines.insert(lines.begin() + 2, hostile_lines.at(1));
    const std::string file = tmp / (kind + "-train." + lang);
    write_lines(file, lines);
    return file;
  };
  auto train = [&](const std::string& src, const std::string& tgt, const std::string& name) {
    return spawn_run({"train", "--config", "configs/tiny.toml", "--model-dir", tmp / name, "--train-src", src,
                      "--train-tgt", tgt, "--max-steps", "2", "--valid-bleu-lines", "4"});
  };
  for (const std::string kind : {"invalid", "nul"}) {
    const std::string src = with(kind, "de"), tgt = with(kind, "en");
    const auto r = train(src, tgt, kind);
    check_ok(r);
    check_in_err(r, "'" + src + "' line 3: ");
    check_in_err(r, "sentence pair skipped");
    check_in_err(r, "skipped 1 of " + std::to_string(de.size() + 1) + " sentence pairs");
    // Said once: the vocabulary is trained on the pairs already read, not on the files again.
    const std::string said = "'" + src + "' line 3: ";
    CHECK(r.err.find(said) == r.err.rfind(said));
  }
  for (const std::string kind : {"bom", "crlf"}) {  // the toy pairs, with a byte-order mark or CRLF
    std::string src = kind == "bom" ? "\xEF\xBB\xBF" : "", tgt = src;
    const std::string end = kind == "crlf" ? "\r\n" : "\n";
    for (size_t i = 0; i < de.size(); ++i) src += de[i] + end, tgt += en[i] + end;
    write_file(tmp / (kind + ".de"), src);
    write_file(tmp / (kind + ".en"), tgt);
    const auto r = train(tmp / (kind + ".de"), tmp / (kind + ".en"), kind);
    check_ok(r);
    CHECK_FALSE(contains(r.err, "skipped"));
  }
  const auto long_line = train(with("long", "de"), with("long", "en"), "long");
  check_ok(long_line);
  CHECK(long_line.max_rss_kb < kMemoryLimitKb);
  {  // A validation line longer than the position table: validation BLEU says it was truncated.
    const auto valid_de = read_lines(source_path("data/toy/valid.de")), valid_en = read_lines(source_path("data/toy/valid.en"));
    auto long_de = valid_de, long_en = valid_en;
    long_de.insert(long_de.begin(), read_lines(h.path("many-long", "de")).at(0));  // 20 KB
    long_en.insert(long_en.begin(), valid_en.at(0));
    write_lines(tmp / "long-valid.de", long_de);
    write_lines(tmp / "long-valid.en", long_en);
    const auto r = spawn_run({"train", "--config", "configs/tiny.toml", "--model-dir", tmp / "long-valid",
                              "--valid-src", tmp / "long-valid.de", "--valid-tgt", tmp / "long-valid.en",
                              "--max-steps", "2", "--valid-bleu-lines", "4"});
    check_ok(r);
    check_in_err(r, "validation BLEU: 1 of 4 source lines");
    check_in_err(r, "truncated");
  }
  check_user_error(as_result(train(h.path("empty", "de"), h.path("empty", "en"), "empty")), "train",
                   {"has no non-empty sentence pairs"});
  for (const std::string kind : {"random", "ls"})
    check_user_error(as_result(train(h.path(kind, "bin"), h.path("clean", "en"), kind)), "train",
                     {"looks like a binary file"});
  check_user_error(as_result(train(h.directory(), h.path("clean", "en"), "dir")), "train",
                   {"'" + h.directory() + "' is a directory, not a file"});
  check_user_error(as_result(spawn_run({"train", "--config", h.directory()})), "train",
                   {"--config '" + h.directory() + "' is a directory, not a file"});
}
