// vouch — resumption state (RFC 8446 §4.6.1, §2.2).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "vouch/cert_chain.h"
#include "vouch/error.h"
#include "vouch/export.h"
#include "vouch/revocation.h"
#include "vouch/types.h"

namespace vouch {

/// What a client keeps to resume later: a TLS 1.3 NewSessionTicket (RFC
/// 8446 §4.6.1), or a TLS 1.2 session (RFC 5246 §7.4.1.2) identified by a
/// session ID or a ticket (RFC 5077). Immutable once created; shared via
/// std::shared_ptr<const Session>. A session is only offered in a handshake
/// of its own version: a TLS 1.2 session is never offered as a TLS 1.3 PSK,
/// nor the reverse.
struct VOUCH_EXPORT Session {
  ProtocolVersion version = ProtocolVersion::tls13;
  CipherSuite cipher_suite{};
  Bytes ticket;                 // opaque to the client; TLS 1.2: may be empty (session ID)
  Bytes psk;                    // TLS 1.3: derived from the resumption master secret
  Bytes master_secret;          // TLS 1.2: the session's 48-byte master secret
  Bytes session_id;             // TLS 1.2: the server's session ID (empty with a ticket)
  bool extended_master_secret = false;  // TLS 1.2: RFC 7627 was used (always, to resume)
  uint32_t lifetime_seconds = 0;
  uint32_t age_add = 0;
  std::chrono::system_clock::time_point received_at{};
  std::string server_name;
  std::string alpn;
  CertChain peer_chain;  // the server chain verified in the full handshake (shared, not copied)
  /// The chain this client authenticated with in the full handshake (DER,
  /// leaf first); empty when it sent no certificate. The server knows the
  /// same identity from the session, so a resumed connection keeps it.
  CertChain client_chain;
  /// The OCSP status the full handshake established (RFC 6066 §8), reported
  /// again on resumption. A session whose verified leaf status has passed
  /// its nextUpdate is not resumed (the client does a full handshake to get
  /// a fresh staple), and a client whose policy requires a staple does not
  /// offer a session without a verified good one.
  PeerOcsp ocsp;

  /// True while now < received_at + lifetime and every stapled status the
  /// full handshake verified (the leaf's and any intermediate's) is before
  /// its nextUpdate.
  bool usable(std::chrono::system_clock::time_point now) const;

  // ---- serialisation -------------------------------------------------
  // To keep a session outside the process (a file, a database) and resume
  // from it later or elsewhere: everything in the struct goes in, including
  // the verified server chain, the OCSP status the full handshake verified
  // and the client identity, so a resumed connection reports what the
  // original one proved.
  //
  // A serialised session is a secret: it holds the resumption secret (the
  // PSK or the TLS 1.2 master secret), with which anyone can resume as this
  // client and read what is sent on the resumed connection. It is also
  // trusted: whoever can change the bytes can make the client believe a
  // server identity it never verified. Store the plain form like a private
  // key (readable and writable only by its owner), or use the sealed form,
  // which encrypts and authenticates it under a key of the application's.

  /// The plain form: "vSes" | u16 format (1) | the fields (the grammar is
  /// in src/handshake/session_codec.cpp). Always succeeds.
  Bytes serialize() const;
  /// The inverse of serialize(). Every length is checked before anything is
  /// copied; truncated input, trailing bytes, an unknown magic or format
  /// version, a field out of its bounds or fields that contradict the
  /// version → ErrorKind::invalid_data with a reason naming the field
  /// ("session ocsp.staples[0].response: truncated"). Never reads past
  /// `bytes`.
  static Result<Session> deserialize(ByteView bytes);

  /// The sealed form: "vSsx" | u16 format (1) | 12-byte random nonce |
  /// AES-256-GCM(serialize()) | 16-byte tag, the 6-byte header as
  /// additional data. `key` is 32 bytes the application keeps (a fresh
  /// random key per store is the usual choice). Errors: a key of another
  /// size (ErrorKind::config); a CSPRNG failure (internal).
  Result<Bytes> serialize(ByteView key) const;
  /// Opens the sealed form with the same key, then deserialize()s. A wrong
  /// key or any changed byte fails the tag check (ErrorKind::invalid_data,
  /// "session: authentication failed"); input errors as deserialize().
  static Result<Session> deserialize(ByteView bytes, ByteView key);

