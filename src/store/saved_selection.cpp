// alignment.toml through toml++ (store/saved_selection.h).
#include "crosstalk/store/saved_selection.h"

#include <filesystem>
#include <sstream>

#include "crosstalk/common/atomic_file.h"
#include "crosstalk/common/error.h"
#include "crosstalk/store/toml_file.h"

namespace crosstalk::store {

namespace {

// A layer or head: a number, or its text as on the command line (align/selection.h).
int64_t parse_index(const toml::node& node, int64_t (*parse)(const std::string&, const std::string&),
                    const std::string& what) {
  if (const auto* n = node.as_integer()) return parse(std::to_string(n->get()), what);
  if (const auto* s = node.as_string()) return parse(s->get(), what);
  return parse("(not a number or a string)", what);
}

}  // namespace

std::string selection_path(const std::string& model_dir) { return model_dir + "/alignment.toml"; }

std::string format_selection(const SavedSelection& s) {
  std::ostringstream out;
  out << "# crosstalk: how align and translate --alignment read this model's cross-attention by default\n";
  out << (s.attention.layer == 0 ? toml_line("layer", std::string("all")) : toml_line("layer", s.attention.layer))
      << "  # 1..layers, or \"all\" (averaged)\n";
  out << (s.attention.head == 0 ? toml_line("head", std::string("avg")) : toml_line("head", s.attention.head))
      << "  # 1..heads, or \"avg\" (averaged)\n";
  out << toml_line("symmetrize", align::method_name(s.method)) << "  # with --reverse-model\n";
  out << toml_line("origin", s.origin) << "\n";
  return out.str();
}

SavedSelection parse_selection(const std::string& text, const std::string& name) {
  const auto table = parse_toml(text, name);
  SavedSelection s;
  for (const auto& [key, node] : table) {
    const std::string at = where(name, node);
    if (key == "layer") s.attention.layer = parse_index(node, align::parse_layer, at + ": layer");
    else if (key == "head") s.attention.head = parse_index(node, align::parse_head, at + ": head");
    else if (key == "symmetrize")
      s.method = align::parse_symmetrize_method(string_value(node, "symmetrize", name), at + ": symmetrize");
    else if (key == "origin") s.origin = string_value(node, "origin", name);
    else throw UserError(at + ": unknown key '" + std::string(key.str()) + "' (layer, head, symmetrize, origin)");
  }
  return s;
}

std::optional<SavedSelection> read_selection(const std::string& model_dir) {
  const auto path = selection_path(model_dir);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  return parse_selection(read_file_bytes(path), path);
}

void write_selection(const std::string& model_dir, const SavedSelection& selection) {
  write_file_atomic(selection_path(model_dir), format_selection(selection));
}

}  // namespace crosstalk::store
