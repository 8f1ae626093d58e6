#pragma once

namespace crosstalk {

/// Keeps freed memory in the process for reuse instead of handing it back.
///
/// glibc serves every allocation over 32 MiB (a [tokens, vocab] logits tensor
/// is ~56 MiB) with a fresh mmap and unmaps it on free, so each training step
/// pays page faults and kernel zeroing for its largest tensors again: ~10% of a
/// CPU step here. With mmap off and trimming off, the heap keeps and reuses
/// those pages. Process-wide; call once at start-up. Returns false if glibc
/// refused a setting.
bool keep_freed_memory();

/// Hands the free pages of every heap arena back to the system (glibc's malloc_trim).
/// For a long-running process that otherwise keeps glibc's defaults (a server): its
/// largest batches would leave their high-water mark in its resident memory, and the
/// free chunks left between the connection threads' allocations stay resident too.
/// Walks every arena: call it when idle, not per request.
void return_freed_memory();

}  // namespace crosstalk
