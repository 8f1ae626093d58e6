// End-to-end tests of `crosstalk align`, `crosstalk eval-align`, `translate --alignment`
// and the interactive :align / :save commands, with the tiny model of cli_support.h.
#include "cli_support.h"

#include <regex>

namespace {

/// Parses a Pharaoh line; every link "i-j" with i < src_words, j < tgt_words.
void check_pharaoh(const std::string& line, size_t src_words, size_t tgt_words) {
  INFO("alignment: '" << line << "' for " << src_words << " source and " << tgt_words << " target words");
  std::istringstream in(line);
  const std::regex link("([0-9]+)-([0-9]+)");
  std::vector<bool> target_seen(tgt_words, false);
  for (std::string token; in >> token;) {
    std::smatch m;
    REQUIRE(std::regex_match(token, m, link));
    const auto s = std::stoul(m[1].str()), t = std::stoul(m[2].str());
    CHECK(s < src_words);
    REQUIRE(t < tgt_words);
    target_seen[t] = true;
  }
  for (size_t t = 0; t < tgt_words; ++t) CHECK(target_seen[t]);  // argmax: every target word is linked
}

/// How often `needle` occurs in `text`.
size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

/// The links of a Pharaoh line.
size_t link_count(const std::string& pharaoh) { return word_count(pharaoh); }

}  // namespace

TEST_CASE("cli: align writes Pharaoh alignments, heatmaps and JSON", "[cli][align]") {
  const auto& model = trained_tiny();
  TempDir tmp;
  const auto src = read_lines(source_path("data/toy/valid.de"));
  const auto tgt = read_lines(source_path("data/toy/valid.en"));
  std::vector<std::string> src5(src.begin(), src.begin() + 5), tgt5(tgt.begin(), tgt.begin() + 5);
  write_lines(tmp / "s.de", src5);
  write_lines(tmp / "s.en", tgt5);

  SECTION("one in-range Pharaoh line per pair, heatmaps as SVG and PNG, raw matrices as JSON") {
    const auto r = run({"align", "--model", model.path(), "--src", tmp / "s.de", "--tgt", tmp / "s.en", "--heatmap",
                        tmp / "maps", "--json", tmp / "att.json"});
    INFO("stderr:\n" << r.err);
    REQUIRE(r.code == 0);
    const auto lines = output_lines(r.out);
    REQUIRE(lines.size() == 5);
    for (size_t i = 0; i < 5; ++i) check_pharaoh(lines[i], word_count(src5[i]), word_count(tgt5[i]));
    for (int i = 1; i <= 5; ++i) {
      const std::string stem = tmp / ("maps/sentence-000" + std::to_string(i));
      CHECK(fs::is_regular_file(stem + ".svg"));
      CHECK(fs::is_regular_file(stem + ".png"));
    }
    const std::string svg = read_file(tmp / "maps/sentence-0001.svg");
    CHECK(contains(svg, "Cross-attention"));
    CHECK(contains(svg, "sentence 1"));
    CHECK(contains(svg, "layer 1 of 1"));
    std::istringstream words(src5[0] + " " + tgt5[0]);
    for (std::string w; words >> w;) CHECK(contains(svg, ">" + w + "<"));
    for (int i = 1; i <= 5; ++i) {  // one marked cell per link written, and the note saying what they are
      const std::string map = read_file(tmp / ("maps/sentence-000" + std::to_string(i) + ".svg"));
      CHECK(count_of(map, "class=\"link\"") == link_count(lines[static_cast<size_t>(i - 1)]));
      CHECK(contains(map, ">word alignment links<"));
    }
    const std::string json = read_file(tmp / "att.json");
    for (const char* key : {"\"format\": \"crosstalk-attention-1\"", "\"src_pieces\"", "\"tgt_words\"", "\"attention\"",
                            "\"word_attention\"", "\"alignment\""})
      CHECK(contains(json, key));
    CHECK(contains(json, "\"alignment\": \"" + lines[0] + "\""));
    CHECK(std::count(json.begin(), json.end(), '[') == std::count(json.begin(), json.end(), ']'));
  }

  SECTION("--heads-grid, --layer, --head and --heatmap-format") {
    const auto r = run({"align", "--model", model.path(), "--src", tmp / "s.de", "--tgt", tmp / "s.en", "--heatmap",
                        tmp / "grid", "--heads-grid", "--heatmap-format", "svg", "--layer", "1"});
    INFO("stderr:\n" << r.err);
    REQUIRE(r.code == 0);
    const std::string svg = read_file(tmp / "grid/sentence-0002.svg");
    CHECK(contains(svg, "head 1"));
    CHECK(contains(svg, "head 2"));
    CHECK_FALSE(fs::exists(tmp / "grid/sentence-0002.png"));
    const auto one_head = run({"align", "--model", model.path(), "--src", tmp / "s.de", "--tgt", tmp / "s.en",
                               "--head", "2", "--align-threshold", "0.3"});
    REQUIRE(one_head.code == 0);
    CHECK(output_lines(one_head.out).size() == 5);
  }

  SECTION("eval-align scores align's output against a gold file") {
    const auto r = run({"align", "--model", model.path(), "--src", tmp / "s.de", "--tgt", tmp / "s.en", "--output",
                        tmp / "hyp.txt"});
    REQUIRE(r.code == 0);
    // Gold = the hypothesis itself: AER 0. Gold = every link moved by one word: AER 1.
    const auto hyp = read_lines(tmp / "hyp.txt");
    std::vector<std::string> shifted;
    for (const auto& line : hyp) {
      std::string out;
      std::istringstream in(line);
      for (std::string token; in >> token;) {
        const auto dash = token.find('-');
        out += token.substr(0, dash) + "-" + std::to_string(std::stoi(token.substr(dash + 1)) + 100) + " ";
      }
      shifted.push_back(out);
    }
    write_lines(tmp / "shifted.txt", shifted);
    const auto same = run({"eval-align", "--gold", tmp / "hyp.txt", "--hyp", tmp / "hyp.txt"});
    REQUIRE(same.code == 0);
    CHECK(contains(same.out, "AER = 0.0000"));
    const auto off = run({"eval-align", "--gold", tmp / "shifted.txt", "--hyp", tmp / "hyp.txt", "--json"});
    REQUIRE(off.code == 0);
    CHECK(json_number(off.out, "aer") == 1.0);
    const auto with_gold = run({"align", "--model", model.path(), "--src", tmp / "s.de", "--tgt", tmp / "s.en",
                                "--gold", tmp / "hyp.txt", "--sweep"});
    REQUIRE(with_gold.code == 0);
    CHECK(contains(with_gold.err, "AER = 0.0000"));
    CHECK(contains(with_gold.err, "all 1 layers averaged"));
    CHECK(contains(with_gold.err, "lowest AER: "));
  }
}

