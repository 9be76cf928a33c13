#include "support/loopback.h"

#include "support/pki.h"

namespace vouch::testing {

size_t transfer(Connection& from, Connection& to, Status* status) {
  ByteView out = from.pending_output();
  const size_t n = out.size();
  Bytes copy(out.begin(), out.end());
  from.consume_output(n);
  if (n == 0) return 0;
  Status s = to.receive(copy);
  if (status) *status = std::move(s);
  return n;
}

bool pump_handshake(Connection& client, Connection& server, int max_rounds) {
  (void)client.start();
  for (int i = 0; i < max_rounds; ++i) {
    const size_t a = transfer(client, server);
    const size_t b = transfer(server, client);
    if (client.handshake_complete() && server.handshake_complete() &&
        client.pending_output().empty() && server.pending_output().empty())
      return true;
    if (a == 0 && b == 0) break;
  }
  // Deliver any final alert so both sides observe the failure.
  transfer(client, server);
  transfer(server, client);
  return client.handshake_complete() && server.handshake_complete();
}

std::string send_and_receive(Connection& from, Connection& to, const std::string& data) {
  Status s = from.write(ByteView(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
  if (!s) return "<write failed: " + s.error().to_string() + ">";
  transfer(from, to);
  std::string got;
  uint8_t buf[4096];
  for (;;) {
    size_t n = to.read(buf);
    if (n == 0) break;
    got.append(reinterpret_cast<char*>(buf), n);
  }
  return got;
}

static const PkiFamily& family_of(const std::string& name) {
  return name == "rsa" ? test_pki().rsa() : test_pki().ecdsa();
}

std::shared_ptr<ClientConfig> client_config_for(const std::string& family) {
  auto c = std::make_shared<ClientConfig>();
  c->trust = family_of(family).trust();
  return c;
}

std::shared_ptr<ServerConfig> server_config_for(const std::string& family) {
  auto s = std::make_shared<ServerConfig>();
  s->credentials.push_back(family_of(family).server_credential());
  return s;
}

}  // namespace vouch::testing
