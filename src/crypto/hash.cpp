// Hash functions, HMAC and the handshake transcript (RFC 8446 §4.4.1).
//
// Algorithm objects (EVP_MD, EVP_MAC) are fetched from the default provider
// once per process and kept for its lifetime: a fetch walks the provider's
// method store under a lock, which the hot path must never do again.
#include "crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include <array>
#include <cstring>
#include <utility>

#include "crypto/compare.h"

namespace vouch {
namespace {

const char* md_name(HashAlg alg) {
  switch (alg) {
    case HashAlg::sha256: return "SHA2-256";
    case HashAlg::sha384: return "SHA2-384";
    case HashAlg::sha512: return "SHA2-512";
  }
  return "SHA2-256";
}

// Fetches explicitly; if the provider cannot (it always can in the default
// provider), falls back to the built-in handle, which fetches implicitly on
// each use but still works — evp_md() promises never to return null.
const EVP_MD* fetch_md(HashAlg alg) {
  if (EVP_MD* md = EVP_MD_fetch(nullptr, md_name(alg), nullptr)) return md;
  switch (alg) {
    case HashAlg::sha256: return EVP_sha256();
    case HashAlg::sha384: return EVP_sha384();
    case HashAlg::sha512: return EVP_sha512();
  }
  return EVP_sha256();
}

// The HMAC implementation, fetched once (null if the provider lacks it).
EVP_MAC* hmac_mac() {
  // Never freed: it lives as long as the process, like the EVP_MDs.
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

// RFC 8446 §4.4.1: the synthetic handshake message that replaces
// ClientHello1 after a HelloRetryRequest has this handshake type.
constexpr uint8_t kMessageHashType = 254;

}  // namespace

size_t hash_length(HashAlg alg) {
  switch (alg) {
    case HashAlg::sha256: return 32;
    case HashAlg::sha384: return 48;
    case HashAlg::sha512: return 64;
  }
  return 32;
}

const EVP_MD* evp_md(HashAlg alg) {
  // Function-local statics: initialised once, thread-safely (C++11 magic
  // statics); never freed, they live as long as the process.
  static const EVP_MD* const sha256 = fetch_md(HashAlg::sha256);
  static const EVP_MD* const sha384 = fetch_md(HashAlg::sha384);
  static const EVP_MD* const sha512 = fetch_md(HashAlg::sha512);
  switch (alg) {
    case HashAlg::sha256: return sha256;
    case HashAlg::sha384: return sha384;
    case HashAlg::sha512: return sha512;
  }
  return sha256;
}

Result<Bytes> digest(HashAlg alg, ByteView data) {
  Bytes out(hash_length(alg));
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, evp_md(alg), nullptr) != 1 ||
      len != out.size()) {
    return fail(Alert::internal_error, "digest failed: " + ossl::last_error());
  }
  return out;
}

namespace {

// HMAC with an empty key is defined (RFC 2104 pads the key with zeros), but
// libcrypto wants a non-null pointer for it.
const uint8_t kEmptyKey = 0;

// The HmacWipeScope bookkeeping of a thread, per hash: whether its context
// holds a key that must be wiped when the outermost scope closes — and which
// key, so that the next HMAC under the same key (a traffic secret expanded
// into key and iv, a stage secret into two traffic secrets) restarts from
// the keyed state instead of keying again. The copy is wiped with the
// context.
struct KeptKey {
  bool dirty = false;  // the context holds a key from inside the scope
  bool known = false;  // and it is `bytes` (keys up to 64 bytes are remembered)
  size_t length = 0;
  uint8_t bytes[64];
};

// What this file keeps per thread, in one thread_local: in a shared library
// (libvouch_ssl.so) every access to a thread_local is a call to
// __tls_get_addr, so each entry point looks this up once and passes it on.
//
// `hmac`: one HMAC context per hash, its digest set once (null if libcrypto
// cannot make one). Creating a context and naming its digest resolve the
// digest by name in the provider on every call — most of an HKDF step's cost
// in a handshake — so each thread keeps one per hash and only re-keys it.
// Not reentrant, and need not be: HMAC calls never nest. `depth` counts the
// open HmacWipeScopes; `scratch` is Transcript::current's digest context.
struct ThreadHashState {
  ossl::EvpMacCtx hmac[3];
  int depth = 0;
  KeptKey kept[3];
  ossl::EvpMdCtx scratch;
};

ThreadHashState& thread_state() {
  thread_local ThreadHashState state;
  return state;
}

// The context, made on first use (null if libcrypto cannot make one).
EVP_MAC_CTX* make_thread_hmac(ossl::EvpMacCtx& ctx, HashAlg alg) {
  EVP_MAC* mac = hmac_mac();
  if (!mac) return nullptr;
  ossl::EvpMacCtx fresh(EVP_MAC_CTX_new(mac));
  // OSSL_PARAM wants a non-const char*, but only reads it.
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(md_name(alg)), 0),
      OSSL_PARAM_construct_end(),
  };
  if (!fresh || EVP_MAC_CTX_set_params(fresh.get(), params) != 1) return nullptr;
  ctx = std::move(fresh);
  return ctx.get();
}

