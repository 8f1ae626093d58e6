#include "crosstalk/serve/api.h"

#include <algorithm>
#include <cctype>

#include "crosstalk/common/utf8.h"
#include "crosstalk/text/encode_limited.h"

namespace crosstalk::serve {

namespace {

using nlohmann::json;

// The body as a JSON object: 400 for invalid UTF-8, malformed JSON, or another type.
json parse_object(const std::string& body) {
  const auto bad = first_invalid_utf8(body);
  if (bad != std::string::npos)
    throw ApiError(400, "the body is not valid UTF-8 (byte " + std::to_string(bad) + " is not part of a character)");
  json j;
  try {
    j = json::parse(body);
  } catch (const json::parse_error& e) {
    throw ApiError(400, "malformed JSON: " + std::string(e.what()).substr(std::string(e.what()).find(' ') + 1));
  }
  if (!j.is_object()) throw ApiError(400, "the body must be a JSON object, not " + std::string(j.type_name()));
  return j;
}

// A string field, checked as a sentence: non-empty, no NUL, at most max_input_tokens pieces.
std::string sentence_field(const json& value, const std::string& name, const RequestLimits& limits,
                           const text::Vocab& vocab) {
  if (!value.is_string()) throw ApiError(400, "\"" + name + "\" must be a string, not " + value.type_name());
  const auto text = value.get<std::string>();
  if (text.find('\0') != std::string::npos) throw ApiError(400, "\"" + name + "\" contains a NUL character");
  const auto encoded = text::encode_limited(vocab, text, static_cast<size_t>(limits.max_input_tokens));
  if (encoded.truncated)
    throw ApiError(400, "\"" + name + "\" has more than " + std::to_string(limits.max_input_tokens) +
                            " pieces (--max-input-tokens)");
  if (encoded.ids.empty()) throw ApiError(400, "\"" + name + "\" is empty");
  return text;
}

// An optional target prefix: a string ("" = none), no NUL, at most max_input_tokens pieces.
std::string prefix_field(const json& value, const std::string& name, const RequestLimits& limits,
                         const text::Vocab& vocab) {
  if (!value.is_string()) throw ApiError(400, "\"" + name + "\" must be a string, not " + value.type_name());
  const auto text = value.get<std::string>();
  if (text.find('\0') != std::string::npos) throw ApiError(400, "\"" + name + "\" contains a NUL character");
  if (text::encode_limited(vocab, text, static_cast<size_t>(limits.max_input_tokens)).truncated)
    throw ApiError(400, "\"" + name + "\" has more than " + std::to_string(limits.max_input_tokens) +
                            " pieces (--max-input-tokens)");
  return text;
}

// "prefix" with "text", or "prefixes" (one per text) with "texts"; else none.
std::vector<std::string> prefixes_field(const json& j, bool many, size_t texts, const RequestLimits& limits,
                                        const text::Vocab& vocab) {
  if (j.contains(many ? "prefix" : "prefixes"))
    throw ApiError(400, many ? "\"prefix\" goes with \"text\": with \"texts\" give \"prefixes\", one per text"
                             : "\"prefixes\" goes with \"texts\": with \"text\" give \"prefix\"");
  std::vector<std::string> out(texts);
  if (!many) {
    if (j.contains("prefix")) out[0] = prefix_field(j["prefix"], "prefix", limits, vocab);
    return out;
  }
  if (!j.contains("prefixes")) return out;
  const auto& p = j["prefixes"];
  if (!p.is_array()) throw ApiError(400, std::string("\"prefixes\" must be an array of strings, not ") + p.type_name());
  if (p.size() != texts)
    throw ApiError(400, "\"prefixes\" has " + std::to_string(p.size()) + " entries for " + std::to_string(texts) +
                            " texts: give one per text (\"\" for none)");
  for (size_t i = 0; i < texts; ++i) out[i] = prefix_field(p[i], "prefixes[" + std::to_string(i) + "]", limits, vocab);
  return out;
}

int64_t int_field(const json& j, const std::string& name, int64_t fallback, int64_t low, int64_t high,
                  const std::string& range) {
  if (!j.contains(name)) return fallback;
  const auto& v = j[name];
  if (!v.is_number_integer()) throw ApiError(400, "\"" + name + "\" must be an integer, not " + v.type_name());
  const bool negative = v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0;
  if (negative || v.get<uint64_t>() < static_cast<uint64_t>(low) || v.get<uint64_t>() > static_cast<uint64_t>(high))
    throw ApiError(400, "\"" + name + "\" must be between " + range + ", got " + v.dump());
  return v.get<int64_t>();
}

bool bool_field(const json& j, const std::string& name, bool fallback) {
  if (!j.contains(name)) return fallback;
  if (!j[name].is_boolean()) throw ApiError(400, "\"" + name + "\" must be true or false, not " + j[name].type_name());
  return j[name].get<bool>();
}

}  // namespace

std::string error_body(const std::string& message) {
  return json{{"error", message}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

void require_json_content_type(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  type.erase(std::remove_if(type.begin(), type.end(), [](unsigned char c) { return std::isspace(c); }), type.end());
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  if (type != "application/json")
    throw ApiError(415, "the body must be JSON, sent with Content-Type: application/json (got " +
                            (content_type.empty() ? std::string("none") : "'" + content_type + "'") + ")");
}

TranslateRequest parse_translate_request(const std::string& body, const RequestLimits& limits,
                                         const text::Vocab& vocab) {
  const auto j = parse_object(body);
  TranslateRequest r;
  const bool one = j.contains("text"), many = j.contains("texts");
  if (one == many) throw ApiError(400, one ? "give \"text\" or \"texts\", not both" : "missing field \"text\" (or \"texts\")");
  r.many = many;
  if (one) {
    r.texts.push_back(sentence_field(j["text"], "text", limits, vocab));
  } else {
    const auto& texts = j["texts"];
    if (!texts.is_array()) throw ApiError(400, std::string("\"texts\" must be an array of strings, not ") + texts.type_name());
    if (texts.empty()) throw ApiError(400, "\"texts\" is empty");
    if (static_cast<int64_t>(texts.size()) > limits.max_batch)
      throw ApiError(400, "\"texts\" has " + std::to_string(texts.size()) + " sentences, more than " +
                              std::to_string(limits.max_batch) + " (--max-batch)");
    for (size_t i = 0; i < texts.size(); ++i)
      r.texts.push_back(sentence_field(texts[i], "texts[" + std::to_string(i) + "]", limits, vocab));
  }
  r.prefixes = prefixes_field(j, many, r.texts.size(), limits, vocab);
  r.beam = int_field(j, "beam", r.beam, 1, limits.max_beam, "1 and " + std::to_string(limits.max_beam));
  r.nbest = int_field(j, "nbest", r.nbest, 1, r.beam, "1 and beam (" + std::to_string(r.beam) + ")");
  r.attention = bool_field(j, "attention", r.attention);
  return r;
}

CompleteRequest parse_complete_request(const std::string& body, const RequestLimits& limits,
                                       const text::Vocab& vocab) {
  const auto j = parse_object(body);
  for (const char* name : {"text", "prefix"})
    if (!j.contains(name)) throw ApiError(400, std::string("missing field \"") + name + "\"");
  CompleteRequest r;
  r.text = sentence_field(j["text"], "text", limits, vocab);
  r.prefix = prefix_field(j["prefix"], "prefix", limits, vocab);
  r.k = int_field(j, "k", r.k, 1, 10, "1 and 10");
  r.beam = int_field(j, "beam", r.beam, 1, limits.max_beam, "1 and " + std::to_string(limits.max_beam));
  r.attention = bool_field(j, "attention", r.attention);
  return r;
}

AlignRequest parse_align_request(const std::string& body, const RequestLimits& limits, const text::Vocab& vocab) {
  const auto j = parse_object(body);
  for (const char* name : {"source", "target"})
    if (!j.contains(name)) throw ApiError(400, std::string("missing field \"") + name + "\"");
  AlignRequest r;
  r.source = sentence_field(j["source"], "source", limits, vocab);
  r.target = sentence_field(j["target"], "target", limits, vocab);
  r.attention = bool_field(j, "attention", r.attention);
  return r;
}

}  // namespace crosstalk::serve
