#include "crosstalk/common/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crosstalk/common/error.h"

namespace crosstalk {

namespace fs = std::filesystem;

namespace {

std::string reason(int err) {
  if (err == EFBIG || err == ENOSPC || err == EDQUOT) return std::string(std::strerror(err)) + " (disk full or file size limit)";
  return std::strerror(err);
}

// write(2) until done; false with errno set on failure.
bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

std::string parent_of(const std::string& path) {
  const auto parent = fs::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

void finish(const std::string& tmp, const std::string& path) {
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw UserError("cannot rename '" + tmp + "' to '" + path + "': " + reason(err));
  }
  sync_path(parent_of(path));
}

}  // namespace

void sync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw UserError("cannot open '" + path + "' to sync it: " + reason(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  // Some file systems cannot fsync a directory (EINVAL): nothing more can be done there.
  if (rc != 0 && err != EINVAL) throw UserError("cannot sync '" + path + "': " + reason(err));
}

void write_file_atomic(const std::string& path, const std::string& contents) {
  write_file_atomic_with(path, [&](const ByteSink& sink) { sink(contents.data(), contents.size()); });
}

void write_file_atomic_with(const std::string& path, const std::function<void(const ByteSink&)>& produce,
                            const std::function<void()>& before_commit) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw UserError("cannot write '" + tmp + "': " + reason(errno));
  int err = 0;
  const ByteSink sink = [&](const void* data, size_t size) {
    if (err == 0 && !write_all(fd, static_cast<const char*>(data), size)) err = errno;
    return err == 0;
  };
  std::string failure;
  try {
    produce(sink);
  } catch (const std::exception& e) {
    failure = e.what();
    failure = failure.substr(0, failure.find('\n'));
  }
  if (err == 0 && failure.empty() && ::fsync(fd) != 0) err = errno;
  ::close(fd);
  if (err != 0 || !failure.empty()) {
    ::unlink(tmp.c_str());
    throw UserError("cannot write '" + path + "': " + (err != 0 ? reason(err) : failure));
  }
  if (before_commit) before_commit();
  finish(tmp, path);
}

std::string read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw UserError("'" + path + "' is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError("cannot read '" + path + "': " + reason(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw UserError("cannot read '" + path + "'");
  return buffer.str();
}

void check_writable_directory(const std::string& dir) {
  const std::string probe = dir + "/.crosstalk-write-test";
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw UserError("model directory '" + dir + "' is not writable: " + reason(errno));
  const char byte = 'x';
  const bool ok = write_all(fd, &byte, 1) && ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  ::unlink(probe.c_str());
  if (!ok) throw UserError("model directory '" + dir + "' is not writable: " + reason(err));
}

}  // namespace crosstalk
