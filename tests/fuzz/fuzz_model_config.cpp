// libFuzzer target: the model's config.toml reader (store::parse_model_config).
//
// For any text, parse_model_config either returns options that pass its own value checks
// or throws crosstalk::UserError whose message starts with the file name; any other
// exception, a crash or undefined behaviour is a bug. Accepted options are checked
// independently (every count within 1..2^24, d_model even and a multiple of heads, at
// most 1024 layers per stack and 4096 heads, both dropouts within [0, 1)), and
// format_model_config must write text that reads back to exactly the same options.

#include <cmath>
#include <cstring>

#include "crosstalk/common/error.h"
#include "crosstalk/store/model_config.h"
#include "fuzz_check.h"

namespace {

using crosstalk::UserError;
using crosstalk::model::ModelOptions;

const std::string kName = "fuzz/config.toml";

void check_values(const ModelOptions& o) {
  const int64_t limit = int64_t{1} << 24;
  for (int64_t v : {o.vocab_size(), o.d_model(), o.heads(), o.encoder_layers(), o.decoder_layers(), o.ffn_dim(),
                    o.max_positions()})
    FUZZ_CHECK(v >= 1 && v <= limit, "accepted count %lld", static_cast<long long>(v));
  FUZZ_CHECK(o.d_model() % 2 == 0 && o.d_model() % o.heads() == 0, "accepted d_model %lld with %lld heads",
             static_cast<long long>(o.d_model()), static_cast<long long>(o.heads()));
  FUZZ_CHECK(o.encoder_layers() <= 1024 && o.decoder_layers() <= 1024 && o.heads() <= 4096,
             "accepted too many layers or heads");
  for (double p : {o.dropout(), o.attention_dropout()})
    FUZZ_CHECK(std::isfinite(p) && p >= 0.0 && p < 1.0, "accepted dropout %.17g", p);
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

bool same(const ModelOptions& a, const ModelOptions& b) {
  return a.vocab_size() == b.vocab_size() && a.d_model() == b.d_model() && a.heads() == b.heads() &&
         a.encoder_layers() == b.encoder_layers() && a.decoder_layers() == b.decoder_layers() &&
         a.ffn_dim() == b.ffn_dim() && same_bits(a.dropout(), b.dropout()) &&
         same_bits(a.attention_dropout(), b.attention_dropout()) && a.pre_norm() == b.pre_norm() &&
         a.tied_embeddings() == b.tied_embeddings() && a.max_positions() == b.max_positions();
}

void run(const std::string& text) {
  ModelOptions options;
  try {
    options = crosstalk::store::parse_model_config(text, kName);
  } catch (const UserError& e) {
    const std::string prefix = "'" + kName + "'";
    FUZZ_CHECK(std::strncmp(e.what(), prefix.c_str(), prefix.size()) == 0, "UserError without the file name: %s",
               e.what());
    return;
  }
  check_values(options);
  const std::string written = crosstalk::store::format_model_config(options);
  ModelOptions again;
  try {
    again = crosstalk::store::parse_model_config(written, kName);
  } catch (const UserError& e) {
    FUZZ_CHECK(false, "format_model_config output rejected: %s\n%s", e.what(), written.c_str());
  }
  FUZZ_CHECK(same(options, again), "format_model_config does not read back:\n%s", written.c_str());
  FUZZ_CHECK(crosstalk::store::format_model_config(again) == written, "format_model_config not stable");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FUZZ_GUARD(run(fuzz::input(data, size)));
  return 0;
}
