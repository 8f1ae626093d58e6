// End-to-end tests of the `crosstalk` command line: training, translating, resuming.
//
// ctest runs every TEST_CASE in a process of its own, so the (one) trained tiny model is
// shared by the SECTIONs of one TEST_CASE through a function-local static.
#include "cli_support.h"


// ---- a trained tiny model: files, translation -------------------------------------------

TEST_CASE("cli: train tiny, then translate with it", "[cli]") {
  const auto& model = trained_tiny();
  const std::string dir = model.path();
  const auto src = read_lines(source_path("data/toy/valid.de"));
  const auto ref = read_lines(source_path("data/toy/valid.en"));
  REQUIRE(src.size() == 40);
  REQUIRE(ref.size() == src.size());

  SECTION("the model directory holds every file and a sensible summary") {
    for (const char* f : {"config.toml", "spm.model", "best.pt", "last.pt", "train_log.jsonl", "train_summary.json"}) {
      INFO("missing " << f);
      CHECK(fs::is_regular_file(fs::path(dir) / f));
    }
    // One checkpoint file: no separate optimizer/state parts, no temporaries left.
    for (const auto& entry : fs::directory_iterator(dir)) {
      const auto name = entry.path().filename().string();
      INFO(name);
      CHECK(name.find(".tmp") == std::string::npos);
      CHECK(name != "last.optimizer.pt");
      CHECK(name != "last.state.pt");
    }
    const std::string json = read_file(dir + "/train_summary.json");
    CHECK(json_number(json, "steps") > 0);
    CHECK(json_number(json, "epochs") == 40);  // configs/tiny.toml: max-epochs = 40
    CHECK(json_number(json, "best_bleu") >= 80.0);
    CHECK(json_number(json, "best_step") > 0);
    CHECK(json_number(json, "best_step") <= json_number(json, "steps"));
    CHECK(json_string(json, "stopped_by") == "epochs");
    const std::string config = read_file(dir + "/config.toml");
    CHECK(contains(config, "d_model = 32"));
    CHECK(contains(config, "vocab_size = 64"));
    CHECK(model.result.out.empty());  // logs go to stderr
  }

  SECTION("piped translation: one line per input line, in order, mostly exact") {
    const auto r = run({"translate", "--model", dir}, source_path("data/toy/valid.de"));
    INFO("stderr:\n" << r.err);
    REQUIRE(r.code == 0);
    const auto out = output_lines(r.out);
    REQUIRE(out.size() == src.size());
    size_t exact = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] == ref[i]) ++exact;
      else WARN("line " << i + 1 << ": '" << src[i] << "' -> '" << out[i] << "' (reference '" << ref[i] << "')");
    }
    INFO(exact << " of " << out.size() << " translations equal the reference");
    CHECK(exact * 10 >= out.size() * 8);
    CHECK_FALSE(contains(r.err, "empty"));

    // --input / --output give the same text as the pipe.
    TempDir io;
    const auto f = run({"translate", "--model", dir, "--input", source_path("data/toy/valid.de"), "--output",
                        io / "out.en"});
    INFO("stderr:\n" << f.err);
    REQUIRE(f.code == 0);
    CHECK(f.out.empty());
    CHECK(read_file(io / "out.en") == r.out);
  }

  SECTION("beam search: --beam 4 output per line, --nbest 3 in the n-best format") {
    const auto b = run({"translate", "--model", dir, "--beam", "4"}, source_path("data/toy/valid.de"));
    INFO("stderr:\n" << b.err);
    REQUIRE(b.code == 0);
    const auto out = output_lines(b.out);
    REQUIRE(out.size() == src.size());
    size_t exact = 0;
    for (size_t i = 0; i < out.size(); ++i) exact += out[i] == ref[i];
    CHECK(exact * 10 >= out.size() * 8);
    CHECK(contains(b.err, "beam 4"));

    TempDir io;
    write_lines(io / "two.de", {src[0], src[1]});
    const auto n = run({"translate", "--model", dir, "--beam", "4", "--nbest", "3"}, io / "two.de");
    INFO("stderr:\n" << n.err);
    REQUIRE(n.code == 0);
    const auto lines = output_lines(n.out);
    REQUIRE(lines.size() == 6);
    const std::regex format(R"(^([01]) \|\|\| (.+) \|\|\| (-?[0-9.e+-]+)$)");
    double previous = 0;
    for (size_t k = 0; k < lines.size(); ++k) {
      std::smatch m;
      INFO("line: " << lines[k]);
      REQUIRE(std::regex_match(lines[k], m, format));
      CHECK(std::stoi(m[1].str()) == static_cast<int>(k / 3));
      const double score = std::stod(m[3].str());
      if (k % 3 != 0) CHECK(score <= previous);
      previous = score;
    }
    CHECK(lines[0].substr(6, lines[0].rfind(" ||| ") - 6) == out[0]);  // best of the n-best = --beam 4 output
    check_user_error(run({"translate", "--model", dir, "--beam", "2", "--nbest", "3"}, io / "two.de"),
                     "translate", {"--nbest"});
  }

  SECTION("--ref scores what it just translated, like crosstalk eval") {
    TempDir io;
    const auto r = run({"translate", "--model", dir, "--input", source_path("data/toy/valid.de"), "--output",
                        io / "out.en", "--ref", source_path("data/toy/valid.en")});
    INFO("stderr:\n" << r.err);
    REQUIRE(r.code == 0);
    const auto e = run({"eval", "--hyp", io / "out.en", "--ref", source_path("data/toy/valid.en")});
    REQUIRE(e.code == 0);
    const auto bleu_line = output_lines(e.out).at(0);  // "BLEU = ... | nrefs:1|..."
    CHECK(contains(r.err, bleu_line));
    CHECK(contains(r.err, "chrF2 = "));
    write_lines(io / "short.en", {"only one line"});
    check_user_error(run({"translate", "--model", dir, "--input", source_path("data/toy/valid.de"), "--output",
                          io / "out2.en", "--ref", io / "short.en"}),
                     "translate", {"--ref", "has 1 lines", "40 lines were translated"});
  }

  SECTION("an empty input line gives an empty output line and a warning") {
    TempDir io;
    write_lines(io / "in.de", {src[0], "", src[1]});
    const auto r = run({"translate", "--model", dir}, io / "in.de");
    INFO("stderr:\n" << r.err);
    REQUIRE(r.code == 0);
    const auto out = output_lines(r.out);
    REQUIRE(out.size() == 3);
    CHECK_FALSE(out[0].empty());
    CHECK(out[1].empty());
    CHECK_FALSE(out[2].empty());
    CHECK(contains(r.err, "1 of 3 input lines were empty"));
  }

  SECTION("--prefix-file: each translation starts with its line's prefix, a blank line is none") {
    TempDir io;
    const auto plain = run({"translate", "--model", dir, "--beam", "1"}, source_path("data/toy/valid.de"));
    REQUIRE(plain.code == 0);
    // Line i: the reference's first word and the start of its second (mid-word); every
    // third line blank.
    std::vector<std::string> prefixes;
    for (size_t i = 0; i < ref.size(); ++i) {
      std::istringstream words(ref[i]);
      std::string first, second;
      words >> first >> second;
      prefixes.push_back(i % 3 == 2 ? "" : first + " " + second.substr(0, std::min<size_t>(2, second.size())));
    }
    write_lines(io / "prefixes.en", prefixes);
    for (const std::string beam : {"1", "4"}) {
      const auto r = run({"translate", "--model", dir, "--beam", beam, "--prefix-file", io / "prefixes.en"},
                         source_path("data/toy/valid.de"));
      INFO("beam " << beam << ", stderr:\n" << r.err);
      REQUIRE(r.code == 0);
      const auto out = output_lines(r.out);
      REQUIRE(out.size() == src.size());
      for (size_t i = 0; i < out.size(); ++i) {
        INFO("line " << i + 1 << ": prefix '" << prefixes[i] << "' -> '" << out[i] << "'");
        CHECK(out[i].compare(0, prefixes[i].size(), prefixes[i]) == 0);
        if (beam == "1" && prefixes[i].empty()) CHECK(out[i] == output_lines(plain.out)[i]);
      }
      CHECK(contains(r.err, "27 of 40 lines completed a prefix"));
    }
    // The heatmaps mark the rows the prefix wrote: line 1's first word (its second is only
    // begun), nothing on line 3 (no prefix).
    const auto maps = run({"translate", "--model", dir, "--beam", "1", "--prefix-file", io / "prefixes.en",
                           "--heatmap", io / "maps", "--heatmap-format", "svg"},
                          source_path("data/toy/valid.de"));
    REQUIRE(maps.code == 0);
    const auto bars = [&](const char* name) {
      const auto svg = read_file(io / "maps" + "/" + name);
      size_t n = 0;
      for (size_t at = svg.find("class=\"forced\""); at != std::string::npos; at = svg.find("class=\"forced\"", at + 1)) ++n;
      return n;
    };
    CHECK(bars("sentence-0001.svg") == 1);
    CHECK(contains(read_file(io / "maps/sentence-0001.svg"), "blue rows: the prefix"));
    CHECK(bars("sentence-0003.svg") == 0);
    write_lines(io / "short.en", {"a", "b"});
    check_user_error(run({"translate", "--model", dir, "--prefix-file", io / "short.en"},
                         source_path("data/toy/valid.de")),
                     "translate", {"short.en", "fewer lines", "line 3"});
    prefixes.push_back("one more");
    write_lines(io / "long.en", prefixes);
    check_user_error(run({"translate", "--model", dir, "--prefix-file", io / "long.en"},
                         source_path("data/toy/valid.de")),
                     "translate", {"long.en", "more lines", "one prefix per input line"});
  }

  SECTION("interactive :prefix completes the last sentence from the typed start") {
    TempDir io;
    std::istringstream words(ref[0]);
    std::string first, second;
    words >> first >> second;
    const std::string partial = first + " " + second.substr(0, 1);
    write_lines(io / "session.txt", {":prefix too early", src[0], ":prefix " + partial, ":prefix " + first + " ",
                                     ":prefix", ":quit"});
    const auto r = run({"translate", "--model", dir, "--interactive", "--beam", "1"}, io / "session.txt");
    INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
    REQUIRE(r.code == 0);
    CHECK(contains(r.out, "no sentence to complete yet"));
    // The prompt precedes each answer: "> translation".
    std::vector<std::string> answers;
    for (const auto& l : output_lines(r.out))
      if (l.rfind("> ", 0) == 0 && l.size() > 2 && l.find("no sentence") == std::string::npos) answers.push_back(l.substr(2));
    REQUIRE(answers.size() == 4);
    CHECK(answers[1].compare(0, partial.size(), partial) == 0);
    CHECK(answers[2].compare(0, first.size() + 1, first + " ") == 0);
    CHECK(answers[3] == answers[0]);  // an empty prefix: the ordinary translation
    CHECK(contains(r.out, "next words:\n"));  // after each :prefix, its alternatives
  }

  SECTION("a model directory without spm.model or config.toml names the missing part") {
    for (const std::string part : {"spm.model", "config.toml"}) {
      TempDir tmp;
      const std::string copy = tmp / "model";
      copy_dir(dir, copy);
      fs::remove(copy + "/" + part);
      check_user_error(run({"translate", "--model", copy}, source_path("data/toy/valid.de")), "translate", {part});
    }
  }
}

