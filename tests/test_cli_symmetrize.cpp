// End-to-end tests of `crosstalk symmetrize` and `crosstalk align --reverse-model --symmetrize`
// (two tiny toy models: de->en as in cli_support.h, and en->de).
#include "cli_support.h"

#include "crosstalk/align/symmetrize.h"

#include "alignment_printer.h"

namespace {

namespace al = crosstalk::align;

al::Alignment parse(const std::string& line) { return al::parse_pharaoh(line, "test"); }

std::string default_method() { return al::method_name(al::kDefaultSymmetrizeMethod); }

bool subset(const al::Alignment& a, const al::Alignment& b) {
  return std::includes(b.begin(), b.end(), a.begin(), a.end());
}

/// The tiny configuration trained the other way, en->de, once per process.
/// The tiny en->de model, trained once per process, on first use.
const TrainedModel& trained_reverse() {
  static const TrainedModel model({"--train-src", "data/toy/train.en", "--train-tgt", "data/toy/train.de",
                                   "--valid-src", "data/toy/valid.en", "--valid-tgt", "data/toy/valid.de"});
  return require_trained(model);
}

/// How often `needle` occurs in `text`.
size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

/// A translate output line "text ||| links": the two parts (REQUIREs the bar).
std::pair<std::string, std::string> split_bar(const std::string& line) {
  const auto bar = line.find(" ||| ");
  INFO("line: " << line);
  REQUIRE(bar != std::string::npos);
  return {line.substr(0, bar), line.substr(bar + 5)};
}

size_t words_of(const std::string& s) {
  std::istringstream in(s);
  size_t n = 0;
  for (std::string w; in >> w;) ++n;
  return n;
}

}  // namespace

TEST_CASE("cli: symmetrize combines two Pharaoh files as atools does", "[cli][symmetrize]") {
  TempDir tmp;
  // The hand-made case of test_symmetrize.cpp, a second line, and an empty pair.
  write_lines(tmp / "fwd.txt", {"0-0 1-1 2-1 4-4", "0-0 3-3", ""});
  write_lines(tmp / "rev.txt", {"0-0 0-3 1-0 1-1", "0-0 3-4", ""});
  // The reverse file in its own orientation (target-source).
  write_lines(tmp / "rev_ts.txt", {"0-0 3-0 0-1 1-1", "0-0 4-3", ""});
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected = {
      {"intersect", {"0-0 1-1", "0-0", ""}},
      {"union", {"0-0 0-3 1-0 1-1 2-1 4-4", "0-0 3-3 3-4", ""}},
      {"grow-diag", {"0-0 1-1 2-1", "0-0", ""}},
      {"grow-diag-final", {"0-0 0-3 1-1 2-1 4-4", "0-0 3-3 3-4", ""}},
      {"grow-diag-final-and", {"0-0 1-1 2-1 4-4", "0-0 3-3", ""}},
  };
  for (const auto& [method, lines] : expected) {
    INFO("--method " << method);
    const auto r = run({"symmetrize", "--fwd", tmp / "fwd.txt", "--rev", tmp / "rev.txt", "--method", method});
    INFO("stderr:\n" << r.err);
    REQUIRE(r.code == 0);
    CHECK(output_lines(r.out) == lines);
    const auto ts = run({"symmetrize", "--fwd", tmp / "fwd.txt", "--rev", tmp / "rev_ts.txt", "--method", method,
                         "--rev-orientation", "target-source"});
    REQUIRE(ts.code == 0);
    CHECK(ts.out == r.out);
  }
  const auto to_file = run({"symmetrize", "--fwd", tmp / "fwd.txt", "--rev", tmp / "rev.txt", "-o", tmp / "out.txt"});
  REQUIRE(to_file.code == 0);
  CHECK(to_file.out.empty());
  CHECK(read_lines(tmp / "out.txt") == std::vector<std::string>{"0-0 1-1 2-1 4-4", "0-0 3-3", ""});  // gdfa default
}

