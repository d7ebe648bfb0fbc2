#include "edi/reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "edi/sample_corpus_for_test.h"

namespace mlc::edi {
namespace {

using testing::LoadSamples;
using testing::ReadSample;

// Everything a test wants to know about one read, copied out of the events.
struct Summary {
  EnvelopeCounts counts;
  std::vector<Delimiters> delimiters;        // per interchange
  std::vector<std::string> set_ids;          // ST01 per set
  std::vector<size_t> set_sizes;             // segments per set
  std::vector<std::string> tags;             // every segment tag in order
  std::vector<std::string> events;           // event kind names (missing trailers marked)
  std::vector<uint64_t> set_offsets;         // byte offset of each ST
  std::vector<std::string> sender_ids;       // ISA06 trimmed
  size_t peak_buffer = 0;
};

Result<Summary> Summarize(std::string_view input, size_t max_chunk = SIZE_MAX,
                          ReaderOptions options = {}) {
  MemorySource src(input, max_chunk);
  Reader reader(src, options);
  Summary s;
  for (;;) {
    ASSIGN_OR_RETURN(Event ev, reader.Next());
    std::string name(EventKindName(ev.kind));
    if ((ev.kind == EventKind::kGroupEnd || ev.kind == EventKind::kInterchangeEnd) &&
        ev.segment == nullptr) {
      name += "(missing)";
    }
    s.events.push_back(name);
    switch (ev.kind) {
      case EventKind::kEnd:
        s.peak_buffer = reader.peak_buffer_capacity();
        return s;
      case EventKind::kInterchangeStart:
        ++s.counts.interchanges;
        s.delimiters.push_back(ev.interchange->delimiters);
        s.sender_ids.emplace_back(ev.interchange->sender_id());
        break;
      case EventKind::kGroupStart: ++s.counts.groups; break;
      case EventKind::kTransactionSet:
        ++s.counts.sets;
        s.set_ids.emplace_back(ev.set->id());
        s.set_sizes.push_back(ev.set->segments.size());
        s.set_offsets.push_back(ev.location.byte_offset);
        for (const Segment& seg : ev.set->segments) s.tags.emplace_back(seg.tag());
        break;
      case EventKind::kTa1: ++s.counts.ta1; break;
      default: break;
    }
    if (ev.segment != nullptr && ev.kind != EventKind::kTransactionSet) {
      s.tags.emplace_back(ev.segment->tag());
    }
  }
}

// Every sample: no crash, no hang; reading in 1-byte, 7-byte and whole chunks gives the same
// events; the samples whose envelope is readable yield SOURCES.tsv's ISA/GS/ST/TA1 counts.
TEST(ReaderSamplesTest, EverySampleReadsConsistentlyAndMatchesSourcesCounts) {
  auto samples = LoadSamples();
  ASSERT_GE(samples.size(), 110u);
  size_t checked_counts = 0;
  for (const auto& info : samples) {
    SCOPED_TRACE(info.file);
    std::string data = ReadSample(info.file);
    ASSERT_FALSE(data.empty());
    auto whole = Summarize(data);
    for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}}) {
      ReaderOptions small;
      small.chunk_size = 64;
      auto part = Summarize(data, chunk, small);
      ASSERT_EQ(whole.ok(), part.ok()) << chunk;
      if (whole.ok()) {
        EXPECT_EQ(whole->events, part->events) << chunk;
        EXPECT_EQ(whole->tags, part->tags) << chunk;
        EXPECT_EQ(whole->set_offsets, part->set_offsets) << chunk;
      } else {
        EXPECT_EQ(whole.error().message(), part.error().message());
      }
    }
    if (info.counts.count("ISA") == 0 || info.counts.at("ISA") < 0) {
      EXPECT_FALSE(whole.ok()) << "a sample without an ISA must be rejected";
      continue;
    }
    if (info.status == "valid-but-EBCDIC" || info.file == "ediengine__NonEdi.edi") {
      EXPECT_FALSE(whole.ok());
      continue;
    }
    ASSERT_TRUE(whole.ok()) << whole.error();
    EXPECT_EQ(whole->counts.interchanges, static_cast<size_t>(info.counts.at("ISA")));
    // Deliberately broken envelopes (a set without GS, a GS split by 'G' terminators) are counted
    // differently by the scanner that wrote SOURCES.tsv; their events are asserted one by one in
    // the envelope tests.
    if (info.status == "deliberately-invalid") continue;
    EXPECT_EQ(whole->counts.groups, static_cast<size_t>(info.counts.at("GS")));
    EXPECT_EQ(whole->counts.sets, static_cast<size_t>(info.counts.at("ST")));
    int ta1 = info.counts.count("TA1") ? info.counts.at("TA1") : 0;
    EXPECT_EQ(whole->counts.ta1, static_cast<size_t>(ta1));
    ++checked_counts;
  }
  EXPECT_GE(checked_counts, 75u);
}

