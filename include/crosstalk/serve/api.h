#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "crosstalk/serve/options.h"
#include "crosstalk/text/vocab.h"

namespace crosstalk::serve {

/// A request the server answers with an HTTP error: status and one clear line,
/// sent as {"error": message}.
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

/// POST /api/translate, validated.
struct TranslateRequest {
  std::vector<std::string> texts;
  std::vector<std::string> prefixes;  // one per text: the start its translation must have ("" = none)
  bool many = false;       // "texts" was given (the answer is {"results": [...]})
  int64_t beam = 4;        // 1..limits.max_beam
  int64_t nbest = 1;       // 1..beam
  bool attention = false;  // include the attention matrices
};

/// POST /api/complete, validated: one sentence and the start of its translation.
struct CompleteRequest {
  std::string text, prefix;
  int64_t k = 3;          // next-word alternatives, 1..10
  int64_t beam = 1;       // 1..limits.max_beam: greedy by default, to keep up with typing
  bool attention = true;  // the completion's attention matrices
};

/// POST /api/align, validated.
struct AlignRequest {
  std::string source, target;
  bool attention = true;
};

/// The {"error": ...} body.
std::string error_body(const std::string& message);

/// 415 unless `content_type` is application/json (parameters such as charset allowed).
void require_json_content_type(const std::string& content_type);

/// Parse and validate a body. ApiError 400 for malformed JSON, a wrong type, a missing
/// field, an empty text (no pieces: empty or only spaces), a NUL character, invalid UTF-8, a sentence over
/// limits.max_input_tokens pieces (counted with `vocab`), more texts than limits.max_batch;
/// for the optional "prefix" (with "text") or "prefixes" (with "texts", as many): a wrong
/// type, a NUL character, more than limits.max_input_tokens pieces, another count than "texts".
/// Fields the contract does not name are ignored.
TranslateRequest parse_translate_request(const std::string& body, const RequestLimits& limits,
                                         const text::Vocab& vocab);
/// ApiError 400 as for translate, plus: a missing "prefix", "k" outside 1..10.
CompleteRequest parse_complete_request(const std::string& body, const RequestLimits& limits,
                                       const text::Vocab& vocab);
AlignRequest parse_align_request(const std::string& body, const RequestLimits& limits, const text::Vocab& vocab);

}  // namespace crosstalk::serve