TEST_CASE("cli: symmetrize rejects every bad input with one line", "[cli][symmetrize]") {
  TempDir tmp;
  write_lines(tmp / "fwd.txt", {"0-0 1-1", "0-0"});
  write_lines(tmp / "rev.txt", {"0-0", "1-1"});
  write_lines(tmp / "short.txt", {"0-0"});
  write_lines(tmp / "bad.txt", {"0-0", "0-0 1:1"});
  const std::string fwd = tmp / "fwd.txt", rev = tmp / "rev.txt";
  check_user_error(run({"symmetrize", "--fwd", fwd, "--rev", rev, "--method", "gdfa"}), "symmetrize",
                   {"--method", "'gdfa'", "grow-diag-final-and"});
  check_user_error(run({"symmetrize", "--fwd", fwd, "--rev", rev, "--method", "soft-mean"}), "symmetrize",
                   {"soft-mean", "--reverse-model"});
  check_user_error(run({"symmetrize", "--fwd", fwd, "--rev", rev, "--rev-orientation", "backwards"}), "symmetrize",
                   {"--rev-orientation", "'backwards'"});
  check_user_error(run({"symmetrize", "--fwd", fwd, "--rev", tmp / "short.txt"}), "symmetrize",
                   {"line counts differ", fwd, tmp / "short.txt"});
  check_user_error(run({"symmetrize", "--fwd", fwd, "--rev", tmp / "bad.txt"}), "symmetrize",
                   {tmp / "bad.txt" + ":2", "'1:1'"});
  check_user_error(run({"symmetrize", "--fwd", tmp / "bad.txt", "--rev", rev}), "symmetrize",
                   {tmp / "bad.txt" + ":2"});
  check_user_error(run({"symmetrize", "--fwd", tmp / "missing.txt", "--rev", rev}), "symmetrize",
                   {tmp / "missing.txt", "No such file"});
  check_user_error(run({"symmetrize", "--fwd", fwd}), "symmetrize", {"--rev"});
  check_user_error(run({"symmetrize", "--fwd", fwd, "--rev", rev, "-o", tmp / "no/such/dir/out.txt"}), "symmetrize",
                   {"--output"});
}

