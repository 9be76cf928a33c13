// The CRL revocation provider (RFC 5280 §5 for the CRL format, §6.3 for how
// a CRL decides a certificate's status): CRLs loaded once from files, and
// CRLs looked up on demand in OpenSSL-hashed directories through libcrypto's
// X509_STORE (whose hash_dir lookup also sees files added later).
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <climits>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/hex.h"
#include "ocsp/ocsp_time.h"
#include "cert/pem.h"
#include "cert/x509_name.h"
#include "crypto/ossl.h"
#include "vouch/revocation.h"

namespace vouch {
namespace {

void free_crl_stack(STACK_OF(X509_CRL) * s) { sk_X509_CRL_pop_free(s, X509_CRL_free); }

using Crl = ossl::Ptr<X509_CRL, X509_CRL_free>;
using CrlStack = ossl::Ptr<STACK_OF(X509_CRL), free_crl_stack>;
using IssuingDistPoint = ossl::Ptr<ISSUING_DIST_POINT, ISSUING_DIST_POINT_free>;
using CrlDistPoints = ossl::Ptr<CRL_DIST_POINTS, CRL_DIST_POINTS_free>;
using Asn1Enumerated = ossl::Ptr<ASN1_ENUMERATED, ASN1_ENUMERATED_free>;

std::string serial_hex(const X509* cert) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  if (serial == nullptr) return "?";
  return to_hex(ByteView(ASN1_STRING_get0_data(serial), static_cast<size_t>(ASN1_STRING_length(serial))));
}

// ---- loading ---------------------------------------------------------------

// The revoked list is sorted once here so that X509_CRL_get0_by_cert, which
// sorts an unsorted list in place on first use, never writes to a CRL that
// concurrent check() calls are reading.
void presort(X509_CRL* crl) {
  if (STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl)) sk_X509_REVOKED_sort(revoked);
}

bool only_end_of_pem_input() {
  const unsigned long e = ERR_peek_last_error();
  return e == 0 || (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE);
}

// Every X509 CRL block of PEM text (other blocks are skipped).
Status read_pem_crls(std::string_view pem, const std::string& path, std::vector<Crl>& out) {
  if (pem.size() > static_cast<size_t>(INT_MAX)) return data_error(path + ": file too large");
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return fail(Alert::internal_error, path + ": out of memory");
  ERR_clear_error();
  const size_t before = out.size();
  for (;;) {
    Crl crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
    if (!crl) break;
    out.push_back(std::move(crl));
  }
  // The loop stops at the end of the text, or at a CRL block that does not
  // decode — which must not be skipped silently.
  if (!only_end_of_pem_input()) {
    return data_error(path + ": CRL " + std::to_string(out.size() - before + 1) +
                      " cannot be decoded: " + ossl::last_error());
  }
  ERR_clear_error();
  return {};
}

// One DER CertificateList (RFC 5280 §5.1), and nothing after it.
Status read_der_crl(std::string_view der, const std::string& path, std::vector<Crl>& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const auto* end = p + der.size();
  Crl crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl) return {};  // not a CRL: the caller reports "no CRL"
  if (p != end) return data_error(path + ": trailing data after the DER CRL");
  out.push_back(std::move(crl));
  return {};
}

Status load_crl_file(const std::string& path, std::vector<Crl>& out) {
  VOUCH_ASSIGN(std::string data, read_text_file(path));
  const size_t before = out.size();
  if (data.find("-----BEGIN") != std::string::npos) {
    VOUCH_TRY(read_pem_crls(data, path, out));
  } else {
    VOUCH_TRY(read_der_crl(data, path, out));
  }
  if (out.size() == before) return data_error(path + ": no CRL in file (PEM or DER expected)");
  for (size_t i = before; i < out.size(); ++i) presort(out[i].get());
  return {};
}

Status check_directory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (ec || !fs::exists(st)) return io_error("CRL directory " + dir + " does not exist");
  if (!fs::is_directory(st)) return io_error("CRL directory " + dir + " is not a directory");
  fs::directory_iterator it(dir, ec);
  if (ec) return io_error("CRL directory " + dir + " cannot be read: " + ec.message());
  return {};
}

// ---- is a CRL usable for a certificate (RFC 5280 §6.3.3) -------------------

