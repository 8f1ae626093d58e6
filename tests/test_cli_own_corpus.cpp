// `crosstalk train` on a corpus of the user's own with nothing else given: the
// validation split, the model directory named after the data, the data report,
// the derived settings, and one line with exit code 2 for each bad corpus.
#include <set>

#include "child_process.h"
#include "cli_support.h"

namespace {

// The toy model's shape: the flags the user's own corpus needs besides the files.
const std::vector<std::string> kTinyShape = {"--d-model", "32", "--heads", "2", "--encoder-layers", "1",
                                             "--decoder-layers", "1", "--ffn-dim", "64", "--threads", "1",
                                             "--device", "cpu", "--log-every", "1"};

// `crosstalk train args...` started in `cwd`; its exit code and stderr.
Result train_in(const std::string& cwd, const TempDir& io, std::vector<std::string> args) {
  args.insert(args.begin(), "train");
  args.insert(args.end(), kTinyShape.begin(), kTinyShape.end());
  ChildProcess child(kBinary, args, cwd, io.path().string());
  Result r;
  r.code = child.wait();
  r.err = read_file(child.stderr_path());
  r.command = "crosstalk";
  for (const auto& a : args) r.command += " " + a;
  return r;
}

std::set<std::string> pairs_of(const std::string& src, const std::string& tgt) {
  const auto s = read_lines(src), t = read_lines(tgt);
  REQUIRE(s.size() == t.size());
  std::set<std::string> out;
  for (size_t i = 0; i < s.size(); ++i) out.insert(s[i] + "\t" + t[i]);
  return out;
}

}  // namespace

TEST_CASE("cli: train on two files alone holds out a validation set, names the model after the data, reports",
          "[cli][own_corpus]") {
  TempDir tmp, io;
  // The toy corpus under another name, with one pair repeated: a corpus of the user's own.
  auto src = read_lines(source_path("data/toy/train.de")), tgt = read_lines(source_path("data/toy/train.en"));
  src.push_back(src[0]);
  tgt.push_back(tgt[0]);
  write_lines(tmp / "books.de", src);
  write_lines(tmp / "books.en", tgt);

  const auto r = train_in(tmp.path().string(), io, {"--train-src", "books.de", "--train-tgt", "books.en", "--max-steps", "4"});
  INFO("stderr:\n" << r.err);
  REQUIRE(r.code == 0);
  const std::string dir = tmp / "models/books_de_en";
  CHECK(contains(r.err, "model directory: models/books_de_en (named after the training files"));
  // 5% of 401 pairs, held out with the seed and written beside the model.
  const auto held = pairs_of(dir + "/valid.de", dir + "/valid.en");
  CHECK(held.size() == 20);
  const auto corpus = pairs_of(tmp / "books.de", tmp / "books.en");
  for (const auto& p : held) CHECK(corpus.count(p) == 1);
  CHECK(contains(r.err, "held out 20 for validation (--valid-size auto, --seed 1)"));
  // The report block, and the settings derived from the data in one line.
  for (const char* needle : {"data report:", "pairs read                        401", "exact duplicate pairs             1 kept",
                             "held out for validation", "pieces per word", "derived from the data: --vocab-size",
                             "--warmup", "--max-steps 4"})
    CHECK(contains(r.err, needle));
  const std::string json = read_file(dir + "/train_summary.json");
  CHECK(json_number(json, "held_out") == 20);
  CHECK(json_number(json, "pairs_read") == 401);
  CHECK(json_number(json, "duplicate_pairs") == 1);
  CHECK(json_number(json, "warmup") == 10);  // 45% of 4 steps, at least 10

  // --resume holds out the same pairs; another seed would hold out others: refused.
  const auto resumed = train_in(tmp.path().string(), io,
                                {"--train-src", "books.de", "--train-tgt", "books.en", "--max-steps", "6", "--resume"});
  INFO("resume stderr:\n" << resumed.err);
  CHECK(resumed.code == 0);
  CHECK(contains(resumed.err, "resumed at step 4"));
  CHECK(pairs_of(dir + "/valid.de", dir + "/valid.en") == held);
  const auto reseeded = train_in(tmp.path().string(), io, {"--train-src", "books.de", "--train-tgt", "books.en",
                                                           "--max-steps", "8", "--resume", "--seed", "2"});
  check_user_error(reseeded, "train", {"held-out validation pairs differ", "valid.de"});
}

TEST_CASE("cli: train with each bad corpus or split gives one line and exit code 2", "[cli][own_corpus]") {
  TempDir tmp;
  write_lines(tmp / "blank.de", {"", "  ", ""});
  write_lines(tmp / "blank.en", {"a", "", "b"});
  write_lines(tmp / "five.de", {"a", "b", "c", "d", "e"});
  write_lines(tmp / "five.en", {"v", "w", "x", "y", "z"});
  write_lines(tmp / "four.en", {"w", "x", "y", "z"});
  write_lines(tmp / "one.de", {"a"});
  write_lines(tmp / "one.en", {"z"});
  const std::string model = tmp / "model";
  auto train = [&](const std::string& src, const std::string& tgt, std::vector<std::string> extra) {
    std::vector<std::string> args = {"train", "--train-src", tmp / src, "--train-tgt", tmp / tgt, "--model-dir", model};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  };
  check_user_error(train("blank.de", "blank.en", {}), "train", {"has no non-empty sentence pairs"});
  check_user_error(train("five.de", "four.en", {}), "train", {"line counts differ", "has 5 lines", "has 4"});
  check_user_error(train("one.de", "one.en", {}), "train", {"1 usable sentence pair", "too few to hold out"});
  check_user_error(train("five.de", "five.en", {"--valid-size", "9"}), "train",
                   {"--valid-size 9 holds out 9 of the 5 usable sentence pairs", "nothing is left to train on"});
  check_user_error(train("five.de", "five.en", {"--valid-size", "5"}), "train", {"nothing is left to train on"});
  check_user_error(train("five.de", "five.en", {"--valid-size", "ten"}), "train", {"--valid-size must be"});
  check_user_error(train("five.de", "five.en", {"--valid-size", "2", "--valid-src", tmp / "five.de", "--valid-tgt",
                                                tmp / "five.en"}),
                   "train", {"cannot be combined with --valid-src"});
  check_user_error(train("five.de", "five.en", {"--valid-src", tmp / "five.de"}), "train",
                   {"give both --valid-src and --valid-tgt"});
  check_user_error(train("five.de", "five.en", {"--warmup", "-1"}), "train", {"--warmup must not be negative"});
}
