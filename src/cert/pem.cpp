#include "cert/pem.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vouch {
namespace {

ossl::Bio memory_bio(std::string_view text) {
  if (text.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  return ossl::Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Refuses every passphrase request: without it libcrypto's default callback
// would prompt on the controlling terminal.
int no_passphrase(char*, int, int, void*) { return -1; }

// True when the last error on the queue only says "no more PEM blocks".
bool only_end_of_input() {
  const unsigned long e = ERR_peek_last_error();
  return ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

}  // namespace

Result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Alert::internal_error, "cannot open " + path + ": " + std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return fail(Alert::internal_error, "cannot read " + path);
  return out.str();
}

Result<std::vector<ossl::X509Ptr>> read_pem_certificates(std::string_view pem,
                                                         std::string_view what,
                                                         bool accept_trusted) {
  ERR_clear_error();
  ossl::Bio bio = memory_bio(pem);
  if (!bio) return fail(Alert::internal_error, std::string(what) + ": cannot read PEM text");
  std::vector<ossl::X509Ptr> out;
  for (;;) {
    X509* x = accept_trusted ? PEM_read_bio_X509_AUX(bio.get(), nullptr, no_passphrase, nullptr)
                             : PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr);
    if (x == nullptr) break;
    out.emplace_back(x);
  }
  if (!only_end_of_input()) {
    return fail(Alert::internal_error, std::string(what) + ": certificate " +
                                           std::to_string(out.size() + 1) +
                                           " cannot be decoded: " + ossl::last_error());
  }
  ERR_clear_error();
  if (out.empty()) return fail(Alert::internal_error, std::string(what) + ": no certificate found");
  return out;
}

Result<ossl::EvpPkey> read_pem_private_key(std::string_view pem, std::string_view what) {
  ERR_clear_error();
  ossl::Bio bio = memory_bio(pem);
  if (!bio) return fail(Alert::internal_error, std::string(what) + ": cannot read PEM text");
  ossl::EvpPkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    if (only_end_of_input()) {
      ERR_clear_error();
      return fail(Alert::internal_error, std::string(what) + ": no private key found");
    }
    return fail(Alert::internal_error, std::string(what) +
                                           ": private key cannot be decoded (encrypted keys "
                                           "are not supported): " + ossl::last_error());
  }
  ERR_clear_error();
  return key;
}

}  // namespace vouch
