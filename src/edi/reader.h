// The streaming X12 reader: turns bytes from a pull source into a flat stream of envelope events
// (ISA, GS, one event per whole transaction set, GE, IEA, TA1, stray segments), each carrying the
// parsed envelope fields and a precise Location.
//
// What it tolerates (see x12.md sections 1, 2 and 9): delimiters re-detected at every ISA (element
// separator = byte 3, ISA16 = component separator, the byte after ISA16 = terminator, ISA11 =
// repetition separator only when ISA12 >= 00402 and ISA11 is not alphanumeric); an ISA that is not
// fixed width (found by walking 16 separators); CR, LF, CRLF, spaces and tabs after a terminator;
// CR or LF as the terminator itself; multi-byte UTF-8 terminators; a UTF-8 BOM; files hard-wrapped
// at a fixed width (line breaks inside the ISA: every CR/LF is removed from that ISA on, and
// offsets are mapped back to the original bytes, assuming the wrapped interchange starts a line
// or the file). Missing trailers (SE, GE, IEA) are reported as
// end events whose `segment` is null, so consumers always see a well-nested tree; judging them is
// the envelope checker's job (envelope.h). What it rejects (Status, reading stops): EBCDIC input,
// input that does not start with an ISA (after a BOM and whitespace), junk between interchanges,
// a truncated ISA, a transaction set larger than ReaderOptions::max_set_bytes, source errors.
//
// Memory: one buffer that holds the current transaction set (or single segment) plus one read
// chunk; it is compacted before growing, so memory is bounded by the largest set, not the file.
// Steady-state reading does not allocate: element views live in reused vectors.
//
// LIFETIME: everything an Event points to (the Segment views, the TransactionSet and its span of
// segments, the raw bytes) is valid until the next call to Next() or the Reader's destruction.
// The InterchangeHeader and GroupHeader objects own their strings and stay valid until the next
// event of the same kind starts (kInterchangeStart / kGroupStart) or the Reader is destroyed.
// Copy what you need to keep.
//
// Thread safety: a Reader is used from one thread at a time. ByteSource implementations are not
// thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "edi/segment.h"

namespace mlc::edi {

// A pull source of bytes. Read fills up to `n` bytes and returns how many; 0 means end of input.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
};

// Reads from memory that outlives the source. `max_chunk` limits each Read (tests use it to
// exercise refills at every position).
class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::string_view data, size_t max_chunk = SIZE_MAX)
      : data_(data), max_chunk_(max_chunk == 0 ? 1 : max_chunk) {}
  Result<size_t> Read(char* buf, size_t n) override;

 private:
  std::string_view data_;
  size_t pos_ = 0;
  size_t max_chunk_;
};

// Reads from a POSIX file descriptor it does not own (0 = stdin). Retries EINTR; other read
// errors become kUnavailable naming `name`.
class FdSource : public ByteSource {
 public:
  explicit FdSource(int fd, std::string name = "input") : fd_(fd), name_(std::move(name)) {}
  Result<size_t> Read(char* buf, size_t n) override;

 private:
  int fd_;
  std::string name_;
};

// The parsed ISA. Strings are owned copies; `isa[i]` is ISAnn exactly as written (padding kept),
// isa[0] = "ISA". Accessors trim the space padding.
struct InterchangeHeader {
  Delimiters delimiters;
  std::array<std::string, 17> isa;
  Location location;       // of the ISA segment
  size_t isa_length = 0;   // bytes from 'I' through the terminator's first byte (106 when fixed width)
  bool unwrapped = false;  // the file was hard-wrapped; line breaks were removed from here on
  // The CR/LF bytes that directly follow the ISA's terminator ("", "\n" or "\r\n"): the
  // interchange's line-break style, used to write it back in its own layout.
  std::string line_break;
  uint32_t line_width = 0; // the wrap width when unwrapped

