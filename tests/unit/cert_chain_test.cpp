// CertChain: an immutable chain whose copies share one vector.
#include "vouch/cert_chain.h"

#include <gtest/gtest.h>

#include <vector>

namespace vouch {
namespace {

TEST(CertChain, EmptyByDefaultAndWhenMadeFromNothing) {
  const CertChain none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.size(), 0u);
  EXPECT_EQ(none.begin(), none.end());
  const CertChain from_empty{std::vector<Bytes>{}};
  EXPECT_TRUE(from_empty.empty());
  EXPECT_EQ(none, from_empty);
  EXPECT_EQ(&none.certs(), &from_empty.certs()) << "every empty chain reads one static empty vector";
}

TEST(CertChain, CopiesShareTheCertificates) {
  const CertChain a{Bytes{0x30, 0x01}, Bytes{0x30, 0x02, 0x03}};
  const CertChain b = a;
  EXPECT_EQ(&a.certs(), &b.certs()) << "a copy is a pointer, not the certificates again";
  EXPECT_EQ(&a[0], &b[0]);
  CertChain c;
  c = b;
  EXPECT_EQ(&c.certs(), &a.certs());
}

TEST(CertChain, ReadsLikeAVector) {
  const std::vector<Bytes> certs{Bytes{0x30, 0x01}, Bytes{0x30, 0x02}, Bytes{0x30, 0x03}};
  const CertChain chain = certs;
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_EQ(chain.front(), certs.front());
  EXPECT_EQ(chain.back(), certs.back());
  EXPECT_EQ(chain[1], certs[1]);
  size_t n = 0;
  for (const Bytes& cert : chain) EXPECT_EQ(cert, certs[n++]);
  EXPECT_EQ(n, 3u);
  const std::vector<Bytes>& as_vector = chain;  // no copy
  EXPECT_EQ(&as_vector, &chain.certs());
  EXPECT_EQ(chain, certs);
  EXPECT_EQ(certs, chain);
}

TEST(CertChain, EqualityIsByContent) {
  const CertChain a{Bytes{0x30, 0x01}};
  const CertChain b{Bytes{0x30, 0x01}};
  const CertChain c{Bytes{0x30, 0x02}};
  EXPECT_NE(&a.certs(), &b.certs());
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a == c);
  EXPECT_FALSE(a == CertChain{});
}

TEST(CertChain, AssigningANewChainLeavesCopiesOfTheOldOneAlone) {
  CertChain a{Bytes{0x30, 0x01}};
  const CertChain kept = a;
  a = std::vector<Bytes>{Bytes{0x30, 0x09}, Bytes{0x30, 0x0a}};
  EXPECT_EQ(a.size(), 2u);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0], (Bytes{0x30, 0x01}));
}

}  // namespace
}  // namespace vouch