TEST(ReaderTest, MailbagRedetectsDelimitersAtEveryIsa) {
  auto s = Summarize(ReadSample("bots__mailbag01.x12"));
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->counts.interchanges, 8u);
  EXPECT_EQ(s->counts.groups, 9u);
  EXPECT_EQ(s->counts.sets, 14u);
  std::string components, terminators;
  for (const Delimiters& d : s->delimiters) {
    components.push_back(d.component);
    terminators.push_back(d.segment);
    EXPECT_EQ(d.element, '*');
  }
  EXPECT_NE(components.find(':'), std::string::npos);
  EXPECT_NE(components.find('@'), std::string::npos);
  EXPECT_NE(components.find('+'), std::string::npos);
  EXPECT_NE(components.find('}'), std::string::npos);
  EXPECT_NE(terminators.find('\x15'), std::string::npos);
  EXPECT_NE(terminators.find('\n'), std::string::npos);
  EXPECT_NE(terminators.find('~'), std::string::npos);
}

TEST(ReaderTest, SkipsUtf8BomAndCountsItInOffsets) {
  std::string data = ReadSample("edifabric__Invoice.txt");
  ASSERT_EQ(data.substr(0, 3), "\xEF\xBB\xBF");
  MemorySource src(data);
  Reader reader(src);
  auto ev = reader.Next();
  ASSERT_TRUE(ev.ok()) << ev.error();
  EXPECT_EQ(ev->kind, EventKind::kInterchangeStart);
  EXPECT_EQ(ev->location.byte_offset, 3u);
  EXPECT_EQ(ev->interchange->version(), "00204");
  EXPECT_EQ(ev->interchange->isa_length, 106u);
}

TEST(ReaderTest, LineFeedAsTerminator) {
  auto s = Summarize(ReadSample("bots__850-004010-ascii-lf.x12"));
  auto t = Summarize(ReadSample("bots__850-004010-ascii1.x12"));
  ASSERT_TRUE(s.ok() && t.ok());
  EXPECT_EQ(s->delimiters[0].segment, '\n');
  EXPECT_EQ(t->delimiters[0].segment, '~');
  EXPECT_EQ(s->tags, t->tags);  // same content, different terminator
}

TEST(ReaderTest, CarriageReturnAsTerminator) {
  auto s = Summarize(ReadSample("mulesoft__OfficeMax_850.edi"));
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->delimiters[0].segment, '\r');
  EXPECT_EQ(s->counts.sets, 3u);
}

TEST(ReaderTest, NakTerminatorAndDelElementSeparator) {
  auto nak = Summarize(ReadSample("bots__850-004010-10.x12"));
  ASSERT_TRUE(nak.ok()) << nak.error();
  EXPECT_EQ(nak->delimiters[0].segment, '\x15');
  EXPECT_EQ(nak->delimiters[0].component, '}');
  auto del = Summarize(ReadSample("bots__850-004010VICS-01.x12"));
  ASSERT_TRUE(del.ok()) << del.error();
  EXPECT_EQ(del->delimiters[0].element, '\x7f');
  EXPECT_EQ(del->delimiters[0].segment, '\x15');
  EXPECT_EQ(del->counts.sets, 4u);
  auto bel = Summarize(ReadSample("mulesoft__Academy_850_1.edi"));
  ASSERT_TRUE(bel.ok()) << bel.error();
  EXPECT_EQ(bel->delimiters[0].element, '\x07');
}