  std::string_view authorization_qualifier() const { return Trimmed(1); }  // ISA01
  std::string_view security_qualifier() const { return Trimmed(3); }       // ISA03
  std::string_view sender_qualifier() const { return Trimmed(5); }         // ISA05
  std::string_view sender_id() const { return Trimmed(6); }                // ISA06
  std::string_view receiver_qualifier() const { return Trimmed(7); }       // ISA07
  std::string_view receiver_id() const { return Trimmed(8); }              // ISA08
  std::string_view date() const { return Trimmed(9); }                     // ISA09 YYMMDD
  std::string_view time() const { return Trimmed(10); }                    // ISA10 HHMM
  std::string_view version() const { return Trimmed(12); }                 // ISA12
  std::string_view control_number() const { return Trimmed(13); }          // ISA13
  std::string_view ack_requested() const { return Trimmed(14); }           // ISA14
  std::string_view usage_indicator() const { return Trimmed(15); }         // ISA15 P/T/I

 private:
  std::string_view Trimmed(size_t i) const;
};

// The parsed GS. `gs[i]` is GSnn as written (gs[0] = "GS"); absent elements are "".
struct GroupHeader {
  std::vector<std::string> gs;
  Location location;  // of the GS segment

  std::string_view element(size_t i) const { return i < gs.size() ? gs[i] : std::string_view(); }
  std::string_view functional_id() const { return element(1); }       // GS01, e.g. PO, IN, FA
  std::string_view application_sender() const { return element(2); }  // GS02
  std::string_view application_receiver() const { return element(3); }
  std::string_view date() const { return element(4); }             // GS04 CCYYMMDD
  std::string_view time() const { return element(5); }             // GS05
  std::string_view control_number() const { return element(6); }   // GS06
  std::string_view agency() const { return element(7); }           // GS07 X / T
  std::string_view version() const { return element(8); }          // GS08, e.g. 004010VICS
};

// One transaction set: every segment from ST through SE (or through the last segment before the
// set was closed by something else when SE is missing).
struct TransactionSet {
  std::span<const Segment> segments;  // segments[0] is the ST
  bool has_trailer = false;           // the last segment is its SE
  uint64_t byte_length = 0;           // input bytes the set spans (terminators included)

  std::string_view id() const { return segments.empty() ? "" : segments[0].element(1); }
  std::string_view control_number() const { return segments.empty() ? "" : segments[0].element(2); }
  std::string_view convention() const { return segments.empty() ? "" : segments[0].element(3); }
  const Segment* trailer() const { return has_trailer ? &segments.back() : nullptr; }
  const Location& location() const { return segments[0].location(); }
};

enum class EventKind : uint8_t {
  kEnd,               // no more input
  kInterchangeStart,  // ISA: `interchange` (and `segment`) set
  kInterchangeEnd,    // IEA, or `segment` == nullptr when the IEA is missing
  kGroupStart,        // GS
  kGroupEnd,          // GE, or `segment` == nullptr when the GE is missing
  kTransactionSet,    // ST..SE: `set` set; `group` is null for a set outside any group
  kTa1,               // a TA1 interchange acknowledgment
  kSegment,           // any other segment outside a set (ISB/ISE, or a stray segment)
};

std::string_view EventKindName(EventKind kind);

struct Event {
  EventKind kind = EventKind::kEnd;
  const InterchangeHeader* interchange = nullptr;  // the open interchange (null only for kEnd)
  const GroupHeader* group = nullptr;              // the open group, if any
  const TransactionSet* set = nullptr;             // kTransactionSet only
  const Segment* segment = nullptr;                // the event's segment; null for missing trailers
  Location location;  // of the segment; for a missing trailer: where it was expected
};

struct ReaderOptions {
  size_t chunk_size = 256 * 1024;               // bytes asked from the source per Read
  size_t max_set_bytes = 64 * 1024 * 1024;      // a larger set (or segment) is an error
  // Tell each scanned segment whether it is plain (Segment::plain: kYes / kNo instead of
  // kUnknown). The validator turns it on and then skips its own scan of those segments; it costs
  // the reader a few percent, so readers that only tokenize leave it off.
  bool mark_plain = false;
};

class Reader {
 public:
  explicit Reader(ByteSource& source, ReaderOptions options = {});
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Returns the next event; kEnd (repeatedly) once the input is exhausted. Errors:
  // kInvalidArgument for input that is not readable X12 (message names what was found and the
  // byte offset), kResourceExhausted for a set larger than max_set_bytes, the source's own
  // errors. After an error, further calls return the same error.
  Result<Event> Next();

