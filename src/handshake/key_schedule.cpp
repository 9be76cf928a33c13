// The TLS 1.3 key schedule (RFC 8446 §7.1):
//
//              0
//              |
//              v
//    PSK ->  HKDF-Extract = Early Secret
//              +-----> Derive-Secret(., "ext binder" | "res binder", "")
//              v
//        Derive-Secret(., "derived", "")
//              |
//              v
//    (EC)DHE -> HKDF-Extract = Handshake Secret
//              +-----> Derive-Secret(., "c hs traffic", ClientHello...ServerHello)
//              +-----> Derive-Secret(., "s hs traffic", ClientHello...ServerHello)
//              v
//        Derive-Secret(., "derived", "")
//              |
//              v
//    0 -> HKDF-Extract = Master Secret
//              +-----> Derive-Secret(., "c ap traffic", ClientHello...server Finished)
//              +-----> Derive-Secret(., "s ap traffic", ClientHello...server Finished)
//              +-----> Derive-Secret(., "exp master", ClientHello...server Finished)
//              +-----> Derive-Secret(., "res master", ClientHello...client Finished)
#include "handshake/key_schedule.h"

#include <array>

#include "crypto/wipe.h"

namespace vouch {
namespace {

// What the schedule holds that depends on nothing but the hash (§7.1):
// Hash(""), the context of every Derive-Secret(., "derived", ""), and, when
// no PSK is selected, the Early Secret HKDF-Extract(0, 0) and the salt it
// gives the Handshake Secret, Derive-Secret(Early Secret, "derived", "").
// Public constants, computed once per process and hash: a full handshake
// makes two HMACs and two hashes fewer. An empty value means libcrypto
// failed to compute it then; the caller computes it afresh (and reports
// the failure, if it persists).
struct HashConstants {
  Bytes empty_hash;
  Bytes no_psk_early;
  Bytes no_psk_derived;
};

HashConstants compute_constants(HashAlg alg) {
  HashConstants c;
  auto empty = digest(alg, {});
  if (!empty) return c;
  const Bytes zeros(hash_length(alg), 0);
  auto early = hkdf_extract(alg, zeros, zeros);
  auto salt = early ? derive_secret(alg, *early, "derived", *empty) : Result<Bytes>(early.error());
  c.empty_hash = std::move(*empty);
  if (early && salt) {
    c.no_psk_early = std::move(*early);
    c.no_psk_derived = std::move(*salt);
  }
  return c;
}

const HashConstants& constants(HashAlg alg) {
  static const std::array<HashConstants, 3> all{compute_constants(HashAlg::sha256),
                                                compute_constants(HashAlg::sha384),
                                                compute_constants(HashAlg::sha512)};
  return all[static_cast<size_t>(alg)];
}

Result<Bytes> empty_hash(HashAlg alg) {
  const Bytes& cached = constants(alg).empty_hash;
  if (!cached.empty()) return cached;
  return digest(alg, {});
}

// Secrets that are no longer needed are wiped, not just released.
void wipe(Bytes& b) {
  wipe_memory(b);
  b.clear();
}

// RFC 8446 §7.1: Derive-Secret(Secret, "derived", "") hashes no messages,
// so its context is Hash("") — the same for every handshake.
Result<Bytes> derived(HashAlg alg, ByteView secret) {
  VOUCH_ASSIGN(Bytes context, empty_hash(alg));
  return derive_secret(alg, secret, "derived", context);
}

Status check_hash(HashAlg alg, ByteView transcript_hash) {
  if (transcript_hash.size() != hash_length(alg)) {
    return fail(Alert::internal_error, "key schedule: transcript hash has the wrong length");
  }
  return {};
}

Error out_of_order(const char* step) {
  return fail(Alert::internal_error, std::string("key schedule: ") + step + " called out of order");
}

}  // namespace

Result<Bytes> finished_verify_data(HashAlg alg, ByteView base_key, ByteView transcript_hash) {
  VOUCH_TRY(check_hash(alg, transcript_hash));
  // RFC 8446 §4.4.4: finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length);
  //   verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context, ...)).
  VOUCH_ASSIGN(Bytes finished_key,
               hkdf_expand_label(alg, base_key, "finished", {}, hash_length(alg)));
  auto verify_data = hmac(alg, finished_key, transcript_hash);
  wipe(finished_key);
  return verify_data;
}

Result<Bytes> resumption_psk(HashAlg alg, ByteView resumption_master_secret,
                             ByteView ticket_nonce) {
  // RFC 8446 §4.6.1: HKDF-Expand-Label(resumption_master_secret,
  //   "resumption", ticket_nonce, Hash.length).
  return hkdf_expand_label(alg, resumption_master_secret, "resumption", ticket_nonce,
                           hash_length(alg));
}

Status KeySchedule::start(ByteView psk) {
  if (!early_.empty() || !handshake_.empty() || !master_.empty() || !res_.empty()) {
    return out_of_order("start");
  }
  // RFC 8446 §7.1: "if no PSK is selected, it will be a string of
  // Hash.length bytes set to zeros"; the salt "0" is the same zero string.
  psk_ = !psk.empty();
  if (!psk_ && !constants(alg_).no_psk_early.empty()) {
    early_ = constants(alg_).no_psk_early;
    return {};
  }
  const Bytes zeros(hash_length(alg_), 0);
  VOUCH_ASSIGN(early_, hkdf_extract(alg_, zeros, psk_ ? psk : ByteView(zeros)));
  return {};
}

Result<Bytes> KeySchedule::binder_key(bool external) const {
  if (early_.empty()) return out_of_order("binder_key");
  // RFC 8446 §7.1: Derive-Secret(Early Secret, "ext binder" | "res binder", "").
  VOUCH_ASSIGN(Bytes context, empty_hash(alg_));
  return derive_secret(alg_, early_, external ? "ext binder" : "res binder", context);
}

Status KeySchedule::handshake(ByteView ecdhe, ByteView hash_ch_sh) {
  if (early_.empty() || !handshake_.empty()) return out_of_order("handshake");
  VOUCH_TRY(check_hash(alg_, hash_ch_sh));
  const Bytes& no_psk_salt = constants(alg_).no_psk_derived;
  VOUCH_ASSIGN(Bytes salt, !psk_ && !no_psk_salt.empty() ? Result<Bytes>(no_psk_salt) : derived(alg_, early_));
  // psk_ke mode has no (EC)DHE: its input is then Hash.length zeros (§7.1).
  const Bytes zeros(hash_length(alg_), 0);
  VOUCH_ASSIGN(Bytes secret, hkdf_extract(alg_, salt, ecdhe.empty() ? ByteView(zeros) : ecdhe));
  VOUCH_ASSIGN(Bytes c_hs, derive_secret(alg_, secret, "c hs traffic", hash_ch_sh));
  VOUCH_ASSIGN(Bytes s_hs, derive_secret(alg_, secret, "s hs traffic", hash_ch_sh));
  handshake_ = std::move(secret);
  c_hs_ = std::move(c_hs);
  s_hs_ = std::move(s_hs);
  // Nothing after this point derives from the Early Secret (binders and
  // early traffic come first), so it is wiped for forward secrecy.
  wipe(early_);
  wipe(salt);
  return {};
}

Status KeySchedule::master(ByteView hash_ch_sf) {
  if (handshake_.empty() || !master_.empty()) return out_of_order("master");
  VOUCH_TRY(check_hash(alg_, hash_ch_sf));
  VOUCH_ASSIGN(Bytes salt, derived(alg_, handshake_));
  const Bytes zeros(hash_length(alg_), 0);
  VOUCH_ASSIGN(Bytes secret, hkdf_extract(alg_, salt, zeros));
  VOUCH_ASSIGN(Bytes c_ap, derive_secret(alg_, secret, "c ap traffic", hash_ch_sf));
  VOUCH_ASSIGN(Bytes s_ap, derive_secret(alg_, secret, "s ap traffic", hash_ch_sf));
  VOUCH_ASSIGN(Bytes exp, derive_secret(alg_, secret, "exp master", hash_ch_sf));
  master_ = std::move(secret);
  c_ap_ = std::move(c_ap);
  s_ap_ = std::move(s_ap);
  exp_ = std::move(exp);
  // The handshake traffic secrets stay (their getters are still read to
  // switch keys); the Handshake Secret itself is spent.
  wipe(handshake_);
  wipe(salt);
  return {};
}

KeySchedule::~KeySchedule() {
  wipe_each(early_, handshake_, master_, c_hs_, s_hs_, c_ap_, s_ap_, exp_, res_);
}

KeySchedule::ApplicationSecrets KeySchedule::take_application_secrets() {
  return ApplicationSecrets{std::move(c_ap_), std::move(s_ap_), std::move(exp_), std::move(res_)};
}

Status KeySchedule::resumption(ByteView hash_ch_cf) {
  if (master_.empty() || !res_.empty()) return out_of_order("resumption");
  VOUCH_TRY(check_hash(alg_, hash_ch_cf));
  VOUCH_ASSIGN(res_, derive_secret(alg_, master_, "res master", hash_ch_cf));
  wipe(master_);
  return {};
}

}  // namespace vouch

#include "handshake/conn_core.h"

namespace vouch {

void keep_application_secrets(ConnCore& core, KeySchedule& schedule) {
  KeySchedule::ApplicationSecrets kept = schedule.take_application_secrets();
  core.client_app_secret = std::move(kept.client);
  core.server_app_secret = std::move(kept.server);
  core.resumption_master_secret = std::move(kept.resumption);
  core.exporter_master_secret = std::move(kept.exporter);
}

void log_application_secrets(const ConnCore& core, const KeySchedule& schedule) {
  core.log_secret("CLIENT_TRAFFIC_SECRET_0", schedule.client_application_secret());
  core.log_secret("SERVER_TRAFFIC_SECRET_0", schedule.server_application_secret());
  core.log_secret("EXPORTER_SECRET", schedule.exporter_master_secret());
}

}  // namespace vouch