TEST(ReaderTest, MultiByteTerminators) {
  auto ellipsis = Summarize(ReadSample("staedi__ts214-ellipsis-segterm.edi"));
  ASSERT_TRUE(ellipsis.ok()) << ellipsis.error();
  EXPECT_EQ(ellipsis->delimiters[0].segment_terminator(), "\xE2\x80\xA6");
  EXPECT_EQ(ellipsis->counts.sets, 1u);
  EXPECT_EQ(ellipsis->tags.back(), "IEA");
  auto odd = Summarize(ReadSample("gozer__x12.base.no.line.breaks.odd.char.txt"));
  ASSERT_TRUE(odd.ok()) << odd.error();
  EXPECT_EQ(odd->delimiters[0].segment_terminator(), "\xC3\x96");
  EXPECT_EQ(odd->counts.sets, 4u);
}

TEST(ReaderTest, HardWrappedFileIsUnwrapped) {
  std::string wrapped = ReadSample("bots__850-004010-08.x12");
  std::string oneline = ReadSample("bots__850-004010-07.x12");
  auto w = Summarize(wrapped);
  auto o = Summarize(oneline);
  ASSERT_TRUE(w.ok()) << w.error();
  ASSERT_TRUE(o.ok()) << o.error();
  EXPECT_EQ(w->tags, o->tags);
  EXPECT_EQ(w->counts.sets, 2u);
  // Offsets are of the original (wrapped) bytes: the second ST sits where the file has it.
  ASSERT_EQ(w->set_offsets.size(), 2u);
  for (uint64_t off : w->set_offsets) EXPECT_EQ(wrapped.substr(off, 3), "ST*");
  MemorySource src(wrapped);
  Reader reader(src);
  auto ev = reader.Next();
  ASSERT_TRUE(ev.ok());
  EXPECT_TRUE(ev->interchange->unwrapped);
  EXPECT_EQ(ev->interchange->line_width, 79u);
  EXPECT_EQ(ev->interchange->isa_length, 106u);

  auto staedi = Summarize(ReadSample("staedi__ts210-80char.edi"));
  ASSERT_TRUE(staedi.ok()) << staedi.error();
  EXPECT_EQ(staedi->counts.sets, 1u);
}

TEST(ReaderTest, RejectsEbcdicWithAClearMessage) {
  auto s = Summarize(ReadSample("bots__850-ebcdic.x12"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.error().message().find("EBCDIC"), std::string::npos) << s.error();
  EXPECT_NE(s.error().message().find("C9 E2 C1"), std::string::npos) << s.error();
}

TEST(ReaderTest, RejectsNonX12NamingWhatWasFound) {
  auto s = Summarize(ReadSample("ediengine__NonEdi.edi"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("not X12"), std::string::npos) << s.error();
  EXPECT_NE(s.error().message().find("Tk9OIEVES"), std::string::npos) << s.error();
  auto gs = Summarize(ReadSample("gozer__x12.missing.ISA.txt"));
  ASSERT_FALSE(gs.ok());
  EXPECT_NE(gs.error().message().find("found 'GS"), std::string::npos) << gs.error();
  auto empty = Summarize("");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message().find("empty"), std::string::npos);
  auto truncated = Summarize("ISA*00*          *00*");
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().message().find("truncated ISA"), std::string::npos);
}

TEST(ReaderTest, RepetitionSeparatorOnlyFrom00402AndNotAlphanumeric) {
  auto rep = Summarize(ReadSample("bots__850-004030-03.x12"));  // '^' with 00403
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->delimiters[0].repetition, '^');
  auto u = Summarize(ReadSample("mulesoft__850-5010-biztalk.edi"));  // 'U' with 00501
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->delimiters[0].repetition, 0);
  auto old = Summarize(ReadSample("edifabric__997.txt"));  // '^' with 00401
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->delimiters[0].repetition, 0);
  auto dash = Summarize(ReadSample("nodex12__856.edi"));  // '-' with 00406
  ASSERT_TRUE(dash.ok());
  EXPECT_EQ(dash->delimiters[0].repetition, '-');
}

