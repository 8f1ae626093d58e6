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

/// Receives the bytes of a file being written; returns false once a write has
/// failed (later bytes are dropped; the failure is reported when the producer returns).
using ByteSink = std::function<bool(const void* data, size_t size)>;

/// The same for a producer that streams its bytes (e.g. torch::serialize's
/// OutputArchive::save_to): `produce` is called with a sink into the temporary
/// file. An exception from `produce`, or a failed write, removes the temporary
/// file and becomes a UserError naming `path` and the system's reason (ENOSPC,
/// EFBIG, ...). `before_commit` (may be empty) runs after the temporary file is
/// complete and synced, just before the rename (tests use it to pause saves).
void write_file_atomic_with(const std::string& path, const std::function<void(const ByteSink&)>& produce,
                            const std::function<void()>& before_commit = {});

/// fsync() of a file or a directory by path. UserError on failure.
void sync_path(const std::string& path);

/// The whole file as bytes. UserError naming the file if it cannot be read.
std::string read_file_bytes(const std::string& path);

/// Throws UserError (naming `dir`) unless a file can be created, written,
/// synced and removed in `dir`: checks a model directory before hours of work.
void check_writable_directory(const std::string& dir);

}  // namespace crosstalk
