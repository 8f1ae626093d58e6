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
                              const Alignment& alignment, const SymmetrizedJson* symmetrized) {
  nlohmann::ordered_json object;
  object["sentence"] = sentence;
  object.update(sentence_json({source, target, record, selection, alignment, /*with_attention=*/true}));
  if (symmetrized) {
    const auto& sym = *symmetrized;
    auto matrix = [](const LabeledMatrix& m) { return matrix_json(m.weights.data(), m.n_rows(), m.n_cols()); };
    object["symmetrize_method"] = sym.method;
    object["reverse_word_attention"] = matrix(sym.reverse_words);
    object["reverse_alignment"] = to_pharaoh(sym.reverse_alignment);
    if (!sym.combined.weights.empty()) object["symmetrized_word_attention"] = matrix(sym.combined);
    object["symmetrized_alignment"] = to_pharaoh(sym.symmetrized);
  }
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