TEST(ReaderTest, ParsesEnvelopeFieldsAndLocations) {
  std::string data =
      "ISA*00*          *00*          *ZZ*SENDER         *12*RECEIVER       *240102*1530*U*"
      "00401*000000042*1*T*>~\r\n"
      "GS*IN*APPSEND*APPRECV*20240102*1530*42*X*004010~\r\n"
      "ST*810*0001~\r\nBIG*20240102*INV1~\r\nIT1*1*2*EA*3.5~\r\nSE*4*0001~\r\n"
      "GE*1*42~\r\nIEA*1*000000042~\r\n";
  MemorySource src(data);
  Reader reader(src);
  auto isa = reader.Next();
  ASSERT_TRUE(isa.ok()) << isa.error();
  const InterchangeHeader& h = *isa->interchange;
  EXPECT_EQ(h.sender_qualifier(), "ZZ");
  EXPECT_EQ(h.sender_id(), "SENDER");
  EXPECT_EQ(h.receiver_qualifier(), "12");
  EXPECT_EQ(h.receiver_id(), "RECEIVER");
  EXPECT_EQ(h.date(), "240102");
  EXPECT_EQ(h.time(), "1530");
  EXPECT_EQ(h.version(), "00401");
  EXPECT_EQ(h.control_number(), "000000042");
  EXPECT_EQ(h.ack_requested(), "1");
  EXPECT_EQ(h.usage_indicator(), "T");
  EXPECT_EQ(h.isa[6], "SENDER         ");
  EXPECT_EQ(isa->segment->size(), 16u);
  EXPECT_EQ(isa->location.segment_in_input, 1u);
  auto gs = reader.Next();
  ASSERT_TRUE(gs.ok());
  ASSERT_EQ(gs->kind, EventKind::kGroupStart);
  EXPECT_EQ(gs->group->functional_id(), "IN");
  EXPECT_EQ(gs->group->control_number(), "42");
  EXPECT_EQ(gs->group->version(), "004010");
  EXPECT_EQ(gs->location.byte_offset, 108u);
  auto st = reader.Next();
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(st->kind, EventKind::kTransactionSet);
  const TransactionSet& set = *st->set;
  EXPECT_EQ(set.id(), "810");
  EXPECT_EQ(set.control_number(), "0001");
  EXPECT_TRUE(set.has_trailer);
  ASSERT_EQ(set.segments.size(), 4u);
  const Segment& it1 = set.segments[2];
  EXPECT_EQ(it1.tag(), "IT1");
  EXPECT_EQ(it1.element(4), "3.5");
  EXPECT_EQ(it1.element(5), "");
  EXPECT_EQ(it1.location().segment_in_set, 3u);
  EXPECT_EQ(it1.location().segment_in_input, 5u);
  EXPECT_EQ(data.substr(it1.location().byte_offset, 4), "IT1*");
  EXPECT_EQ(set.trailer()->element(1), "4");
  auto ge = reader.Next();
  ASSERT_TRUE(ge.ok());
  EXPECT_EQ(ge->kind, EventKind::kGroupEnd);
  ASSERT_NE(ge->segment, nullptr);
  auto iea = reader.Next();
  ASSERT_TRUE(iea.ok());
  EXPECT_EQ(iea->kind, EventKind::kInterchangeEnd);
  ASSERT_NE(iea->segment, nullptr);
  auto end = reader.Next();
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->kind, EventKind::kEnd);
  EXPECT_EQ(reader.Next()->kind, EventKind::kEnd);
}

TEST(ReaderTest, MissingTrailersBecomeEndEventsWithoutSegments) {
  auto se = Summarize(ReadSample("mulesoft__850-5010-missing-se.edi"));
  ASSERT_TRUE(se.ok());
  EXPECT_EQ(se->counts.sets, 1u);
  auto ge = Summarize(ReadSample("mulesoft__850-5010-missing-ge.edi"));
  ASSERT_TRUE(ge.ok());
  EXPECT_NE(std::find(ge->events.begin(), ge->events.end(), "group-end(missing)"),
            ge->events.end());
  auto cut = Summarize(
      "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*1530*U*"
      "00401*000000001*0*P*>~GS*PO*A*B*20240102*1530*1*X*004010~ST*850*0001~BEG*00*SA*1");
  ASSERT_TRUE(cut.ok()) << cut.error();
  std::vector<std::string> want = {"interchange-start", "group-start",
                                   "transaction-set",   "group-end(missing)",
                                   "interchange-end(missing)", "end"};
  EXPECT_EQ(cut->events, want);
  EXPECT_EQ(cut->set_sizes, std::vector<size_t>{2});
}

