// The settings a training run derives from its corpus when the user gives none:
// names, the vocabulary size, the warmup.
#include "crosstalk/train/derived_settings.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <unordered_set>

#include <fmt/format.h>

namespace crosstalk::train {

namespace fs = std::filesystem;

namespace {

constexpr double kReferenceTokensPerSecond = 2100.0;  // target tokens/s, 2-core CPU, 2 threads
constexpr double kReferenceParameters = 7.59e6;       // configs/multi30k_de_en.toml's model
constexpr double kWarmupShare = 0.45;
constexpr int64_t kMaxWarmup = 4000, kMinWarmup = 10;

bool language_like(const std::string& s) {
  if (s.size() < 2 || s.size() > 8) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalpha(c) || c == '-' || c == '_'; });
}

std::string sanitized(const std::string& s) {
  std::string out;
  for (const unsigned char c : s) out += std::isalnum(c) || c == '.' || c == '-' || c == '_' ? static_cast<char>(c) : '_';
  return out;
}

bool generic_stem(const std::string& stem) {
  static const std::unordered_set<std::string> generic = {"train", "training", "corpus", "data", "all",
                                                          "bitext", "parallel", "text", "src", "tgt"};
  std::string lower;
  for (const unsigned char c : stem) lower += static_cast<char>(std::tolower(c));
  return lower.empty() || generic.count(lower) > 0;
}

// The common beginning of two file stems, without trailing separators.
std::string common_stem(const std::string& a, const std::string& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  std::string s = a.substr(0, n);
  while (!s.empty() && (s.back() == '.' || s.back() == '-' || s.back() == '_')) s.pop_back();
  return s;
}

int64_t round_to(double v, int64_t step) { return static_cast<int64_t>(std::llround(v / step)) * step; }

}  // namespace

CorpusNames corpus_names(const std::string& train_src, const std::string& train_tgt,
                         const std::string& src_lang_flag, const std::string& tgt_lang_flag) {
  const fs::path src(train_src), tgt(train_tgt);
  const std::string src_ext = src.has_extension() ? src.extension().string().substr(1) : "";
  const std::string tgt_ext = tgt.has_extension() ? tgt.extension().string().substr(1) : "";
  const bool from_files = language_like(src_ext) && language_like(tgt_ext) && src_ext != tgt_ext;
  CorpusNames names;
  names.src_lang = !src_lang_flag.empty() ? src_lang_flag : from_files ? src_ext : "src";
  names.tgt_lang = !tgt_lang_flag.empty() ? tgt_lang_flag : from_files ? tgt_ext : "tgt";
  const std::string src_stem = from_files ? src.stem().string() : src.filename().string();
  const std::string tgt_stem = from_files ? tgt.stem().string() : tgt.filename().string();
  std::string stem = src_stem == tgt_stem ? src_stem : common_stem(src_stem, tgt_stem);
  if (generic_stem(stem)) {
    const std::string parent = fs::absolute(src).parent_path().filename().string();
    if (!parent.empty() && parent != "/" && parent != ".") stem = parent;
  }
  names.corpus = sanitized(stem.empty() ? "corpus" : stem);
  return names;
}

std::string default_model_dir(const CorpusNames& names) {
  return "models/" + names.corpus + "_" + sanitized(names.src_lang) + "_" + sanitized(names.tgt_lang);
}

int64_t count_word_types(const text::ParallelCorpus& corpus) {
  std::unordered_set<std::string> types;
  auto add = [&types](const std::string& line) {
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      size_t j = i;
      while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
      if (j > i) types.emplace(line, i, j - i);
      i = j;
    }
  };
  for (const auto& l : corpus.src) add(l);
  for (const auto& l : corpus.tgt) add(l);
  return static_cast<int64_t>(types.size());
}

int derive_vocab_size(int64_t word_types) {
  const double fifth = static_cast<double>(word_types) / 5.0;
  int64_t v = fifth >= 5000 ? round_to(fifth, 1000) : fifth >= 1000 ? round_to(fifth, 500) : round_to(fifth, 50);
  return static_cast<int>(std::clamp<int64_t>(v, 100, 32000));
}

WarmupEstimate derive_warmup(const BudgetInputs& in) {
  WarmupEstimate e;
  double expected = -1;
  auto nearer = [&](double updates, std::string why) {
    if (expected < 0 || updates < expected) {
      expected = updates;
      e.basis = std::move(why);
    }
  };
  if (in.max_steps > 0) nearer(static_cast<double>(in.max_steps), fmt::format("--max-steps {}", in.max_steps));
  if (in.max_epochs > 0)
    nearer(static_cast<double>(in.max_epochs) * static_cast<double>(in.updates_per_epoch),
           fmt::format("--max-epochs {} x {} updates", in.max_epochs, in.updates_per_epoch));
  if (in.minutes > 0) {
    const double tok_per_s = kReferenceTokensPerSecond * kReferenceParameters / static_cast<double>(std::max<int64_t>(in.parameters, 1));
    const double updates = in.minutes * 60.0 * tok_per_s / std::max(in.target_tokens_per_update, 1.0);
    nearer(updates, fmt::format("--minutes {:g} at ~{:.0f} target tok/s, a 2-core CPU's rate for {:.2f}M parameters",
                                in.minutes, tok_per_s, static_cast<double>(in.parameters) / 1e6));
  }
  if (expected < 0) expected = static_cast<double>(kMaxWarmup) / kWarmupShare;  // no budget: GPU-scale warmup
  e.expected_updates = static_cast<int64_t>(std::llround(expected));
  e.warmup = std::clamp<int64_t>(round_to(kWarmupShare * expected, 10), kMinWarmup, kMaxWarmup);
  return e;
}

}  // namespace crosstalk::train
