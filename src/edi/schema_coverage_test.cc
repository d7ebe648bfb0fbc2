// Walks every built-in transaction-set schema and checks that each segment it lists has element
// definitions (types, min/max lengths, usage) in its version's dictionary. A segment without them
// is still placed by the validator (order, loops, repeats) but its elements are not checked.
//
// kKnownGaps lists the segments that are still only structure: the test fails when a segment
// outside that list has no definitions (a new gap) and when a listed one has gained them in every
// version that uses it (the list is stale: remove the entry), so the list only shrinks.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "edi/schema.h"

namespace mlc::edi {
namespace {

// Segments of the 810/850/855/856/860 structures (Bots grammars) that have no element
// definitions yet. Empty: issue #3 defined all 61 that were structure-only (the last eleven, AT9
// CLD DTP EFI ETD G53 GF IN2 LHE PAL TSD, from OBOE's generated 856 code, libedi's 00501
// dictionary and Bots; see schemas/dictionary_004010.schema). A segment added to a structure must
// come with its element definitions.
const std::set<std::string, std::less<>> kKnownGaps = {};

void Collect(const StructureNode& node, std::set<std::string>* tags) {
  for (const StructureNode& c : node.children) {
    tags->insert(c.tag);
    Collect(c, tags);
  }
}

// tag -> the sets ("850/004010") whose dictionary has no element definitions for it.
std::map<std::string, std::vector<std::string>> Undefined() {
  std::map<std::string, std::vector<std::string>> out;
  for (const TransactionSetSchema* set : SchemaRegistry::Builtin().sets()) {
    std::set<std::string> tags;
    Collect(set->root, &tags);
    for (const std::string& tag : tags) {
      const SegmentDef* def = set->dictionary->Find(tag);
      if (def == nullptr || def->elements.empty()) {
        out[tag].push_back(fmt::format("{}/{}", set->id, set->version));
      }
    }
  }
  return out;
}

TEST(SchemaCoverageTest, EveryListedSegmentHasElementDefinitions) {
  auto undefined = Undefined();
  for (const auto& [tag, sets] : undefined) {
    EXPECT_TRUE(kKnownGaps.count(tag) != 0)
        << "segment " << tag << " is listed by " << fmt::format("{}", fmt::join(sets, ", "))
        << " but has no element definitions in the dictionary";
  }
  for (const std::string& tag : kKnownGaps) {
    EXPECT_TRUE(undefined.count(tag) != 0)
        << tag << " now has element definitions everywhere: remove it from kKnownGaps";
  }
  // The segments the flows read are all defined (a small sample that must never regress).
  for (const char* tag : {"BEG", "PO1", "BIG", "IT1", "BAK", "ACK", "BSN", "HL", "N1", "REF"}) {
    EXPECT_EQ(undefined.count(tag), 0u) << tag;
  }
}

TEST(SchemaCoverageTest, DefinedSegmentsHaveSaneLengths) {
  for (const TransactionSetSchema* set : SchemaRegistry::Builtin().sets()) {
    std::set<std::string> tags;
    Collect(set->root, &tags);
    for (const std::string& tag : tags) {
      const SegmentDef* def = set->dictionary->Find(tag);
      if (def == nullptr) continue;
      for (const ElementDef& e : def->elements) {
        if (e.type == ElementType::kComposite) continue;
        EXPECT_GE(e.min_length, 1) << set->id << " " << e.id;
        EXPECT_LE(e.min_length, e.max_length) << set->id << " " << e.id;
      }
    }
  }
}

// The element definitions of the last eleven segments (dictionary_004010.schema): reference
// numbers from OBOE's generated 856 code and libedi's 00501 dictionary, lengths from Bots.
TEST(SchemaCoverageTest, ShipNoticeSegmentsCarryTheirReferencesAndNotes) {
  const SchemaRegistry& reg = SchemaRegistry::Builtin();
  for (const char* version : {"004010", "005010"}) {
    SCOPED_TRACE(version);
    const Dictionary* d = reg.FindDictionary(version);
    ASSERT_NE(d, nullptr);
    const SegmentDef* cld = d->Find("CLD");
    ASSERT_NE(cld, nullptr);
    ASSERT_EQ(cld->elements.size(), 5u);
    EXPECT_EQ(cld->elements[0].reference, "622");
    EXPECT_EQ(cld->elements[0].type, ElementType::kNumeric);
    EXPECT_EQ(cld->elements[0].usage, Usage::kMandatory);
    EXPECT_EQ(cld->elements[1].reference, "382");
    EXPECT_EQ(cld->elements[1].usage, Usage::kMandatory);
    ASSERT_EQ(cld->rules.size(), 1u);
    EXPECT_EQ(cld->rules[0].text, "C0504");
    const SegmentDef* g53 = d->Find("G53");
    ASSERT_NE(g53, nullptr);
    ASSERT_EQ(g53->elements.size(), 1u);
    EXPECT_EQ(g53->elements[0].reference, "875");
    EXPECT_EQ(g53->elements[0].min_length, 3);
    const SegmentDef* dtp = d->Find("DTP");
    ASSERT_NE(dtp, nullptr);
    ASSERT_EQ(dtp->elements.size(), 3u);
    EXPECT_EQ(dtp->elements[2].reference, "1251");
    EXPECT_EQ(dtp->elements[2].max_length, 35);
  }
  const Dictionary* d4 = reg.FindDictionary("004010");
  const Dictionary* d5 = reg.FindDictionary("005010");
  // 5010 widened element 127 (GF02) and appended PAL17 (1699 Pallet Structure Code).
  EXPECT_EQ(d4->Find("GF")->elements[1].max_length, 30);
  EXPECT_EQ(d5->Find("GF")->elements[1].max_length, 50);
  EXPECT_EQ(d4->Find("PAL")->elements.size(), 16u);
  ASSERT_EQ(d5->Find("PAL")->elements.size(), 17u);
  EXPECT_EQ(d5->Find("PAL")->elements[16].reference, "1699");
  EXPECT_EQ(d5->Find("PAL")->rules.size(), 7u);
}

// 005010 segments compared element by element against Bots records005010.py: the differences
// from 004010 are applied and the compared segments no longer end in `more`.
TEST(SchemaCoverageTest, Version5010DifferencesFromBotsAreApplied) {
  const SchemaRegistry& reg = SchemaRegistry::Builtin();
  const Dictionary* d4 = reg.FindDictionary("004010");
  const Dictionary* d5 = reg.FindDictionary("005010");
  ASSERT_NE(d4, nullptr);
  ASSERT_NE(d5, nullptr);
  struct Case {
    const char* tag;
    size_t index;  // 0-based element position
    uint16_t max4010;
    uint16_t max5010;
  };
  for (const Case& c : {Case{"SI", 1, 2, 3}, Case{"ADV", 5, 2, 3}, Case{"LE", 0, 6, 4},
                        Case{"LS", 0, 6, 4}, Case{"TD3", 2, 10, 15}, Case{"YNQ", 0, 2, 3},
                        Case{"LH4", 7, 6, 10}, Case{"ETD", 3, 30, 50}}) {
    SCOPED_TRACE(fmt::format("{}{:02}", c.tag, c.index + 1));
    ASSERT_NE(d4->Find(c.tag), nullptr);
    ASSERT_NE(d5->Find(c.tag), nullptr);
    EXPECT_EQ(d4->Find(c.tag)->elements.at(c.index).max_length, c.max4010);
    EXPECT_EQ(d5->Find(c.tag)->elements.at(c.index).max_length, c.max5010);
  }
  EXPECT_EQ(d5->Find("MEA")->elements.size(), 12u);
  EXPECT_EQ(d5->Find("LH2")->elements.size(), 13u);
  EXPECT_EQ(d5->Find("LFH")->elements.size(), 8u);
  for (const char* tag : {"ADV", "G61", "L7", "LDT", "LE", "LEP", "LFH", "LH1", "LH2", "LH3",
                          "LH4", "LHR", "LHT", "LM", "LQ", "LS", "MAN", "MEA", "PAM", "PCT", "PKG",
                          "PO3", "PWK", "QTY", "R4", "SDQ", "SI", "SLN", "SPI", "SR", "TAX", "TC2",
                          "TD3", "TD4", "V1", "YNQ"}) {
    ASSERT_NE(d5->Find(tag), nullptr) << tag;
    EXPECT_FALSE(d5->Find(tag)->more_elements) << tag;
  }
}

}  // namespace
}  // namespace mlc::edi