TEST(ReaderTest, Ta1OnlyInterchange) {
  auto s = Summarize(ReadSample("bots__ta1-only-testx120028.x12"));
  ASSERT_TRUE(s.ok());
  std::vector<std::string> want = {"interchange-start", "ta1", "interchange-end", "end"};
  EXPECT_EQ(s->events, want);
}

// A generated input of many sets read in small chunks: the buffer stays bounded by a small
// multiple of the largest set plus the chunk size, however long the input.
TEST(ReaderTest, MemoryIsBoundedByTheLargestSetNotTheInput) {
  std::string data =
      "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*1530*U*"
      "00401*000000001*0*P*>~\n"
      "GS*IN*A*B*20240102*1530*1*X*004010~\n";
  const int kSets = 20000;
  for (int i = 0; i < kSets; ++i) {
    std::string cn = fmt::format("{:04}", i % 10000);
    data += "ST*810*" + cn + "~\nBIG*20240102*INV" + cn + "~\n";
    int lines = (i == 777) ? 200 : 5;  // one larger set
    for (int l = 0; l < lines; ++l) data += "IT1*1*10*EA*12.50**VP*PART-" + cn + "~\n";
    data += "SE*" + std::to_string(lines + 3) + "*" + cn + "~\n";
  }
  data += "GE*20000*1~\nIEA*1*000000001~\n";
  ASSERT_GT(data.size(), 2'000'000u);
  ReaderOptions options;
  options.chunk_size = 1024;
  MemorySource src(data, 333);
  Reader reader(src, options);
  size_t sets = 0;
  uint64_t largest = 0;
  for (;;) {
    auto ev = reader.Next();
    ASSERT_TRUE(ev.ok()) << ev.error();
    if (ev->kind == EventKind::kEnd) break;
    if (ev->kind == EventKind::kTransactionSet) {
      ++sets;
      largest = std::max(largest, ev->set->byte_length);
    }
  }
  EXPECT_EQ(sets, static_cast<size_t>(kSets));
  EXPECT_GT(largest, 6000u);
  EXPECT_LE(reader.peak_buffer_capacity(), 4 * (largest + options.chunk_size));
}

