#include "crosstalk/text/vocab.h"

#include <dlfcn.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crosstalk/common/error.h"
#include "crosstalk/text/corpus.h"
#include "spm_module.h"

namespace crosstalk::text {
namespace {

// ---- helpers ---------------------------------------------------------------------------

std::string read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw UserError("cannot read vocabulary model '" + path + "': Is a directory");
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno != 0 ? errno : ENOENT;
    throw UserError("cannot open vocabulary model '" + path + "': " + std::strerror(err));
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw UserError("cannot read vocabulary model '" + path + "'");
  return bytes.str();
}

std::string format_double(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

void check_id(int actual, int expected, const char* name, const std::string& origin) {
  if (actual != expected) {
    throw UserError("vocabulary model '" + origin + "' has " + name + " id " +
                    std::to_string(actual) + ", expected " + std::to_string(expected) +
                    " (train it with crosstalk, or with pad_id=0 unk_id=1 bos_id=2 eos_id=3)");
  }
}

}  // namespace

Vocab::Vocab() = default;

Vocab Vocab::load(const std::string& model_path) {
  return from_serialized(read_file_bytes(model_path), model_path);
}

Vocab Vocab::from_serialized(const std::string& bytes, const std::string& origin) {
  if (bytes.empty()) {
    throw UserError("vocabulary model '" + origin + "' is empty (not a SentencePiece model)");
  }
  std::string error;
  std::shared_ptr<const spm::Processor> sp = backend().load(bytes, &error);
  if (!sp) {
    throw UserError("'" + origin + "' is not a SentencePiece model (it does not parse as one)");
  }
  if (sp->piece_size() <= kEosId) {
    throw UserError("vocabulary model '" + origin + "' has only " +
                    std::to_string(sp->piece_size()) + " pieces");
  }
  check_id(sp->pad_id(), kPadId, "pad", origin);
  check_id(sp->unk_id(), kUnkId, "unk", origin);
  check_id(sp->bos_id(), kBosId, "bos", origin);
  check_id(sp->eos_id(), kEosId, "eos", origin);
  Vocab vocab;
  vocab.sp_ = std::move(sp);
  vocab.serialized_ = bytes;
  return vocab;
}

Vocab Vocab::train(const std::vector<std::string>& input_files, const std::string& model_prefix,
                   const VocabTrainOptions& opts) {
  if (input_files.empty()) throw UserError("vocabulary training needs at least one input file");
  // Read (and UTF-8-check) the inputs ourselves: clear errors, and file names with
  // commas cannot confuse SentencePiece's comma-separated --input flag.
  std::vector<std::string> lines;
  for (const auto& file : input_files) {
    std::vector<std::string> part = read_lines(file);
    lines.insert(lines.end(), std::make_move_iterator(part.begin()),
                 std::make_move_iterator(part.end()));
  }
  return train_on_lines(lines, model_prefix, opts);
}

Vocab Vocab::train_on_lines(const std::vector<std::string>& lines, const std::string& model_prefix,
                            const VocabTrainOptions& opts) {
  if (model_prefix.empty()) throw UserError("vocabulary training needs a model prefix");
  if (opts.model_type != "unigram" && opts.model_type != "bpe") {
    throw UserError("unknown vocabulary model type '" + opts.model_type +
                    "' (expected 'unigram' or 'bpe')");
  }
  if (opts.vocab_size <= kEosId + 1) {
    throw UserError("vocabulary size must be greater than " + std::to_string(kEosId + 1) +
                    ", got " + std::to_string(opts.vocab_size));
  }
  if (!(opts.character_coverage > 0.0 && opts.character_coverage <= 1.0)) {
    throw UserError("character coverage must be in (0, 1], got " +
                    format_double(opts.character_coverage));
  }
  if (opts.input_sentence_size < 0) {
    throw UserError("input sentence size must be >= 0, got " +
                    std::to_string(opts.input_sentence_size));
  }

  if (std::none_of(lines.begin(), lines.end(), [](const std::string& l) { return !l.empty(); })) {
    throw UserError("cannot train a vocabulary: the input files contain no text");
  }

  const std::filesystem::path parent = std::filesystem::path(model_prefix).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      throw UserError("cannot create directory '" + parent.string() + "': " + ec.message());
    }
  }

  std::unordered_map<std::string, std::string> args = {
      {"model_prefix", model_prefix},
      {"vocab_size", std::to_string(opts.vocab_size)},
      {"model_type", opts.model_type},
      {"character_coverage", format_double(opts.character_coverage)},
      {"num_threads", std::to_string(std::max(1, opts.threads))},
      {"pad_id", std::to_string(kPadId)},
      {"unk_id", std::to_string(kUnkId)},
      {"bos_id", std::to_string(kBosId)},
      {"eos_id", std::to_string(kEosId)},
      {"hard_vocab_limit", "false"},
      {"minloglevel", "2"},
  };
  std::optional<unsigned int> seed;
  if (opts.input_sentence_size > 0) {
    args["input_sentence_size"] = std::to_string(opts.input_sentence_size);
    args["shuffle_input_sentence"] = "true";
    seed = 1234;  // reproducible sampling
  }
  const std::string error = backend().train(lines, args, seed);
  if (!error.empty()) {
    throw UserError("SentencePiece training failed for '" + model_prefix + ".model': " + error);
  }
  return load(model_prefix + ".model");
}

