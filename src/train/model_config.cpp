#include "crosstalk/train/model_config.h"

#include <cmath>
#include <functional>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "crosstalk/common/atomic_file.h"
#include "crosstalk/common/error.h"

namespace crosstalk::train {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

struct Field {
  std::function<std::string(const model::ModelOptions&)> get;
  std::function<void(model::ModelOptions&, const std::string&)> set;
};

int64_t parse_int(const std::string& v) {
  size_t used = 0;
  const auto x = std::stoll(v, &used);
  if (used != v.size()) throw std::invalid_argument(v);
  return x;
}
double parse_double(const std::string& v) {
  size_t used = 0;
  const auto x = std::stod(v, &used);
  if (used != v.size()) throw std::invalid_argument(v);
  return x;
}
// The shortest decimal text that reads back as exactly `x` (0.1 -> "0.1").
std::string shortest_text(double x) {
  for (int precision = 6; precision <= 17; ++precision) {
    std::ostringstream s;
    s << std::setprecision(precision) << x;
    if (std::stod(s.str()) == x) return s.str();
  }
  std::ostringstream s;
  s << std::setprecision(17) << x;
  return s.str();
}

bool parse_bool(const std::string& v) {
  if (v == "true") return true;
  if (v == "false") return false;
  throw std::invalid_argument(v);
}

#define CROSSTALK_INT_FIELD(name) \
  {#name, {[](const model::ModelOptions& o) { return std::to_string(o.name()); }, \
           [](model::ModelOptions& o, const std::string& v) { o.name(parse_int(v)); }}}
#define CROSSTALK_DOUBLE_FIELD(name) \
  {#name, {[](const model::ModelOptions& o) { return shortest_text(o.name()); }, \
           [](model::ModelOptions& o, const std::string& v) { o.name(parse_double(v)); }}}
#define CROSSTALK_BOOL_FIELD(name) \
  {#name, {[](const model::ModelOptions& o) { return std::string(o.name() ? "true" : "false"); }, \
           [](model::ModelOptions& o, const std::string& v) { o.name(parse_bool(v)); }}}

const std::map<std::string, Field>& fields() {
  static const std::map<std::string, Field> table = {
      CROSSTALK_INT_FIELD(vocab_size),     CROSSTALK_INT_FIELD(d_model),
      CROSSTALK_INT_FIELD(heads),          CROSSTALK_INT_FIELD(encoder_layers),
      CROSSTALK_INT_FIELD(decoder_layers), CROSSTALK_INT_FIELD(ffn_dim),
      CROSSTALK_DOUBLE_FIELD(dropout),     CROSSTALK_DOUBLE_FIELD(attention_dropout),
      CROSSTALK_BOOL_FIELD(pre_norm),      CROSSTALK_BOOL_FIELD(tied_embeddings),
      CROSSTALK_INT_FIELD(max_positions),
  };
  return table;
}

// Values that parse but cannot build a model (a hand-edited or corrupted file).
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

std::string printable(const std::string& s) {
  std::string out;
  for (const unsigned char c : s.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  return out;
}

}  // namespace

std::string format_model_config(const model::ModelOptions& options) {
  std::ostringstream out;
  out << "# crosstalk model hyper-parameters (written by `crosstalk train`, read by translate)\n";
  for (const auto& [key, field] : fields()) out << key << " = " << field.get(options) << "\n";
  return out.str();
}

model::ModelOptions parse_model_config(const std::string& text, const std::string& name) {
  model::ModelOptions options;
  std::set<std::string> seen;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = trim(line.substr(0, line.find('#')));
    if (line.empty() || line[0] == '[') continue;
    const auto eq = line.find('=');
    const std::string where = "'" + name + "' line " + std::to_string(number);
    if (eq == std::string::npos) throw UserError(where + ": expected `key = value`");
    const auto key = trim(line.substr(0, eq));
    const auto value = trim(line.substr(eq + 1));
    const auto it = fields().find(key);
    if (it == fields().end()) throw UserError(where + ": unknown key '" + printable(key) + "'");
    if (!seen.insert(key).second) throw UserError(where + ": '" + key + "' is given twice");
    try {
      it->second.set(options, value);
    } catch (const std::exception&) {
      throw UserError(where + ": bad value '" + printable(value) + "' for '" + key + "'");
    }
  }
  for (const auto& [key, field] : fields())
    if (!seen.count(key)) throw UserError("'" + name + "': missing key '" + key + "'");
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

}  // namespace crosstalk::train