TEST_CASE("cli: align --reverse-model symmetrizes both directions", "[cli][align][symmetrize]") {
  const auto& forward = trained_tiny();
  const auto& reverse = trained_reverse();
  TempDir tmp;
  const auto src = read_lines(source_path("data/toy/valid.de"));
  const auto tgt = read_lines(source_path("data/toy/valid.en"));
  const size_t n = 6;
  write_lines(tmp / "s.de", {src.begin(), src.begin() + n});
  write_lines(tmp / "s.en", {tgt.begin(), tgt.begin() + n});

  // Each direction alone: the forward links, and the reverse model's links turned around.
  const auto fwd = run({"align", "--model", forward.path(), "--src", tmp / "s.de", "--tgt", tmp / "s.en"});
  const auto rev = run({"align", "--model", reverse.path(), "--src", tmp / "s.en", "--tgt", tmp / "s.de"});
  REQUIRE(fwd.code == 0);
  REQUIRE(rev.code == 0);
  const auto fwd_lines = output_lines(fwd.out), rev_lines = output_lines(rev.out);
  REQUIRE(fwd_lines.size() == n);
  REQUIRE(rev_lines.size() == n);

  for (const auto& method : al::symmetrize_method_names()) {
    INFO("--symmetrize " << method);
    const auto r = run({"align", "--model", forward.path(), "--reverse-model", reverse.path(), "--symmetrize", method,
                        "--src", tmp / "s.de", "--tgt", tmp / "s.en"});
    INFO("stderr:\n" << r.err);
    REQUIRE(r.code == 0);
    CHECK(contains(r.err, "symmetrized with " + method));
    const auto lines = output_lines(r.out);
    REQUIRE(lines.size() == n);
    for (size_t i = 0; i < n; ++i) {
      const auto f = parse(fwd_lines[i]), b = al::transpose(parse(rev_lines[i])), s = parse(lines[i]);
      INFO("pair " << i + 1 << ": forward " << fwd_lines[i] << ", reverse (transposed) " << al::to_pharaoh(b)
                   << ", symmetrized " << lines[i]);
      if (method.rfind("soft-", 0) == 0) {
        const size_t tgt_words = words_of(tgt[i]), src_words = words_of(src[i]);
        for (const auto& link : s) CHECK((link.src < static_cast<int64_t>(src_words) && link.tgt < static_cast<int64_t>(tgt_words)));
        if (method.find("-gdfa") == std::string::npos) CHECK(s.size() == tgt_words);  // argmax: one link per target word
        continue;
      }
      CHECK(s == al::symmetrize(f, b, al::parse_symmetrize_method(method, "test")));
      CHECK(subset(al::symmetrize(f, b, al::SymmetrizeMethod::intersect), s));
      CHECK(subset(s, al::symmetrize(f, b, al::SymmetrizeMethod::union_links)));
    }
  }

  SECTION("the default method with --gold and the JSON keys and heatmaps of a symmetrized run") {
    const auto r = run({"align", "--model", forward.path(), "--reverse-model", reverse.path(), "--src", tmp / "s.de",
                        "--tgt", tmp / "s.en", "--json", tmp / "att.json", "--gold", tmp / "s.en.gold"},
                       "");
    // no gold file yet: a user error naming it
    check_user_error(r, "align", {tmp / "s.en.gold"});
    write_lines(tmp / "s.en.gold", fwd_lines);
    const auto ok = run({"align", "--model", forward.path(), "--reverse-model", reverse.path(), "--src", tmp / "s.de",
                         "--tgt", tmp / "s.en", "--json", tmp / "att.json", "--gold", tmp / "s.en.gold",
                         "--heatmap", tmp / "maps", "--heatmap-format", "svg"});
    INFO("stderr:\n" << ok.err);
    REQUIRE(ok.code == 0);
    CHECK(contains(ok.err, "symmetrized with " + default_method()));
    CHECK(contains(ok.err, "AER = "));
    const std::string json = read_file(tmp / "att.json");
    for (const std::string key : std::vector<std::string>{"\"alignment\"", "\"symmetrize_method\": \"" + default_method() + "\"",
                                                      "\"reverse_word_attention\"", "\"reverse_alignment\"",
                                                      "\"symmetrized_word_attention\"", "\"symmetrized_alignment\""})
      CHECK(contains(json, key));
    CHECK(contains(json, "\"alignment\": \"" + fwd_lines[0] + "\""));  // still the forward model's own
    CHECK(contains(json, "\"symmetrized_alignment\": \"" + output_lines(ok.out)[0] + "\""));
    CHECK(std::count(json.begin(), json.end(), '[') == std::count(json.begin(), json.end(), ']'));
    const std::string svg = read_file(tmp / "maps/sentence-0001.svg");
    for (const std::string text : std::vector<std::string>{"symmetrized with " + default_method(), ">forward<", ">reverse, transposed<",
                                                       ">" + default_method() + "<"})
      CHECK(contains(svg, text));
    // Each panel marks its own links: forward, reverse (transposed) and symmetrized.
    const size_t marks = count_of(svg, "class=\"link\"");
    CHECK(marks == parse(json_string(json, "alignment")).size() + parse(json_string(json, "reverse_alignment")).size() +
                       parse(output_lines(ok.out)[0]).size());
  }

  SECTION("bad values of the new flags") {
    const std::vector<std::string> base = {"align", "--model", forward.path(), "--src", tmp / "s.de", "--tgt",
                                           tmp / "s.en"};
    auto with = [&](std::vector<std::string> extra) {
      auto args = base;
      args.insert(args.end(), extra.begin(), extra.end());
      return run(args);
    };
    check_user_error(with({"--symmetrize", "grow-diag-final-and"}), "align", {"--symmetrize", "--reverse-model"});
    check_user_error(with({"--reverse-model", reverse.path(), "--symmetrize", "gdfa"}), "align",
                     {"--symmetrize", "'gdfa'", "soft-mean"});
    check_user_error(with({"--reverse-model", tmp / "no-model"}), "align", {tmp / "no-model"});
    check_user_error(with({"--gold", tmp / "s.en", "--save-selection"}), "align", {"--save-selection", "--sweep"});
  }
}

