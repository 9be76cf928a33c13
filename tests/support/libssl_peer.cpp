#include "support/libssl_peer.h"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include "support/pki.h"

namespace vouch::testing {

namespace {

void keylog_line(const SSL* ssl, const char* line) {
  auto* peer = static_cast<LibsslPeer*>(SSL_get_app_data(ssl));
  if (peer) peer->keylog.emplace_back(line);
}

}  // namespace

LibsslPeer::LibsslPeer(const LibsslPeerOptions& o) {
  const PkiFamily& f = o.family == "rsa" ? test_pki().rsa() : test_pki().ecdsa();
  ctx_.reset(SSL_CTX_new(o.server ? TLS_server_method() : TLS_client_method()));
  EXPECT_TRUE(ctx_);
  SSL_CTX_set_min_proto_version(ctx_.get(), o.min_version);
  SSL_CTX_set_max_proto_version(ctx_.get(), o.max_version);
  if (!o.ems) SSL_CTX_set_options(ctx_.get(), SSL_OP_NO_EXTENDED_MASTER_SECRET);
  SSL_CTX_set_keylog_callback(ctx_.get(), keylog_line);
  if (o.server) {
    EXPECT_EQ(SSL_CTX_use_certificate_chain_file(ctx_.get(), f.server.chain_path.c_str()), 1);
    EXPECT_EQ(SSL_CTX_use_PrivateKey_file(ctx_.get(), f.server.key_path.c_str(), SSL_FILETYPE_PEM), 1);
    EXPECT_EQ(SSL_CTX_load_verify_locations(ctx_.get(), f.root.cert_path.c_str(), nullptr), 1);
    SSL_CTX_set_client_CA_list(ctx_.get(), SSL_load_client_CA_file(f.root.cert_path.c_str()));
  } else {
    SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_NONE, nullptr);
  }
  ssl_.reset(SSL_new(ctx_.get()));
  SSL_set_app_data(ssl_.get(), this);
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl_.get(), in_, out_);
  if (o.server) {
    SSL_set_accept_state(ssl_.get());
  } else {
    SSL_set_connect_state(ssl_.get());
    SSL_set_tlsext_host_name(ssl_.get(), "localhost");
  }
}

Bytes LibsslPeer::step(ByteView in) {
  if (!in.empty()) BIO_write(in_, in.data(), static_cast<int>(in.size()));
  ERR_clear_error();
  if (!done() || SSL_renegotiate_pending(ssl_.get())) {
    if (SSL_do_handshake(ssl_.get()) <= 0) {
      if (const unsigned long e = ERR_peek_last_error()) last_reason_ = ERR_GET_REASON(e);
    }
  }
  if (done()) {
    char buf[4096];
    for (int n; (n = SSL_read(ssl_.get(), buf, sizeof buf)) > 0;) received.append(buf, static_cast<size_t>(n));
  }
  return drain();
}

Bytes LibsslPeer::drain() {
  Bytes out;
  uint8_t buf[4096];
  for (int n; (n = BIO_read(out_, buf, sizeof buf)) > 0;) out.insert(out.end(), buf, buf + n);
  return out;
}

void LibsslPeer::write(const std::string& data) {
  EXPECT_EQ(SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size())), static_cast<int>(data.size()));
}

Bytes take_output(Connection& c) {
  ByteView v = c.pending_output();
  Bytes out(v.begin(), v.end());
  c.consume_output(v.size());
  return out;
}

bool pump_with(Connection& vouch, LibsslPeer& peer, int rounds) {
  (void)vouch.start();
  for (int i = 0; i < rounds; ++i) {
    Bytes to_peer = take_output(vouch);
    Bytes from_peer = peer.step(to_peer);
    if (!from_peer.empty()) (void)vouch.receive(from_peer);
    if (vouch.handshake_complete() && peer.done() && vouch.pending_output().empty()) return true;
    if (to_peer.empty() && from_peer.empty() && vouch.pending_output().empty()) break;
  }
  return vouch.handshake_complete() && peer.done();
}

}  // namespace vouch::testing
