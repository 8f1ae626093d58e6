#include "crosstalk/train/training_data.h"
#include "crosstalk/train/progress.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>

#include "crosstalk/common/atomic_file.h"
#include "crosstalk/common/error.h"
#include "crosstalk/text/corpus.h"
#include "crosstalk/store/model_dir.h"
#include "crosstalk/train/derived_settings.h"
#include "crosstalk/train/trainer.h"

namespace crosstalk::train {

namespace fs = std::filesystem;

namespace {

// Encodes in chunks so that a large corpus shows progress (a line every ~5 s).
std::vector<Example> encode_pairs(const text::Vocab& vocab, const text::ParallelCorpus& corpus, int threads,
                                  const char* what) {
  constexpr size_t kChunk = 100000;
  const auto start = std::chrono::steady_clock::now();
  auto last = start;
  std::vector<Example> examples(corpus.src.size());
  for (size_t begin = 0; begin < corpus.src.size(); begin += kChunk) {
    const size_t end = std::min(corpus.src.size(), begin + kChunk);
    const std::vector<std::string> src(corpus.src.begin() + begin, corpus.src.begin() + end);
    const std::vector<std::string> tgt(corpus.tgt.begin() + begin, corpus.tgt.begin() + end);
    auto src_ids = vocab.encode_batch(src, threads);
    auto tgt_ids = vocab.encode_batch(tgt, threads);
    for (size_t i = begin; i < end; ++i) {
      examples[i].src = std::move(src_ids[i - begin]);
      examples[i].tgt = std::move(tgt_ids[i - begin]);
    }
    if (end < corpus.src.size() && seconds_since(last) >= 5.0) {
      spdlog::info("encoding {} pairs: {} of {} ({:.0f}s)", what, end, corpus.src.size(), seconds_since(start));
      last = std::chrono::steady_clock::now();
    }
  }
  return examples;
}

// Both sides of the training pairs for SentencePiece: all of them, or a seeded sample
// of kVocabSampleLines / 2 pairs (SentencePiece's input_sentence_size, done here so
// that the corpus is not copied whole).
std::vector<std::string> vocab_lines(const text::ParallelCorpus& corpus, uint64_t seed) {
  std::vector<size_t> pairs(corpus.src.size());
  for (size_t i = 0; i < pairs.size(); ++i) pairs[i] = i;
  const size_t wanted = std::min(pairs.size(), kVocabSampleLines / 2);
  if (wanted < pairs.size()) {
    std::mt19937_64 rng(seed);
    for (size_t i = 0; i < wanted; ++i) std::swap(pairs[i], pairs[i + rng() % (pairs.size() - i)]);
    pairs.resize(wanted);
    std::sort(pairs.begin(), pairs.end());
    spdlog::info("vocabulary: trained on a sample of {} of the {} training pairs", wanted, corpus.src.size());
  }
  std::vector<std::string> lines;
  lines.reserve(2 * pairs.size());
  for (const size_t i : pairs) lines.push_back(corpus.src[i]);
  for (const size_t i : pairs) lines.push_back(corpus.tgt[i]);
  return lines;
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

text::Vocab prepare_vocab(const TrainOptions& o, const store::ModelDir& dir, const RawData& raw, std::string* derivation) {
  std::error_code ec;
  if (fs::exists(dir.vocab(), ec)) {
    spdlog::info("vocabulary: reusing {}", dir.vocab());
    return text::Vocab::load(dir.vocab());
  }
  text::VocabTrainOptions vo;
  vo.vocab_size = o.vocab_size;
  if (vo.vocab_size <= 0) {
    const int64_t types = count_word_types(raw.train);
    vo.vocab_size = derive_vocab_size(types);
    if (derivation) *derivation = fmt::format("--vocab-size {} ({} word types / 5)", vo.vocab_size, types);
  }
  vo.model_type = o.vocab_type;
  vo.threads = o.threads;
  const auto start = std::chrono::steady_clock::now();
  // SentencePiece writes <prefix>.model and .vocab in place: train under a
  // scratch prefix, then publish spm.model atomically.
  const std::string scratch = dir.path + "/spm-training.tmp";
  auto vocab = text::Vocab::train_on_lines(vocab_lines(raw.train, o.seed), scratch, vo);
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
  const auto start = std::chrono::steady_clock::now();
  raw.train = text::read_parallel(o.train_src, o.train_tgt);
  if (raw.train.src.empty()) throw UserError("training data '" + o.train_src + "' has no non-empty sentence pairs");
  if (raw.train.skipped_empty) spdlog::warn("skipped {} training pairs with an empty side", raw.train.skipped_empty);
  auto& r = raw.report;
  r.src_lang = o.src_lang;
  r.tgt_lang = o.tgt_lang;
  r.pairs_read = static_cast<int64_t>(raw.train.file_lines);
  r.empty = static_cast<int64_t>(raw.train.skipped_empty);
  r.invalid_utf8 = static_cast<int64_t>(raw.train.skipped_flawed);
  r.duplicate_pairs = count_duplicate_pairs(raw.train);
  if (!o.valid_src.empty()) {
    raw.valid = text::read_parallel(o.valid_src, o.valid_tgt);
    if (raw.valid.src.empty()) throw UserError("validation data '" + o.valid_src + "' has no non-empty sentence pairs");
    if (raw.valid.skipped_empty) spdlog::warn("skipped {} validation pairs with an empty side", raw.valid.skipped_empty);
  } else {
    const int64_t held = resolve_valid_size(o.valid_size, static_cast<int64_t>(raw.train.src.size()));
    auto split = split_corpus(std::move(raw.train), held, o.seed);
    raw.train = std::move(split.train);
    raw.valid = std::move(split.valid);
    raw.held_out = true;
    r.held_out = held;
    r.held_out_copies_removed = split.copies_removed;
  }
  r.valid_pairs = static_cast<int64_t>(raw.valid.src.size());
  if (o.guided.enabled()) raw.train_links = read_guided_alignment(o.guided.path, raw.train);
  spdlog::info("data: read {} training pairs{} in {:.1f}s", raw.train.src.size(),
               raw.held_out ? fmt::format(" and held out {} for validation (--valid-size {}, --seed {})", r.held_out,
                                          o.valid_size.text(), o.seed)
                            : "",
               seconds_since(start));
  return raw;
}

void keep_held_out(const TrainOptions& o, const store::ModelDir& dir, const text::ParallelCorpus& valid) {
  const bool same = o.src_lang == o.tgt_lang;
  const std::string src_path = dir.path + "/valid." + o.src_lang + (same ? ".src" : "");
  const std::string tgt_path = dir.path + "/valid." + o.tgt_lang + (same ? ".tgt" : "");
  auto joined = [](const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    return text;
  };
  const std::string src = joined(valid.src), tgt = joined(valid.tgt);
  std::error_code ec;
  if (o.resume && fs::exists(src_path, ec) && fs::exists(tgt_path, ec)) {
    if (read_file_bytes(src_path) != src || read_file_bytes(tgt_path) != tgt)
      throw UserError("--resume: the held-out validation pairs differ from " + src_path + " and " + tgt_path +
                      " (the training files, --seed or --valid-size changed since this model was started)");
    return;
  }
  write_file_atomic(src_path, src);
  write_file_atomic(tgt_path, tgt);
  spdlog::info("validation: the {} held-out pairs are in {} and {} (never trained on)", valid.src.size(), src_path,
               tgt_path);
}

TrainingData prepare_data(const TrainOptions& o, const RawData& raw, const text::Vocab& vocab) {
  const auto start = std::chrono::steady_clock::now();
  const auto& train_corpus = raw.train;
  const auto& valid_corpus = raw.valid;
  TrainingData data;
  auto& r = data.report;
  r = raw.report;
  r.max_length = o.max_length;
  r.length_ratio = o.length_ratio;
  r.extreme_ratio_dropped = o.drop_length_ratio;
  auto all_train = encode_pairs(vocab, train_corpus, o.threads, "training");
  if (!raw.train_links.empty()) log_piece_links(attach_piece_links(all_train, raw.train_links, train_corpus, vocab));
  int64_t src_words = 0, tgt_words = 0, src_pieces = 0, tgt_pieces = 0;
  for (size_t i = 0; i < all_train.size(); ++i) {
    auto& ex = all_train[i];
    src_words += whitespace_words(train_corpus.src[i]);
    tgt_words += whitespace_words(train_corpus.tgt[i]);
    src_pieces += static_cast<int64_t>(ex.src.size());
    tgt_pieces += static_cast<int64_t>(ex.tgt.size());
    const bool extreme = extreme_length_ratio(ex.src.size(), ex.tgt.size(), o.length_ratio);
    r.extreme_ratio_pairs += extreme ? 1 : 0;
    if (ex.src.empty() || ex.tgt.empty() || static_cast<int64_t>(ex.src.size()) > o.max_length ||
        static_cast<int64_t>(ex.tgt.size()) > o.max_length) {
      ++data.dropped_by_length;
    } else if (!(extreme && o.drop_length_ratio)) {
      data.train_target_tokens += static_cast<int64_t>(ex.tgt.size()) + 1;
      data.train.push_back(std::move(ex));
    }
  }
  r.over_max_length = data.dropped_by_length;
  r.src_pieces_per_word = src_words > 0 ? static_cast<double>(src_pieces) / static_cast<double>(src_words) : 0.0;
  r.tgt_pieces_per_word = tgt_words > 0 ? static_cast<double>(tgt_pieces) / static_cast<double>(tgt_words) : 0.0;
  r.training_pairs = static_cast<int64_t>(data.train.size());
  if (data.train.empty())
    throw UserError("no training pair is left after --max-length " + std::to_string(o.max_length) +
                    (o.drop_length_ratio ? " and --drop-length-ratio" : "") + " (pieces)");
  int64_t long_valid = 0;
  for (auto& ex : encode_pairs(vocab, valid_corpus, o.threads, "validation")) {
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
  spdlog::info("{}", format_data_report(r));
  spdlog::info("data: {} training pairs, {} target tokens; {} validation pairs; encoded in {:.1f}s", data.train.size(),
               data.train_target_tokens, data.valid.size(), seconds_since(start));
  return data;
}

}  // namespace crosstalk::train
