#include "pipe_bio.h"

#include <climits>
#include <cstring>

namespace vouch::bench {

void ByteQueue::push(const uint8_t* data, size_t n) {
  if (head_ == bytes_.size()) {
    // Empty: start over at the front instead of growing behind read bytes.
    bytes_.clear();
    head_ = 0;
  }
  bytes_.insert(bytes_.end(), data, data + n);
}

size_t ByteQueue::pop(uint8_t* out, size_t n) {
  const size_t take = n < size() ? n : size();
  std::memcpy(out, bytes_.data() + head_, take);
  head_ += take;
  if (head_ == bytes_.size()) {
    bytes_.clear();
    head_ = 0;
    if (release_) bytes_.shrink_to_fit();
  }
  return take;
}

namespace {

// What a BIO of ours points to: its end's two queues.
struct End {
  ByteQueue* in;
  ByteQueue* out;
};

int end_write(BIO* b, const char* data, int len) {
  BIO_clear_retry_flags(b);
  if (len <= 0) return 0;
  auto* end = static_cast<End*>(BIO_get_data(b));
  end->out->push(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(len));
  return len;
}

int end_read(BIO* b, char* out, int len) {
  BIO_clear_retry_flags(b);
  if (len <= 0) return 0;
  auto* end = static_cast<End*>(BIO_get_data(b));
  const size_t n = end->in->pop(reinterpret_cast<uint8_t*>(out), static_cast<size_t>(len));
  if (n == 0) {
    BIO_set_retry_read(b);  // nothing yet: "try again", not end of file
    return -1;
  }
  return static_cast<int>(n);
}

long end_ctrl(BIO* b, int cmd, long, void*) {
  auto* end = static_cast<End*>(BIO_get_data(b));
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;  // every write is delivered at once
    case BIO_CTRL_PENDING: {
      const size_t n = end->in->size();
      return n > LONG_MAX ? LONG_MAX : static_cast<long>(n);
    }
    case BIO_CTRL_WPENDING:
      return 0;
    default:
      return 0;  // unsupported, as libcrypto's own BIOs answer
  }
}

int end_create(BIO* b) {
  BIO_set_init(b, 1);
  return 1;
}

int end_destroy(BIO* b) {
  delete static_cast<End*>(BIO_get_data(b));
  BIO_set_data(b, nullptr);
  return 1;
}

// Made once and never freed: every BIO of the process points to it.
const BIO_METHOD* end_method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "vouch bench pipe");
    if (m == nullptr) return m;
    BIO_meth_set_write(m, end_write);
    BIO_meth_set_read(m, end_read);
    BIO_meth_set_ctrl(m, end_ctrl);
    BIO_meth_set_create(m, end_create);
    BIO_meth_set_destroy(m, end_destroy);
    return m;
  }();
  return method;
}

BIO* make_end(ByteQueue& in, ByteQueue& out) {
  const BIO_METHOD* method = end_method();
  if (method == nullptr) return nullptr;
  BIO* b = BIO_new(method);
  if (b == nullptr) return nullptr;
  BIO_set_data(b, new End{&in, &out});
  return b;
}

}  // namespace

BIO* client_bio(Link& link) { return make_end(link.to_client, link.to_server); }
BIO* server_bio(Link& link) { return make_end(link.to_server, link.to_client); }

}  // namespace vouch::bench