bool general_names_intersect(const GENERAL_NAMES* a, const GENERAL_NAMES* b) {
  for (int i = 0; i < sk_GENERAL_NAME_num(a); ++i)
    for (int j = 0; j < sk_GENERAL_NAME_num(b); ++j)
      if (GENERAL_NAME_cmp(sk_GENERAL_NAME_value(a, i), sk_GENERAL_NAME_value(b, j)) == 0) return true;
  return false;
}

bool names_directory(const GENERAL_NAMES* names, const X509_NAME* name) {
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DIRNAME && X509_NAME_cmp(gn->d.directoryName, name) == 0) return true;
  }
  return false;
}

// RFC 5280 §6.3.3 (b)(2)(i): a CRL whose issuingDistributionPoint names a
// distribution point covers only certificates whose cRLDistributionPoints
// name it too; a certificate without that extension counts as naming its
// issuer (the closing paragraph of §6.3.3). Only the fullName form is
// compared; a name relative to the CRL issuer never matches (a partition we
// cannot place is not trusted to be the right one).
bool distribution_point_matches(const DIST_POINT_NAME* idp_name, X509* cert) {
  if (idp_name->type != 0) return false;
  const GENERAL_NAMES* idp_names = idp_name->name.fullname;
  int crit = 0;
  CrlDistPoints dps(static_cast<CRL_DIST_POINTS*>(X509_get_ext_d2i(cert, NID_crl_distribution_points, &crit, nullptr)));
  if (!dps && crit == -1) return names_directory(idp_names, X509_get_issuer_name(cert));
  for (int i = 0; i < sk_DIST_POINT_num(dps.get()); ++i) {
    const DIST_POINT* dp = sk_DIST_POINT_value(dps.get(), i);
    if (dp->distpoint != nullptr && dp->distpoint->type == 0 &&
        general_names_intersect(dp->distpoint->name.fullname, idp_names))
      return true;
  }
  return false;
}

// RFC 5280 §5.2: "If a CRL contains a critical extension that the
// application cannot process, then the application MUST NOT use that CRL".
// The ones understood here: issuingDistributionPoint (scope, below) and
// deltaCRLIndicator (such CRLs are set aside); the rest are informational.
std::string unsupported_critical_extension(const X509_CRL* crl) {
  for (int i = 0; i < X509_CRL_get_ext_count(crl); ++i) {
    X509_EXTENSION* ext = X509_CRL_get_ext(crl, i);
    if (X509_EXTENSION_get_critical(ext) == 0) continue;
    switch (OBJ_obj2nid(X509_EXTENSION_get_object(ext))) {
      case NID_issuing_distribution_point:
      case NID_delta_crl:
      case NID_authority_key_identifier:
      case NID_crl_number:
      case NID_issuer_alt_name:
        continue;
      default: {
        char oid[80];
        OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(ext), 1);
        return oid;
      }
    }
  }
  return {};
}

// Whether the CRL is a complete CRL whose scope includes `cert` (RFC 5280
// §5.2.4, §5.2.5, §6.3.3 (b)(2)); "" if it is, else what rules it out.
std::string scope_problem(X509_CRL* crl, X509* cert) {
  if (const std::string oid = unsupported_critical_extension(crl); !oid.empty())
    return "has an unsupported critical extension " + oid;
  // A delta CRL lists only changes since a base CRL; on its own it says
  // nothing about certificates it does not list (§5.2.4).
  if (X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0) return "is a delta CRL";
  int crit = 0;
  IssuingDistPoint idp(
      static_cast<ISSUING_DIST_POINT*>(X509_CRL_get_ext_d2i(crl, NID_issuing_distribution_point, &crit, nullptr)));
  if (!idp) return crit == -1 ? std::string() : "has an unreadable issuingDistributionPoint";
  // §6.3.3 (b)(2)(iv), §5.2.5: indirect CRLs (entries for other issuers) and
  // CRLs limited to some reasons are not handled: neither is a complete
  // answer for this issuer's certificates.
  if (idp->indirectCRL) return "is an indirect CRL (not supported)";
  if (idp->onlysomereasons != nullptr) return "covers only some revocation reasons";
  if (idp->onlyattr) return "covers only attribute certificates";
  // §6.3.3 (b)(2)(ii), (iii).
  const bool is_ca = (X509_get_extension_flags(cert) & EXFLAG_CA) != 0;
  if (idp->onlyuser && is_ca) return "covers only end-entity certificates";
  if (idp->onlyCA && !is_ca) return "covers only CA certificates";
  if (idp->distpoint != nullptr && !distribution_point_matches(idp->distpoint, cert))
    return "is for a distribution point the certificate does not name";
  return {};
}

