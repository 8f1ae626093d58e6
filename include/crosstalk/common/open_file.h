#pragma once

#include <fstream>
#include <string>

namespace crosstalk {

/// Opens `path` for reading (binary). UserError with one line: "'X' is a directory,
/// not a file", or "cannot open 'X': No such file or directory" (the system's reason).
std::ifstream open_for_reading(const std::string& path);

/// Creates or truncates `path` for writing. UserError: "'X' is a directory, not a file",
/// or "cannot write 'X': Permission denied" (the system's reason). `what` names the
/// flag in the message when not empty ("cannot write --output 'X': ...").
std::ofstream open_for_writing(const std::string& path, const std::string& what = "");

/// UserError "'X' is a directory, not a file" when `path` is a directory.
void require_not_directory(const std::string& path, const std::string& what = "");

}  // namespace crosstalk