// Inline, and handing make_thread_hmac the context rather than the state:
// given the state, GCC clones the callee with the thread_local's address
// folded in, and the clone looks it up again.
inline EVP_MAC_CTX* thread_hmac(ThreadHashState& st, HashAlg alg) {
  ossl::EvpMacCtx& ctx = st.hmac[static_cast<int>(alg)];
  return ctx ? ctx.get() : make_thread_hmac(ctx, alg);
}

// Re-keyed with the empty key: the context kept for the next call holds
// nothing of the last one's secret (libcrypto clears what it replaces).
void wipe_thread_hmac(ThreadHashState& st, HashAlg alg) {
  if (EVP_MAC_CTX* ctx = thread_hmac(st, alg)) (void)EVP_MAC_init(ctx, &kEmptyKey, 0, nullptr);
  KeptKey& k = st.kept[static_cast<int>(alg)];
  OPENSSL_cleanse(k.bytes, sizeof k.bytes);
  k.dirty = k.known = false;
  k.length = 0;
}

// True if the thread's context for alg is keyed with exactly `key` by an
// earlier HMAC in the open scope.
bool keyed_with(const ThreadHashState& st, HashAlg alg, ByteView key) {
  const KeptKey& k = st.kept[static_cast<int>(alg)];
  return st.depth > 0 && k.known && k.length == key.size() &&
         (key.empty() || constant_time_bytes_equal(k.bytes, key.data(), key.size()));
}

}  // namespace

HmacWipeScope::HmacWipeScope() { ++thread_state().depth; }

HmacWipeScope::~HmacWipeScope() {
  ThreadHashState& st = thread_state();
  if (--st.depth > 0) return;
  for (int a = 0; a < 3; ++a) {
    if (st.kept[a].dirty) wipe_thread_hmac(st, static_cast<HashAlg>(a));
  }
}

bool hmac_wipe_pending() {
  const ThreadHashState& st = thread_state();
  return st.kept[0].dirty || st.kept[1].dirty || st.kept[2].dirty;
}

Status hmac_into(HashAlg alg, ByteView key, std::initializer_list<ByteView> parts, std::span<uint8_t> out) {
  if (out.size() != hash_length(alg)) return fail(Alert::internal_error, "HMAC: output buffer of the wrong size");
  ThreadHashState& st = thread_state();
  EVP_MAC_CTX* ctx = thread_hmac(st, alg);
  if (!ctx) return fail(Alert::internal_error, "HMAC unavailable: " + ossl::last_error());
  // No key: libcrypto restarts from the key already set (as KeyedHmac does).
  const bool rekey = !keyed_with(st, alg, key);
  bool ok = rekey ? EVP_MAC_init(ctx, key.empty() ? &kEmptyKey : key.data(), key.size(), nullptr) == 1
                  : EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1;
  for (ByteView part : parts) {
    if (ok && !part.empty()) ok = EVP_MAC_update(ctx, part.data(), part.size()) == 1;
  }
  size_t len = 0;
  ok = ok && EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1 && len == out.size();
  if (st.depth > 0 && ok) {
    KeptKey& k = st.kept[static_cast<int>(alg)];
    k.dirty = true;  // wiped when the scope closes
    if (rekey) {
      k.known = key.size() <= sizeof k.bytes;
      k.length = k.known ? key.size() : 0;
      if (k.known && !key.empty()) std::memcpy(k.bytes, key.data(), key.size());
    }
  } else {
    wipe_thread_hmac(st, alg);
  }
  if (!ok) {
    OPENSSL_cleanse(out.data(), out.size());
    return fail(Alert::internal_error, "HMAC failed: " + ossl::last_error());
  }
  return {};
}