// §6.3.3 (f), (g): the issuer may sign CRLs (keyUsage cRLSign when the
// extension is present, §4.2.1.3) and the signature verifies with its key.
std::string signature_problem(X509_CRL* crl, X509* issuer) {
  if ((X509_get_key_usage(issuer) & KU_CRL_SIGN) == 0) return "is signed by an issuer whose keyUsage lacks cRLSign";
  EVP_PKEY* key = X509_get0_pubkey(issuer);
  if (key == nullptr) return "cannot be checked: the issuer's public key is unreadable";
  if (X509_CRL_verify(crl, key) != 1) return "has a bad signature (not signed by the issuer's key)";
  return {};
}

// §5.1.2.4, §5.1.2.5, §6.3.3 (a)(2): thisUpdate <= now < nextUpdate (a CRL
// without nextUpdate stays current; RFC 5280 requires it of conforming CAs,
// but its absence only means the issuer promised no date).
std::string time_problem(const X509_CRL* crl, SysTime now, std::optional<SysTime>& this_update) {
  this_update = from_asn1_time(X509_CRL_get0_lastUpdate(crl));
  if (!this_update) return "has an unreadable thisUpdate";
  if (*this_update > now) return "is not yet valid (this update " + iso8601(*this_update) + ")";
  if (const ASN1_TIME* next_asn1 = X509_CRL_get0_nextUpdate(crl)) {
    const std::optional<SysTime> next = from_asn1_time(next_asn1);
    if (!next) return "has an unreadable nextUpdate";
    if (*next <= now) return "has expired (next update " + iso8601(*next) + ")";
  }
  return {};
}

// ---- the provider ----------------------------------------------------------

class CrlProvider final : public RevocationProvider {
 public:
  CrlProvider(std::vector<Crl> crls, ossl::X509Store store, const CrlOptions& options)
      : crls_(std::move(crls)),
        store_(std::move(store)),
        check_whole_chain_(options.check_whole_chain),
        require_crl_(options.require_crl) {}

  std::string name() const override { return "crl"; }

  Status check(const RevocationContext& ctx) const override {
    ossl::ClearErrorsOnExit clear;
    // Position i is issued by position i+1; the last certificate is the
    // trust anchor, which no CRL speaks for (RFC 5280 §6.1: anchors are
    // trusted as given).
    for (size_t i = 0; i + 1 < ctx.chain.size(); ++i) {
      if (i > 0 && !check_whole_chain_) break;
      X509* cert = ctx.chain[i];
      X509* issuer = ctx.chain[i + 1];
      if (cert == nullptr || issuer == nullptr)
        return fail(Alert::internal_error, "CRL check: null certificate in the chain");
      VOUCH_TRY(check_certificate(cert, issuer, ctx.now));
    }
    return {};
  }

