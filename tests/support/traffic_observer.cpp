#include "support/traffic_observer.h"

#include "handshake/key_schedule.h"
#include "record/record.h"
#include "support/hex.h"

namespace vouch::testing {

namespace {
constexpr uint8_t kKeyUpdateType = 24;  // RFC 8446 §4
}

TrafficObserver::TrafficObserver(CipherSuite suite, const std::string& secret_hex)
    : suite_(suite), secret_(hex(secret_hex)) {}

Status TrafficObserver::feed(ByteView wire) {
  buffer_.insert(buffer_.end(), wire.begin(), wire.end());
  return open_records();
}

Status TrafficObserver::open_records() {
  RecordProtection13 keys;
  VOUCH_TRY(keys.install(suite_, secret_));
  // Bounded: each turn consumes one whole record from the buffer.
  while (buffer_.size() >= kRecordHeaderLength) {
    const size_t len = record_fragment_length(buffer_);
    if (buffer_.size() < kRecordHeaderLength + len) return {};
    Bytes record(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(kRecordHeaderLength + len));
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(record.size()));
    if (static_cast<ContentType>(record[0]) != ContentType::application_data) {
      if (synced_) return fail(Alert::unexpected_message, "observer: an unprotected record after the handshake");
      continue;
    }
    RawRecord raw;
    raw.type = ContentType::application_data;
    raw.version = static_cast<uint16_t>((record[1] << 8) | record[2]);
    raw.header = std::span<uint8_t>(record.data(), kRecordHeaderLength);
    raw.fragment = std::span<uint8_t>(record.data() + kRecordHeaderLength, len);
    // Each record is opened with a fresh copy of the keys at their sequence
    // number: a failed open must not disturb them.
    keys.set_sequence_for_testing(sequence_);
    ContentType inner{};
    auto opened = keys.open(raw, inner);
    if (!opened) {
      if (synced_) return fail(Alert::bad_record_mac, "observer: a record does not open: " + opened.error().reason);
      continue;  // from before the application traffic keys
    }
    synced_ = true;
    ++sequence_;
    const ByteView pt = *opened;
    if (inner == ContentType::application_data) {
      data_.append(reinterpret_cast<const char*>(pt.data()), pt.size());
    } else if (inner == ContentType::handshake) {
      const size_t before = key_updates_.size();
      VOUCH_TRY(on_handshake(pt));
      if (key_updates_.size() != before) {
        // §4.6.3: the KeyUpdate ends its record; what follows is under the
        // next secret.
        HashAlg h{};
        AeadAlg a{};
        tls13_suite_params(suite_, h, a);
        VOUCH_ASSIGN(secret_, next_traffic_secret(h, secret_));
        VOUCH_TRY(keys.install(suite_, secret_));
        sequence_ = 0;
      }
    }
  }
  return {};
}

Status TrafficObserver::on_handshake(ByteView messages) {
  // Post-handshake messages (NewSessionTicket, KeyUpdate, ...) of one record.
  while (!messages.empty()) {
    if (messages.size() < 4) return fail(Alert::decode_error, "observer: a partial handshake header");
    const size_t len = (size_t{messages[1]} << 16) | (size_t{messages[2]} << 8) | messages[3];
    if (messages.size() < 4 + len) return fail(Alert::decode_error, "observer: a handshake message spans records");
    if (messages[0] == kKeyUpdateType) {
      if (len != 1 || messages[4] > 1) return fail(Alert::decode_error, "observer: a malformed KeyUpdate");
      key_updates_.push_back(messages[4] == 1);
      data_at_update_.push_back(data_.size());
    }
    messages = messages.subspan(4 + len);
  }
  return {};
}

std::string keylog_secret(const std::vector<std::string>& lines, const std::string& label) {
  for (const std::string& line : lines)
    if (line.rfind(label + " ", 0) == 0) return line.substr(line.rfind(' ') + 1);
  return "";
}

}  // namespace vouch::testing
