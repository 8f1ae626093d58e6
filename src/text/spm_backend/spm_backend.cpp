// The crosstalk_spm_backend module: every SentencePiece call of crosstalk lives here.
// See spm_backend.h for why. Links libsentencepiece(_train) only: never torch or protobuf.

#include "spm_backend.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <exception>
#include <memory>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

namespace crosstalk::text::spm {
namespace {

std::string status_text(const sentencepiece::util::Status& status) {
  return status.ok() ? std::string() : status.ToString();
}

/// SentencePiece statuses read "Internal: ./src/x.cc(580) [condition] What went wrong.";
/// keep the part a user can act on.
std::string clean_status(const sentencepiece::util::Status& status) {
  std::string msg = status.error_message();
  const size_t src = msg.find(".cc(");
  if (src != std::string::npos) {
    const size_t end = msg.find("] ", src);
    if (end != std::string::npos && end + 2 < msg.size()) msg = msg.substr(end + 2);
  }
  while (!msg.empty() && (msg.back() == ' ' || msg.back() == '\n')) msg.pop_back();
  return msg.empty() ? status.ToString() : msg;
}

std::string current_exception_text() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

class SpmProcessor final : public Processor {
 public:
  std::string encode(const std::string& text, std::vector<int>* ids) const override {
    return status_text(sp_.Encode(text, ids));
  }
  std::string encode(const std::string& text, std::vector<std::string>* pieces) const override {
    return status_text(sp_.Encode(text, pieces));
  }
  std::string decode(const std::vector<int>& ids, std::string* text) const override {
    return status_text(sp_.Decode(ids, text));
  }
  std::string piece(int id) const override { return sp_.IdToPiece(id); }
  int piece_size() const override { return sp_.GetPieceSize(); }
  int pad_id() const override { return sp_.pad_id(); }
  int unk_id() const override { return sp_.unk_id(); }
  int bos_id() const override { return sp_.bos_id(); }
  int eos_id() const override { return sp_.eos_id(); }

  sentencepiece::SentencePieceProcessor& sp() { return sp_; }

 private:
  sentencepiece::SentencePieceProcessor sp_;
};

/// Feeds already-read lines to the SentencePiece trainer.
class LinesIterator : public sentencepiece::SentenceIterator {
 public:
  explicit LinesIterator(const std::vector<std::string>& lines) : lines_(lines) {}
  bool done() const override { return pos_ >= lines_.size(); }
  void Next() override { ++pos_; }
  const std::string& value() const override { return lines_[pos_]; }
  sentencepiece::util::Status status() const override { return sentencepiece::util::Status(); }

 private:
  const std::vector<std::string>& lines_;
  size_t pos_ = 0;
};

class SpmBackend final : public Backend {
 public:
  std::unique_ptr<Processor> load(const std::string& serialized,
                                  std::string* error) const override {
    try {
      auto processor = std::make_unique<SpmProcessor>();
      const auto status = processor->sp().LoadFromSerializedProto(serialized);
      if (!status.ok()) {
        if (error) *error = status.ToString();
        return nullptr;
      }
      return processor;
    } catch (...) {
      if (error) *error = current_exception_text();
      return nullptr;
    }
  }

  std::string train(const std::vector<std::string>& sentences,
                    const std::unordered_map<std::string, std::string>& args,
                    std::optional<unsigned int> seed) const override {
    try {
      if (seed) sentencepiece::SetRandomGeneratorSeed(*seed);
      LinesIterator it(sentences);
      const auto status = sentencepiece::SentencePieceTrainer::Train(args, &it);
      return status.ok() ? std::string() : clean_status(status);
    } catch (...) {
      const std::string what = current_exception_text();
      return what.empty() ? "unknown error" : what;
    }
  }
};

}  // namespace
}  // namespace crosstalk::text::spm

extern "C" __attribute__((visibility("default"))) crosstalk::text::spm::Backend*
crosstalk_spm_backend(int expected_abi, int* module_abi) {
  if (module_abi) *module_abi = crosstalk::text::spm::kAbiVersion;
  if (expected_abi != crosstalk::text::spm::kAbiVersion) return nullptr;
  static crosstalk::text::spm::SpmBackend backend;
  return &backend;
}