Result<Bytes> hmac(HashAlg alg, ByteView key, ByteView data) {
  Bytes out(hash_length(alg));
  if (Status s = hmac_into(alg, key, {data}, out); !s) return std::move(s).error();
  return out;
}

Result<Transcript> Transcript::clone() const {
  Transcript copy;
  copy.alg_ = alg_;
  copy.pending_ = pending_;
  copy.keep_ = keep_;
  copy.messages_ = messages_;
  if (ctx_) {
    copy.ctx_.reset(EVP_MD_CTX_new());
    if (!copy.ctx_ || EVP_MD_CTX_copy_ex(copy.ctx_.get(), ctx_.get()) != 1) {
      return fail(Alert::internal_error, "transcript copy failed: " + ossl::last_error());
    }
  }
  return copy;
}

Status Transcript::select(HashAlg alg) {
  // The hash is fixed by the negotiated cipher suite; choosing it twice
  // would mean the handshake logic lost track of the suite.
  if (ctx_) return fail(Alert::internal_error, "transcript hash already selected");
  ossl::EvpMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex2(ctx.get(), evp_md(alg), nullptr) != 1) {
    return fail(Alert::internal_error, "transcript init failed: " + ossl::last_error());
  }
  if (!pending_.empty() && EVP_DigestUpdate(ctx.get(), pending_.data(), pending_.size()) != 1) {
    return fail(Alert::internal_error, "transcript update failed: " + ossl::last_error());
  }
  alg_ = alg;
  ctx_ = std::move(ctx);
  pending_.clear();
  pending_.shrink_to_fit();
  return {};
}

void Transcript::keep_messages() {
  if (keep_) return;
  keep_ = true;
  if (!ctx_) messages_ = pending_;
}

void Transcript::drop_messages() {
  keep_ = false;
  Bytes().swap(messages_);
}

Status Transcript::update(ByteView message) {
  if (keep_) messages_.insert(messages_.end(), message.begin(), message.end());
  if (!ctx_) {
    pending_.insert(pending_.end(), message.begin(), message.end());
    return {};
  }
  if (!message.empty() && EVP_DigestUpdate(ctx_.get(), message.data(), message.size()) != 1) {
    return fail(Alert::internal_error, "transcript update failed: " + ossl::last_error());
  }
  return {};
}

Result<HashValue> Transcript::current() const {
  if (!ctx_) return fail(Alert::internal_error, "transcript hash used before selection");
  // Finalising destroys a digest state, so finish a copy and keep running.
  // The copy goes into this thread's scratch context (copying into it
  // replaces whatever state it held), not a new one per call.
  ossl::EvpMdCtx& scratch = thread_state().scratch;
  if (!scratch) scratch.reset(EVP_MD_CTX_new());
  HashValue out(hash_length(alg_));
  unsigned int len = 0;
  if (!scratch || EVP_MD_CTX_copy_ex(scratch.get(), ctx_.get()) != 1 ||
      EVP_DigestFinal_ex(scratch.get(), out.data(), &len) != 1 || len != out.size()) {
    return fail(Alert::internal_error, "transcript hash failed: " + ossl::last_error());
  }
  return out;
}

Status Transcript::restart_with_message_hash() {
  if (!ctx_) return fail(Alert::internal_error, "transcript restarted before selection");
  VOUCH_ASSIGN(HashValue ch1_hash, current());
  // RFC 8446 §4.4.1: message_hash || 00 00 Hash.length || Hash(ClientHello1).
  const std::array<uint8_t, 4> header = {kMessageHashType, 0, 0,
                                         static_cast<uint8_t>(ch1_hash.size())};
  if (EVP_DigestInit_ex2(ctx_.get(), evp_md(alg_), nullptr) != 1 ||
      EVP_DigestUpdate(ctx_.get(), header.data(), header.size()) != 1 ||
      EVP_DigestUpdate(ctx_.get(), ch1_hash.data(), ch1_hash.size()) != 1) {
    return fail(Alert::internal_error, "transcript restart failed: " + ossl::last_error());
  }
  return {};
}

}  // namespace vouch
