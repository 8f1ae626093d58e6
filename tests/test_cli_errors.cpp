// End-to-end tests of the `crosstalk` command line: each bad input gives one clear
// error line and exit code 2; `crosstalk eval` scores like sacreBLEU.
#include "cli_support.h"
#include "eval_fixtures.h"

TEST_CASE("cli: a missing training file is named", "[cli]") {
  TempDir tmp;
  const std::string missing = tmp / "no-such-file.de";
  check_user_error(train_tiny(tmp / "model", {"--train-src", missing}), "train", {missing});
}

TEST_CASE("cli: source and target files with different line counts", "[cli]") {
  TempDir tmp;
  write_lines(tmp / "a.de", {"der hund", "die katze", "ein vogel"});
  write_lines(tmp / "a.en", {"the dog", "the cat"});
  check_user_error(train_tiny(tmp / "model", {"--train-src", tmp / "a.de", "--train-tgt", tmp / "a.en"}), "train",
                   {tmp / "a.de", tmp / "a.en", "has 3 lines", "has 2"});
}

// ---- flags and config files ------------------------------------------------------------

TEST_CASE("cli: an unknown config key is named", "[cli]") {
  TempDir tmp;
  write_file(tmp / "bad.toml", "max-tokens = 512\nno-such-key = 3\n");
  check_user_error(run({"train", "--config", tmp / "bad.toml", "--model-dir", tmp / "model"}), "train",
                   {"no-such-key"});
}

TEST_CASE("cli: a config file with a [section] says sections are not supported", "[cli]") {
  TempDir tmp;
  write_file(tmp / "sections.toml", "[train]\nmax-tokens = 100\n");
  check_user_error(run({"train", "--config", tmp / "sections.toml"}), "train", {"[train] section", "top level"});
}

TEST_CASE("cli: a missing config file", "[cli]") {
  TempDir tmp;
  check_user_error(run({"train", "--config", tmp / "nope.toml", "--model-dir", tmp / "model"}), "train",
                   {tmp / "nope.toml"});
}

TEST_CASE("cli: a bad flag value", "[cli]") {
  TempDir tmp;
  check_user_error(train_tiny(tmp / "model", {"--max-tokens", "abc"}), "train", {"--max-tokens", "abc"});
  check_user_error(train_tiny(tmp / "model", {"--max-tokens", "0"}), "train", {"--max-tokens"});
  check_user_error(train_tiny(tmp / "model", {"--vocab-type", "words"}), "train", {"--vocab-type"});
  check_user_error(train_tiny(tmp / "model", {"--no-such-flag", "1"}), "train", {"--no-such-flag"});
}

TEST_CASE("cli: --device cuda without CUDA", "[cli]") {
  if (torch::cuda::is_available()) {
    WARN("CUDA is available here: the no-CUDA error cannot be checked");
    return;
  }
  TempDir tmp;
  check_user_error(train_tiny(tmp / "model", {"--device", "cuda"}), "train", {"CUDA"});
  check_user_error(run({"translate", "--model", tmp / "model", "--device", "cuda"}), "translate", {"CUDA"});
}

TEST_CASE("cli: translate without a usable model directory", "[cli]") {
  TempDir tmp;
  check_user_error(run({"translate", "--model", tmp / "no-model"}, source_path("data/toy/valid.de")), "translate",
                   {tmp / "no-model"});
  check_user_error(run({"translate"}), "translate", {"--model"});
  // An empty directory: the first missing part is config.toml.
  fs::create_directory(tmp / "empty");
  check_user_error(run({"translate", "--model", tmp / "empty"}), "translate", {"config.toml"});
  // A file given where the directory is expected: said so, not "does not exist".
  { std::ofstream(tmp / "a-file") << "x\n"; }
  check_user_error(run({"translate", "--model", tmp / "a-file"}), "translate", {"is not a directory"});
}

TEST_CASE("cli: unknown subcommand, help", "[cli]") {
  const auto r = run({"frobnicate"});
  INFO("stderr:\n" << r.err);
  CHECK(r.code == 2);
  CHECK(contains(r.err, "crosstalk frobnicate: error: "));
  CHECK(contains(r.err, "frobnicate"));

  const auto help = run({"--help"});
  CHECK(help.code == 0);
  CHECK(contains(help.out, "train"));
  CHECK(contains(help.out, "translate"));

  const auto train_help = run({"train", "--help"});
  CHECK(train_help.code == 0);
  CHECK(contains(train_help.out, "--max-tokens"));
  CHECK(contains(train_help.out, "--resume"));
}

// ---- crosstalk eval ------------------------------------------------------------------------

TEST_CASE("cli: eval prints sacreBLEU's BLEU and chrF lines for a fixture", "[cli]") {
  // Expected values come from sacreBLEU 2.5 (tests/fixtures/eval/expected.tsv,
  // written by scripts/make_eval_fixtures.py).
  const std::string dir = eval_fixtures::kDir;
  int checked = 0;
  for (const auto& row : eval_fixtures::read_expected()) {
    const std::string name = row.at("case");
    if (name != "empty_lines" && name != "multi30k_de_50") continue;
    auto r = run({"eval", "--hyp", dir + name + ".hyp", "--ref", dir + name + ".ref"});
    INFO("stderr: " << r.err);
    REQUIRE(r.code == 0);
    CHECK(contains(r.out, row.at("bleu_str")));  // "BLEU = 14.24 77.8/53.3/... (BP = ...)"
    CHECK(contains(r.out, row.at("chrf_str")));  // "chrF2 = 38.05"
    auto j = run({"eval", "--hyp", dir + name + ".hyp", "--ref", dir + name + ".ref", "--json"});
    REQUIRE(j.code == 0);
    CHECK(json_number(j.out, "bleu") == Approx(eval_fixtures::number(row.at("bleu"))).margin(1e-9));
    CHECK(json_number(j.out, "chrf") == Approx(eval_fixtures::number(row.at("chrf"))).margin(1e-9));
    ++checked;
  }
  CHECK(checked == 2);
}

TEST_CASE("cli: eval with misaligned or missing files", "[cli]") {
  TempDir tmp;
  write_lines(tmp / "hyp", {"a b c", "d e"});
  write_lines(tmp / "ref", {"a b c"});
  check_user_error(run({"eval", "--hyp", tmp / "hyp", "--ref", tmp / "ref"}), "eval",
                   {"line counts differ", "has 2 lines", "has 1"});
  check_user_error(run({"eval", "--hyp", tmp / "nope", "--ref", tmp / "ref"}), "eval", {"nope"});
}
