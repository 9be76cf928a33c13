#include "transport.h"

#include <algorithm>
#include <climits>

#include "errors.h"
#include "info.h"
#include "internal/compat_seam.h"
#include "session.h"

namespace vouch::compat {
namespace {

// Why BIO_read / BIO_write returned n <= 0.
Io stopped(SSL* s, BIO* bio, int n, Want want) {
  if (BIO_should_retry(bio)) {
    s->want = want;
    return Io::blocked;
  }
  if (want == Want::read && (n == 0 || BIO_eof(bio))) return Io::eof;
  return Io::failed;
}

// Reads until `have` reaches `need` bytes of `buf`.
Io read_exactly(SSL* s, uint8_t* buf, size_t need, size_t& have) {
  while (have < need) {
    const int want_now = static_cast<int>(std::min<size_t>(need - have, INT_MAX));
    const int n = BIO_read(s->rbio, buf + have, want_now);
    if (n <= 0) return stopped(s, s->rbio, n, Want::read);
    have += static_cast<size_t>(n);
  }
  return Io::done;
}

}  // namespace

Io flush_output(SSL* s, bool flush_bio) {
  if (s->wbio == nullptr) {
    raise(Reason::bio_not_set, "no write BIO");
    return Io::failed;
  }
  bool wrote = false;
  for (;;) {
    const ByteView out = s->conn->pending_output();
    if (out.empty()) break;
    const int len = static_cast<int>(std::min<size_t>(out.size(), INT_MAX));
    const int n = BIO_write(s->wbio, out.data(), len);
    if (n <= 0) return stopped(s, s->wbio, n, Want::write);
    s->conn->consume_output(static_cast<size_t>(n));
    wrote = true;
  }
  if (wrote && flush_bio && BIO_flush(s->wbio) <= 0) {
    return stopped(s, s->wbio, 0, Want::write);
  }
  return Io::done;
}

Io feed_one_record(SSL* s) {
  if (s->rbio == nullptr) {
    raise(Reason::read_bio_not_set, "no read BIO");
    return Io::failed;
  }
  RecordReader& r = s->reader;
  // RFC 8446 §5.1: a header, then the fragment. The length is not judged
  // here (vouch's record layer does that); it only says how much to read.
  if (r.header_have < RecordReader::kHeader) {
    if (Io io = read_exactly(s, r.header.data(), RecordReader::kHeader, r.header_have);
        io != Io::done)
      return io;
    r.body_len = record_fragment_length(r.header);
    r.record = std::make_unique_for_overwrite<uint8_t[]>(RecordReader::kHeader + r.body_len);
    std::copy(r.header.begin(), r.header.end(), r.record.get());
    r.body_have = 0;
  }
  if (Io io = read_exactly(s, r.record.get() + RecordReader::kHeader, r.body_len, r.body_have);
      io != Io::done)
    return io;
  const bool was_closed = s->conn->peer_closed();
  {
    QuietErrors quiet;
    // A failure is kept by the connection (failed(), error()).
    (void)s->conn->receive(ByteView(r.record.get(), RecordReader::kHeader + r.body_len));
    // Tickets (client): the newest one is kept for resumption.
    for (auto& session : s->conn->take_sessions()) note_ticket(s, std::move(session));
  }
  // No read buffer is kept between records, with or without
  // SSL_MODE_RELEASE_BUFFERS (issue 13: an idle connection holds no
  // buffer; a 16 KiB record costs one allocation, against copying and
  // decrypting it). vouch's own deframer behaves the same way.
  r.reset();
  if (!was_closed && s->conn->peer_closed())
    info_event(s, SSL_CB_READ_ALERT, alert_value(SSL3_AL_WARNING, SSL_AD_CLOSE_NOTIFY));
  return Io::done;
}

}  // namespace vouch::compat
