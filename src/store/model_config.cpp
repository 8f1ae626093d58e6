// config.toml through toml++ (store/model_config.h).
#include "crosstalk/store/model_config.h"

#include <functional>
#include <set>
#include <sstream>
#include <vector>

#include "crosstalk/common/atomic_file.h"
#include "crosstalk/common/error.h"
#include "crosstalk/store/toml_file.h"

namespace crosstalk::store {

namespace {

struct Field {
  const char* key;
  std::function<std::string(const model::ModelOptions&)> line;
  std::function<void(model::ModelOptions&, const toml::node&, const std::string& name)> set;
};

#define CROSSTALK_FIELD(name, reader, type)                                                          \
  Field {                                                                                            \
    #name, [](const model::ModelOptions& o) { return toml_line(#name, static_cast<type>(o.name())); }, \
        [](model::ModelOptions& o, const toml::node& v, const std::string& file) {                  \
          o.name(reader(v, #name, file));                                                            \
        }                                                                                            \
  }

// Every setting of model::ModelOptions, in the file's order.
const std::vector<Field>& fields() {
  static const std::vector<Field> table = {
      CROSSTALK_FIELD(attention_dropout, number_value, double),
      CROSSTALK_FIELD(d_model, integer_value, int64_t),
      CROSSTALK_FIELD(decoder_layers, integer_value, int64_t),
      CROSSTALK_FIELD(dropout, number_value, double),
      CROSSTALK_FIELD(encoder_layers, integer_value, int64_t),
      CROSSTALK_FIELD(ffn_dim, integer_value, int64_t),
      CROSSTALK_FIELD(heads, integer_value, int64_t),
      CROSSTALK_FIELD(max_positions, integer_value, int64_t),
      CROSSTALK_FIELD(pre_norm, bool_value, bool),
      CROSSTALK_FIELD(tied_embeddings, bool_value, bool),
      CROSSTALK_FIELD(vocab_size, integer_value, int64_t),
  };
  return table;
}
#undef CROSSTALK_FIELD

// Values of the right type that cannot build a model (a hand-edited or corrupted file).
void check_values(const model::ModelOptions& o, const std::string& name) {
  auto fail = [&](const std::string& m) { throw UserError("'" + name + "': " + m); };
  const int64_t kLimit = int64_t{1} << 24;  // far above any model this runs; keeps products in range
  auto positive = [&](int64_t v, const char* key) {
    if (v <= 0 || v > kLimit) fail(std::string(key) + " = " + std::to_string(v) + " is out of range (1.." + std::to_string(kLimit) + ")");
  };
  positive(o.vocab_size(), "vocab_size");
  positive(o.d_model(), "d_model");
  positive(o.heads(), "heads");
  positive(o.encoder_layers(), "encoder_layers");
  positive(o.decoder_layers(), "decoder_layers");
  positive(o.ffn_dim(), "ffn_dim");
  positive(o.max_positions(), "max_positions");
  if (o.d_model() % o.heads() != 0 || o.d_model() % 2 != 0) fail("d_model must be even and a multiple of heads");
  if (o.encoder_layers() > 1024 || o.decoder_layers() > 1024 || o.heads() > 4096) fail("too many layers or heads");
  auto probability = [&](double v, const char* key) {
    if (!(v >= 0 && v < 1)) fail(std::string(key) + " must be in [0, 1)");
  };
  probability(o.dropout(), "dropout");
  probability(o.attention_dropout(), "attention_dropout");
}

std::string printable(std::string_view s) {
  std::string out;
  for (const unsigned char c : s.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  return out;
}

}  // namespace

std::string format_model_config(const model::ModelOptions& options) {
  std::ostringstream out;
  out << "# crosstalk model hyper-parameters (written by `crosstalk train`, read by translate)\n";
  for (const auto& field : fields()) out << field.line(options) << "\n";
  return out.str();
}

model::ModelOptions parse_model_config(const std::string& text, const std::string& name) {
  const auto table = parse_toml(text, name);
  model::ModelOptions options;
  std::set<std::string> seen;
  for (const auto& [key, node] : table) {
    const std::string k(key.str());
    const Field* field = nullptr;
    for (const auto& f : fields())
      if (k == f.key) field = &f;
    if (!field) throw UserError(where(name, node) + ": unknown key '" + printable(k) + "'");
    field->set(options, node, name);
    seen.insert(k);
  }
  for (const auto& field : fields())
    if (!seen.count(field.key)) throw UserError("'" + name + "': missing key '" + field.key + "'");
  check_values(options, name);
  return options;
}

void write_model_config(const std::string& path, const model::ModelOptions& options) {
  write_file_atomic(path, format_model_config(options));
}

model::ModelOptions read_model_config(const std::string& path) {
  std::string text;
  try {
    text = read_file_bytes(path);
  } catch (const UserError&) {
    throw UserError("cannot read model config '" + path + "'");
  }
  return parse_model_config(text, path);
}

}  // namespace crosstalk::store
