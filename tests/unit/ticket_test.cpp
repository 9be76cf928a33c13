// The server's session-ticket contents (sealed with TicketKeys, so only
// vouch ever parses them — but the parser still trusts no length).
#include <gtest/gtest.h>

#include "handshake/ticket.h"

namespace vouch {
namespace {

TicketContents sample() {
  TicketContents t;
  t.cipher_suite = CipherSuite::TLS_AES_256_GCM_SHA384;
  t.psk = Bytes(48, 0x5a);
  t.issued_at = 0x0000000123456789ull;
  t.lifetime = 7200;
  t.age_add = 0xdeadbeef;
  t.server_name = "localhost";
  t.alpn = "h2";
  t.client_chain = {Bytes(300, 1), Bytes(200, 2)};
  t.context = {'a', 'p', 'p'};
  return t;
}

TEST(Ticket, RoundTrips) {
  const TicketContents t = sample();
  auto back = decode_ticket(encode_ticket(t));
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->version, t.version);
  EXPECT_EQ(back->cipher_suite, t.cipher_suite);
  EXPECT_EQ(back->psk, t.psk);
  EXPECT_EQ(back->issued_at, t.issued_at);
  EXPECT_EQ(back->lifetime, t.lifetime);
  EXPECT_EQ(back->age_add, t.age_add);
  EXPECT_EQ(back->server_name, t.server_name);
  EXPECT_EQ(back->alpn, t.alpn);
  EXPECT_EQ(back->client_chain, t.client_chain);
  EXPECT_EQ(back->context, t.context);
}

TEST(Ticket, EmptyFieldsRoundTrip) {
  TicketContents t;
  auto back = decode_ticket(encode_ticket(t));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->client_chain.empty());
  EXPECT_TRUE(back->server_name.empty());
}

TEST(Ticket, EveryTruncationIsDecodeError) {
  const Bytes full = encode_ticket(sample());
  for (size_t n = 0; n < full.size(); ++n) {
    auto r = decode_ticket(ByteView(full).first(n));
    ASSERT_FALSE(r.ok()) << "prefix " << n;
    EXPECT_EQ(r.error().alert, Alert::decode_error);
  }
}

TEST(Ticket, TrailingBytesAndWrongFormatAreRejected) {
  Bytes b = encode_ticket(sample());
  b.push_back(0);
  EXPECT_FALSE(decode_ticket(b).ok());
  Bytes c = encode_ticket(sample());
  c[0] ^= 0xff;  // format byte
  EXPECT_FALSE(decode_ticket(c).ok());
}

TEST(Ticket, EmptyCertificateInChainIsRejected) {
  TicketContents t = sample();
  t.client_chain = {Bytes{}};
  EXPECT_FALSE(decode_ticket(encode_ticket(t)).ok());
}

}  // namespace
}  // namespace vouch
