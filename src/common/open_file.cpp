#include "crosstalk/common/open_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "crosstalk/common/error.h"

namespace crosstalk {

namespace {

std::string named(const std::string& path, const std::string& what) {
  return (what.empty() ? "" : what + " ") + "'" + path + "'";
}

}  // namespace

void require_not_directory(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw UserError(named(path, what) + " is a directory, not a file");
}

std::ifstream open_for_reading(const std::string& path) {
  require_not_directory(path);
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno != 0 ? errno : ENOENT;
    throw UserError("cannot open '" + path + "': " + std::strerror(err));
  }
  return in;
}

std::ofstream open_for_writing(const std::string& path, const std::string& what) {
  require_not_directory(path, what);
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    const int err = errno != 0 ? errno : EACCES;
    throw UserError("cannot write " + named(path, what) + ": " + std::strerror(err));
  }
  return out;
}

}  // namespace crosstalk
