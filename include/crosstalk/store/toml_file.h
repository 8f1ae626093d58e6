#pragma once

// The one way crosstalk reads and writes its TOML files (config.toml, alignment.toml):
// toml++ parses, and each error becomes one UserError line naming the file, the line and
// the key. Writing keeps the files as people read them: `key = value` lines, numbers in
// their shortest exact form (toml++ would print 0.1 as 0.10000000000000001).

// toml++ as the compiled library that crosstalk links (libtomlplusplus.so).
#ifndef TOML_HEADER_ONLY
#define TOML_HEADER_ONLY 0
#endif
#ifndef TOML_SHARED_LIB
#define TOML_SHARED_LIB 1
#endif
#include <toml++/toml.h>

#include <cstdint>
#include <string>

namespace crosstalk::store {

/// The table of `text`; UserError "'NAME' line L, key 'K': <toml++'s description>" on
/// a syntax error (a repeated key is one; the key is left out where the line has none).
toml::table parse_toml(const std::string& text, const std::string& name);

/// "'NAME' line L" for a node of a table parse_toml returned.
std::string where(const std::string& name, const toml::node& node);

/// The value of `key` as an integer, a number (an integer is accepted), a boolean or a
/// string; UserError "'NAME' line L: bad value for 'KEY' (expected ...)" otherwise.
int64_t integer_value(const toml::node& node, const std::string& key, const std::string& name);
double number_value(const toml::node& node, const std::string& key, const std::string& name);
bool bool_value(const toml::node& node, const std::string& key, const std::string& name);
std::string string_value(const toml::node& node, const std::string& key, const std::string& name);

/// `key = value` lines: TOML text for an integer, a boolean, a string (quoted by
/// toml++) and a double (the shortest decimal that reads back to the same bits).
std::string toml_line(const std::string& key, int64_t value);
std::string toml_line(const std::string& key, bool value);
std::string toml_line(const std::string& key, double value);
std::string toml_line(const std::string& key, const std::string& value);

}  // namespace crosstalk::store