TEST_CASE("cli: align --sweep --save-selection remembers the lowest-AER reading, which later runs use",
          "[cli][align][symmetrize]") {
  const auto& reverse = trained_reverse();
  TempDir tmp;
  copy_dir(trained_tiny().path(), tmp / "fwd");  // the shared model stays as it is
  const auto src = read_lines(source_path("data/toy/valid.de"));
  const auto tgt = read_lines(source_path("data/toy/valid.en"));
  write_lines(tmp / "s.de", {src.begin(), src.begin() + 8});
  write_lines(tmp / "s.en", {tgt.begin(), tgt.begin() + 8});
  // A gold standard of the toy's monotone word-for-word links (pairs of equal length; im/in the
  // differ, and their links stay out, which AER then counts as misses).
  std::vector<std::string> gold;
  for (size_t i = 0; i < 8; ++i) {
    std::string line;
    for (size_t w = 0; w < std::min(words_of(src[i]), words_of(tgt[i])); ++w)
      line += (line.empty() ? "" : " ") + std::to_string(w) + "-" + std::to_string(w);
    gold.push_back(line);
  }
  write_lines(tmp / "s.gold", gold);
  const std::vector<std::string> base = {"align", "--model", tmp / "fwd", "--src", tmp / "s.de", "--tgt", tmp / "s.en"};
  auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  };
  const auto sweep = with({"--reverse-model", reverse.path(), "--gold", tmp / "s.gold", "--sweep", "--save-selection"});
  INFO("stderr:\n" << sweep.err);
  REQUIRE(sweep.code == 0);
  // every selection alone and with every method, each with its interval
  for (const auto& name : al::symmetrize_method_names()) CHECK(contains(sweep.err, "heads averaged + " + name));
  CHECK(contains(sweep.err, "95% CI ["));
  const auto lowest = sweep.err.substr(sweep.err.find("lowest AER: "));
  const auto flags = lowest.substr(lowest.find("): ") + 3, lowest.find('\n') - lowest.find("): ") - 3);
  const std::string saved = read_file(tmp / "fwd/alignment.toml");
  CHECK(contains(saved, "origin = \"align --sweep on "));
  // A later run without --layer/--head/--symmetrize reads the model the saved way: the same
  // links as with the printed flags.
  auto explicit_args = std::vector<std::string>{"--reverse-model", reverse.path()};
  std::istringstream printed(flags);
  for (std::string word; printed >> word;) explicit_args.push_back(word);
  const auto by_flags = with(explicit_args);
  const auto by_default = with({"--reverse-model", reverse.path()});
  REQUIRE(by_flags.code == 0);
  REQUIRE(by_default.code == 0);
  CHECK(by_default.out == by_flags.out);
  CHECK(contains(by_default.err, "alignment selection from"));
  // Flags on the command line win over the file.
  const auto layer_given = with({"--layer", "1"});
  REQUIRE(layer_given.code == 0);
  CHECK_FALSE(contains(layer_given.err, "alignment selection from"));
  // A broken file is a one-line error naming it.
  write_lines(tmp / "fwd/alignment.toml", {"layer = 0"});
  check_user_error(with({}), "align", {"alignment.toml", "line 1"});
}