TEST(ReaderTest, OversizedSetIsAnError) {
  std::string data =
      "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*1530*U*"
      "00401*000000001*0*P*>~GS*IN*A*B*20240102*1530*1*X*004010~ST*810*0001~";
  for (int i = 0; i < 1000; ++i) data += "IT1*1*10*EA*12.50~";
  ReaderOptions options;
  options.chunk_size = 256;
  options.max_set_bytes = 4096;
  auto s = Summarize(data, SIZE_MAX, options);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace mlc::edi

namespace mlc::edi {
namespace {

TEST(TagKeyTest, PacksOneToThreeCharactersAndRejectsOthers) {
  static_assert(TagKey("ST") == (uint32_t{'S'} << 8 | 'T'));
  EXPECT_EQ(TagKey("A"), uint32_t{'A'});
  EXPECT_EQ(TagKey("N1"), uint32_t{'N'} << 8 | '1');
  EXPECT_EQ(TagKey("IT1"), uint32_t{'I'} << 16 | uint32_t{'T'} << 8 | '1');
  EXPECT_EQ(TagKey("\xff\xfe"), 0xFFu << 8 | 0xFEu);  // bytes, not signed chars
  EXPECT_EQ(TagKey(""), 0xFFFFFFFFu);
  EXPECT_EQ(TagKey("ABCD"), 0xFFFFFFFFu);
  EXPECT_NE(TagKey("IT1"), TagKey("IT"));
}

}  // namespace
}  // namespace mlc::edi

namespace mlc::edi {
namespace {

// Every block classifier this CPU can run gives the bit masks a plain loop gives, for random
// bytes with many delimiters among them (including bytes >= 0x80, whose signedness matters).
TEST(ReaderSimdTest, EveryClassifierAgreesWithAPlainLoop) {
  uint64_t state = 88172645463325252ull;  // xorshift: deterministic
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const char pool[] = {'*', '~', '\n', '\r', 'A', '0', ' ', '\x85', '\xff', '|', '\x1d', '\0',
                       '>', '^', '\x7f', '\x1f', '\x80', '\x20', '\x7e'};
  int checked_levels = 0;
  for (auto level : {internal::SimdLevel::kScalar, internal::SimdLevel::kSse2,
                     internal::SimdLevel::kAvx2, internal::SimdLevel::kAvx512}) {
    uint64_t s = 0, t = 0, x = 0;
    char probe[64] = {};
    if (!internal::ClassifyBlockWith(level, probe, Delimiters{}, &s, &t, &x)) continue;
    ++checked_levels;
    for (int round = 0; round < 2000; ++round) {
      char block[64];
      for (char& c : block) c = pool[next() % sizeof(pool)];
      Delimiters d;
      d.element = pool[next() % sizeof(pool)];
      d.segment = pool[next() % sizeof(pool)];
      d.component = pool[next() % sizeof(pool)];
      d.repetition = round % 3 == 0 ? '\0' : pool[next() % sizeof(pool)];
      uint64_t want_s = 0, want_t = 0, want_x = 0;
      for (unsigned i = 0; i < 64; ++i) {
        const auto u = static_cast<unsigned char>(block[i]);
        const bool special = u < 0x20 || u >= 0x7F || block[i] == d.component ||
                             block[i] == d.repetition;
        want_s |= static_cast<uint64_t>(block[i] == d.element) << i;
        want_t |= static_cast<uint64_t>(block[i] == d.segment) << i;
        want_x |= static_cast<uint64_t>(special && block[i] != d.element) << i;
      }
      ASSERT_TRUE(internal::ClassifyBlockWith(level, block, d, &s, &t, &x));
      ASSERT_EQ(s, want_s) << "level " << static_cast<int>(level) << " round " << round;
      ASSERT_EQ(t, want_t) << "level " << static_cast<int>(level) << " round " << round;
      ASSERT_EQ(x, want_x) << "level " << static_cast<int>(level) << " round " << round;
    }
  }
  EXPECT_GE(checked_levels, 1);
  // The active level is always one of those that run.
  uint64_t s = 0, t = 0, x = 0;
  char probe[64] = {};
  EXPECT_TRUE(
      internal::ClassifyBlockWith(internal::ActiveSimdLevel(), probe, Delimiters{}, &s, &t, &x));
}

// Every element of every segment, read whole and in chunks around the 64-byte block size:
// segments that start, end or are cut by a refill at any block position split the same way.
TEST(ReaderSimdTest, ElementsAreTheSameForEveryChunkSize) {
  std::string x12 =
      "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*U*00401*"
      "000000001*0*P*>~\nGS*IN*S*R*20240101*1200*1*X*004010~\n";
  for (int n = 0; n < 40; ++n) {
    x12 += "ST*810*" + std::to_string(1000 + n) + "~";
    for (int k = 0; k < n % 7 + 1; ++k) {
      // Elements of growing length, some empty, so segments straddle block boundaries.
      // Some hold a line break, a component separator or a UTF-8 letter (not plain).
      x12 += "REF*" + std::string(static_cast<size_t>((n * 7 + k * 13) % 70), 'A' + k) + "**" +
             std::to_string(n * k) + (k % 2 ? "\r\n" : "") + (k == 2 ? ">1" : "") +
             (k == 4 ? "\xc3\x89" : "");
      x12 += "~";
    }
    x12 += "SE*" + std::to_string(n % 7 + 3) + "*" + std::to_string(1000 + n) + "~\n";
  }
  x12 += "GE*40*1~IEA*1*000000001~";
  auto elements = [&](size_t max_chunk, size_t chunk_size) {
    MemorySource src(x12, max_chunk);
    ReaderOptions options;
    options.chunk_size = chunk_size;
    options.mark_plain = true;
    Reader reader(src, options);
    std::vector<std::string> out;
    for (;;) {
      auto ev = reader.Next();
      EXPECT_TRUE(ev.ok());
      if (!ev.ok() || ev->kind == EventKind::kEnd) break;
      if (ev->kind != EventKind::kTransactionSet) continue;
      for (const Segment& seg : ev->set->segments) {
        std::string line(seg.tag());
        for (size_t i = 1; i <= seg.size(); ++i) line += "|" + std::string(seg.element(i));
        // Plainness from the scan, against a plain look at the bytes.
        bool special = false;
        for (char c : seg.raw()) {
          const auto u = static_cast<unsigned char>(c);
          special |= c != '*' && (u < 0x20 || u >= 0x7F || c == '>');
        }
        EXPECT_EQ(seg.plain(), special ? Segment::Plain::kNo : Segment::Plain::kYes) << line;
        line += seg.plain() == Segment::Plain::kYes ? " plain" : " not plain";
        out.push_back(line);
      }
    }
    return out;
  };
  const std::vector<std::string> whole = elements(SIZE_MAX, 256 * 1024);
  ASSERT_EQ(whole.size(), 40u * 2 + 155u);  // ST + SE per set, 1..7 REF each (155 in all)
  EXPECT_EQ(whole[1], "REF|||0 plain");
  for (size_t chunk : {size_t{1}, size_t{31}, size_t{63}, size_t{64}, size_t{65}, size_t{130}}) {
    EXPECT_EQ(elements(chunk, 64), whole) << chunk;
  }
  // Without mark_plain the reader does not look: every segment says kUnknown.
  MemorySource src(x12);
  Reader reader(src);
  size_t sets = 0;
  for (;;) {
    auto ev = reader.Next();
    ASSERT_TRUE(ev.ok());
    if (ev->kind == EventKind::kEnd) break;
    if (ev->segment != nullptr) {
      EXPECT_EQ(ev->segment->plain(), Segment::Plain::kUnknown);
    }
    if (ev->kind != EventKind::kTransactionSet) continue;
    ++sets;
    for (const Segment& seg : ev->set->segments) {
      EXPECT_EQ(seg.plain(), Segment::Plain::kUnknown) << seg.tag();
    }
  }
  EXPECT_EQ(sets, 40u);
}

}  // namespace
}  // namespace mlc::edi

namespace mlc::edi {
namespace {

// Found by fuzzing: with 'A' as the segment terminator, "...PAISA*00*..." holds a segment "P"
// and then a new ISA. Whether "ISA" starts an interchange depends on the byte after it, which a
// small read may not have buffered yet: the answer must not depend on chunking.
TEST(ReaderTest, IsaRightAfterALetterTerminatorIsFoundInEveryChunking) {
  const std::string isa =
      "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*U*00401*"
      "000000001*0*P*>";
  // The stray segment "Pxx..x" is padded so that the second ISA's 'I' is at byte 2173 = 64 * 33
  // + 61: beyond what the first ISA buffers ahead (2048 bytes), and with 64-byte reads "ISA" then
  // ends a read and its '*' comes with the next one.
  const std::string head = isa + "A" + "GS*IN*S*R*20240101*1200*1*X*004010A" + "P";
  const std::string x12 =
      head + std::string(2173 - head.size() - 1, 'x') + "A" + isa + "~" + "IEA*0*000000001~";
  ASSERT_EQ(x12.find("ISA", 1), 2173u);
  auto whole = Summarize(x12);
  ASSERT_TRUE(whole.ok()) << whole.error().message();
  EXPECT_EQ(whole->counts.interchanges, 2u);
  for (size_t chunk : {1, 2, 3, 4, 5, 6, 7, 8, 64}) {
    ReaderOptions small;
    small.chunk_size = 64;
    auto part = Summarize(x12, chunk, small);
    ASSERT_TRUE(part.ok()) << chunk;
    EXPECT_EQ(part->events, whole->events) << chunk;
  }
}

}  // namespace
}  // namespace mlc::edi
