#pragma once

// Private interface between crosstalk_core (src/text/spm_module.cpp) and the
// crosstalk_spm_backend module (spm_backend.cpp, built as a MODULE library).
//
// Why a module: Debian's libsentencepiece embeds its own protobuf-lite 3.14 and exports
// its google::protobuf symbols, while libtorch links libprotobuf 3.21. In one global
// symbol scope the two collide (crash during static initialization, or SentencePiece's
// protobuf version check aborts). spm_module.cpp therefore dlopen()s the module with
// RTLD_LOCAL | RTLD_DEEPBIND, so SentencePiece and its protobuf only ever see themselves.
//
// The module exports ONE extern "C" symbol, the factory kFactorySymbol; everything else
// is reached through virtual calls (no symbol lookup). std::string / std::vector /
// std::unique_ptr cross the boundary safely: both sides use the process's one libstdc++.
// No exception is meant to cross it: errors come back as strings.
//
// Change kAbiVersion whenever anything in this file changes, so that a stale module is
// reported instead of misbehaving.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace crosstalk::text::spm {

inline constexpr int kAbiVersion = 1;

/// A loaded SentencePiece model. Every method is const and thread-safe (like
/// sentencepiece::SentencePieceProcessor's Encode/Decode).
class Processor {
 public:
  virtual ~Processor() = default;

  /// Each returns "" on success, else SentencePiece's status as text (Status::ToString()).
  virtual std::string encode(const std::string& text, std::vector<int>* ids) const = 0;
  virtual std::string encode(const std::string& text, std::vector<std::string>* pieces) const = 0;
  virtual std::string decode(const std::vector<int>& ids, std::string* text) const = 0;

  virtual std::string piece(int id) const = 0;  // id must be in [0, piece_size())
  virtual int piece_size() const = 0;
  virtual int pad_id() const = 0;
  virtual int unk_id() const = 0;
  virtual int bos_id() const = 0;
  virtual int eos_id() const = 0;
};

/// The module's entry object: a process-wide singleton, never destroyed.
class Backend {
 public:
  /// Parses a serialized ModelProto. nullptr (and *error set) if it does not parse.
  virtual std::unique_ptr<Processor> load(const std::string& serialized,
                                          std::string* error) const = 0;

  /// Runs sentencepiece::SentencePieceTrainer::Train(args, <sentences>), which writes
  /// <args["model_prefix"]>.model and .vocab. If `seed` is set, SentencePiece's random
  /// generator is seeded first (reproducible input sampling). Returns "" on success, else
  /// SentencePiece's error message (stripped of its source-location prefix).
  virtual std::string train(const std::vector<std::string>& sentences,
                            const std::unordered_map<std::string, std::string>& args,
                            std::optional<unsigned int> seed) const = 0;

 protected:
  ~Backend() = default;
};

/// extern "C" Backend* crosstalk_spm_backend(int expected_abi, int* module_abi):
/// sets *module_abi (if not null) to the module's kAbiVersion and returns the backend, or
/// nullptr when expected_abi differs from it.
using FactoryFn = Backend* (*)(int expected_abi, int* module_abi);
inline constexpr const char* kFactorySymbol = "crosstalk_spm_backend";

}  // namespace crosstalk::text::spm
