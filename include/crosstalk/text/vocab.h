#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace crosstalk::text {

namespace spm {
class Processor;  // private: src/text/spm_backend/spm_backend.h
}

/// Special ids every crosstalk vocabulary uses (checked on load).
inline constexpr int kPadId = 0, kUnkId = 1, kBosId = 2, kEosId = 3;

struct VocabTrainOptions {
  int vocab_size = 8000;
  std::string model_type = "unigram";  // "unigram" or "bpe"; anything else -> UserError
  double character_coverage = 1.0;
  int threads = 2;
  int64_t input_sentence_size = 0;  // 0 = all sentences
};

/// A SentencePiece subword vocabulary (joint over source and target).
///
/// Cheap to copy (the processor is shared and only used through const, thread-safe
/// calls). Text is normalized with SentencePiece's default NFKC rule, so
/// decode(encode(s)) == s holds for normalized text (single spaces, no leading or
/// trailing whitespace) whose characters are all in the vocabulary.
class Vocab {
 public:
  Vocab();  // empty/unloaded

  /// Loads a .model file. UserError if it is missing/unreadable, not a SentencePiece
  /// model, or its pad/unk/bos/eos ids differ from kPadId/kUnkId/kBosId/kEosId.
  static Vocab load(const std::string& model_path);

  /// Same as load(), from the model proto bytes (e.g. as stored in a checkpoint).
  /// `origin` names where the bytes came from in error messages.
  static Vocab from_serialized(const std::string& bytes, const std::string& origin);

  /// Trains a SentencePiece model on the given UTF-8 text files (joint vocabulary),
  /// writes <model_prefix>.model and <model_prefix>.vocab (creating the parent
  /// directory if needed) and returns the loaded Vocab. UserError on bad options,
  /// unreadable inputs or a SentencePiece failure (with its message).
  static Vocab train(const std::vector<std::string>& input_files, const std::string& model_prefix,
                     const VocabTrainOptions& opts);
  /// The same on lines already read (and checked) by the caller.
  static Vocab train_on_lines(const std::vector<std::string>& lines, const std::string& model_prefix,
                              const VocabTrainOptions& opts);

  std::vector<int> encode(const std::string& text) const;  // ids, no BOS/EOS
  /// encode() per line, split over `threads` std::threads (<= 0: hardware concurrency).
  std::vector<std::vector<int>> encode_batch(const std::vector<std::string>& lines,
                                             int threads) const;
  std::vector<std::string> encode_pieces(const std::string& text) const;
  /// Ignores pad/bos/eos ids; std::out_of_range for ids outside [0, size()).
  std::string decode(const std::vector<int>& ids) const;
  std::string piece(int id) const;  // std::out_of_range for ids outside [0, size())
  int size() const;                 // 0 when unloaded
  bool loaded() const;
  const std::string& serialized() const;  // the model proto bytes ("" when unloaded)

 private:
  const spm::Processor& processor() const;  // std::logic_error if unloaded

  // SentencePiece itself lives in a run-time-loaded module (see vocab.cpp).
  std::shared_ptr<const spm::Processor> sp_;
  std::string serialized_;
};

}  // namespace crosstalk::text