  // Current buffer capacity in bytes (for tests of the memory bound).
  size_t buffer_capacity() const { return cap_; }
  // The largest buffer capacity reached so far.
  size_t peak_buffer_capacity() const { return peak_cap_; }

 private:
  enum class State : uint8_t { kStart, kOutside, kInInterchange, kInGroup, kDone };
  struct RawSegment {
    size_t begin = 0;      // buffer index of the tag
    size_t end = 0;        // buffer index of the terminator (or of end of data)
    size_t next = 0;       // buffer index after the terminator and any following whitespace
    bool terminated = false;
    Segment::Plain plain = Segment::Plain::kUnknown;  // known when ScanSegment found it
  };

  Result<Event> NextImpl();
  Status Fail(Status s);
  // Ensures at least `n` bytes from buffer index `from` are buffered, unless input ends first.
  // May move the buffer (rebasing views); `from` and other indices stay valid (they are indices).
  Status Fill(size_t from, size_t n);
  Status ReadMore();
  // Finds the next segment starting at or after `pos_` (skipping whitespace). Returns false at
  // end of input.
  Result<bool> FindSegment(RawSegment* out);
  // FindSegment + Split in one pass: finds the next segment and appends its element views
  // (index 0 = the tag) to views_. One SIMD scan looks for the element separator and the
  // terminator together, so every byte is looked at once.
  // kPlain: also gathers the segment's plainness (ReaderOptions::mark_plain).
  template <bool kPlain>
  Result<bool> ScanSegment(RawSegment* out);
  Result<bool> SkipSpace();
  // Classifies the window of up to kWindowBlocks 64-byte blocks from buffer index `block` (a
  // multiple of 64 below end_) with the widest SIMD the CPU has (AVX-512BW, AVX2, SSE2; chosen
  // once at run time).
  void LoadWindow(size_t block);
  void InvalidateWindow() { window_blocks_ = 0; }
  bool AtIsa(size_t at) const;
  // AtIsa for a segment found at `at`, after buffering its first 4 bytes when input remains.
  Result<bool> SegmentIsIsa(size_t at);
  Status StartInterchange();
  Status Unwrap(size_t from, size_t line_width, size_t newline_length);
  size_t CompactNewlines(size_t from, size_t to);
  class ViewArray;
  void Split(const RawSegment& raw, ViewArray* views);
  Location LocationAt(size_t index) const;
  uint64_t OriginalOffset(uint64_t logical) const;
  void Rebase(const char* old_base);
  Segment MakeSingle(const RawSegment& raw);
  // A Segment over views_[first..] that ScanSegment already produced.
  Segment MakeScanned(const RawSegment& raw, size_t first);
  template <bool kPlain>
  Result<Event> ReadSet(const RawSegment& st);
  // ReadSet's fast path: scans and records the set's next segments while each lies whole in the
  // buffered bytes and is an ordinary segment of the set, keeping its state in locals; it never
  // reads input or moves the buffer. It leaves the first segment it does not take (one not
  // whole in the buffer, ST, GS, GE, IEA, a possible ISA) to the general path, with pos_ at it.
  enum class FastStop : uint8_t { kHandOver, kTrailer, kTooLarge };
  template <bool kPlain>
  FastStop ScanSetFast(uint32_t* in_set, RawSegment* last, size_t set_limit);

  ByteSource& source_;
  ReaderOptions options_;
  // cap_ usable bytes plus kPadding readable ones after them, so that a 64-byte block load
  // starting below end_ never leaves the allocation.
  static constexpr size_t kPadding = 64;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t peak_cap_ = 0;
  size_t end_ = 0;        // bytes buffered
  size_t pos_ = 0;        // parse position
  uint64_t base_ = 0;     // logical offset of buf_[0]
  bool eof_ = false;
  Status error_;
  State state_ = State::kStart;