  /// Size of the key of the sealed form.
  static constexpr size_t kSealKeyBytes = 32;
};

/// A thread-safe client-side store of sessions keyed by server name. Each
/// ticket is used once (RFC 8446 §C.4: clients SHOULD NOT reuse a ticket).
class VOUCH_EXPORT SessionCache {
 public:
  explicit SessionCache(size_t max_per_name = 4) : max_per_name_(max_per_name) {}
  void put(const std::string& server_name, std::shared_ptr<const Session> s);
  /// Removes and returns a usable session for the name, or null.
  std::shared_ptr<const Session> take(const std::string& server_name);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  size_t max_per_name_;
  std::map<std::string, std::vector<std::shared_ptr<const Session>>> by_name_;
};

/// A TLS 1.2 server's sessions by session ID (RFC 5246 §7.4.1.2): bounded
/// in count (the oldest is evicted first) and in time (an entry expires
/// after its lifetime). The values are opaque to the cache. Thread-safe.
///
/// A subclass may keep sessions elsewhere (a store shared by several
/// servers, an application's own cache, as OpenSSL's session callbacks do):
/// a server calls only put() (once a full handshake that gave the session
/// an ID completed), get() (for the session ID a ClientHello offers, before
/// deciding whether to resume) and stores_sessions() (whether to give a new
/// session an ID at all), on the thread driving the connection. What get()
/// returns must be what put() was given for that id (the server decodes it
/// and resumes only a session that fits the handshake); anything else just
/// leads to a full handshake.
class VOUCH_EXPORT ServerSessionCache {
 public:
  /// At most `capacity` entries; 0 stores nothing.
  explicit ServerSessionCache(size_t capacity = 20000) : capacity_(capacity) {}
  virtual ~ServerSessionCache() = default;
  ServerSessionCache(const ServerSessionCache&) = delete;
  ServerSessionCache& operator=(const ServerSessionCache&) = delete;
  /// Stores `state` under `id` until `expires`; replaces an entry with the
  /// same id (which then counts as the newest). When full, the oldest entry
  /// is evicted. An empty id is not stored: it means "no session" (RFC 5246
  /// §7.4.1.2).
  virtual void put(ByteView id, Bytes state, std::chrono::system_clock::time_point expires);
  /// The state stored under `id` if it has not expired; nullopt otherwise
  /// (an expired entry met here is dropped).
  virtual std::optional<Bytes> get(ByteView id) const;
  /// Forgets `id` (a session that failed to resume cleanly).
  virtual void remove(ByteView id);
  /// Whether put() keeps sessions (here: capacity above 0). A server gives a
  /// new TLS 1.2 session an ID only then (RFC 5246 §7.4.1.2: an empty
  /// session_id means the session "will not be cached and therefore cannot
  /// be resumed"); otherwise, without a ticket, the session is not
  /// resumable.
  virtual bool stores_sessions() const { return capacity_ > 0; }
  /// Entries held, counting expired ones not dropped yet (they go when get()
  /// meets them, or when put() finds them among the oldest).
  size_t size() const;

 private:
  struct Entry {
    Bytes state;
    std::chrono::system_clock::time_point expires;
    uint64_t order = 0;  // insertion order, the key into by_order_
  };
  // Byte-wise order on ids, transparent so that lookups take a ByteView.
  struct IdLess {
    using is_transparent = void;
    bool operator()(ByteView a, ByteView b) const noexcept;
  };
  using ById = std::map<Bytes, Entry, IdLess>;
  void erase_locked(ById::iterator it) const;
  mutable std::mutex mu_;
  size_t capacity_;
  uint64_t next_order_ = 0;
  // Both guarded by mu_; mutable so that get() can drop an expired entry.
  mutable ById by_id_;
  mutable std::map<uint64_t, Bytes> by_order_;  // oldest first: eviction in O(log n)
};

/// The server's ticket encryption keys: AES-256-GCM keys that rotate every
/// `rotation` period; tickets sealed under the previous key still open until
/// they expire. Thread-safe.
///
/// Several servers behind one name (a load balancer) resume each other's
/// sessions only if they share these keys. Give each server a TicketKeys
/// with automatic rotation off (`rotation` of zero), and let one of them (or
/// a separate job) call rotate() every period and hand export_keys() to the
/// others, which import_keys() it. Between the rotation and the import, a
/// server that does not know the new key yet answers a ticket sealed under
/// it with a full handshake (RFC 8446 §4.2.11: an unusable PSK is just
/// ignored); nothing fails.
class VOUCH_EXPORT TicketKeys {
 public:
  /// A fresh random key; `rotation` ≤ 0 turns automatic rotation off.
  explicit TicketKeys(std::chrono::seconds rotation = std::chrono::hours(12));
  ~TicketKeys();
  TicketKeys(const TicketKeys&) = delete;
  TicketKeys& operator=(const TicketKeys&) = delete;
  /// Seals plaintext into an opaque ticket (key id || nonce || ciphertext || tag).
  Result<Bytes> seal(ByteView plaintext);
  /// Opens a ticket; an unknown key id or a bad tag is an error (the server
  /// then simply ignores the PSK, RFC 8446 §4.2.11).
  Result<Bytes> open(ByteView ticket);
  /// Rotates now: a fresh random key becomes the current one (it seals
  /// every new ticket), the current one becomes the previous one (it still
  /// opens the tickets it sealed), and the previous one is dropped (its
  /// tickets no longer open). A CSPRNG failure keeps the keys as they were.
  void rotate();

  /// The live keys as bytes, for the other servers of a group:
  ///   "vTkK" | u16 format (1) | u8 count (1 or 2)
  ///   | count × (key id (4) | AES-256 key (32)), the current key first.
  /// These bytes are a secret: whoever holds them opens every ticket (and
  /// so learns every resumption secret) and can forge tickets. Move them
  /// only over an encrypted, authenticated channel and store them as a
  /// private key; wipe them after use. Errors: a CSPRNG failure when no key
  /// could be made yet (internal).
  Result<Bytes> export_keys() const;
  /// Replaces the keys with exported ones: the first becomes the current
  /// key, the second, if any, the previous one; the keys held before are
  /// dropped (their tickets no longer open). The automatic rotation period,
  /// if any, starts again now. Errors (ErrorKind::invalid_data, and then
  /// nothing changes): a wrong magic, an unknown format, a count other than
  /// 1 or 2, a length that does not match the count, two keys with one id.
  Status import_keys(ByteView exported);

  struct State;

 private:
  std::unique_ptr<State> s_;
};

}  // namespace vouch
