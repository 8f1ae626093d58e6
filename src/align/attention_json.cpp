#include "crosstalk/align/attention_json.h"

#include "crosstalk/align/sentence_json.h"
#include "crosstalk/common/error.h"
#include "crosstalk/common/json_text.h"
#include "crosstalk/common/open_file.h"

namespace crosstalk::align {

AttentionJsonWriter::AttentionJsonWriter(const std::string& path) : path_(path), out_(open_for_writing(path, "--json")) {
  out_ << "{\"format\": \"crosstalk-attention-1\",\n \"sentences\": [";
}

AttentionJsonWriter::~AttentionJsonWriter() {
  if (!closed_) {
    try {
      close();
    } catch (...) {
    }
  }
}

void AttentionJsonWriter::add(int64_t sentence, const std::string& source, const std::string& target,
                              const AttentionRecord& record, const AttentionSelection& selection,
                              const Alignment& alignment) {
  nlohmann::ordered_json object;
  object["sentence"] = sentence;
  object.update(sentence_json({source, target, record, selection, alignment, /*with_attention=*/true}));
  out_ << (first_ ? "\n  " : ",\n  ") << json_text(object, /*spaced=*/true);
  first_ = false;
}

void AttentionJsonWriter::close() {
  if (closed_) return;
  closed_ = true;
  out_ << "\n ]}\n";
  out_.close();
  if (!out_) throw UserError("writing --json '" + path_ + "' failed");
}

}  // namespace crosstalk::align
