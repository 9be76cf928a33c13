// (EC)DHE key shares (RFC 8446 §4.2.8, §7.4).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/hex.h"
#include "crypto/key_share.h"

namespace vouch {
namespace {

using testing::hex;

constexpr NamedGroup kGroups[] = {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1};

size_t public_length(NamedGroup g) {
  switch (g) {
    case NamedGroup::x25519: return 32;
    case NamedGroup::secp256r1: return 65;
    case NamedGroup::secp384r1: return 97;
    default: return 0;
  }
}

KeyShare generate(NamedGroup g) {
  auto ks = KeyShare::generate(g);
  EXPECT_TRUE(ks.ok()) << ks.error().to_string();
  return std::move(ks).value();
}

void expect_illegal(const Result<Bytes>& r, std::string_view what) {
  ASSERT_FALSE(r.ok()) << what;
  EXPECT_EQ(r.error().alert, Alert::illegal_parameter) << what << ": " << r.error().to_string();
  EXPECT_FALSE(r.error().reason.empty());
}

TEST(KeyShare, SupportedGroups) {
  for (NamedGroup g : kGroups) EXPECT_TRUE(group_supported(g));
  EXPECT_FALSE(group_supported(NamedGroup::secp521r1));
  EXPECT_FALSE(group_supported(NamedGroup::x448));
  EXPECT_FALSE(group_supported(static_cast<NamedGroup>(0x1234)));
  EXPECT_FALSE(KeyShare::generate(NamedGroup::x448).ok());
  EXPECT_FALSE(KeyShare::generate(NamedGroup::secp521r1).ok());
}

TEST(KeyShare, BothSidesDeriveTheSameSecret) {
  for (NamedGroup g : kGroups) {
    KeyShare a = generate(g);
    KeyShare b = generate(g);
    EXPECT_EQ(a.group(), g);
    ASSERT_EQ(a.public_key().size(), public_length(g));
    if (g != NamedGroup::x25519) {
      EXPECT_EQ(a.public_key()[0], 0x04);  // uncompressed
    }
    EXPECT_NE(a.public_key(), b.public_key());
    auto ab = a.derive(b.public_key());
    auto ba = b.derive(a.public_key());
    ASSERT_TRUE(ab.ok()) << ab.error().to_string();
    ASSERT_TRUE(ba.ok()) << ba.error().to_string();
    EXPECT_EQ(*ab, *ba);
    // RFC 8446 §7.4: x25519 gives 32 bytes; ECDHE gives the x-coordinate
    // padded to the field size.
    EXPECT_EQ(ab->size(), g == NamedGroup::x25519 ? 32u : (public_length(g) - 1) / 2);
    // A third party gets something else.
    KeyShare c = generate(g);
    EXPECT_NE(*c.derive(b.public_key()), *ab);
  }
}

TEST(KeyShare, SurvivesMove) {
  KeyShare a = generate(NamedGroup::secp256r1);
  KeyShare b = generate(NamedGroup::secp256r1);
  const Bytes expected = *a.derive(b.public_key());
  KeyShare moved = std::move(a);
  EXPECT_EQ(*moved.derive(b.public_key()), expected);
}

TEST(KeyShare, MalformedLengthsAreIllegalParameter) {
  for (NamedGroup g : kGroups) {
    KeyShare ks = generate(g);
    const Bytes good = generate(g).public_key();
    expect_illegal(ks.derive({}), "empty");
    expect_illegal(ks.derive(ByteView(good).first(good.size() - 1)), "one byte short");
    Bytes longer = good;
    longer.push_back(0);
    expect_illegal(ks.derive(longer), "one byte long");
    expect_illegal(ks.derive(Bytes(1, 0)), "one byte");
  }
}

TEST(KeyShare, NistCurveEncodingsAreChecked) {
  for (NamedGroup g : {NamedGroup::secp256r1, NamedGroup::secp384r1}) {
    KeyShare ks = generate(g);
    const Bytes good = generate(g).public_key();
    const size_t coord = (good.size() - 1) / 2;
    ASSERT_TRUE(ks.derive(good).ok());

    // Compressed form, both as its proper 1 + coord length and padded to the
    // uncompressed length (RFC 8446 §4.2.8.2 allows only uncompressed).
    Bytes compressed(good.begin(), good.begin() + 1 + static_cast<ptrdiff_t>(coord));
    compressed[0] = static_cast<uint8_t>(0x02 | (good.back() & 1));
    expect_illegal(ks.derive(compressed), "compressed");
    Bytes relabelled = good;
    relabelled[0] = 0x02;
    expect_illegal(ks.derive(relabelled), "0x02 prefix at full length");
    relabelled[0] = 0x06;  // hybrid form
    expect_illegal(ks.derive(relabelled), "hybrid");
    // The point at infinity has the one-byte encoding 0x00.
    expect_illegal(ks.derive(Bytes{0x00}), "infinity");
    expect_illegal(ks.derive(Bytes(good.size(), 0)), "all zero");

    // A point off the curve: change Y.
    Bytes off = good;
    off.back() ^= 0x01;
    expect_illegal(ks.derive(off), "off curve");
    // (0, 0) is not on either curve (b != 0).
    Bytes origin(good.size(), 0);
    origin[0] = 0x04;
    expect_illegal(ks.derive(origin), "(0,0)");
    // Coordinates >= p are out of range.
    Bytes big(good.size(), 0xff);
    big[0] = 0x04;
    expect_illegal(ks.derive(big), "coordinates out of range");
  }
}

TEST(KeyShare, WrongCurvePointIsRejected) {
  // A P-384 point is the wrong size for P-256 and the other way round.
  KeyShare p256 = generate(NamedGroup::secp256r1);
  KeyShare p384 = generate(NamedGroup::secp384r1);
  expect_illegal(p256.derive(p384.public_key()), "P-384 point on P-256");
  expect_illegal(p384.derive(p256.public_key()), "P-256 point on P-384");
  expect_illegal(p256.derive(generate(NamedGroup::x25519).public_key()), "x25519 on P-256");
}

// RFC 8446 §7.4.2 / RFC 7748 §6.1: low-order x25519 points yield the
// all-zero secret, which must be refused.
TEST(KeyShare, X25519LowOrderPointsAreIllegalParameter) {
  KeyShare ks = generate(NamedGroup::x25519);
  const char* low_order[] = {
      // u = 0
      "0000000000000000000000000000000000000000000000000000000000000000",
      // u = 1
      "0100000000000000000000000000000000000000000000000000000000000000",
      // u = p - 1
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      // u = p (non-canonical 0)
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      // a point of order 8
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
  };
  for (const char* p : low_order) expect_illegal(ks.derive(hex(p)), p);
}

TEST(KeyShare, GeneratedX25519KeysAreDistinctAndAgreePairwise) {
  // X25519 shares are imported from pooled private randomness (not
  // EVP_PKEY_generate): across a buffer refill (32 bytes a key, 1 KiB a
  // refill) every key is new and each pair derives one secret both ways.
  std::vector<KeyShare> shares;
  std::set<std::string> publics;  // (a set of Bytes trips GCC 12's -Wstringop-overread)
  for (int i = 0; i < 40; ++i) {
    shares.push_back(generate(NamedGroup::x25519));
    EXPECT_EQ(shares.back().public_key().size(), 32u);
    const Bytes& pub = shares.back().public_key();
    EXPECT_TRUE(publics.insert(std::string(pub.begin(), pub.end())).second) << i;
  }
  for (size_t i = 0; i + 1 < shares.size(); i += 2) {
    auto ab = shares[i].derive(shares[i + 1].public_key());
    auto ba = shares[i + 1].derive(shares[i].public_key());
    ASSERT_TRUE(ab.ok() && ba.ok()) << i;
    EXPECT_EQ(*ab, *ba) << i;
  }
}

TEST(KeyShare, FromPrivateX25519) {
  // RFC 7748 §6.1: Alice's key pair.
  auto alice = KeyShare::from_private_x25519(
      hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(alice->public_key(),
            hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
  auto bob = KeyShare::from_private_x25519(
      hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  ASSERT_TRUE(bob.ok());
  EXPECT_EQ(*alice->derive(bob->public_key()),
            hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"));
  EXPECT_FALSE(KeyShare::from_private_x25519(Bytes(31, 1)).ok());
  EXPECT_FALSE(KeyShare::from_private_x25519({}).ok());
}

TEST(KeyShare, X25519PeersInARowEachGetTheirOwnSecret) {
  // A thread reuses one key object for the peers' X25519 public keys: each
  // derive must see its own peer, also after a refused one, and on other
  // threads.
  auto alice = KeyShare::from_private_x25519(
      hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  ASSERT_TRUE(alice.ok());
  const Bytes bob_public = hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  const Bytes shared = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  KeyShare carol = generate(NamedGroup::x25519);
  const Bytes with_carol = *carol.derive(alice->public_key());
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(*alice->derive(bob_public), shared) << round;
    EXPECT_EQ(*alice->derive(carol.public_key()), with_carol) << round;
    expect_illegal(alice->derive(Bytes(32, 0)), "all-zero point");
  }
  std::vector<Bytes> got(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) got[t] = *alice->derive(i % 2 ? bob_public : carol.public_key());
    });
  }
  for (auto& t : threads) t.join();
  for (const Bytes& b : got) EXPECT_EQ(b, shared);
}

}  // namespace
}  // namespace vouch
