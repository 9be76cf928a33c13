// (EC)DHE key shares: x25519 (RFC 7748) and the NIST curves secp256r1 and
// secp384r1 in uncompressed form (RFC 8446 §4.2.8.2), shared secrets per
// RFC 8446 §7.4.
#include "crypto/key_share.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include <array>
#include <utility>

#include "crypto/random.h"
#include "crypto/wipe.h"

namespace vouch {
namespace {

constexpr size_t kX25519Length = 32;

// Field element size of a NIST curve, or 0 for a group that is not one.
size_t coordinate_length(NamedGroup g) {
  switch (g) {
    case NamedGroup::secp256r1: return 32;
    case NamedGroup::secp384r1: return 48;
    default: return 0;
  }
}

const char* curve_name(NamedGroup g) { return g == NamedGroup::secp384r1 ? "P-384" : "P-256"; }

std::string group_label(NamedGroup g) { return to_string(g) + " key share: "; }

Error bad_share(NamedGroup g, const std::string& why) {
  ERR_clear_error();
  return fail(Alert::illegal_parameter, group_label(g) + why);
}

// The public encoding of our own key.
Result<Bytes> encode_public(NamedGroup g, EVP_PKEY* key) {
  // Largest encoding: an uncompressed P-384 point, 1 + 2 * 48 bytes.
  std::array<uint8_t, 1 + 2 * 48> buf;
  size_t len = 0;
  // A parameter query reads the provider's key directly; in libcrypto 3.0
  // EVP_PKEY_get_raw_public_key exports the key into a parameter list built
  // on the heap instead. For X25519 the encoded public key is the raw 32
  // bytes (RFC 8446 §4.2.8.2); the default point format of libcrypto's EC
  // keys is uncompressed (RFC 8446 §4.2.8.2's UncompressedPointRepresentation).
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, buf.data(), buf.size(),
                                      &len) != 1) {
    return fail(Alert::internal_error, group_label(g) + "public key export failed");
  }
  const bool fits = g == NamedGroup::x25519 ? len == kX25519Length
                                            : len == 1 + 2 * coordinate_length(g) && buf[0] == 0x04;
  if (!fits) return fail(Alert::internal_error, group_label(g) + "public key export failed");
  return Bytes(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(len));
}

// This thread's key-generation context for NIST curve g, set up once (null
// if libcrypto cannot). EVP_PKEY_Q_keygen would look the algorithm up by
// name in the provider and build a context and its parameters for every
// key; a prepared context only generates. Contexts are per thread:
// libcrypto's are not shared safely. (X25519 keys are imported from pooled
// private randomness instead: generate_x25519.)
EVP_PKEY_CTX* thread_ec_keygen(NamedGroup g) {
  thread_local ossl::EvpPkeyCtx p256, p384;
  ossl::EvpPkeyCtx& ctx = g == NamedGroup::secp256r1 ? p256 : p384;
  if (!ctx) {
    ossl::EvpPkeyCtx fresh(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!fresh || EVP_PKEY_keygen_init(fresh.get()) != 1) return nullptr;
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(curve_name(g)), 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_PKEY_CTX_set_params(fresh.get(), params) != 1) return nullptr;
    ctx = std::move(fresh);
  }
  return ctx.get();
}

// This thread's context for importing a peer's X25519 public key, set up
// once (null if libcrypto cannot). EVP_PKEY_new_raw_public_key_ex builds the
// same kind of context per call — looking X25519 up by name in the provider
// and walking its names (about half of the import's cost); importing
// through a prepared context leaves only the key object's creation.
// EVP_PKEY_fromdata does not change the context, so it serves every import
// of the thread. Per thread, like the key-generation contexts.
EVP_PKEY_CTX* thread_x25519_import() {
  thread_local ossl::EvpPkeyCtx ctx;
  if (!ctx) {
    ossl::EvpPkeyCtx fresh(EVP_PKEY_CTX_new_from_name(nullptr, "X25519", nullptr));
    if (!fresh || EVP_PKEY_fromdata_init(fresh.get()) != 1) return nullptr;
    ctx = std::move(fresh);
  }
  return ctx.get();
}

