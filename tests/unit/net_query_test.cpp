#include <gtest/gtest.h>

#include "net/query.hpp"

namespace framewire::net {
namespace {

TEST(PercentDecode, DecodesEscapesAndPlus) {
  EXPECT_EQ(percentDecode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(percentDecode("a+b", true), "a b");
  EXPECT_EQ(percentDecode("a+b", false), "a+b");
  EXPECT_EQ(percentDecode("%e2%82%AC", false), "\xe2\x82\xac");
}

TEST(PercentDecode, RejectsMalformedEscapesAndNul) {
  EXPECT_FALSE(percentDecode("%", false));
  EXPECT_FALSE(percentDecode("%4", false));
  EXPECT_FALSE(percentDecode("%zz", false));
  EXPECT_FALSE(percentDecode("a%00b", false));
}

TEST(ParseQuery, ParsesPairsFlagsAndEmptyValues) {
  const auto q = parseQuery("action=stream&raw=1&flag&empty=&x=a%26b");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->at("action"), "stream");
  EXPECT_EQ(q->at("raw"), "1");
  EXPECT_EQ(q->at("flag"), "");
  EXPECT_EQ(q->at("empty"), "");
  EXPECT_EQ(q->at("x"), "a&b");
}

TEST(ParseQuery, LastOccurrenceWinsAndEmptyPairsAreSkipped) {
  const auto q = parseQuery("&&a=1&&a=2&");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->size(), 1u);
  EXPECT_EQ(q->at("a"), "2");
  EXPECT_FALSE(parseQuery("a=%G1"));
}

TEST(ParseTarget, SplitsPathAndQuery) {
  const auto t = parseTarget("/?action=snapshot");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/");
  EXPECT_EQ(t->query.at("action"), "snapshot");

  const auto d = parseTarget("/ws/direct?raw=1#frag");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path, "/ws/direct");
  EXPECT_EQ(d->query.at("raw"), "1");
}

TEST(ParseTarget, DecodesPathButKeepsPlus) {
  const auto t = parseTarget("/a%20b+c");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/a b+c");
}

TEST(ParseTarget, RejectsNonOriginFormAndBadEscapes) {
  EXPECT_FALSE(parseTarget(""));
  EXPECT_FALSE(parseTarget("*"));
  EXPECT_FALSE(parseTarget("http://host/x"));
  EXPECT_FALSE(parseTarget("/%zz"));
  EXPECT_FALSE(parseTarget("/ok?x=%"));
}

}  // namespace
}  // namespace framewire::net