TEST_CASE("cli: translate --alignment --reverse-model prints symmetrized links", "[cli][align][symmetrize]") {
  const auto& forward = trained_tiny();
  const auto& reverse = trained_reverse();
  TempDir tmp;
  auto src = read_lines(source_path("data/toy/valid.de"));
  src.resize(6);
  src.insert(src.begin() + 2, "");  // a blank line stays blank
  write_lines(tmp / "in.de", src);
  const auto fwd = run({"translate", "--model", forward.path(), "--alignment", "--input", tmp / "in.de"});
  INFO("stderr:\n" << fwd.err);
  REQUIRE(fwd.code == 0);
  const auto fwd_lines = output_lines(fwd.out);
  REQUIRE(fwd_lines.size() == src.size());

  for (const std::string method : {"", "intersect", "union", "grow-diag-final-and", "soft-product"}) {
    INFO("--symmetrize '" << method << "'");
    std::vector<std::string> args = {"translate", "--model", forward.path(), "--alignment", "--reverse-model",
                                     reverse.path()};
    if (!method.empty()) args.insert(args.end(), {"--symmetrize", method});
    const auto r = run(args, tmp / "in.de");  // stdin
    INFO("stderr:\n" << r.err);
    REQUIRE(r.code == 0);
    CHECK(contains(r.err, "symmetrized with " + (method.empty() ? default_method() : method)));
    const auto lines = output_lines(r.out);
    REQUIRE(lines.size() == src.size());
    for (size_t i = 0; i < src.size(); ++i) {
      INFO("line " << i + 1 << ": " << lines[i] << " (forward alone: " << fwd_lines[i] << ")");
      if (src[i].empty()) {
        CHECK(lines[i].empty());
        continue;
      }
      const auto [text, links] = split_bar(lines[i]);
      const auto [fwd_text, fwd_links] = split_bar(fwd_lines[i]);
      CHECK(text == fwd_text);  // the same translation, only the links differ
      const auto sym = parse(links), own = parse(fwd_links);
      for (const auto& link : sym) {
        CHECK(link.src < static_cast<int64_t>(words_of(src[i])));
        CHECK(link.tgt < static_cast<int64_t>(words_of(text)));
      }
      if (method == "intersect") CHECK(subset(sym, own));
      if (method == "union") CHECK(subset(own, sym));
    }
  }

  SECTION("n-best lines, heatmaps with three panels and the links marked") {
    const auto r = run({"translate", "--model", forward.path(), "--alignment", "--reverse-model", reverse.path(),
                        "--beam", "3", "--nbest", "2", "--heatmap", tmp / "maps", "--heatmap-format", "svg"},
                       tmp / "in.de");
    INFO("stderr:\n" << r.err);
    REQUIRE(r.code == 0);
    for (const auto& line : output_lines(r.out)) CHECK(std::count(line.begin(), line.end(), '|') == 9);
    const std::string svg = read_file(tmp / "maps/sentence-0001.svg");
    for (const std::string text : std::vector<std::string>{">forward<", ">reverse, transposed<", ">" + default_method() + "<",
                                                         "symmetrized with " + default_method()})
      CHECK(contains(svg, text));
    CHECK(count_of(svg, "class=\"link\"") >= 3);  // every panel has a link at least (argmax)
  }

  SECTION("interactively: the symmetrized links and map") {
    write_lines(tmp / "session.txt", {":align on", src[0], ":quit"});
    const auto r = run({"translate", "--model", forward.path(), "--interactive", "--alignment", "--reverse-model",
                        reverse.path(), "--symmetrize", "intersect"},
                       tmp / "session.txt");
    INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
    REQUIRE(r.code == 0);
    CHECK(contains(r.out, "symmetrized with intersect"));
    std::string line;
    for (const auto& l : output_lines(r.out))
      if (contains(l, " ||| ")) line = l.substr(l.rfind("> ", 0) == 0 ? 2 : 0);  // after the prompt "> "
    const auto [text, links] = split_bar(line);
    CHECK(text == split_bar(fwd_lines[0]).first);
    CHECK(subset(parse(links), parse(split_bar(fwd_lines[0]).second)));
  }

  SECTION("bad combinations and values") {
    const std::vector<std::string> base = {"translate", "--model", forward.path(), "--input", tmp / "in.de"};
    auto with = [&](std::vector<std::string> extra) {
      auto args = base;
      args.insert(args.end(), extra.begin(), extra.end());
      return run(args);
    };
    check_user_error(with({"--reverse-model", reverse.path()}), "translate", {"--reverse-model", "--alignment"});
    check_user_error(with({"--alignment", "--reverse-model", reverse.path(), "--symmetrize", "gdfa"}), "translate",
                     {"--symmetrize", "'gdfa'"});
    check_user_error(with({"--alignment", "--symmetrize", "intersect"}), "translate",
                     {"--symmetrize", "--reverse-model"});
    check_user_error(with({"--alignment", "--reverse-model", tmp / "no-model"}), "translate", {tmp / "no-model"});
  }
}