// An X25519 key from its 32 raw bytes through the thread's import context
// (null if refused; callers check the length): a peer's public key
// (`selection` EVP_PKEY_PUBLIC_KEY, OSSL_PKEY_PARAM_PUB_KEY) — libcrypto's
// X25519 key management takes any 32 bytes, as RFC 7748 §5 asks, and
// low-order points surface as an all-zero shared secret, which derive()
// refuses — or a key pair from its private key (EVP_PKEY_KEYPAIR,
// OSSL_PKEY_PARAM_PRIV_KEY), whose public key libcrypto computes
// (RFC 7748 §6.1) as EVP_PKEY_generate would.
ossl::EvpPkey import_x25519(int selection, const char* param, ByteView raw) {
  EVP_PKEY_CTX* ctx = thread_x25519_import();
  if (!ctx) return nullptr;
  // OSSL_PARAM wants a non-const pointer, but fromdata only reads it.
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(param, const_cast<uint8_t*>(raw.data()), raw.size()),
      OSSL_PARAM_construct_end(),
  };
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata(ctx, &key, selection, const_cast<OSSL_PARAM*>(params)) != 1) return nullptr;
  return ossl::EvpPkey(key);
}

ossl::EvpPkey import_x25519_public(ByteView peer_public) {
  return import_x25519(EVP_PKEY_PUBLIC_KEY, OSSL_PKEY_PARAM_PUB_KEY, peer_public);
}

ossl::EvpPkey import_x25519_private(ByteView private_key) {
  return import_x25519(EVP_PKEY_KEYPAIR, OSSL_PKEY_PARAM_PRIV_KEY, private_key);
}

// A new X25519 key pair. EVP_PKEY_generate draws its 32 random bytes with
// RAND_priv_bytes, which costs a system call (libcrypto's fork check) and a
// DRBG round per key — about 2.5 µs of a 30 µs key generation here; drawn
// from the thread's wipe-on-fork buffer of private randomness
// (random_private_bytes) and imported, the key costs only the scalar
// multiplication. The bytes are clamped as RFC 7748 §5's decodeScalar25519
// (and libcrypto's own generation) does, so the stored key is the one used.
Result<ossl::EvpPkey> generate_x25519() {
  std::array<uint8_t, kX25519Length> secret;
  VOUCH_TRY(random_private_bytes(secret));
  secret[0] &= 248;
  secret[31] &= 127;
  secret[31] |= 64;
  ossl::EvpPkey key = import_x25519_private(secret);
  wipe_memory(secret);
  if (!key) {
    return fail(Alert::internal_error,
                group_label(NamedGroup::x25519) + "key generation failed: " + ossl::last_error());
  }
  return key;
}

// This thread's key object for peers' X25519 public keys: each derive sets
// the peer's 32 bytes into it (libcrypto's X25519 key management takes an
// encoded public key as a parameter) instead of building a new EVP_PKEY,
// whose creation walks the provider's whole name table (it grows with every
// algorithm the process has fetched). Only public keys pass through it; the
// derive context that refers to it is freed before derive() returns. Null
// if libcrypto cannot import the key at all.
EVP_PKEY* thread_x25519_peer(ByteView peer_public) {
  thread_local ossl::EvpPkey key;
  if (key && EVP_PKEY_set1_encoded_public_key(key.get(), peer_public.data(), peer_public.size()) == 1)
    return key.get();
  ERR_clear_error();
  key = import_x25519_public(peer_public);  // the thread's first, or after a refusal
  return key.get();
}

}  // namespace

bool group_supported(NamedGroup g) {
  return g == NamedGroup::x25519 || g == NamedGroup::secp256r1 || g == NamedGroup::secp384r1;
}

Result<KeyShare> KeyShare::generate(NamedGroup g) {
  if (!group_supported(g)) {
    return fail(Alert::internal_error, "key share: unsupported group " + to_string(g));
  }
  KeyShare ks;
  ks.group_ = g;
  if (g == NamedGroup::x25519) {
    VOUCH_ASSIGN(ks.key_, generate_x25519());
  } else if (EVP_PKEY* key = nullptr; EVP_PKEY_CTX* ctx = thread_ec_keygen(g)) {
    if (EVP_PKEY_generate(ctx, &key) == 1) ks.key_.reset(key);
  }
  if (!ks.key_) {
    return fail(Alert::internal_error,
                group_label(g) + "key generation failed: " + ossl::last_error());
  }
  VOUCH_ASSIGN(ks.public_, encode_public(g, ks.key_.get()));
  return ks;
}

Result<KeyShare> KeyShare::from_private_x25519(ByteView private_key) {
  if (private_key.size() != kX25519Length) {
    return fail(Alert::internal_error, "x25519 private key must be 32 bytes");
  }
  KeyShare ks;
  ks.group_ = NamedGroup::x25519;
  ks.key_ = import_x25519_private(private_key);
  if (!ks.key_) {
    return fail(Alert::internal_error, "x25519 private key import failed: " + ossl::last_error());
  }
  VOUCH_ASSIGN(ks.public_, encode_public(ks.group_, ks.key_.get()));
  return ks;
}

