// crosstalk symmetrize: two Pharaoh alignment files of the same sentence pairs (a forward and a
// reverse aligner) combined into one, with the heuristics of fast_align's `atools -c`.
#include <fstream>
#include <iostream>

#include "commands/command.h"
#include "crosstalk/align/symmetrize.h"
#include "crosstalk/common/error.h"
#include "crosstalk/common/open_file.h"
#include "crosstalk/text/corpus.h"

namespace crosstalk::app {

int run_symmetrize(const std::string& program, std::vector<std::string> args) {
  CLI::App app("Symmetrize word alignments, as fast_align's `atools -c` does: --fwd holds the links of a "
               "source->target aligner, --rev those of a target->source one, one sentence pair per line in "
               "Pharaoh format (0-based word indices). Like atools, both files are read source-target "
               "('i-j' = source word i, target word j; fast_align -r writes that); a reverse file in its own "
               "target-source orientation needs --rev-orientation target-source. Methods: intersect, union, "
               "grow-diag, grow-diag-final, grow-diag-final-and (Koehn et al. 2003). The soft methods of "
               "`align --reverse-model` need attention matrices and are not available here.",
               program);
  std::string fwd_path, rev_path, output, method_name = "grow-diag-final-and", orientation = "source-target";
  app.add_option("--fwd", fwd_path, "links of the source->target aligner (Pharaoh, source-target)")->required();
  app.add_option("--rev", rev_path, "links of the target->source aligner, line-aligned with --fwd")->required();
  app.add_option("--method", method_name,
                 "intersect, union, grow-diag, grow-diag-final or grow-diag-final-and")
      ->capture_default_str();
  app.add_option("--rev-orientation", orientation,
                 "source-target: --rev links are 'source-target' like --fwd (atools, fast_align -r); "
                 "target-source: they are the reverse model's own 'its source-its target' and get transposed")
      ->capture_default_str();
  app.add_option("--output,-o", output, "write the symmetrized alignments to this file instead of stdout");
  int code = 0;
  if (!parse_args(app, std::move(args), &code)) return code;
  const auto method = align::parse_symmetrize_method(method_name, "--method");
  if (align::is_soft(method))
    throw UserError("--method " + method_name +
                    " combines attention matrices, which Pharaoh files do not hold: use `crosstalk align "
                    "--reverse-model REV --symmetrize " + method_name +
                    "`, or here intersect, union, grow-diag, grow-diag-final or grow-diag-final-and");
  if (orientation != "source-target" && orientation != "target-source")
    throw UserError("--rev-orientation must be source-target or target-source, got '" + orientation + "'");
  const bool transpose_rev = orientation == "target-source";
  const auto files = text::read_parallel(fwd_path, rev_path, /*keep_empty=*/true);
  std::string text;
  for (size_t i = 0; i < files.src.size(); ++i) {
    const std::string line = std::to_string(i + 1);
    const auto fwd = align::parse_pharaoh(files.src[i], fwd_path + ":" + line);
    auto rev = align::parse_pharaoh(files.tgt[i], rev_path + ":" + line);
    if (transpose_rev) rev = align::transpose(rev);
    text += align::to_pharaoh(align::symmetrize(fwd, rev, method)) + '\n';
  }
  std::ofstream out_file;
  if (!output.empty()) out_file = open_for_writing(output, "--output");
  std::ostream& out = output.empty() ? std::cout : out_file;
  out << text;
  out.flush();
  if (!out) throw UserError("writing the alignments failed");
  return 0;
}

}  // namespace crosstalk::app