const spm::Processor& Vocab::processor() const {
  if (!sp_) throw std::logic_error("crosstalk::text::Vocab used before a model was loaded");
  return *sp_;
}

std::vector<int> Vocab::encode(const std::string& text) const {
  std::vector<int> ids;
  const std::string error = processor().encode(text, &ids);
  if (!error.empty()) throw std::runtime_error("SentencePiece encode failed: " + error);
  return ids;
}

std::vector<std::vector<int>> Vocab::encode_batch(const std::vector<std::string>& lines,
                                                  int threads) const {
  processor();  // fail early (in this thread) if unloaded
  std::vector<std::vector<int>> out(lines.size());
  size_t n_threads = threads > 0 ? static_cast<size_t>(threads)
                                 : std::max(1u, std::thread::hardware_concurrency());
  // Below ~256 lines a thread costs more than it saves.
  n_threads = std::min(n_threads, std::max<size_t>(1, lines.size() / 256));
  auto work = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) out[i] = encode(lines[i]);
  };
  if (n_threads <= 1) {
    work(0, lines.size());
    return out;
  }
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(n_threads);
  const size_t chunk = (lines.size() + n_threads - 1) / n_threads;
  for (size_t t = 0; t < n_threads; ++t) {
    const size_t begin = std::min(lines.size(), t * chunk);
    const size_t end = std::min(lines.size(), begin + chunk);
    pool.emplace_back([&, t, begin, end] {
      try {
        work(begin, end);
      } catch (...) {
        errors[t] = std::current_exception();
      }
    });
  }
  for (auto& th : pool) th.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return out;
}

std::vector<std::string> Vocab::encode_pieces(const std::string& text) const {
  std::vector<std::string> pieces;
  const std::string error = processor().encode(text, &pieces);
  if (!error.empty()) throw std::runtime_error("SentencePiece encode failed: " + error);
  return pieces;
}

std::string Vocab::decode(const std::vector<int>& ids) const {
  const int n = processor().piece_size();
  std::vector<int> kept;
  kept.reserve(ids.size());
  for (const int id : ids) {
    if (id < 0 || id >= n) {
      throw std::out_of_range("token id " + std::to_string(id) + " outside vocabulary of size " +
                              std::to_string(n));
    }
    if (id == kPadId || id == kBosId || id == kEosId) continue;
    kept.push_back(id);
  }
  std::string text;
  const std::string error = processor().decode(kept, &text);
  if (!error.empty()) throw std::runtime_error("SentencePiece decode failed: " + error);
  return text;
}

std::string Vocab::piece(int id) const {
  const auto& sp = processor();
  if (id < 0 || id >= sp.piece_size()) {
    throw std::out_of_range("token id " + std::to_string(id) + " outside vocabulary of size " +
                            std::to_string(sp.piece_size()));
  }
  return sp.piece(id);
}

int Vocab::size() const { return sp_ ? sp_->piece_size() : 0; }

bool Vocab::loaded() const { return static_cast<bool>(sp_); }

const std::string& Vocab::serialized() const { return serialized_; }

}  // namespace crosstalk::text
