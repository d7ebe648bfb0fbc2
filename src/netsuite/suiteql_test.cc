#include "netsuite/suiteql.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace mlc::netsuite {
namespace {

TEST(SuiteQlTest, BindsLiteralsSafely) {
  SuiteQl q("SELECT id FROM transaction WHERE tranid = ? AND entity = ? AND foreigntotal > ?");
  q.Bind("' OR 1=1 --").Bind(1697).Bind(*Decimal::Parse("-56610.19"));
  auto text = q.Render();
  ASSERT_TRUE(text.ok()) << text.error();
  EXPECT_EQ(*text,
            "SELECT id FROM transaction WHERE tranid = ''' OR 1=1 --' AND entity = 1697 AND "
            "foreigntotal > -56610.19");
}

TEST(SuiteQlTest, InjectionAttemptsStayInsideOneLiteral) {
  for (std::string evil : {"x'; DROP TABLE transaction; --", "'' OR ''='", "\\' OR 1=1",
                           "PO1' UNION SELECT id FROM vendor --", "?", "'?'"}) {
    SuiteQl q("SELECT id FROM transaction WHERE tranid = ?");
    q.Bind(evil);
    auto text = q.Render();
    ASSERT_TRUE(text.ok()) << evil;
    const std::string prefix = "SELECT id FROM transaction WHERE tranid = '";
    ASSERT_EQ(text->rfind(prefix, 0), 0u);
    // After the prefix, the literal must run to the very end: every quote inside is doubled.
    std::string rest = text->substr(prefix.size());
    ASSERT_EQ(rest.back(), '\'');
    rest.pop_back();
    std::string unescaped;
    for (size_t i = 0; i < rest.size(); ++i) {
      if (rest[i] == '\'') {
        ASSERT_LT(i + 1, rest.size()) << evil;
        ASSERT_EQ(rest[i + 1], '\'') << "unpaired quote for " << evil;
        ++i;
      }
      unescaped.push_back(rest[i]);
    }
    EXPECT_EQ(unescaped, evil);
  }
}

TEST(SuiteQlTest, RefusesControlCharactersAndCountsPlaceholders) {
  EXPECT_EQ(SuiteQl("WHERE memo = ?").Bind("a\tb").Render().error().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(SuiteQl("WHERE memo = ?").Bind("a\nb").Render().ok());
  EXPECT_FALSE(SuiteQl("WHERE memo = ?").Bind(std::string("a\0b", 3)).Render().ok());
  EXPECT_FALSE(SuiteQl("WHERE memo = ?").Bind("\xff\xfe").Render().ok());
  EXPECT_TRUE(SuiteQl("WHERE memo = ?").Bind("Größe 10 µm").Render().ok());
  EXPECT_FALSE(SuiteQl("WHERE a = ? AND b = ?").Bind(1).Render().ok());
  EXPECT_FALSE(SuiteQl("WHERE a = 1").Bind(1).Render().ok());
  EXPECT_FALSE(SuiteQl("WHERE a = 'open").Render().ok());
  // '?' inside a literal of the text is not a placeholder; text whitespace becomes spaces.
  auto t = SuiteQl("SELECT\tid\nFROM item WHERE itemid = 'what?' AND id = ?").Bind(3).Render();
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "SELECT id FROM item WHERE itemid = 'what?' AND id = 3");
  EXPECT_EQ(EscapeLikePattern("50%_off\\"), "50\\%\\_off\\\\");
}

TEST(SuiteQlTest, DateTimesBecomeToDate) {
  CivilDateTime t{{2026, 1, 9}, {17, 0, 5, 0}};
  auto text = SuiteQl("WHERE lastmodifieddate >= ?").Bind(t).Render();
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "WHERE lastmodifieddate >= TO_DATE('2026-01-09 17:00:05','YYYY-MM-DD HH24:MI:SS')");
}

