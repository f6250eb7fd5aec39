#pragma once
// Tells ThreadSanitizer about the fork and the join of a parallel_for, which it cannot see:
// oneTBB's runtime (Debian's libtbb) is not built with TSan, so TSan does not know that what
// the caller did before parallel_for happens before its tasks, nor that the tasks happen before
// what the caller does after it returns. It then reports, as races, the tasks' reads of what
// the caller wrote (the loop's epoch) and the caller's next use of memory a task touched (even
// its own stack, where parallel_for keeps its wait state). TbbForkJoin states the order TBB
// guarantees: forking() before parallel_for, task_begins() and task_ends() around each task
// body, joined() after parallel_for returns. Outside TSan builds all four are empty.

#include "core/base/sanitizers.h"

#ifdef W2V_TSAN
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace w2v {

class TbbForkJoin {
 public:
  void forking() noexcept { release(&fork_); }
  void task_begins() noexcept { acquire(&fork_); }
  void task_ends() noexcept { release(&join_); }
  void joined() noexcept { acquire(&join_); }

 private:
  static void release([[maybe_unused]] void* sync) noexcept {
#ifdef W2V_TSAN
    __tsan_release(sync);
#endif
  }
  static void acquire([[maybe_unused]] void* sync) noexcept {
#ifdef W2V_TSAN
    __tsan_acquire(sync);
#endif
  }
  char fork_ = 0, join_ = 0;  // only their addresses are used
};

}  // namespace w2v
