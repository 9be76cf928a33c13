// Randomness from libcrypto's CSPRNG: ClientHello/ServerHello random
// (RFC 8446 §4.1.2), session ids, ticket nonces, and keys.
#include "crypto/random.h"

#include <openssl/rand.h>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#ifdef VOUCH_FUZZING
#include <mutex>
#endif

#include "crypto/ossl.h"
#include "crypto/wipe.h"

namespace vouch {

namespace {

// Fills `out` straight from libcrypto's generator `gen` (RAND_bytes or
// RAND_priv_bytes), which takes an int length: (hypothetical) huge requests
// are split.
Status draw_unpooled(std::span<uint8_t> out, int (*gen)(unsigned char*, int)) {
  while (!out.empty()) {
    const size_t n = std::min(out.size(), static_cast<size_t>(INT_MAX));
    if (gen(out.data(), static_cast<int>(n)) != 1) {
      return fail(Alert::internal_error, "random generator failed: " + ossl::last_error());
    }
    out = out.subspan(n);
  }
  return {};
}

}  // namespace

Status random_bytes(std::span<uint8_t> out) { return draw_unpooled(out, RAND_bytes); }

namespace {

// The per-thread buffers behind random_public_bytes() and
// random_private_bytes(), one page for both. A pool's unread bytes are
// bytes[kRefill - left, kRefill); a page of zeroes is two empty pools, which
// is what a forked child finds (MADV_WIPEONFORK).
constexpr size_t kRefill = 1024;       // drawn per refill
constexpr size_t kLargestPooled = 64;  // larger requests go to libcrypto
struct Pool {
  size_t left;
  uint8_t bytes[kRefill];
};
struct PoolPage {
  Pool for_public;   // refilled by RAND_bytes
  Pool for_private;  // refilled by RAND_priv_bytes
};

class ThreadRandomBuffer {
 public:
  ThreadRandomBuffer() = default;
  ThreadRandomBuffer(const ThreadRandomBuffer&) = delete;
  ThreadRandomBuffer& operator=(const ThreadRandomBuffer&) = delete;
  ~ThreadRandomBuffer() {
    if (page_ != nullptr) {
      wipe_memory(page_, sizeof(PoolPage));
      ::munmap(page_, length_);
    }
    // A draw from a later thread-exit destructor goes to libcrypto.
    page_ = nullptr;
    tried_ = true;
  }

  // This thread's buffers, set up on first use; null where the kernel cannot
  // wipe them on fork (then every draw goes to libcrypto, which detects
  // forks itself).
  PoolPage* page() {
    if (!tried_) set_up();
    return page_;
  }

 private:
  void set_up() {
    tried_ = true;
#if defined(MADV_WIPEONFORK) && !defined(VOUCH_FUZZING)
    // A fuzz build keeps every draw on libcrypto's generator, which it
    // replaces by deterministic per-side streams (fuzzing::reset_random).
    const long page_size = ::sysconf(_SC_PAGESIZE);
    if (page_size <= 0) return;
    const size_t pages = (sizeof(PoolPage) + static_cast<size_t>(page_size) - 1) / static_cast<size_t>(page_size);
    const size_t length = pages * static_cast<size_t>(page_size);
    void* p = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    if (::madvise(p, length, MADV_WIPEONFORK) != 0) {  // EINVAL before Linux 4.14
      ::munmap(p, length);
      return;
    }
    page_ = static_cast<PoolPage*>(p);  // mmap zero-fills: empty pools
    length_ = length;
#endif
  }

  PoolPage* page_ = nullptr;
  size_t length_ = 0;
  bool tried_ = false;
};

thread_local ThreadRandomBuffer t_random_buffer;

// Serves `out` (1..kLargestPooled bytes) from `pool`, refilling it whole
// with `refill` (RAND_bytes or RAND_priv_bytes) when it has too few left.
Status draw(Pool& pool, std::span<uint8_t> out, int (*refill)(unsigned char*, int)) {
  if (pool.left < out.size()) {
    pool.left = 0;
    if (refill(pool.bytes, static_cast<int>(kRefill)) != 1) {
      return fail(Alert::internal_error, "random generator failed: " + ossl::last_error());
    }
    pool.left = kRefill;
  }
  uint8_t* next = pool.bytes + (kRefill - pool.left);
  std::memcpy(out.data(), next, out.size());
  // Handed-out bytes do not stay behind in the buffer (for private draws
  // that matters: they are someone's key).
  wipe_memory(next, out.size());
  pool.left -= out.size();
  return {};
}

}  // namespace

Status random_public_bytes(std::span<uint8_t> out) {
  if (out.empty() || out.size() > kLargestPooled) return random_bytes(out);
  PoolPage* page = t_random_buffer.page();
  if (page == nullptr) return random_bytes(out);
  return draw(page->for_public, out, RAND_bytes);
}

Status random_private_bytes(std::span<uint8_t> out) {
  if (out.empty() || out.size() > kLargestPooled) return draw_unpooled(out, RAND_priv_bytes);
  PoolPage* page = t_random_buffer.page();
  if (page == nullptr) return draw_unpooled(out, RAND_priv_bytes);
  return draw(page->for_private, out, RAND_priv_bytes);
}

bool random_pooled() { return t_random_buffer.page() != nullptr; }

#ifdef VOUCH_FUZZING
namespace fuzzing {
namespace {

// splitmix64 streams: fast, deterministic, and in no way a CSPRNG.
std::mutex g_mu;
uint64_t g_state[kRandomStreams];
unsigned g_stream = 0;

uint64_t next_word(uint64_t& state) {
  state += 0x9e3779b97f4a7c15u;
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

int fuzz_bytes(unsigned char* buf, int num) {
  std::lock_guard<std::mutex> lock(g_mu);
  uint64_t& state = g_state[g_stream];
  for (int i = 0; i < num; i += 8) {
    const uint64_t w = next_word(state);
    for (int j = 0; j < 8 && i + j < num; ++j) buf[i + j] = static_cast<unsigned char>(w >> (8 * j));
  }
  return 1;
}
int fuzz_seed(const void*, int) { return 1; }
int fuzz_add(const void*, int, double) { return 1; }
int fuzz_status() { return 1; }

const RAND_METHOD kFuzzRandMethod = {fuzz_seed, fuzz_bytes, nullptr, fuzz_add, fuzz_bytes, fuzz_status};

}  // namespace

void reset_random() {
  {
    std::lock_guard<std::mutex> lock(g_mu);
    for (unsigned i = 0; i < kRandomStreams; ++i) g_state[i] = 0x766f756368000000u + i;  // "vouch"
    g_stream = 0;
  }
  // The legacy RAND_METHOD hook is deprecated in OpenSSL 3, and is exactly
  // what a fuzz build wants: RAND_bytes_ex and RAND_priv_bytes_ex (used by
  // the providers' key generation and signing) still honour it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  if (RAND_get_rand_method() != &kFuzzRandMethod) (void)RAND_set_rand_method(&kFuzzRandMethod);
#pragma GCC diagnostic pop
}

void select_random_stream(unsigned stream) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_stream = stream % kRandomStreams;
}

}  // namespace fuzzing
#endif  // VOUCH_FUZZING

}  // namespace vouch
