#include "cert/pem.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <sstream>

#include "crypto/wipe.h"

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
  if (!in) return io_error("cannot open " + path + ": " + std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return io_error("cannot read " + path);
  return out.str();
}

Result<std::vector<ossl::X509Ptr>> read_pem_certificates(std::string_view pem,
                                                         std::string_view what,
                                                         bool accept_trusted) {
  ERR_clear_error();
  ossl::Bio bio = memory_bio(pem);
  if (!bio) return data_error(std::string(what) + ": PEM text too large");
  std::vector<ossl::X509Ptr> out;
  for (;;) {
    X509* x = accept_trusted ? PEM_read_bio_X509_AUX(bio.get(), nullptr, no_passphrase, nullptr)
                             : PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr);
    if (x == nullptr) break;
    out.emplace_back(x);
  }
  if (!only_end_of_input()) {
    return data_error(std::string(what) + ": certificate " + std::to_string(out.size() + 1) +
                      " cannot be decoded: " + ossl::last_error());
  }
  ERR_clear_error();
  if (out.empty()) return data_error(std::string(what) + ": no certificate found");
  return out;
}

namespace {

// What libcrypto's pem_password_cb asks of the application's callback: the
// passphrase is asked for once per load (libcrypto may call again for
// another decoder; it gets the same answer), and whether it was asked at
// all tells an encrypted key from one that is not a key.
struct PassphraseRequest {
  const PassphraseCallback* callback = nullptr;  // null: refuse
  std::string_view what;
  bool asked = false;
  bool given = false;
  bool too_long = false;
  std::string passphrase;
};

int answer_passphrase(char* buf, int size, int /*rwflag*/, void* u) {
  auto* req = static_cast<PassphraseRequest*>(u);
  if (!req->asked) {
    req->asked = true;
    if (req->callback != nullptr && *req->callback) {
      std::optional<std::string> p = (*req->callback)(req->what);
      if (p) {
        req->given = true;
        req->passphrase = std::move(*p);
      }
    }
  }
  if (!req->given || size <= 0) return -1;
  if (req->passphrase.size() > static_cast<size_t>(size)) {
    req->too_long = true;
    return -1;
  }
  std::memcpy(buf, req->passphrase.data(), req->passphrase.size());
  return static_cast<int>(req->passphrase.size());
}

}  // namespace

Result<ossl::EvpPkey> read_pem_private_key(std::string_view pem, std::string_view what,
                                           const PassphraseCallback* passphrase) {
  ERR_clear_error();
  ossl::Bio bio = memory_bio(pem);
  if (!bio) return data_error(std::string(what) + ": PEM text too large");
  PassphraseRequest req{passphrase, what};
  ossl::EvpPkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, answer_passphrase, &req));
  // Wipe the copy of the passphrase whatever happened.
  wipe_memory(req.passphrase);
  if (key) {
    ERR_clear_error();
    return key;
  }
  const std::string name(what);
  if (req.asked) {
    // An encrypted key: PKCS#8 EncryptedPrivateKeyInfo (RFC 5958 §3) or the
    // traditional "Proc-Type: 4,ENCRYPTED" form (RFC 1421 §4.6.1.1).
    ERR_clear_error();
    if (passphrase == nullptr || !*passphrase) {
      return data_error(name + ": the private key is encrypted and no passphrase callback was given");
    }
    if (!req.given) return data_error(name + ": the private key is encrypted and no passphrase was given");
    if (req.too_long) return data_error(name + ": the passphrase is too long");
    return data_error(name + ": wrong passphrase for the encrypted private key (or the key is corrupted)");
  }
  if (only_end_of_input()) {
    ERR_clear_error();
    return data_error(name + ": not a private key (no PEM private key block found)");
  }
  return data_error(name + ": not a private key (the PEM block cannot be decoded: " + ossl::last_error() +
                    ")");
}

}  // namespace vouch
