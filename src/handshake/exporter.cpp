#include "handshake/exporter.h"

#include "crypto/prf.h"
#include "handshake/key_schedule.h"

namespace vouch {

Result<Bytes> export_keying_material(const ConnCore& core, std::string_view label, std::optional<ByteView> context,
                                     size_t length) {
  if (!core.handshake_done) return config_error("exporter: the handshake has not completed");
  if (length == 0) return config_error("exporter: zero output length");
  if (core.tls12()) {
    // RFC 5705 §4: PRF(SecurityParameters.master_secret, label,
    // client_random + server_random [+ context_value_length + context_value])
    // — a context of zero length is still sent with its length, unlike none.
    Bytes seed(core.client_random.begin(), core.client_random.end());
    seed.insert(seed.end(), core.server_random.begin(), core.server_random.end());
    if (context) {
      if (context->size() > 0xFFFF) return config_error("exporter: context longer than 2^16-1 bytes");
      seed.push_back(static_cast<uint8_t>(context->size() >> 8));
      seed.push_back(static_cast<uint8_t>(context->size()));
      seed.insert(seed.end(), context->begin(), context->end());
    }
    return tls12_prf(core.prf_hash12, core.master_secret12, label, seed, length);
  }
  // RFC 8446 §7.5: TLS-Exporter(label, context_value, key_length) =
  //   HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter",
  //                     Hash(context_value), key_length)
  // where no context is the same as an empty one.
  HashAlg hash;
  AeadAlg aead;
  if (!tls13_suite_params(core.info.cipher_suite, hash, aead) || core.exporter_master_secret.empty())
    return fail(Alert::internal_error, "exporter: no exporter secret");
  VOUCH_ASSIGN(const Bytes empty_hash, digest(hash, ByteView()));
  VOUCH_ASSIGN(const Bytes secret, derive_secret(hash, core.exporter_master_secret, label, empty_hash));
  VOUCH_ASSIGN(const Bytes context_hash, digest(hash, context.value_or(ByteView())));
  return hkdf_expand_label(hash, secret, "exporter", context_hash, length);
}

}  // namespace vouch