TEST(SuiteQlPageTest, DecodesTheRealSample) {
  std::ifstream in(std::string(MLC_SAMPLES_DIR) + "/netsuite/suiteql-response-transaction-PurchOrd.json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto page = ParseSuiteQlPage(ss.str());
  ASSERT_TRUE(page.ok()) << page.error();
  EXPECT_EQ(page->count, 228);
  EXPECT_EQ(page->total_results, 228);
  ASSERT_EQ(page->rows.size(), 2u);
  const Row& r = page->rows[0];
  EXPECT_FALSE(r.Has("links"));
  EXPECT_EQ(*r.Get("type"), "PurchOrd");
  auto total = r.GetDecimal("foreigntotal");
  ASSERT_TRUE(total.ok());
  ASSERT_TRUE(total->has_value());
  EXPECT_LT(**total, Decimal());
  auto modified = r.GetDate("lastmodifieddate");
  ASSERT_TRUE(modified.ok()) << modified.error();
  EXPECT_TRUE(modified->has_value());
  auto id = r.GetInt("id");
  ASSERT_TRUE(id.ok());
  EXPECT_GT(**id, 0);
}

TEST(RowTest, TypedGetters) {
  Row r({{"flag", "T"}, {"off", "F"}, {"n", "12"}, {"d", "1/9/2026"},
         {"ts", "2026-01-09 17:00:05"}, {"bad", "yes"}});
  EXPECT_EQ(**r.GetBool("flag"), true);
  EXPECT_EQ(**r.GetBool("off"), false);
  EXPECT_FALSE(r.GetBool("bad").ok());
  EXPECT_FALSE(r.GetBool("absent")->has_value());  // NULL columns are simply absent
  EXPECT_EQ(**r.GetInt("n"), 12);
  EXPECT_FALSE(r.GetInt("bad").ok());
  EXPECT_EQ((**r.GetDate("d")), (CivilDate{2026, 1, 9}));
  auto inst = r.GetInstant("ts", std::chrono::minutes(-6 * 60));  // a user in UTC-6
  ASSERT_TRUE(inst.ok());
  EXPECT_EQ(FormatIso8601(**inst), "2026-01-09T23:00:05Z");
  EXPECT_EQ(r.Require("absent").error().code(), StatusCode::kNotFound);
  EXPECT_FALSE(ParseSuiteQlPage("[]").ok());
  EXPECT_FALSE(ParseSuiteQlPage(R"({"count":1})").ok());
}

TEST(KeysetTest, RendersResumeCondition) {
  KeysetQuery q;
  q.select_from = SuiteQl(
      "SELECT t.id AS id, TO_CHAR(t.lastmodifieddate,'YYYY-MM-DD HH24:MI:SS') AS lm FROM "
      "transaction t");
  q.where = SuiteQl("t.type = ?").Bind("PurchOrd");
  q.first = {"TO_CHAR(t.lastmodifieddate,'YYYY-MM-DD HH24:MI:SS')", "lm", false};
  q.second = {"t.id", "id", true};
  auto first = RenderKeysetPage(q, std::nullopt);
  ASSERT_TRUE(first.ok());
  EXPECT_NE(first->find("WHERE (t.type = 'PurchOrd') ORDER BY TO_CHAR("), std::string::npos);
  auto next = RenderKeysetPage(q, KeysetPosition{"2026-01-09 17:00:05", "42"});
  ASSERT_TRUE(next.ok());
  EXPECT_NE(next->find("AND (TO_CHAR(t.lastmodifieddate,'YYYY-MM-DD HH24:MI:SS') > '2026-01-09 "
                       "17:00:05' OR (TO_CHAR(t.lastmodifieddate,'YYYY-MM-DD HH24:MI:SS') = "
                       "'2026-01-09 17:00:05' AND t.id > 42))"),
            std::string::npos)
      << *next;
  // A non-numeric id cannot sneak text into the numeric key.
  EXPECT_FALSE(RenderKeysetPage(q, KeysetPosition{"x", "1 OR 1=1"}).ok());
}

}  // namespace
}  // namespace mlc::netsuite