// ---- --resume --------------------------------------------------------------------------

TEST_CASE("cli: --resume continues a run where it stopped", "[cli]") {
  TempDir tmp;
  const std::string dir = tmp / "model";
  const auto first = train_tiny(dir, {"--max-epochs", "2"});
  {
    INFO("stderr:\n" << first.err);
    REQUIRE(first.code == 0);
  }
  const std::string json1 = read_file(dir + "/train_summary.json");
  const double steps1 = json_number(json1, "steps");
  CHECK(steps1 > 0);
  CHECK(json_number(json1, "epochs") == 2);

  // Without --resume the finished run is not overwritten.
  const auto again = train_tiny(dir, {"--max-epochs", "4"});
  check_user_error(again, "train", {"--resume"});
  CHECK(read_file(dir + "/train_summary.json") == json1);

  const auto resumed = train_tiny(dir, {"--resume", "--max-epochs", "4"});
  INFO("stderr:\n" << resumed.err);
  REQUIRE(resumed.code == 0);
  CHECK(contains(resumed.err, "resum"));
  const std::string json2 = read_file(dir + "/train_summary.json");
  const double steps2 = json_number(json2, "steps");
  CHECK(steps2 > steps1);
  CHECK(json_number(json2, "epochs") == 4);
  CHECK(json_string(json2, "stopped_by") == "epochs");

  // --resume where there is nothing to resume.
  check_user_error(train_tiny(tmp / "empty", {"--resume"}), "train", {"--resume"});
}

// ---- training data problems -----------------------------------------------------------

TEST_CASE("cli: empty lines in the training data are skipped with a warning", "[cli]") {
  TempDir tmp;
  auto de = read_lines(source_path("data/toy/train.de"));
  auto en = read_lines(source_path("data/toy/train.en"));
  REQUIRE(de.size() == en.size());
  // Three pairs with an empty side: both, source only, target only.
  de.insert(de.begin() + 5, "");
  en.insert(en.begin() + 5, "");
  de.insert(de.begin() + 50, "");
  en.insert(en.begin() + 50, "ein satz ohne quelle");
  de.insert(de.begin() + 100, "ein satz ohne ziel");
  en.insert(en.begin() + 100, "   ");
  write_lines(tmp / "train.de", de);
  write_lines(tmp / "train.en", en);
  const auto r = train_tiny(tmp / "model", {"--train-src", tmp / "train.de", "--train-tgt", tmp / "train.en",
                                            "--max-steps", "2"});
  INFO("stderr:\n" << r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.err, "skipped 3 training pairs"));
  CHECK(json_number(read_file(tmp / "model/train_summary.json"), "steps") == 2);
}