Result<Bytes> KeyShare::derive(ByteView peer_public) const {
  if (!key_) return fail(Alert::internal_error, "key share used after move");
  const NamedGroup g = group_;
  ossl::EvpPkey peer;       // a NIST curve's peer key
  EVP_PKEY* peer_key = nullptr;
  if (g == NamedGroup::x25519) {
    // RFC 7748 §5: public keys are exactly 32 bytes.
    if (peer_public.size() != kX25519Length) {
      return bad_share(g, "expected 32 bytes, got " + std::to_string(peer_public.size()));
    }
    peer_key = thread_x25519_peer(peer_public);
    if (!peer_key) return bad_share(g, "public key rejected");
  } else {
    // RFC 8446 §4.2.8.2: UncompressedPointRepresentation, legacy_form = 4,
    // X and Y of the field size. Compressed (2, 3) and hybrid (6, 7) forms
    // and the one-byte point at infinity are refused here.
    const size_t coord = coordinate_length(g);
    if (peer_public.size() != 1 + 2 * coord) {
      return bad_share(g, "expected " + std::to_string(1 + 2 * coord) + " bytes, got " +
                              std::to_string(peer_public.size()));
    }
    if (peer_public[0] != 0x04) return bad_share(g, "point is not in uncompressed form");
    // The peer key takes its curve from ours (no provider lookup), then the
    // point; decoding the point checks that it lies on the curve.
    peer.reset(EVP_PKEY_new());
    if (!peer || EVP_PKEY_copy_parameters(peer.get(), key_.get()) != 1) {
      return fail(Alert::internal_error,
                  group_label(g) + "peer key setup failed: " + ossl::last_error());
    }
    if (EVP_PKEY_set1_encoded_public_key(peer.get(), peer_public.data(), peer_public.size()) != 1) {
      return bad_share(g, "point is not on the curve");
    }
    // RFC 8446 §4.2.8.2 asks for the three checks of NIST SP 800-56A
    // §5.6.2.3.4 (not infinity, coordinates in range, on the curve); these
    // curves have cofactor 1, so no subgroup check is needed — which is
    // exactly libcrypto's "quick" public key check.
    ossl::EvpPkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, peer.get(), nullptr));
    if (!check) return fail(Alert::internal_error, group_label(g) + "context allocation failed");
    if (EVP_PKEY_public_check_quick(check.get()) != 1) {
      return bad_share(g, "public key validation failed");
    }
    peer_key = peer.get();
  }

  ossl::EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      // Validation was done above; skip libcrypto's (slower, full) re-check.
      EVP_PKEY_derive_set_peer_ex(ctx.get(), peer_key, 0) != 1) {
    return fail(Alert::internal_error,
                group_label(g) + "derive setup failed: " + ossl::last_error());
  }
  // The secret's length is the group's (RFC 7748 §6.1: 32 bytes for
  // X25519; RFC 8446 §7.4.2: the field size for the NIST curves), so
  // libcrypto is not asked for it first.
  size_t len = g == NamedGroup::x25519 ? kX25519Length : coordinate_length(g);
  Bytes secret(len);
  if (EVP_PKEY_derive(ctx.get(), secret.data(), &len) != 1) {
    // libcrypto's X25519 refuses an all-zero result itself (a low-order peer
    // point); for it, that is the only way derivation can fail.
    if (g == NamedGroup::x25519) return bad_share(g, "shared secret is all zero");
    return fail(Alert::internal_error, group_label(g) + "derive failed: " + ossl::last_error());
  }
  secret.resize(len);
  if (g == NamedGroup::x25519) {
    // RFC 8446 §7.4.2: "implementations MUST check whether the computed
    // Diffie-Hellman shared secret is the all-zero value and abort if so".
    // Checked here too, without branching on secret bytes.
    uint8_t any = 0;
    for (uint8_t b : secret) any |= b;
    if (len != kX25519Length || any == 0) return bad_share(g, "shared secret is all zero");
  } else if (len != coordinate_length(g)) {
    // RFC 8446 §7.4.2: the shared secret is the x-coordinate, padded to the
    // field size — libcrypto always pads, so this is a sanity check.
    return fail(Alert::internal_error, group_label(g) + "unexpected shared secret length");
  }
  return secret;
}

}  // namespace vouch
