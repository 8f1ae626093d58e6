#include "commands/command.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>

#include "crosstalk/common/allocator.h"
#include "crosstalk/common/blas.h"
#include "crosstalk/common/error.h"
#include "crosstalk/common/open_file.h"
#include "crosstalk/common/threads.h"

namespace crosstalk::app {

const std::vector<Command>& commands() {
  static const std::vector<Command> list = {
      {"train", "train a model on a parallel corpus (SentencePiece vocabulary, Transformer)", run_train},
      {"translate", "translate sentences from stdin or a file (interactive on a terminal)", run_translate},
      {"eval", "corpus BLEU and chrF of translations against references (sacreBLEU-exact)", run_eval},
      {"align", "word alignments, heatmaps and raw attention of sentence pairs (forced cross-attention)", run_align},
      {"eval-align", "precision, recall and AER of word alignments against a gold standard", run_eval_align},
      {"serve", "translations, alignments and the attention explorer page over HTTP (JSON API)", run_serve},
      {"symmetrize", "combine forward and reverse word alignments (intersect, grow-diag-final-and, ...; atools -c)",
       run_symmetrize},
  };
  return list;
}

bool parse_args(CLI::App& app, std::vector<std::string> args, int* exit_code) {
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments reversed
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    *exit_code = app.exit(e);
    return false;
  } catch (const CLI::CallForAllHelp& e) {
    *exit_code = app.exit(e);
    return false;
  } catch (const CLI::ConfigError& e) {
    std::string what = e.what();
    const std::string prefix = "INI was not able to parse ";
    if (what.rfind(prefix, 0) == 0) {
      const std::string key = what.substr(prefix.size());
      const auto dot = key.find('.');
      what = dot == std::string::npos
                 ? "unknown key '" + key + "' in the config file"
                 : "the config file has a [" + key.substr(0, dot) +
                       "] section: sections are not supported, put every key at the top level";
    }
    throw UserError("config: " + what);
  } catch (const CLI::FileError& e) {
    // "PATH was not readable (missing?)": the --config file; say which it is and why.
    const std::string what = e.what(), tail = " was not readable (missing?)";
    if (what.size() <= tail.size() || what.compare(what.size() - tail.size(), tail.size(), tail) != 0)
      throw UserError(what);
    const std::string path = what.substr(0, what.size() - tail.size());
    require_not_directory(path, "--config");
    throw UserError("cannot read --config '" + path + "': " + (std::filesystem::exists(path) ? "permission denied"
                                                                                              : "no such file"));
  } catch (const CLI::ParseError& e) {
    throw UserError(e.what());
  }
  return true;
}

void setup_runtime(int threads, Memory memory) {
  set_compute_threads(threads);
  if (memory == Memory::kKeepFreed && !keep_freed_memory()) spdlog::warn("could not tune the memory allocator (mallopt); training may run slower");
  const auto blas = detect_blas();
  if (blas.reference) {
    spdlog::warn("*** BLAS: the REFERENCE BLAS is loaded ({}). Matrix products will run ~30x slower. "
                 "Install an optimized one: sudo apt-get install libopenblas0-openmp ***", blas.path);
  } else {
    spdlog::info("BLAS: {} ({}), {} threads", blas.name, blas.path.empty() ? "not found in this process" : blas.path,
                 at::get_num_threads());
  }
}

}  // namespace crosstalk::app