TEST_CASE("cli: translate --alignment appends the alignment of each translation", "[cli][align]") {
  const auto& model = trained_tiny();
  TempDir tmp;
  const auto src = read_lines(source_path("data/toy/valid.de"));
  write_lines(tmp / "in.de", {src[0], "", src[1]});
  for (const char* beam : {"1", "3"}) {
    const auto r = run({"translate", "--model", model.path(), "--beam", beam, "--alignment", "--heatmap", tmp / "maps"},
                       tmp / "in.de");
    INFO("beam " << beam << "\nstderr:\n" << r.err);
    REQUIRE(r.code == 0);
    const auto lines = output_lines(r.out);
    REQUIRE(lines.size() == 3);
    CHECK(lines[1].empty());
    for (const size_t i : {size_t{0}, size_t{2}}) {
      const auto bar = lines[i].find(" ||| ");
      REQUIRE(bar != std::string::npos);
      check_pharaoh(lines[i].substr(bar + 5), word_count(src[i / 2]), word_count(lines[i].substr(0, bar)));
    }
    CHECK(fs::is_regular_file(tmp / "maps/sentence-0001.png"));
    CHECK(fs::is_regular_file(tmp / "maps/sentence-0003.svg"));
    CHECK(contains(read_file(tmp / "maps/sentence-0003.svg"), "own translation"));
  }
  const auto nbest = run({"translate", "--model", model.path(), "--beam", "3", "--nbest", "2", "--alignment"},
                         tmp / "in.de");
  REQUIRE(nbest.code == 0);
  for (const auto& line : output_lines(nbest.out)) CHECK(std::count(line.begin(), line.end(), '|') == 9);
}