 private:
  // Every CRL issued under `issuer_name`: the loaded ones, then those the
  // directories hold (libcrypto's store reads <hash>.r<n> files it has not
  // seen yet on each lookup, under its own locks).
  std::vector<Crl> candidates(const X509_NAME* issuer_name) const {
    std::vector<Crl> out;
    for (const Crl& crl : crls_) {
      if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), issuer_name) != 0) continue;
      X509_CRL_up_ref(crl.get());
      out.emplace_back(crl.get());
    }
    if (!store_) return out;
    ossl::X509StoreCtx sctx(X509_STORE_CTX_new());
    if (!sctx || X509_STORE_CTX_init(sctx.get(), store_.get(), nullptr, nullptr) != 1) return out;
    CrlStack found(X509_STORE_CTX_get1_crls(sctx.get(), issuer_name));
    while (sk_X509_CRL_num(found.get()) > 0) out.emplace_back(sk_X509_CRL_shift(found.get()));
    return out;
  }

  // RFC 5280 §6.3.3 for one certificate and the issuer its chain verified
  // with: find a usable, current CRL of the issuer and look the certificate
  // up in it.
  Status check_certificate(X509* cert, X509* issuer, SysTime now) const {
    // §6.3.3 (b)(1): the CRL's issuer is the certificate's issuer.
    const X509_NAME* issuer_name = X509_get_issuer_name(cert);
    const std::string issuer_text = name_line(issuer_name);
    X509_CRL* best = nullptr;
    SysTime best_this_update{};
    X509_REVOKED* best_entry = nullptr;  // non-null iff `best` revokes `cert`
    std::vector<std::string> problems;
    std::vector<Crl> crls = candidates(issuer_name);
    for (const Crl& crl : crls) {
      std::string problem = scope_problem(crl.get(), cert);
      if (problem.empty()) problem = signature_problem(crl.get(), issuer);
      std::optional<SysTime> this_update;
      if (problem.empty()) problem = time_problem(crl.get(), now, this_update);
      if (!problem.empty()) {
        problems.push_back(std::move(problem));
        continue;
      }
      // X509_CRL_get0_by_cert answers 1 for a listed certificate and 2 for a
      // removeFromCRL entry (§5.3.1; delta CRLs only), which is no revocation.
      X509_REVOKED* entry = nullptr;
      if (X509_CRL_get0_by_cert(crl.get(), &entry, cert) != 1) entry = nullptr;
      // Of several current CRLs (an older one a directory still holds), the
      // most recent speaks; on a tie, one that revokes.
      if (best == nullptr || *this_update > best_this_update ||
          (*this_update == best_this_update && entry != nullptr && best_entry == nullptr)) {
        best = crl.get();
        best_this_update = *this_update;
        best_entry = entry;
      }
    }

    if (best == nullptr) return require_crl_ ? no_valid_crl(cert, issuer_text, problems) : Status{};
    if (best_entry == nullptr) return {};
    return revoked(cert, issuer_text, best_entry);
  }

  // certificate_unknown: no CRL decided, the status is UNDETERMINED (the
  // end of RFC 5280 §6.3.3).
  static Error no_valid_crl(X509* cert, const std::string& issuer_text, const std::vector<std::string>& problems) {
    std::string reason = problems.empty() ? "no CRL for " + issuer_text : "no valid CRL for " + issuer_text;
    reason += " (checking certificate " + subject_line(cert) + ")";
    for (size_t k = 0; k < problems.size(); ++k) {
      reason += k == 0 ? ": " : "; ";
      reason += problems.size() == 1 ? "the CRL " : "CRL " + std::to_string(k + 1) + " ";
      reason += problems[k];
    }
    return fail(Alert::certificate_unknown, std::move(reason));
  }

  static Error revoked(X509* cert, const std::string& issuer_text, X509_REVOKED* entry) {
    std::string reason = "certificate " + subject_line(cert) + " (serial " + serial_hex(cert) +
                         ") is revoked by the CRL of " + issuer_text;
    // reasonCode, a CRL entry extension (§5.3.1).
    int crit = 0;
    Asn1Enumerated code(static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &crit, nullptr)));
    if (code) reason += std::string(", reason ") + OCSP_crl_reason_str(ASN1_ENUMERATED_get(code.get()));
    return fail(Alert::certificate_revoked, std::move(reason));
  }

  std::vector<Crl> crls_;  // read-only after construction (revoked lists presorted)
  ossl::X509Store store_;  // null when there are no directories
  bool check_whole_chain_;
  bool require_crl_;
};

}  // namespace

Result<std::shared_ptr<const RevocationProvider>> crl_provider(const CrlOptions& options) {
  ossl::ClearErrorsOnExit clear;
  std::vector<Crl> crls;
  for (const std::string& path : options.files) VOUCH_TRY(load_crl_file(path, crls));

  ossl::X509Store store;
  if (!options.directories.empty()) {
    for (const std::string& dir : options.directories) VOUCH_TRY(check_directory(dir));
    store.reset(X509_STORE_new());
    if (!store) return fail(Alert::internal_error, "CRL provider: out of memory");
    // One hash_dir lookup holds every directory. It reads <hash>.r<n>
    // (PEM, as `openssl rehash` links them) when a CRL of that issuer is
    // first asked for, and on later lookups tries the next suffix, so CRLs
    // added to a directory are found without a restart (a file replaced in
    // place is not re-read: libcrypto caches what it loaded).
    X509_LOOKUP* lookup = X509_STORE_add_lookup(store.get(), X509_LOOKUP_hash_dir());
    if (lookup == nullptr) return fail(Alert::internal_error, "CRL provider: cannot create a directory lookup");
    for (const std::string& dir : options.directories) {
      if (X509_LOOKUP_add_dir(lookup, dir.c_str(), X509_FILETYPE_PEM) != 1)
        return fail(Alert::internal_error, "CRL directory " + dir + " cannot be used: " + ossl::last_error());
    }
  }
  return std::shared_ptr<const RevocationProvider>(
      std::make_shared<const CrlProvider>(std::move(crls), std::move(store), options));
}

}  // namespace vouch
