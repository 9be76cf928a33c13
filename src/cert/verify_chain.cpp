#include "cert/verify_chain.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>

#include "cert/x509_name.h"

namespace vouch {
namespace {

// One CertificateEntry.cert_data (RFC 8446 §4.4.2): exactly one DER
// Certificate, nothing before or after it.
Result<ossl::X509Ptr> parse_entry(ByteView der, size_t index, size_t count) {
  const std::string where =
      "certificate " + std::to_string(index + 1) + " of " + std::to_string(count);
  if (der.empty() || der.size() > static_cast<size_t>(LONG_MAX)) {
    return fail(Alert::decode_error, where + ": cannot be parsed");
  }
  const unsigned char* p = der.data();
  ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) {
    ERR_clear_error();
    return fail(Alert::decode_error, where + ": cannot be parsed");
  }
  const auto used = static_cast<size_t>(p - der.data());
  if (used != der.size()) {
    return fail(Alert::decode_error, where + ": " + std::to_string(der.size() - used) +
                                         " trailing bytes after the DER certificate");
  }
  return cert;
}

// The address form of an IP literal host, brackets of "[::1]" removed;
// nullopt for a DNS name. RFC 6125 §3.1.3.2: an IP reference identity is
// checked against iPAddress subjectAltNames, never against DNS names.
std::optional<std::string> ip_literal(const std::string& host) {
  std::string h = host;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  unsigned char buf[16];
  if (inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1) {
    return h;
  }
  return std::nullopt;
}

Status configure(X509_VERIFY_PARAM* param, const PeerVerifyOptions& opts) {
  const bool server = opts.purpose == PeerVerifyOptions::Purpose::server_auth;
  // The same purpose and trust settings libssl applies ("ssl_server" /
  // "ssl_client"): the leaf's extendedKeyUsage (RFC 5280 §4.2.1.12) must
  // allow the role, and so must any explicit trust settings on the anchor.
  if (X509_VERIFY_PARAM_set_purpose(param, server ? X509_PURPOSE_SSL_SERVER
                                                  : X509_PURPOSE_SSL_CLIENT) != 1 ||
      X509_VERIFY_PARAM_set_trust(param, server ? X509_TRUST_SSL_SERVER
                                                : X509_TRUST_SSL_CLIENT) != 1) {
    return fail(Alert::internal_error, "cannot set verification purpose: " + ossl::last_error());
  }
  // Not X509_STRICT: deployed CAs break its extra profile checks, and the
  // checks RFC 8446 needs are made here. No partial chains: a path must end at
  // a self-signed anchor of the store, never at an intermediate it holds.
  X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_PARTIAL_CHAIN);
  X509_VERIFY_PARAM_set_depth(param, static_cast<int>(std::min<unsigned>(opts.max_depth, INT_MAX)));
  if (opts.now) X509_VERIFY_PARAM_set_time(param, *opts.now);
  if (!opts.host.empty()) {
    int ok;
    if (auto ip = ip_literal(opts.host)) {
      ok = X509_VERIFY_PARAM_set1_ip_asc(param, ip->c_str());
    } else {
      // "*.example.com" matches one whole label; "w*.example.com" never.
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      ok = X509_VERIFY_PARAM_set1_host(param, opts.host.data(), opts.host.size());
    }
    if (ok != 1) {
      ERR_clear_error();
      return fail(Alert::internal_error, "invalid host name to verify: \"" + opts.host + "\"");
    }
  }
  return {};
}

}  // namespace

Alert alert_for_verify_error(int err) {
  switch (err) {
    // RFC 8446 §6.2 certificate_expired: "A certificate has expired or is
    // not currently valid."
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return Alert::certificate_expired;
    // unknown_ca: "the CA certificate could not be located or could not be
    // matched with a known trust anchor."
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
      return Alert::unknown_ca;
    // unsupported_certificate: "a certificate was of an unsupported type"
    // — here, not issued for this role.
    case X509_V_ERR_INVALID_PURPOSE:
      return Alert::unsupported_certificate;
    case X509_V_ERR_CERT_REVOKED:
      return Alert::certificate_revoked;
    // A certificate's own signature failing is a corrupt certificate:
    // bad_certificate. decrypt_error is for handshake signatures (§4.4.3).
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
    default:
      return Alert::bad_certificate;
  }
}

Result<VerifiedChain> verify_peer_chain(const TrustStore& trust, const std::vector<Bytes>& der_chain,
                                        const PeerVerifyOptions& opts) {
  if (der_chain.empty()) return fail(Alert::decode_error, "the peer sent no certificate");
  if (trust.native() == nullptr) return fail(Alert::internal_error, "trust store is not allocated");

  // A verified-chain cache (keyed by a hash of der_chain, the options and the
  // store) belongs here, before any parsing: resumption-free mTLS reconnects
  // send the same chain every time. For now every handshake parses afresh.

  ossl::X509Ptr leaf;
  ossl::X509Stack untrusted(sk_X509_new_null());
  if (!untrusted) return fail(Alert::internal_error, "out of memory");
  for (size_t i = 0; i < der_chain.size(); ++i) {
    VOUCH_ASSIGN(ossl::X509Ptr cert, parse_entry(der_chain[i], i, der_chain.size()));
    if (i == 0) {
      leaf = std::move(cert);
    } else {
      // RFC 8446 §4.4.2: certificates after the leaf only help build a path;
      // they are untrusted and their order is not relied on.
      if (sk_X509_push(untrusted.get(), cert.get()) <= 0) {
        return fail(Alert::internal_error, "out of memory");
      }
      (void)cert.release();  // now owned by the stack
    }
  }

  ossl::X509StoreCtx ctx(X509_STORE_CTX_new());
  if (!ctx) return fail(Alert::internal_error, "out of memory");
  ERR_clear_error();
  if (X509_STORE_CTX_init(ctx.get(), trust.native(), leaf.get(), untrusted.get()) != 1) {
    return fail(Alert::internal_error, "cannot start verification: " + ossl::last_error());
  }
  VOUCH_TRY(configure(X509_STORE_CTX_get0_param(ctx.get()), opts));

  const int rc = X509_verify_cert(ctx.get());
  if (rc != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    if (err == X509_V_OK) {
      return fail(Alert::internal_error, "certificate verification failed: " + ossl::last_error());
    }
    ERR_clear_error();
    const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    std::string subject = subject_line(X509_STORE_CTX_get_current_cert(ctx.get()));
    if (subject.empty()) subject = "?";
    return fail(alert_for_verify_error(err),
                "certificate verification failed at depth " + std::to_string(depth) + " (" +
                    subject + "): " + X509_verify_cert_error_string(err) + " (X509_V_ERR " +
                    std::to_string(err) + ")");
  }

  VerifiedChain out;
  STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; i < sk_X509_num(built); ++i) out.chain.push_back(ossl::up_ref(sk_X509_value(built, i)));
  out.leaf_key.reset(X509_get_pubkey(leaf.get()));
  if (!out.leaf_key) {
    const std::string detail = ossl::last_error();
    return fail(Alert::unsupported_certificate,
                "certificate verification failed at depth 0 (" + subject_line(leaf.get()) +
                    "): its public key cannot be used: " + detail);
  }
  ERR_clear_error();
  return out;
}

}  // namespace vouch
