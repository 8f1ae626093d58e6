#include "crosstalk/align/saved_selection.h"

#include <filesystem>
#include <set>
#include <sstream>

#include "crosstalk/common/atomic_file.h"
#include "crosstalk/common/error.h"
#include "crosstalk/common/positive_index.h"

namespace crosstalk::align {

namespace {

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

// A TOML basic string "..." (no escapes but \" and \\) or a bare value.
std::string unquote(const std::string& value, const std::string& where) {
  if (value.empty() || value.front() != '"') return value;
  std::string out;
  for (size_t i = 1; i < value.size(); ++i) {
    if (value[i] == '"') {
      if (!trim(value.substr(i + 1)).empty()) throw UserError(where + ": text after the closing quote");
      return out;
    }
    if (value[i] == '\\' && i + 1 < value.size()) ++i;
    out += value[i];
  }
  throw UserError(where + ": unterminated string");
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out + "\"";
}

// "all"/"avg" (the keyword) -> 0, else a positive integer.
int64_t parse_index(const std::string& value, const std::string& keyword, const std::string& where) {
  if (value == keyword) return 0;
  if (const auto n = parse_positive_index(value)) return *n;
  throw UserError(where + ": expected a number from 1 or \"" + keyword + "\", got '" + value + "'");
}

// Comment: a '#' outside quotes.
std::string strip_comment(const std::string& line) {
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && quoted) ++i;
    else if (line[i] == '"') quoted = !quoted;
    else if (line[i] == '#' && !quoted) return line.substr(0, i);
  }
  return line;
}

}  // namespace

std::string selection_path(const std::string& model_dir) { return model_dir + "/alignment.toml"; }

std::string format_selection(const SavedSelection& s) {
  std::ostringstream out;
  out << "# crosstalk: how align and translate --alignment read this model's cross-attention by default\n";
  out << "layer = " << (s.attention.layer == 0 ? "\"all\"" : std::to_string(s.attention.layer))
      << "  # 1..layers, or \"all\" (averaged)\n";
  out << "head = " << (s.attention.head == 0 ? "\"avg\"" : std::to_string(s.attention.head))
      << "  # 1..heads, or \"avg\" (averaged)\n";
  out << "symmetrize = " << quote(method_name(s.method)) << "  # with --reverse-model\n";
  out << "origin = " << quote(s.origin) << "\n";
  return out.str();
}

SavedSelection parse_selection(const std::string& text, const std::string& name) {
  SavedSelection s;
  std::set<std::string> seen;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = trim(strip_comment(line));
    if (line.empty()) continue;
    const std::string where = "'" + name + "' line " + std::to_string(number);
    const auto eq = line.find('=');
    if (eq == std::string::npos) throw UserError(where + ": expected `key = value`");
    const auto key = trim(line.substr(0, eq));
    const auto value = unquote(trim(line.substr(eq + 1)), where);
    if (!seen.insert(key).second) throw UserError(where + ": '" + key + "' is given twice");
    if (key == "layer") s.attention.layer = parse_index(value, "all", where);
    else if (key == "head") s.attention.head = parse_index(value, "avg", where);
    else if (key == "symmetrize") s.method = parse_symmetrize_method(value, where + ": symmetrize");
    else if (key == "origin") s.origin = value;
    else throw UserError(where + ": unknown key '" + key + "' (layer, head, symmetrize, origin)");
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

}  // namespace crosstalk::align