  // Hard-wrap unwrapping: from logical offset `wrap_from_` on, CR/LF bytes were removed.
  bool unwrapping_ = false;
  uint64_t wrap_from_ = 0;           // logical == original offset where unwrapping started
  uint64_t wrap_width_ = 0;
  uint64_t wrap_newline_ = 1;

  uint64_t segment_count_ = 0;       // segments consumed so far in the input

  InterchangeHeader interchange_;
  GroupHeader group_;
  bool group_open_ = false;

  // The scanner's classified window: bit i of window_sep_[k] / window_term_[k] says buffer byte
  // window_ + 64 * k + i is the element separator / the (one-byte) segment terminator, for the
  // first window_blocks_ blocks; bytes at or after end_ (when it was loaded) have no bit.
  // Classifying 4 KiB at a time keeps the SIMD loop tight and the loads overlapped; the scanner
  // then only reads bits. Invalidated (window_blocks_ = 0) whenever the buffer's bytes, their
  // indices or the delimiters change (ReadMore, compaction, Unwrap, StartInterchange).
  static constexpr size_t kWindowBlocks = 64;
  size_t window_ = 0;
  size_t window_blocks_ = 0;
  std::array<uint64_t, kWindowBlocks> window_sep_{};
  std::array<uint64_t, kWindowBlocks> window_term_{};
  std::array<uint64_t, kWindowBlocks> window_special_{};  // see ClassifyFn in reader.cc

  // A growable array of element views that the scanner appends to through a raw pointer: one
  // Reserve per 64-byte block instead of a capacity check per element. Views point into buf_.
  class ViewArray {
   public:
    size_t size() const { return size_; }
    size_t capacity() const { return cap_; }
    bool empty() const { return size_ == 0; }
    std::string_view* data() { return data_.get(); }
    const std::string_view* data() const { return data_.get(); }
    std::string_view* begin() { return data_.get(); }
    std::string_view* end() { return data_.get() + size_; }
    std::string_view& operator[](size_t i) { return data_[i]; }
    void clear() { size_ = 0; }
    void resize(size_t n) { size_ = n; }  // shrink only
    void push_back(std::string_view v) { *Reserve(1) = v; ++size_; }
    // Room for `extra` more views; returns where the next one goes. May move the array.
    std::string_view* Reserve(size_t extra) {
      if (size_ + extra > cap_) Grow(size_ + extra);
      return data_.get() + size_;
    }
    // Marks the views written through Reserve's pointer up to `next` as present.
    void Commit(const std::string_view* next) { size_ = static_cast<size_t>(next - data_.get()); }

   private:
    void Grow(size_t need);
    std::unique_ptr<std::string_view[]> data_;
    size_t size_ = 0;
    size_t cap_ = 0;
  };

  // Per-event storage, reused.
  ViewArray views_;
  std::vector<Segment> segments_;

  Segment single_;
  TransactionSet set_;
};

// Convenience for small inputs and tests: reads every event of `input` and counts interchanges,
// groups, sets and TA1s. Errors as Reader::Next.
struct EnvelopeCounts {
  size_t interchanges = 0;
  size_t groups = 0;
  size_t sets = 0;
  size_t ta1 = 0;
  size_t segments = 0;  // all segments, envelopes included
};
Result<EnvelopeCounts> CountEnvelopes(std::string_view input);

namespace internal {

// The reader's block classifiers by instruction set, exposed so tests can compare them all on the
// machine they run on. The reader itself uses ActiveSimdLevel(), the widest one the CPU has.
enum class SimdLevel : uint8_t { kScalar, kSse2, kAvx2, kAvx512 };
SimdLevel ActiveSimdLevel();
// Reads the 64 bytes at `p`: bit i of *sep_mask / *term_mask is set when p[i] is d's element
// separator / (one-byte) segment terminator, of *special_mask when p[i] makes a segment not plain
// (Segment::Plain). Returns false (masks untouched) when `level` is not available on this CPU or
// build.
bool ClassifyBlockWith(SimdLevel level, const char* p, const Delimiters& d, uint64_t* sep_mask,
                       uint64_t* term_mask, uint64_t* special_mask);

}  // namespace internal

}  // namespace mlc::edi
