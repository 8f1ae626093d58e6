#include "crosstalk/common/allocator.h"

#include <malloc.h>

namespace crosstalk {

bool keep_freed_memory() {
  bool ok = mallopt(M_MMAP_MAX, 0) == 1;                  // large blocks from the heap, not mmap
  ok = mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1 && ok;     // never shrink the heap under 1 GiB free
  ok = mallopt(M_TOP_PAD, 256 << 20) == 1 && ok;          // grow it in 256 MiB steps
  return ok;
}

void return_freed_memory() { malloc_trim(0); }

}  // namespace crosstalk