TEST_CASE("cli: interactive :align shows a terminal heatmap and :save writes the images", "[cli][align]") {
  const auto& model = trained_tiny();
  TempDir tmp;
  const auto src = read_lines(source_path("data/toy/valid.de"));
  write_lines(tmp / "session.txt", {":save " + tmp / "early", ":align on", src[0], ":save " + tmp / "last",
                                    ":save " + tmp / "one.svg", ":align bogus", ":align off", src[1], ":quit"});
  const auto r = run({"translate", "--model", model.path(), "--interactive"}, tmp / "session.txt");
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "nothing to save yet"));
  CHECK(contains(r.out, "cross-attention, layer 1 of 1, heads averaged"));
  CHECK(contains(r.out, "\xE2\x96\x88"));  // a full block: the strongest cells
  CHECK(contains(r.out, "\n* alignment link"));  // the linked cells are marked, and the key says so
  CHECK(contains(read_file(tmp / "last.svg"), "class=\"link\""));
  std::istringstream words(src[0]);
  for (std::string w; words >> w;) CHECK(contains(r.out, w));  // source words in the column legend
  CHECK(fs::is_regular_file(tmp / "last.svg"));
  CHECK(fs::is_regular_file(tmp / "last.png"));
  CHECK(fs::is_regular_file(tmp / "one.svg"));
  CHECK_FALSE(fs::exists(tmp / "one.svg.png"));
  CHECK(contains(r.out, "unknown command ':align bogus'"));
  // After :align off the second translation has no heatmap: the view header appears once.
  size_t headers = 0;
  for (size_t at = r.out.find("cross-attention, layer"); at != std::string::npos;
       at = r.out.find("cross-attention, layer", at + 1))
    ++headers;
  CHECK(headers == 1);

  // --heads-grid shapes what :save writes (no --heatmap needed interactively).
  write_lines(tmp / "grid.txt", {src[2], ":save " + tmp / "grid.svg", ":quit"});
  const auto grid = run({"translate", "--model", model.path(), "--interactive", "--heads-grid"}, tmp / "grid.txt");
  REQUIRE(grid.code == 0);
  const std::string svg = read_file(tmp / "grid.svg");
  CHECK(contains(svg, "head 1"));
  CHECK(contains(svg, "head 2"));
  CHECK(contains(svg, "all 2 heads"));
}

TEST_CASE("cli: alignment commands reject bad input with one clear line", "[cli][align][errors]") {
  const auto& model = trained_tiny();
  TempDir tmp;
  write_lines(tmp / "a.de", {"der hund läuft", "die katze"});
  write_lines(tmp / "a.en", {"the dog runs"});
  write_lines(tmp / "b.en", {"the dog runs", "the cat"});
  write_lines(tmp / "gold.txt", {"0-0 1-x", "0-0"});
  write_lines(tmp / "hyp.txt", {"0-0", "0-0"});
  const std::string m = model.path();
  check_user_error(run({"align", "--model", m, "--src", tmp / "a.de", "--tgt", tmp / "a.en"}), "align",
                   {"line counts differ", "a.de", "a.en"});
  check_user_error(run({"align", "--model", m, "--src", tmp / "a.de", "--tgt", tmp / "b.en", "--layer", "3"}), "align",
                   {"--layer 3", "layers 1..1"});
  check_user_error(run({"align", "--model", m, "--src", tmp / "a.de", "--tgt", tmp / "b.en", "--head", "zero"}),
                   "align", {"--head", "'zero'"});
  check_user_error(run({"align", "--model", m, "--src", tmp / "a.de", "--tgt", tmp / "b.en", "--layer", "0"}), "align",
                   {"--layer", "'all' or 'default'", "'0'"});
  check_user_error(run({"align", "--model", m, "--src", tmp / "a.de", "--tgt", tmp / "b.en", "--heatmap-format", "gif"}),
                   "align", {"--heatmap-format", "gif"});
  check_user_error(run({"align", "--model", m, "--src", tmp / "a.de", "--tgt", tmp / "b.en", "--sweep"}), "align",
                   {"--sweep needs --gold"});
  check_user_error(run({"align", "--model", m, "--src", tmp / "nope.de", "--tgt", tmp / "b.en"}), "align", {"nope.de"});
  check_user_error(run({"eval-align", "--gold", tmp / "gold.txt", "--hyp", tmp / "hyp.txt"}), "eval-align",
                   {"gold.txt:1", "'1-x'"});
  check_user_error(run({"eval-align", "--gold", tmp / "gold.txt", "--hyp", tmp / "a.en"}), "eval-align",
                   {"line counts differ"});
  check_user_error(run({"translate", "--model", m, "--heads-grid"}, tmp / "a.de"), "translate",
                   {"--heads-grid needs --heatmap"});
}
