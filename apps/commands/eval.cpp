// crosstalk eval: corpus BLEU and chrF of a hypothesis file against a reference file.
#include <nlohmann/json.hpp>

#include <cstdio>

#include "commands/command.h"
#include "crosstalk/eval/bleu.h"
#include "crosstalk/eval/chrf.h"
#include "crosstalk/text/corpus.h"

namespace crosstalk::app {

int run_eval(const std::string& program, std::vector<std::string> args) {
  CLI::App app("Score translations: corpus BLEU (13a tokenizer, exponential smoothing, mixed case) and "
               "chrF (character 6-grams, beta 2), equal to sacreBLEU 2.5's defaults.",
               program);
  std::string hyp, ref;
  bool json = false;
  app.add_option("--hyp", hyp, "hypotheses, one per line")->required();
  app.add_option("--ref", ref, "references, line-aligned with --hyp")->required();
  app.add_flag("--json", json, "print one JSON object instead of sacreBLEU-style lines");
  int code = 0;
  if (!parse_args(app, std::move(args), &code)) return code;
  const auto pairs = text::read_parallel(hyp, ref, /*keep_empty=*/true);
  const auto& hyps = pairs.src;
  const auto& refs = pairs.tgt;
  const auto bleu = eval::corpus_bleu(hyps, refs);
  const auto chrf = eval::corpus_chrf(hyps, refs);
  if (json) {
    nlohmann::ordered_json j;
    j["sentences"] = hyps.size();
    j["bleu"] = bleu.score;
    j["bleu_precisions"] = {bleu.precisions[0], bleu.precisions[1], bleu.precisions[2], bleu.precisions[3]};
    j["bp"] = bleu.bp;
    j["hyp_len"] = bleu.sys_len;
    j["ref_len"] = bleu.ref_len;
    j["bleu_signature"] = bleu.signature;
    j["bleu_text"] = bleu.to_string();
    j["chrf"] = chrf.score;
    j["chrf_signature"] = chrf.signature;
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s | %s\n%s | %s\n", bleu.to_string().c_str(), bleu.signature.c_str(), chrf.to_string().c_str(),
                chrf.signature.c_str());
  }
  return 0;
}

}  // namespace crosstalk::app
