// crosstalk eval-align: precision, recall and AER of word alignments against a gold standard.
#include <nlohmann/json.hpp>

#include <cstdio>

#include "commands/command.h"
#include "crosstalk/eval/aer.h"
#include "crosstalk/common/error.h"
#include "crosstalk/text/corpus.h"

namespace crosstalk::eval {
// `eval-align --json`: every count of the score, keyed by the field's name.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AlignmentScore, sentences, aer, precision, recall, hyp_links, sure_links,
                                   possible_links, hits_sure, hits_possible)
}  // namespace crosstalk::eval

namespace crosstalk::app {

int run_eval_align(const std::string& program, std::vector<std::string> args) {
  CLI::App app("Score word alignments against a gold standard: precision, recall and alignment error rate "
               "(Och & Ney 2003). Both files have one sentence pair per line in Pharaoh format, 0-based "
               "word indices, source first. Gold links: 'i-j' (or 'i-j-S') is sure, 'i?j' (or 'i-j-P') is "
               "possible. precision = |A&P|/|A|, recall = |A&S|/|S|, AER = 1 - (|A&S| + |A&P|)/(|A| + |S|).",
               program);
  std::string gold_path, hyp_path;
  bool json = false;
  app.add_option("--gold", gold_path, "gold alignments (sure and possible links)")->required();
  app.add_option("--hyp", hyp_path, "alignments to score, e.g. from `crosstalk align` (i-j links only)")->required();
  app.add_flag("--json", json, "print one JSON object");
  int code = 0;
  if (!parse_args(app, std::move(args), &code)) return code;
  const auto pairs = text::read_parallel(gold_path, hyp_path, /*keep_empty=*/true);
  const auto& gold_lines = pairs.src;
  const auto& hyp_lines = pairs.tgt;
  if (gold_lines.empty())
    throw UserError("no alignments to score: '" + gold_path + "' and '" + hyp_path + "' have no lines");
  std::vector<align::GoldAlignment> gold;
  std::vector<align::Alignment> hyp;
  for (size_t i = 0; i < gold_lines.size(); ++i) {
    gold.push_back(align::parse_gold(gold_lines[i], gold_path + ":" + std::to_string(i + 1)));
    hyp.push_back(align::parse_pharaoh(hyp_lines[i], hyp_path + ":" + std::to_string(i + 1)));
  }
  const auto s = eval::score_alignments(gold, hyp);
  if (json) {
    const nlohmann::json j = s;
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s\n", s.to_string().c_str());
  }
  return 0;
}

}  // namespace crosstalk::app
