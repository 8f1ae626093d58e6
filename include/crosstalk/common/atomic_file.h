#pragma once

#include <functional>
#include <string>

namespace crosstalk {

/// Durable, all-or-nothing file writes. A write goes to `path.tmp`, is flushed
/// and fsync()ed, renamed over `path`, and the directory is fsync()ed: after a
/// crash or a kill -9 at any instant, `path` holds either its old contents or
/// the new ones, never a mix. A failure (full disk, EFBIG, no permission)
/// removes the temporary file, leaves `path` untouched and throws UserError
/// with one line naming the file and the reason.
void write_file_atomic(const std::string& path, const std::string& contents);

/// The same for writers that need a path (torch::save, SentencePiece): `write`
/// is called with the temporary path; then it is fsync()ed and renamed.
void write_atomic_with(const std::string& path, const std::function<void(const std::string& tmp)>& write);

/// fsync() of a file or a directory by path. UserError on failure.
void sync_path(const std::string& path);

/// The whole file as bytes. UserError naming the file if it cannot be read.
std::string read_file_bytes(const std::string& path);

/// Throws UserError (naming `dir`) unless a file can be created, written,
/// synced and removed in `dir`: checks a model directory before hours of work.
void check_writable_directory(const std::string& dir);

}  // namespace crosstalk
