#include "crosstalk/train/training_data.h"
#include "crosstalk/train/progress.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "crosstalk/common/atomic_file.h"
#include "crosstalk/common/error.h"
#include "crosstalk/text/corpus.h"
#include "crosstalk/train/checkpoint.h"
#include "crosstalk/train/trainer.h"

namespace crosstalk::train {

namespace fs = std::filesystem;

namespace {

std::vector<Example> encode_pairs(const text::Vocab& vocab, const text::ParallelCorpus& corpus, int threads) {
  auto src = vocab.encode_batch(corpus.src, threads);
  auto tgt = vocab.encode_batch(corpus.tgt, threads);
  std::vector<Example> examples(src.size());
  for (size_t i = 0; i < src.size(); ++i) {
    examples[i].src = std::move(src[i]);
    examples[i].tgt = std::move(tgt[i]);
  }
  return examples;
}

void log_piece_links(const PieceLinkStats& stats) {
  spdlog::info("guided alignment: {} training pairs with links, {} piece links", stats.pairs_with_links,
               stats.piece_links);
  if (stats.word_count_mismatches > 0)
    spdlog::warn("guided alignment: {} pairs left without labels: their pieces form another number of words than "
                 "the raw line (SentencePiece normalization moved a space)",
                 stats.word_count_mismatches);
}

}  // namespace

text::Vocab prepare_vocab(const TrainOptions& o, const ModelDir& dir, const RawData& raw) {
  std::error_code ec;
  if (fs::exists(dir.vocab(), ec)) {
    spdlog::info("vocabulary: reusing {}", dir.vocab());
    return text::Vocab::load(dir.vocab());
  }
  text::VocabTrainOptions vo;
  vo.vocab_size = o.vocab_size;
  vo.model_type = o.vocab_type;
  vo.threads = o.threads;
  const auto start = std::chrono::steady_clock::now();
  // SentencePiece writes <prefix>.model and .vocab in place: train under a
  // scratch prefix, then publish spm.model atomically.
  const std::string scratch = dir.path + "/spm-training.tmp";
  std::vector<std::string> lines(raw.train.src);
  lines.insert(lines.end(), raw.train.tgt.begin(), raw.train.tgt.end());
  auto vocab = text::Vocab::train_on_lines(lines, scratch, vo);
  write_file_atomic(dir.vocab(), vocab.serialized());
  const std::string listing = dir.path + "/spm.vocab";
  try {
    write_file_atomic(listing, read_file_bytes(scratch + ".vocab"));
  } catch (const UserError& e) {
    spdlog::warn("vocabulary listing not written (translation does not need it): {}", e.what());
  }
  fs::remove(scratch + ".model", ec);
  fs::remove(scratch + ".vocab", ec);
  spdlog::info("vocabulary: trained SentencePiece {} with {} pieces in {:.1f}s -> {}", o.vocab_type, vocab.size(),
               seconds_since(start), dir.vocab());
  return text::Vocab::load(dir.vocab());
}

RawData read_data(const TrainOptions& o) {
  RawData raw;
  raw.train = text::read_parallel(o.train_src, o.train_tgt);
  raw.valid = text::read_parallel(o.valid_src, o.valid_tgt);
  if (raw.train.src.empty()) throw UserError("training data '" + o.train_src + "' has no non-empty sentence pairs");
  if (raw.valid.src.empty()) throw UserError("validation data '" + o.valid_src + "' has no non-empty sentence pairs");
  if (raw.train.skipped_empty) spdlog::warn("skipped {} training pairs with an empty side", raw.train.skipped_empty);
  if (o.guided.enabled()) raw.train_links = read_guided_alignment(o.guided.path, raw.train);
  if (raw.valid.skipped_empty) spdlog::warn("skipped {} validation pairs with an empty side", raw.valid.skipped_empty);
  return raw;
}

TrainingData prepare_data(const TrainOptions& o, const RawData& raw, const text::Vocab& vocab) {
  const auto start = std::chrono::steady_clock::now();
  const auto& train_corpus = raw.train;
  const auto& valid_corpus = raw.valid;
  TrainingData data;
  auto all_train = encode_pairs(vocab, train_corpus, o.threads);
  if (!raw.train_links.empty()) log_piece_links(attach_piece_links(all_train, raw.train_links, train_corpus, vocab));
  for (auto& ex : all_train) {
    if (!ex.src.empty() && !ex.tgt.empty() && static_cast<int64_t>(ex.src.size()) <= o.max_length &&
        static_cast<int64_t>(ex.tgt.size()) <= o.max_length) {
      data.train_target_tokens += static_cast<int64_t>(ex.tgt.size()) + 1;
      data.train.push_back(std::move(ex));
    } else {
      ++data.dropped_by_length;
    }
  }
  if (data.train.empty())
    throw UserError("no training pair is within --max-length " + std::to_string(o.max_length) + " pieces");
  int64_t long_valid = 0;
  for (auto& ex : encode_pairs(vocab, valid_corpus, o.threads)) {
    if (static_cast<int64_t>(ex.src.size()) <= o.max_length && static_cast<int64_t>(ex.tgt.size()) <= o.max_length)
      data.valid.push_back(std::move(ex));
    else
      ++long_valid;
  }
  if (long_valid > 0)
    spdlog::warn("validation loss leaves out {} pairs longer than --max-length {} pieces (BLEU still translates them)",
                 long_valid, o.max_length);
  size_t bleu_lines = valid_corpus.src.size();
  if (o.valid_bleu_lines > 0) bleu_lines = std::min(bleu_lines, static_cast<size_t>(o.valid_bleu_lines));
  data.bleu_src.assign(valid_corpus.src.begin(), valid_corpus.src.begin() + bleu_lines);
  data.bleu_ref.assign(valid_corpus.tgt.begin(), valid_corpus.tgt.begin() + bleu_lines);
  spdlog::info("data: {} training pairs ({} dropped by --max-length {}), {} target tokens; {} validation pairs; prepared in {:.1f}s",
               data.train.size(), data.dropped_by_length, o.max_length, data.train_target_tokens,
               data.valid.size(), seconds_since(start));
  return data;
}

}  // namespace crosstalk::train
