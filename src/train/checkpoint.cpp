#include "crosstalk/train/checkpoint.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <map>
#include <sstream>

#include "crosstalk/common/error.h"

namespace crosstalk::train {

namespace fs = std::filesystem;

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

void require_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw UserError("model directory is missing its " + what + ": '" + path + "' not found");
}

}  // namespace

void write_file_atomic(const std::string& path, const std::string& contents) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw UserError("cannot write '" + tmp + "'");
    out << contents;
    if (!out.flush()) throw UserError("cannot write '" + tmp + "'");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw UserError("cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
}

void write_model_config(const std::string& path, const model::ModelOptions& options) {
  std::ostringstream out;
  out << "# crosstalk model hyper-parameters (written by `crosstalk train`, read by translate)\n";
  for (const auto& [key, field] : fields()) out << key << " = " << field.get(options) << "\n";
  write_file_atomic(path, out.str());
}

model::ModelOptions read_model_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UserError("cannot read model config '" + path + "'");
  model::ModelOptions options;
  std::map<std::string, bool> seen;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = trim(line.substr(0, line.find('#')));
    if (line.empty() || line[0] == '[') continue;
    const auto eq = line.find('=');
    const std::string where = "'" + path + "' line " + std::to_string(number);
    if (eq == std::string::npos) throw UserError(where + ": expected `key = value`");
    const auto key = trim(line.substr(0, eq));
    const auto value = trim(line.substr(eq + 1));
    const auto it = fields().find(key);
    if (it == fields().end()) throw UserError(where + ": unknown key '" + key + "'");
    try {
      it->second.set(options, value);
    } catch (const std::exception&) {
      throw UserError(where + ": bad value '" + value + "' for '" + key + "'");
    }
    seen[key] = true;
  }
  for (const auto& [key, field] : fields())
    if (!seen.count(key)) throw UserError("'" + path + "': missing key '" + key + "'");
  return options;
}

void save_weights(model::Transformer& model, const std::string& path) {
  const std::string tmp = path + ".tmp";
  torch::save(model, tmp);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw UserError("cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
}

void load_weights(model::Transformer& model, const std::string& path) {
  require_file(path, "weights");
  // torch::load replaces tensors wholesale (set_), shapes included: check them.
  std::map<std::string, std::vector<int64_t>> expected;
  for (const auto& item : model->named_parameters()) expected[item.key()] = item.value().sizes().vec();
  for (const auto& item : model->named_buffers()) expected[item.key()] = item.value().sizes().vec();
  try {
    torch::load(model, path);
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    throw UserError("cannot load weights '" + path + "': " + what.substr(0, what.find('\n')));
  }
  auto check = [&](const std::string& name, const torch::Tensor& t) {
    const auto it = expected.find(name);
    if (it != expected.end() && it->second != t.sizes().vec()) {
      std::ostringstream m;
      m << "weights '" << path << "' do not fit this model: '" << name << "' has shape " << t.sizes()
        << " in the file but " << c10::IntArrayRef(it->second) << " in the model (config.toml and weights disagree)";
      throw UserError(m.str());
    }
  };
  for (const auto& item : model->named_parameters()) check(item.key(), item.value());
  for (const auto& item : model->named_buffers()) check(item.key(), item.value());
}

LoadedModel load_model_dir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw UserError("model directory '" + dir + "' does not exist");
  ModelDir files(dir);
  require_file(files.config(), "hyper-parameters (config.toml)");
  require_file(files.vocab(), "SentencePiece model (spm.model)");
  LoadedModel loaded;
  loaded.weights = fs::is_regular_file(files.best(), ec) ? files.best() : files.last();
  require_file(loaded.weights, "weights (best.pt or last.pt)");
  const auto options = read_model_config(files.config());
  loaded.vocab = text::Vocab::load(files.vocab());
  if (loaded.vocab.size() != options.vocab_size())
    throw UserError("'" + files.vocab() + "' has " + std::to_string(loaded.vocab.size()) +
                    " pieces but config.toml says vocab_size = " + std::to_string(options.vocab_size()));
  loaded.model = model::Transformer(options, text::kPadId);
  load_weights(loaded.model, loaded.weights);
  loaded.model->eval();
  return loaded;
}

}  // namespace crosstalk::train
