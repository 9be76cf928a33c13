// Credential: a certificate chain and the leaf's private key (the content of
// the Certificate and CertificateVerify messages, RFC 8446 §4.4.2–§4.4.3).
#include "vouch/credential.h"
#include "crypto/wipe.h"
#include "vouch/client_auth.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ocsp/ocsp.h"
#include "cert/pem.h"
#include "cert/x509_name.h"
#include "crypto/ossl.h"
#include "crypto/signature.h"

namespace vouch {

struct Credential::State {
  std::vector<ossl::X509Ptr> owned;  // one reference per certificate
  std::vector<X509*> chain;          // views of `owned`, for chain()
  std::vector<Bytes> der;            // CertificateEntry.cert_data, leaf first
  ossl::EvpPkey key;         // null when an external signer holds the key
  std::shared_ptr<const PreparedSigner> prepared;  // signs with `key`; null with it
  std::vector<SignatureScheme> schemes13, schemes12;  // what the leaf's key fits
  std::shared_ptr<PrivateKeySigner> signer;
  std::string subject;
  std::vector<Bytes> staples;  // OCSP responses by chain position; empty = none
};

namespace {

Result<Bytes> der_of(X509* cert, size_t index) {
  const int len = i2d_X509(cert, nullptr);
  if (len <= 0) {
    return fail(Alert::internal_error, "certificate " + std::to_string(index + 1) +
                                           " cannot be DER-encoded: " + ossl::last_error());
  }
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  if (i2d_X509(cert, &p) != len) {
    return fail(Alert::internal_error, "certificate " + std::to_string(index + 1) +
                                           " cannot be DER-encoded: " + ossl::last_error());
  }
  return out;
}

// The schemes the leaf's public key fits, in both versions' readings.
void schemes_of(EVP_PKEY* key, Credential::State& s) {
  for (SignatureScheme scheme : default_certificate_signature_schemes()) {
    if (scheme_matches_key(scheme, key, /*tls13=*/true)) s.schemes13.push_back(scheme);
    if (scheme_matches_key(scheme, key, /*tls13=*/false)) s.schemes12.push_back(scheme);
  }
}

// Builds the shared state; `key_label` names the key's source in reasons
// ("" for libcrypto objects).
Result<std::shared_ptr<const Credential::State>> make_state(std::vector<ossl::X509Ptr> chain,
                                                            ossl::EvpPkey key,
                                                            const std::string& key_label,
                                                            std::shared_ptr<PrivateKeySigner> signer = nullptr) {
  if (chain.empty()) return config_error("credential has no certificate");
  if (!key && !signer) return config_error("credential has no private key");
  if (X509_get0_pubkey(chain.front().get()) == nullptr)
    return data_error("credential: the leaf's public key is not supported");
  auto s = std::make_shared<Credential::State>();
  s->subject = subject_line(chain.front().get());
  s->signer = std::move(signer);
  schemes_of(X509_get0_pubkey(chain.front().get()), *s);
  // A key that does not belong to the leaf would only surface as a peer's
  // decrypt_error on our CertificateVerify (RFC 8446 §4.4.3); catch it at load.
  ERR_clear_error();
  if (key && X509_check_private_key(chain.front().get(), key.get()) != 1) {
    ERR_clear_error();
    std::string reason = "private key does not match certificate " + s->subject;
    if (!key_label.empty()) reason += " (key from " + key_label + ")";
    // The usual cause: a chain file in the wrong order (RFC 8446 §4.4.2:
    // "The sender's certificate MUST come in the first CertificateEntry").
    bool hinted = false;
    for (size_t i = 1; i < chain.size() && !hinted; ++i) {
      if (X509_check_private_key(chain[i].get(), key.get()) == 1) {
        reason += "; the key belongs to certificate " + std::to_string(i + 1) + " of the chain (" +
                  subject_line(chain[i].get()) + "): the leaf must come first, then its issuers";
        hinted = true;
      }
    }
    ERR_clear_error();
    if (!hinted && chain.size() > 1 && X509_check_ca(chain.front().get()) != 0) {
      reason += "; the first certificate of the chain is a CA: the leaf comes first, then the intermediates "
                "(the root last, or left out)";
    }
    return data_error(std::move(reason));
  }
  for (size_t i = 0; i < chain.size(); ++i) {
    VOUCH_ASSIGN(Bytes der, der_of(chain[i].get(), i));
    s->der.push_back(std::move(der));
    s->chain.push_back(chain[i].get());
  }
  s->owned = std::move(chain);
  s->key = std::move(key);
  if (s->key) s->prepared = std::make_shared<const PreparedSigner>(s->key.get());
  return std::shared_ptr<const Credential::State>(std::move(s));
}

}  // namespace

namespace {

Result<std::shared_ptr<const Credential::State>> load_files(const std::string& chain_path,
                                                            const std::string& key_path,
                                                            const PassphraseCallback* passphrase) {
  VOUCH_ASSIGN(std::string chain_pem, read_text_file(chain_path));
  VOUCH_ASSIGN(std::string key_pem, read_text_file(key_path));
  VOUCH_ASSIGN(auto chain, read_pem_certificates(chain_pem, chain_path));
  Result<ossl::EvpPkey> key = read_pem_private_key(key_pem, key_path, passphrase);
  // The text may hold an unencrypted key: do not leave it in freed memory.
  wipe_memory(key_pem);
  if (!key) return std::move(key).error();
  return make_state(std::move(chain), std::move(key).value(), key_path);
}

Result<std::shared_ptr<const Credential::State>> load_pem(std::string_view chain_pem,
                                                          std::string_view key_pem,
                                                          const PassphraseCallback* passphrase) {
  VOUCH_ASSIGN(auto chain, read_pem_certificates(chain_pem, "certificate chain PEM"));
  VOUCH_ASSIGN(ossl::EvpPkey key, read_pem_private_key(key_pem, "private key PEM", passphrase));
  return make_state(std::move(chain), std::move(key), "");
}

}  // namespace

Result<Credential> Credential::from_pem_files(const std::string& chain_path,
                                              const std::string& key_path) {
  VOUCH_ASSIGN(auto state, load_files(chain_path, key_path, nullptr));
  return Credential(std::move(state));
}

Result<Credential> Credential::from_pem_files(const std::string& chain_path,
                                              const std::string& key_path,
                                              const PassphraseCallback& passphrase) {
  VOUCH_ASSIGN(auto state, load_files(chain_path, key_path, &passphrase));
  return Credential(std::move(state));
}

Result<Credential> Credential::from_pem(std::string_view chain_pem, std::string_view key_pem) {
  VOUCH_ASSIGN(auto state, load_pem(chain_pem, key_pem, nullptr));
  return Credential(std::move(state));
}

Result<Credential> Credential::from_pem(std::string_view chain_pem, std::string_view key_pem,
                                        const PassphraseCallback& passphrase) {
  VOUCH_ASSIGN(auto state, load_pem(chain_pem, key_pem, &passphrase));
  return Credential(std::move(state));
}

Result<Credential> Credential::from_x509(const std::vector<X509*>& chain, EVP_PKEY* key) {
  std::vector<ossl::X509Ptr> owned;
  owned.reserve(chain.size());
  for (size_t i = 0; i < chain.size(); ++i) {
    if (chain[i] == nullptr) {
      return config_error("certificate " + std::to_string(i + 1) + " of the chain is null");
    }
    owned.push_back(ossl::up_ref(chain[i]));
  }
  VOUCH_ASSIGN(auto state, make_state(std::move(owned), ossl::up_ref(key), ""));
  return Credential(std::move(state));
}

const std::vector<Bytes>& Credential::chain_der() const { return s_->der; }
const std::vector<X509*>& Credential::chain() const { return s_->chain; }
X509* Credential::leaf() const { return s_->chain.front(); }
EVP_PKEY* Credential::private_key() const { return s_->key.get(); }
EVP_PKEY* Credential::public_key() const { return X509_get0_pubkey(s_->chain.front()); }
PrivateKeySigner* Credential::signer() const { return s_->signer.get(); }

const std::vector<SignatureScheme>& Credential::signature_schemes(bool tls13) const {
  return tls13 ? s_->schemes13 : s_->schemes12;
}

Result<Bytes> Credential::sign(SignatureScheme scheme, ByteView message) const {
  if (!s_->prepared) {
    return config_error("credential of " + s_->subject + ": the private key is held by an external signer");
  }
  return s_->prepared->sign(scheme, message);
}

Result<Credential> Credential::from_signer(const std::vector<X509*>& chain,
                                           std::shared_ptr<PrivateKeySigner> signer) {
  if (!signer) return config_error("credential: null signer");
  std::vector<ossl::X509Ptr> owned;
  for (size_t i = 0; i < chain.size(); ++i) {
    if (chain[i] == nullptr)
      return config_error("certificate " + std::to_string(i + 1) + " of the chain is null");
    owned.push_back(ossl::up_ref(chain[i]));
  }
  VOUCH_ASSIGN(auto state, make_state(std::move(owned), nullptr, "", std::move(signer)));
  return Credential(std::move(state));
}

Result<Credential> Credential::from_pem_and_signer(std::string_view chain_pem,
                                                   std::shared_ptr<PrivateKeySigner> signer) {
  if (!signer) return config_error("credential: null signer");
  VOUCH_ASSIGN(auto chain, read_pem_certificates(chain_pem, "certificate chain PEM"));
  VOUCH_ASSIGN(auto state, make_state(std::move(chain), nullptr, "", std::move(signer)));
  return Credential(std::move(state));
}
std::string Credential::subject() const { return s_->subject; }

const std::vector<Bytes>& Credential::ocsp_staples() const { return s_->staples; }

Result<Credential> Credential::with_ocsp_staples(std::vector<Bytes> staples) const {
  const auto& chain = s_->chain;
  if (staples.size() > chain.size()) {
    return data_error("credential " + s_->subject + ": " + std::to_string(staples.size()) +
                      " OCSP staples for a chain of " + std::to_string(chain.size()) + " certificates");
  }
  for (size_t i = 0; i < staples.size(); ++i) {
    if (staples[i].empty()) continue;
    X509* issuer = i + 1 < chain.size() ? chain[i + 1] : nullptr;
    if (Status st = ocsp_response_names(staples[i], chain[i], issuer); !st) {
      return data_error("OCSP staple for chain certificate " + std::to_string(i) + " of " + s_->subject +
                        " refused: " + st.error().reason);
    }
  }
  // Everything stapled empty → no staples at all.
  bool any = false;
  for (const Bytes& b : staples) any = any || !b.empty();
  if (!any) staples.clear();
  else staples.resize(chain.size());

  auto s = std::make_shared<Credential::State>();
  for (X509* c : chain) s->owned.push_back(ossl::up_ref(c));
  s->chain = chain;
  s->der = s_->der;
  if (s_->key) s->key = ossl::up_ref(s_->key.get());
  s->prepared = s_->prepared;
  s->schemes13 = s_->schemes13;
  s->schemes12 = s_->schemes12;
  s->signer = s_->signer;
  s->subject = s_->subject;
  s->staples = std::move(staples);
  return Credential(std::shared_ptr<const State>(std::move(s)));
}

}  // namespace vouch
