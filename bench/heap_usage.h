// How much of glibc's heap the process has in use, for the idle-connection
// memory rows: bytes handed out by malloc from the arenas (mallinfo2's
// uordblks) plus bytes of chunks malloc served with their own mmap (hblkhd,
// requests above the mmap threshold). Freed memory glibc keeps cached is not
// in use and is not counted; allocator overhead per chunk (8 bytes of header,
// rounding to 16) is. glibc sums the figures over all its arenas.
#pragma once

#include <malloc.h>

#include <cstdint>

namespace vouch::bench {

inline int64_t heap_in_use() {
  const struct mallinfo2 mi = mallinfo2();
  return static_cast<int64_t>(mi.uordblks) + static_cast<int64_t>(mi.hblkhd);
}

}  // namespace vouch::bench
