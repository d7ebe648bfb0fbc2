#include "edi/reader.h"

#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define MLC_EDI_X86 1
#endif

namespace mlc::edi {
namespace {

constexpr size_t kIsaWindow = 2048;  // bytes looked at to find the 16 ISA separators
constexpr uint32_t kTagSt = TagKey("ST"), kTagSe = TagKey("SE"), kTagGs = TagKey("GS"),
                   kTagGe = TagKey("GE"), kTagIea = TagKey("IEA");
// The tags that end a transaction set when they follow its ST (an ISA is told by its bytes,
// LooksLikeIsa). The filter makes the usual segment cost one test instead of four compares.
constexpr uint64_t kStopTags =
    TagFilterBit(kTagSt) | TagFilterBit(kTagGe) | TagFilterBit(kTagGs) | TagFilterBit(kTagIea);
bool EndsSet(uint32_t key) {
  return (kStopTags & TagFilterBit(key)) != 0 &&
         (key == kTagSt || key == kTagGe || key == kTagGs || key == kTagIea);
}
// Whether the segment at `t` may be an ISA (Reader::SegmentIsIsa decides). The bytes after a
// buffered byte are readable (Reader::kPadding), maybe stale past the buffered end: only a hint.
bool LooksLikeIsa(const char* t) { return t[0] == 'I' && t[1] == 'S' && t[2] == 'A'; }

bool IsLineBreak(char c) { return c == '\n' || c == '\r'; }

// A scanned segment's plainness from its special bits (unknown when they were not gathered).
template <bool kPlain>
Segment::Plain PlainFrom(uint64_t special) {
  if constexpr (!kPlain) return Segment::Plain::kUnknown;
  return special == 0 ? Segment::Plain::kYes : Segment::Plain::kNo;
}

// TagKey(tag) for a tag that lies in the reader's buffer, which has readable bytes after every
// buffered byte (Reader::kPadding): the usual 2- and 3-character tags come from one 4-byte load,
// byte-swapped so the first character is the high one, as TagKey shifts them in.
inline uint32_t BufferTagKey(std::string_view tag) {
  const size_t n = tag.size();
  if (n - 2 > 1) return TagKey(tag);  // not 2 or 3 characters
  uint32_t w;
  std::memcpy(&w, tag.data(), sizeof w);
  if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap32(w);
  return w >> (32 - 8 * n);
}

// Bytes skipped before a segment tag: line breaks and indentation that pretty-printers add, and
// the NUL / SUB (0x1A, DOS end of file) padding some transfer tools leave at the end.
bool IsSkippable(char c) {
  // All at most 0x20: one compare and a bit test.
  constexpr uint64_t kSkippable = uint64_t{1} << '\n' | uint64_t{1} << '\r' | uint64_t{1} << ' ' |
                                  uint64_t{1} << '\t' | uint64_t{1} << '\0' | uint64_t{1} << 0x1a |
                                  uint64_t{1} << '\v' | uint64_t{1} << '\f';
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 && ((kSkippable >> u) & 1) != 0;
}

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// Printable rendering of a few bytes for error messages: 'ISA*00' or "\xc9\xe2".
std::string Show(const char* p, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// ---- Block classification: where the element separators and segment terminators are ----
//
// The scanner looks at the buffer in 64-byte blocks aligned to buffer indices and turns each into
// two bit masks (bit i: byte i is the separator / the terminator). One implementation per
// instruction set; the widest the CPU supports is picked once at run time, so the binary stays
// portable (built for baseline x86-64) and still uses AVX-512 where it exists.

// The delimiters a block is classified by. `repetition` is 0 when the interchange has none (NUL
// is a control byte anyway).
struct BlockKeys {
  char sep, term, component, repetition;
};

// Classifies `blocks` consecutive 64-byte blocks at `p`: bit i of sep_out[k] / term_out[k] is set
// when byte i of block k is the element separator / the segment terminator, and (in the
// kSpecial instantiations; special_out is unused otherwise) of special_out[k] when it is a byte
// that makes a segment not plain (Segment::Plain: below 0x20, DEL, 0x80 or above, the component
// or repetition separator; never the element separator).
using ClassifyFn = void (*)(const char* p, size_t blocks, BlockKeys keys, uint64_t* sep_out,
                            uint64_t* term_out, uint64_t* special_out);

template <bool kSpecial>
void ClassifyScalar(const char* p, size_t blocks, BlockKeys keys, uint64_t* sep_out,
                    uint64_t* term_out, uint64_t* special_out) {
  for (size_t k = 0; k < blocks; ++k, p += 64) {
    uint64_t s = 0, t = 0, x = 0;
    for (unsigned i = 0; i < 64; ++i) {
      const auto u = static_cast<unsigned char>(p[i]);
      s |= static_cast<uint64_t>(p[i] == keys.sep) << i;
      t |= static_cast<uint64_t>(p[i] == keys.term) << i;
      if constexpr (kSpecial) {
        x |= static_cast<uint64_t>(u < 0x20 || u >= 0x7F || p[i] == keys.component ||
                                   p[i] == keys.repetition)
             << i;
      }
    }
    sep_out[k] = s;
    term_out[k] = t;
    if constexpr (kSpecial) special_out[k] = x & ~s;
  }
}

#if defined(MLC_EDI_X86)
// SSE2 is part of x86-64 itself: four 16-byte compares per mask.
template <bool kSpecial>
__attribute__((target("sse2"))) void ClassifySse2(const char* p, size_t blocks, BlockKeys keys,
                                                  uint64_t* sep_out, uint64_t* term_out,
                                                  uint64_t* special_out) {
  const __m128i vs = _mm_set1_epi8(keys.sep);
  const __m128i vt = _mm_set1_epi8(keys.term);
  const __m128i vc = _mm_set1_epi8(keys.component);
  const __m128i vr = _mm_set1_epi8(keys.repetition);
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i del = _mm_set1_epi8(0x7F);
  for (size_t k = 0; k < blocks; ++k, p += 64) {
    uint64_t s = 0, t = 0, x = 0;
    for (unsigned i = 0; i < 4; ++i) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
      s |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, vs))))
           << (16 * i);
      t |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, vt))))
           << (16 * i);
      if constexpr (kSpecial) {
        // Signed compare: bytes 0x00..0x1F and 0x80..0xFF are both "less than" 0x20.
        const __m128i special =
            _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, del)),
                         _mm_or_si128(_mm_cmpeq_epi8(v, vc), _mm_cmpeq_epi8(v, vr)));
        x |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(special))) << (16 * i);
      }
    }
    sep_out[k] = s;
    term_out[k] = t;
    if constexpr (kSpecial) special_out[k] = x & ~s;
  }
}

template <bool kSpecial>
__attribute__((target("avx2"))) void ClassifyAvx2(const char* p, size_t blocks, BlockKeys keys,
                                                  uint64_t* sep_out, uint64_t* term_out,
                                                  uint64_t* special_out) {
  const __m256i vs = _mm256_set1_epi8(keys.sep);
  const __m256i vt = _mm256_set1_epi8(keys.term);
  const __m256i vc = _mm256_set1_epi8(keys.component);
  const __m256i vr = _mm256_set1_epi8(keys.repetition);
  const __m256i space = _mm256_set1_epi8(0x20);
  const __m256i del = _mm256_set1_epi8(0x7F);
  for (size_t k = 0; k < blocks; ++k, p += 64) {
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    // (No helper lambda: a lambda does not inherit the target attribute.)
    const uint64_t s_lo = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, vs)));
    const uint64_t s_hi = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, vs)));
    const uint64_t t_lo = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, vt)));
    const uint64_t t_hi = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, vt)));
    const uint64_t sep = s_lo | s_hi << 32;
    sep_out[k] = sep;
    term_out[k] = t_lo | t_hi << 32;
    if constexpr (kSpecial) {
      // Signed compare: bytes 0x00..0x1F and 0x80..0xFF are both "less than" 0x20.
      const __m256i x_lo = _mm256_or_si256(
          _mm256_or_si256(_mm256_cmpgt_epi8(space, lo), _mm256_cmpeq_epi8(lo, del)),
          _mm256_or_si256(_mm256_cmpeq_epi8(lo, vc), _mm256_cmpeq_epi8(lo, vr)));
      const __m256i x_hi = _mm256_or_si256(
          _mm256_or_si256(_mm256_cmpgt_epi8(space, hi), _mm256_cmpeq_epi8(hi, del)),
          _mm256_or_si256(_mm256_cmpeq_epi8(hi, vc), _mm256_cmpeq_epi8(hi, vr)));
      special_out[k] = (static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(x_lo))) |
                        static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(x_hi)))
                            << 32) &
                       ~sep;
    }
  }
}

// AVX-512BW compares straight into 64-bit mask registers: one load, two compares per block (six
// with kSpecial).
template <bool kSpecial>
__attribute__((target("avx512f,avx512bw"))) void ClassifyAvx512(const char* p, size_t blocks,
                                                                BlockKeys keys,
                                                                uint64_t* sep_out,
                                                                uint64_t* term_out,
                                                                uint64_t* special_out) {
  const __m512i vs = _mm512_set1_epi8(keys.sep);
  const __m512i vt = _mm512_set1_epi8(keys.term);
  const __m512i vc = _mm512_set1_epi8(keys.component);
  const __m512i vr = _mm512_set1_epi8(keys.repetition);
  const __m512i space = _mm512_set1_epi8(0x20);
  const __m512i del = _mm512_set1_epi8(0x7F);
  for (size_t k = 0; k < blocks; ++k, p += 64) {
    const __m512i x = _mm512_loadu_si512(p);
    const uint64_t sep = _mm512_cmpeq_epi8_mask(x, vs);
    sep_out[k] = sep;
    term_out[k] = _mm512_cmpeq_epi8_mask(x, vt);
    if constexpr (kSpecial) {
      // Signed compare: bytes 0x00..0x1F and 0x80..0xFF are both "less than" 0x20.
      special_out[k] = (_mm512_cmplt_epi8_mask(x, space) | _mm512_cmpeq_epi8_mask(x, del) |
                        _mm512_cmpeq_epi8_mask(x, vc) | _mm512_cmpeq_epi8_mask(x, vr)) &
                       ~sep;
    }
  }
}
#endif

// `special`: the classifier that also fills special_out.
ClassifyFn ClassifierFor(internal::SimdLevel level, bool special) {
  switch (level) {
    case internal::SimdLevel::kScalar: return special ? ClassifyScalar<true> : ClassifyScalar<false>;
#if defined(MLC_EDI_X86)
    case internal::SimdLevel::kSse2: return special ? ClassifySse2<true> : ClassifySse2<false>;
    case internal::SimdLevel::kAvx2: return special ? ClassifyAvx2<true> : ClassifyAvx2<false>;
    case internal::SimdLevel::kAvx512:
      return special ? ClassifyAvx512<true> : ClassifyAvx512<false>;
#else
    default: return nullptr;
#endif
  }
  return nullptr;
}

internal::SimdLevel DetectSimdLevel() {
#if defined(MLC_EDI_X86)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512bw")) return internal::SimdLevel::kAvx512;
  if (__builtin_cpu_supports("avx2")) return internal::SimdLevel::kAvx2;
  if (__builtin_cpu_supports("sse2")) return internal::SimdLevel::kSse2;  // always on x86-64
  return internal::SimdLevel::kScalar;
#else
  return internal::SimdLevel::kScalar;
#endif
}

}  // namespace

namespace internal {

SimdLevel ActiveSimdLevel() {
  static const SimdLevel level = DetectSimdLevel();
  return level;
}

bool ClassifyBlockWith(SimdLevel level, const char* p, const Delimiters& d, uint64_t* sep_mask,
                       uint64_t* term_mask, uint64_t* special_mask) {
  if (static_cast<int>(level) > static_cast<int>(ActiveSimdLevel())) return false;
  ClassifyFn fn = ClassifierFor(level, /*special=*/true);
  if (fn == nullptr) return false;
  fn(p, 1, BlockKeys{d.element, d.segment, d.component, d.repetition}, sep_mask, term_mask,
     special_mask);
  return true;
}

}  // namespace internal

void Reader::ViewArray::Grow(size_t need) {
  size_t ncap = std::max({need, cap_ * 2, size_t{256}});
  auto grown = std::make_unique<std::string_view[]>(ncap);
  std::copy(data_.get(), data_.get() + size_, grown.get());
  data_ = std::move(grown);
  cap_ = ncap;
}

void Reader::LoadWindow(size_t block) {
  static const ClassifyFn classify_plain = ClassifierFor(internal::ActiveSimdLevel(), true);
  static const ClassifyFn classify_only = ClassifierFor(internal::ActiveSimdLevel(), false);
  const ClassifyFn classify = options_.mark_plain ? classify_plain : classify_only;
  const Delimiters& d = interchange_.delimiters;
  const size_t avail = end_ - block;  // > 0: the scanner asks only for blocks below end_
  const size_t blocks = std::min(kWindowBlocks, (avail + 63) / 64);
  // Reads up to 63 bytes past end_: the buffer has kPadding (64) readable bytes after cap_.
  classify(buf_.get() + block, blocks, BlockKeys{d.element, d.segment, d.component, d.repetition},
           window_sep_.data(), window_term_.data(), window_special_.data());
  const size_t last = avail - (blocks - 1) * 64;  // valid bytes in the last block (1..64)
  if (last < 64) {
    const uint64_t live = (uint64_t{1} << last) - 1;
    window_sep_[blocks - 1] &= live;
    window_term_[blocks - 1] &= live;
    window_special_[blocks - 1] &= live;
  }
  window_ = block;
  window_blocks_ = blocks;
}

Result<size_t> MemorySource::Read(char* buf, size_t n) {
  size_t k = std::min({n, data_.size() - pos_, max_chunk_});
  if (k > 0) std::memcpy(buf, data_.data() + pos_, k);
  pos_ += k;
  return k;
}

Result<size_t> FdSource::Read(char* buf, size_t n) {
  for (;;) {
    ssize_t r = ::read(fd_, buf, n);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno == EINTR) continue;
    return UnavailableError("reading {}: {}", name_, std::strerror(errno));
  }
}

std::string_view InterchangeHeader::Trimmed(size_t i) const {
  std::string_view s = isa[i];
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

std::string_view EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kEnd: return "end";
    case EventKind::kInterchangeStart: return "interchange-start";
    case EventKind::kInterchangeEnd: return "interchange-end";
    case EventKind::kGroupStart: return "group-start";
    case EventKind::kGroupEnd: return "group-end";
    case EventKind::kTransactionSet: return "transaction-set";
    case EventKind::kTa1: return "ta1";
    case EventKind::kSegment: return "segment";
  }
  return "?";
}

Reader::Reader(ByteSource& source, ReaderOptions options) : source_(source), options_(options) {
  if (options_.chunk_size < 64) options_.chunk_size = 64;
  cap_ = options_.chunk_size * 2;
  peak_cap_ = cap_;
  buf_ = std::make_unique<char[]>(cap_ + kPadding);
}

Status Reader::Fail(Status s) {
  error_ = s;
  state_ = State::kDone;
  return s;
}

void Reader::Rebase(const char* old_base) {
  const char* nb = buf_.get();
  auto fix = [&](std::string_view v) {
    return std::string_view(nb + (v.data() - old_base), v.size());
  };
  for (auto& v : views_) v = fix(v);
  for (Segment& s : segments_) s.raw_ = fix(s.raw_);  // a set being read (ReadSet)
}

size_t Reader::CompactNewlines(size_t from, size_t to) {
  size_t w = from;
  for (size_t r = from; r < to; ++r) {
    char c = buf_[r];
    if (!IsLineBreak(c)) buf_[w++] = c;
  }
  return w;
}

Status Reader::ReadMore() {
  if (eof_) return Status::Ok();
  InvalidateWindow();  // new bytes after end_ (and possibly a new buffer)
  for (;;) {
    if (cap_ - end_ < options_.chunk_size / 2 + 1) {
      size_t ncap = std::max(cap_ * 2, end_ + options_.chunk_size);
      auto old = std::make_unique<char[]>(ncap + kPadding);
      std::memcpy(old.get(), buf_.get(), end_);
      buf_.swap(old);  // `old` now holds the previous buffer, alive until the views are moved
      cap_ = ncap;
      peak_cap_ = std::max(peak_cap_, cap_);
      Rebase(old.get());
    }
    size_t want = std::min(options_.chunk_size, cap_ - end_);
    ASSIGN_OR_RETURN(size_t got, source_.Read(buf_.get() + end_, want));
    if (got == 0) {
      eof_ = true;
      return Status::Ok();
    }
    size_t new_end = end_ + got;
    if (unwrapping_) new_end = CompactNewlines(end_, new_end);
    bool progressed = new_end > end_;
    end_ = new_end;
    if (progressed) return Status::Ok();
  }
}

Status Reader::Fill(size_t from, size_t n) {
  while (end_ - std::min(from, end_) < n && !eof_) RETURN_IF_ERROR(ReadMore());
  return Status::Ok();
}

uint64_t Reader::OriginalOffset(uint64_t logical) const {
  if (!unwrapping_ || logical < wrap_from_) return logical;
  uint64_t rel = logical - wrap_from_;
  return wrap_from_ + rel + (rel / wrap_width_) * wrap_newline_;
}

Location Reader::LocationAt(size_t index) const {
  Location loc;
  loc.byte_offset = OriginalOffset(base_ + index);
  loc.segment_in_input = segment_count_ + 1;
  return loc;
}

bool Reader::AtIsa(size_t at) const {
  // "ISA" followed by a non-alphanumeric separator; tags are 2-3 characters, so "ISAB..." is not.
  return end_ - at >= 4 && buf_[at] == 'I' && buf_[at + 1] == 'S' && buf_[at + 2] == 'A' &&
         !IsAlnum(buf_[at + 3]) && !IsLineBreak(buf_[at + 3]);
}

Result<bool> Reader::SegmentIsIsa(size_t at) {
  // A segment can end before its 4th byte is buffered ("ISA" cut by the terminator 'A', or
  // "ISA" + terminator): buffer 4 bytes first, so chunking cannot change the answer.
  if (end_ - at < 4 && !eof_) RETURN_IF_ERROR(Fill(at, 4));
  return AtIsa(at);
}

Result<bool> Reader::SkipSpace() {
  for (;;) {
    while (pos_ < end_ && IsSkippable(buf_[pos_])) ++pos_;
    if (pos_ < end_) return true;
    if (eof_) return false;
    RETURN_IF_ERROR(ReadMore());
  }
}

Result<bool> Reader::FindSegment(RawSegment* out) {
  ASSIGN_OR_RETURN(bool more, SkipSpace());
  if (!more) return false;
  const Delimiters& d = interchange_.delimiters;
  size_t begin = pos_;
  size_t search = begin;
  for (;;) {
    const void* hit = search < end_ ? std::memchr(buf_.get() + search, d.segment, end_ - search)
                                    : nullptr;
    if (hit != nullptr) {
      size_t idx = static_cast<const char*>(hit) - buf_.get();
      if (d.segment_tail_size > 0) {
        RETURN_IF_ERROR(Fill(idx + 1, d.segment_tail_size));
        if (end_ - (idx + 1) < d.segment_tail_size ||
            std::memcmp(buf_.get() + idx + 1, d.segment_tail.data(), d.segment_tail_size) != 0) {
          if (end_ - (idx + 1) < d.segment_tail_size && eof_) {
            *out = {begin, end_, end_, false};
            return true;
          }
          search = idx + 1;
          continue;
        }
      }
      *out = {begin, idx, idx + 1 + d.segment_tail_size, true};
      return true;
    }
    if (eof_) {
      *out = {begin, end_, end_, false};
      return true;
    }
    if (end_ - begin > options_.max_set_bytes) {
      return ResourceExhaustedError(
          "segment at byte {} is longer than {} bytes without a terminator '{}'",
          OriginalOffset(base_ + begin), options_.max_set_bytes, Show(&d.segment, 1));
    }
    search = end_;
    RETURN_IF_ERROR(ReadMore());
  }
}

void Reader::Split(const RawSegment& raw, ViewArray* views) {
  const char sep = interchange_.delimiters.element;
  const char* p = buf_.get() + raw.begin;  // start of the current element
  const char* e = buf_.get() + raw.end;
  const char* q = p;
#if defined(__SSE2__)
  // 16 bytes at a time: a bit mask of separator positions, one view per set bit. Segments are
  // short (most under 64 bytes), so this beats one memchr call per element.
  const __m128i vsep = _mm_set1_epi8(sep);
  while (e - q >= 16) {
    __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, vsep)));
    while (mask != 0) {
      const char* hit = q + __builtin_ctz(mask);
      views->push_back(std::string_view(p, hit - p));
      p = hit + 1;
      mask &= mask - 1;
    }
    q += 16;
  }
#endif
  for (; q < e; ++q) {
    if (*q == sep) {
      views->push_back(std::string_view(p, q - p));
      p = q + 1;
    }
  }
  views->push_back(std::string_view(p, e - p));
}

// Inlined into its two callers: it runs once per segment, and the call with its Result return
// through memory cost more than the body for short segments.
template <bool kPlain>
__attribute__((always_inline)) inline Result<bool> Reader::ScanSegment(RawSegment* out) {
  const Delimiters& d = interchange_.delimiters;
  if (d.segment_tail_size > 0) {
    // A multi-byte terminator (rare): the lead byte alone does not end a segment.
    ASSIGN_OR_RETURN(bool found, FindSegment(out));
    if (found) Split(*out, &views_);
    return found;
  }
  if (pos_ >= end_ || IsSkippable(buf_[pos_])) {
    ASSIGN_OR_RETURN(bool more, SkipSpace());
    if (!more) return false;
  }
  const size_t begin = pos_;
  size_t elem = begin;  // buffer index where the current element starts
  size_t q = begin;     // next byte to look at
  uint64_t special = 0; // any byte that makes the segment not plain (Segment::Plain)
  for (;;) {
    // Block by block (usually the block the previous segment ended in, already classified):
    // separators before the first terminator become views, the terminator ends the segment.
    while (q < end_) {
      const size_t block = q & ~size_t{63};
      // (Unsigned: a block before the window wraps to a large offset too.)
      if (block - window_ >= window_blocks_ * 64) LoadWindow(block);
      const size_t k = (block - window_) / 64;
      const char* b = buf_.get();
      const uint64_t live = ~uint64_t{0} << (q - block);  // bytes from q on
      const uint64_t term = window_term_[k] & live;
      // The terminator wins over a separator at the same byte (delimiters that coincide). (With
      // no terminator in the block, 0 - 1 makes every bit "before".)
      const uint64_t before = (term & (0 - term)) - 1;
      const uint64_t sep_bits = window_sep_[k] & live & before;
      if constexpr (kPlain) special |= window_special_[k] & live & before;
      std::string_view* v = views_.Reserve(65);  // at most 64 separators + the terminator
      uint64_t seps = sep_bits;
      while (seps != 0) {
        const size_t at = block + static_cast<size_t>(std::countr_zero(seps));
        *v++ = std::string_view(b + elem, at - elem);
        elem = at + 1;
        seps &= seps - 1;
      }
      if (term != 0) {
        const size_t at = block + static_cast<size_t>(__builtin_ctzll(term));
        *v++ = std::string_view(b + elem, at - elem);
        views_.Commit(v);
        size_t next = at + 1;
        // The usual line break after the terminator, without a SkipSpace call.
        if (next < end_ && b[next] == '\r') ++next;
        if (next < end_ && b[next] == '\n') ++next;
        *out = {begin, at, next, true, PlainFrom<kPlain>(special)};
        return true;
      }
      views_.Commit(v);
      q = block + 64;
    }
    q = end_;  // everything buffered was looked at
    if (eof_) {
      views_.push_back(std::string_view(buf_.get() + elem, end_ - elem));
      *out = {begin, end_, end_, false, PlainFrom<kPlain>(special)};
      return true;
    }
    if (end_ - begin > options_.max_set_bytes) {
      return ResourceExhaustedError(
          "segment at byte {} is longer than {} bytes without a terminator '{}'",
          OriginalOffset(base_ + begin), options_.max_set_bytes, Show(&d.segment, 1));
    }
    RETURN_IF_ERROR(ReadMore());  // may move the buffer: views_ are rebased, indices stay valid
  }
}

Segment Reader::MakeScanned(const RawSegment& raw, size_t first) {
  Location loc = LocationAt(raw.begin);
  Segment s(std::string_view(buf_.get() + raw.begin, raw.end - raw.begin), views_.data() + first,
            views_.size() - first, &interchange_.delimiters, loc);
  s.plain_ = raw.plain;
  return s;
}

Segment Reader::MakeSingle(const RawSegment& raw) {
  views_.clear();
  segments_.clear();
  Split(raw, &views_);
  Location loc = LocationAt(raw.begin);
  return Segment(std::string_view(buf_.get() + raw.begin, raw.end - raw.begin), views_.data(),
                 views_.size(), &interchange_.delimiters, loc);
}

Status Reader::Unwrap(size_t from, size_t line_width, size_t newline_length) {
  InvalidateWindow();  // bytes move
  unwrapping_ = true;
  wrap_from_ = base_ + from;
  wrap_width_ = line_width;
  wrap_newline_ = newline_length;
  end_ = CompactNewlines(from, end_);
  return Status::Ok();
}

Status Reader::StartInterchange() {
  InvalidateWindow();  // the delimiters may change
  const size_t at = pos_;
  RETURN_IF_ERROR(Fill(at, kIsaWindow));
  const char* b = buf_.get();
  const size_t avail = std::min(end_ - at, kIsaWindow);
  const char sep = b[at + 3];
  std::array<size_t, 17> seps{};  // seps[k] = index of the separator before ISAk
  seps[1] = at + 3;
  for (size_t k = 2; k <= 16; ++k) {
    const void* hit = std::memchr(b + seps[k - 1] + 1, sep, at + avail - (seps[k - 1] + 1));
    if (hit == nullptr) {
      return InvalidArgumentError(
          "truncated ISA at byte {}: found {} of the 16 element separators '{}' in '{}'",
          OriginalOffset(base_ + at), k - 1, Show(&sep, 1), Show(b + at, std::min<size_t>(avail, 40)));
    }
    seps[k] = static_cast<const char*>(hit) - b;
  }
  const size_t isa16 = seps[16] + 1;
  const size_t term = isa16 + 1;
  if (term >= end_) {
    return InvalidArgumentError("truncated ISA at byte {}: no segment terminator after ISA16",
                                OriginalOffset(base_ + at));
  }
  // A line break inside the ISA (or as ISA16) means the file was hard-wrapped at a fixed width
  // (bots 850-004010-08: 79 columns; StAEDI ts210: 80): remove every line break from the start
  // of that line on and parse again.
  if (!unwrapping_) {
    for (size_t i = at; i <= isa16; ++i) {
      if (!IsLineBreak(b[i])) continue;
      // The wrapped line starts at the ISA (or at the file start when only a BOM precedes it);
      // decided from logical offsets so that chunking never changes the result.
      size_t line_start = (base_ + at == 3 && at == 3) ? 0 : at;
      size_t width = i - line_start;
      size_t nl = (b[i] == '\r' && i + 1 < end_ && b[i + 1] == '\n') ? 2 : 1;
      if (width == 0) break;
      RETURN_IF_ERROR(Unwrap(line_start, width, nl));
      return StartInterchange();
    }
  }

  InterchangeHeader& h = interchange_;
  h.unwrapped = unwrapping_;
  h.line_width = static_cast<uint32_t>(unwrapping_ ? wrap_width_ : 0);
  // Move-assignments, not assign(): g++ 12 -O3 reports a false -Wrestrict for string literal
  // assignment (GCC bug 105329).
  h.isa[0] = std::string("ISA");
  for (size_t k = 1; k <= 15; ++k) {
    h.isa[k] = std::string(b + seps[k] + 1, seps[k + 1] - seps[k] - 1);
  }
  h.isa[16] = std::string(1, b[isa16]);
  Delimiters d;
  d.element = sep;
  d.component = b[isa16];
  d.segment = b[term];
  size_t after = term + 1;
  unsigned char lead = static_cast<unsigned char>(d.segment);
  if (lead >= 0xC0) {
    size_t tail = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
    RETURN_IF_ERROR(Fill(term + 1, tail));
    b = buf_.get();
    bool ok = end_ - (term + 1) >= tail;
    for (size_t i = 0; ok && i < tail; ++i) {
      unsigned char c = static_cast<unsigned char>(b[term + 1 + i]);
      ok = c >= 0x80 && c < 0xC0;
    }
    if (ok) {
      d.segment_tail_size = static_cast<uint8_t>(tail);
      for (size_t i = 0; i < tail; ++i) d.segment_tail[i] = b[term + 1 + i];
      after += tail;
    }
  }
  // ISA11 is the repetition separator only from 00402 on, and only when it is not a letter or
  // digit: many 5010 senders still write 'U' there (StAEDI PR #200).
  const std::string& isa11 = h.isa[11];
  const std::string_view isa12 = h.isa[12];
  if (isa11.size() == 1 && AllDigits(isa12) && isa12 >= "00402" && !IsAlnum(isa11[0]) &&
      isa11[0] != ' ' && isa11[0] != d.element && isa11[0] != d.component &&
      isa11[0] != d.segment) {
    d.repetition = isa11[0];
  }
  h.delimiters = d;
  h.isa_length = term - at + 1;
  RETURN_IF_ERROR(Fill(after, 2));
  b = buf_.get();
  h.line_break.clear();
  if (after < end_ && b[after] == '\r' && d.segment != '\r') {
    // A lone CR after a non-CR terminator is not one of the styles we write back; treat it as
    // no line break (the canonical form then drops it).
    h.line_break = std::string((after + 1 < end_ && b[after + 1] == '\n') ? "\r\n" : "");
  } else if (after < end_ && b[after] == '\n' && d.segment != '\n') {
    h.line_break = std::string("\n");
  }
  RawSegment raw{at, term, after, true};
  single_ = MakeSingle(raw);
  ++segment_count_;
  h.location = single_.location();
  pos_ = after;
  group_open_ = false;
  return Status::Ok();
}

Result<Event> Reader::Next() {
  if (!error_.ok()) return error_;
  Result<Event> r = NextImpl();
  if (!r.ok()) return Fail(r.error());
  return r;
}

Result<Event> Reader::NextImpl() {
  // Release what the previous event pointed to; compact when the free tail gets short.
  views_.clear();
  segments_.clear();
  // Compact when the move is cheap next to the room it frees (the usual case: between two sets
  // near the end of the buffered bytes, so each chunk is moved once by a few hundred bytes
  // instead of whole), when half the buffer is consumed, or when ReadMore would otherwise have
  // to grow the buffer.
  const size_t tail = end_ - pos_;
  if (pos_ > 0 &&
      (tail <= pos_ / 64 || pos_ >= cap_ / 2 || cap_ - end_ <= options_.chunk_size / 2)) {
    InvalidateWindow();  // indices shift
    std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
    end_ -= pos_;
    base_ += pos_;
    pos_ = 0;
  }
  Event ev;
  ev.interchange = &interchange_;
  switch (state_) {
    case State::kDone:
      ev.interchange = nullptr;
      return ev;
    case State::kStart: {
      RETURN_IF_ERROR(Fill(0, 4));
      const unsigned char* u = reinterpret_cast<const unsigned char*>(buf_.get());
      if (end_ >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) pos_ = 3;  // UTF-8 BOM
      if (end_ - pos_ >= 3 && u[pos_] == 0xC9 && u[pos_ + 1] == 0xE2 && u[pos_ + 2] == 0xC1) {
        return InvalidArgumentError(
            "input is EBCDIC-encoded X12 (starts with bytes C9 E2 C1, 'ISA' in EBCDIC); "
            "transcode it to ASCII first");
      }
      state_ = State::kOutside;
      [[fallthrough]];
    }
    case State::kOutside: {
      bool first = segment_count_ == 0;
      ASSIGN_OR_RETURN(bool more, SkipSpace());
      if (!more) {
        state_ = State::kDone;
        if (first) return InvalidArgumentError("input is empty: no ISA segment found");
        ev.interchange = nullptr;
        return ev;
      }
      RETURN_IF_ERROR(Fill(pos_, 4));
      if (!AtIsa(pos_)) {
        RETURN_IF_ERROR(Fill(pos_, 24));
        size_t n = std::min<size_t>(end_ - pos_, 24);
        if (first) {
          return InvalidArgumentError("input is not X12: expected 'ISA' at byte {}, found '{}'",
                                      OriginalOffset(base_ + pos_), Show(buf_.get() + pos_, n));
        }
        return InvalidArgumentError(
            "unexpected data after interchange trailer at byte {}: expected 'ISA', found '{}'",
            OriginalOffset(base_ + pos_), Show(buf_.get() + pos_, n));
      }
      RETURN_IF_ERROR(StartInterchange());
      state_ = State::kInInterchange;
      ev.kind = EventKind::kInterchangeStart;
      ev.segment = &single_;
      ev.location = single_.location();
      return ev;
    }
    case State::kInInterchange:
    case State::kInGroup:
      break;
  }

  RawSegment raw;
  // views_ (cleared above) gets its elements.
  ASSIGN_OR_RETURN(bool found, options_.mark_plain ? ScanSegment<true>(&raw)
                                                   : ScanSegment<false>(&raw));
  bool new_isa = false;
  if (found) {
    ASSIGN_OR_RETURN(new_isa, SegmentIsIsa(raw.begin));
  }
  if (!found || new_isa) {
    // End of input or an ISA without the IEA before it: close what is open, consume nothing.
    ev.location = LocationAt(found ? raw.begin : end_);
    if (group_open_) {
      group_open_ = false;
      ev.kind = EventKind::kGroupEnd;
      ev.group = &group_;
      return ev;
    }
    ev.kind = EventKind::kInterchangeEnd;
    state_ = State::kOutside;
    return ev;
  }
  std::string_view tag = views_[0];
  ev.group = group_open_ ? &group_ : nullptr;

  if (tag == "ST") return options_.mark_plain ? ReadSet<true>(raw) : ReadSet<false>(raw);
  if ((tag == "IEA" || tag == "GS") && group_open_) {
    // GE missing: close the group first; the segment is read again on the next call.
    ev.kind = EventKind::kGroupEnd;
    ev.location = LocationAt(raw.begin);
    group_open_ = false;
    return ev;
  }
  single_ = MakeScanned(raw, 0);
  ++segment_count_;
  pos_ = raw.next;
  ev.segment = &single_;
  ev.location = single_.location();
  if (tag == "IEA") {
    ev.kind = EventKind::kInterchangeEnd;
    state_ = State::kOutside;
  } else if (tag == "GS") {
    group_.gs.assign(views_.begin(), views_.end());
    group_.location = single_.location();
    group_open_ = true;
    state_ = State::kInGroup;
    ev.kind = EventKind::kGroupStart;
    ev.group = &group_;
  } else if (tag == "GE" && group_open_) {
    group_open_ = false;
    state_ = State::kInInterchange;
    ev.kind = EventKind::kGroupEnd;
  } else if (tag == "TA1") {
    ev.kind = EventKind::kTa1;
  } else {
    ev.kind = EventKind::kSegment;
  }
  return ev;
}

template <bool kPlain>
Reader::FastStop Reader::ScanSetFast(uint32_t* in_set, RawSegment* last, size_t set_limit) {
  const char* const b = buf_.get();
  const size_t end = end_;
  size_t q = pos_;
  // The views are written through `v`; the array grows (and may move) only in Reserve, so the
  // current segment's first view is kept as an index.
  std::string_view* v = views_.Reserve(65);
  std::string_view* room_end = views_.data() + views_.capacity();
  // Members the loop updates, kept in locals (stores through `v` could alias them otherwise).
  size_t window = window_, window_end = window_ + window_blocks_ * 64;
  uint32_t in = *in_set;
  uint64_t count = segment_count_;
  RawSegment previous = *last;
  FastStop stop = FastStop::kHandOver;
  for (;;) {
    while (q < end && IsSkippable(b[q])) ++q;
    const size_t begin = q;
    const size_t seg_first = static_cast<size_t>(v - views_.data());
    size_t elem = begin;
    size_t at = SIZE_MAX;  // the terminator, once found
    uint64_t special = 0;
    while (q < end) {  // as ScanSegment, block by block
      const size_t block = q & ~size_t{63};
      if (block < window || block >= window_end) {
        LoadWindow(block);
        window = window_;
        window_end = window_ + window_blocks_ * 64;
      }
      const size_t k = (block - window) / 64;
      const uint64_t live = ~uint64_t{0} << (q - block);
      const uint64_t term = window_term_[k] & live;
      const uint64_t before = (term & (0 - term)) - 1;
      if constexpr (kPlain) special |= window_special_[k] & live & before;
      if (room_end - v < 65) {  // at most 64 separators + the terminator
        views_.Commit(v);
        v = views_.Reserve(65);
        room_end = views_.data() + views_.capacity();
      }
      uint64_t seps = window_sep_[k] & live & before;
      while (seps != 0) {
        const size_t s = block + static_cast<size_t>(std::countr_zero(seps));
        *v++ = std::string_view(b + elem, s - elem);
        elem = s + 1;
        seps &= seps - 1;
      }
      if (term != 0) {
        at = block + static_cast<size_t>(std::countr_zero(term));
        *v++ = std::string_view(b + elem, at - elem);
        break;
      }
      q = block + 64;
    }
    const std::string_view* seg = views_.data() + seg_first;
    const char* t = b + begin;
    const uint32_t key = at == SIZE_MAX ? 0 : BufferTagKey(seg[0]);
    if (at == SIZE_MAX || LooksLikeIsa(t) || EndsSet(key)) {
      // Not whole in the buffer, or a segment the general path decides about: hand it over.
      v = views_.data() + seg_first;
      q = begin;
      break;
    }
    size_t next = at + 1;
    if (next < end && b[next] == '\r') ++next;
    if (next < end && b[next] == '\n') ++next;
    const Segment::Plain plain = PlainFrom<kPlain>(special);
    Location loc;
    loc.byte_offset = OriginalOffset(base_ + begin);
    loc.segment_in_set = ++in;
    loc.segment_in_input = ++count;
    segments_.push_back(Segment(std::string_view(t, at - begin),
                                static_cast<size_t>(v - seg), key, plain,
                                &interchange_.delimiters, loc));
    previous = {begin, at, next, true, plain};
    q = next;
    if (key == kTagSe && in > 1) {
      stop = FastStop::kTrailer;
      break;
    }
    if (next > set_limit) {
      stop = FastStop::kTooLarge;
      break;
    }
  }
  views_.Commit(v);
  pos_ = q;
  *in_set = in;
  segment_count_ = count;
  *last = previous;
  return stop;
}

template <bool kPlain>
Result<Event> Reader::ReadSet(const RawSegment& st) {
  // views_ holds the ST's elements (NextImpl scanned it); each further segment's are appended.
  const size_t set_begin = st.begin;
  RawSegment raw = st;
  bool has_trailer = false;
  uint32_t in_set = 0;
  RawSegment last = st;  // the set's last segment so far
  size_t first = 0;
  const size_t set_limit = set_begin + std::min(options_.max_set_bytes, SIZE_MAX - set_begin);
  const bool fast = interchange_.delimiters.segment_tail_size == 0;
  auto too_large = [&] {
    return ResourceExhaustedError(
        "transaction set {} at byte {} is larger than {} bytes (no SE found yet)",
        segments_[0].count_ > 2 ? std::string(views_[2]) : std::string(),
        segments_[0].location().byte_offset, options_.max_set_bytes);
  };
  for (;;) {
    const uint32_t key = BufferTagKey(views_[first]);
    if (in_set > 0) {
      bool isa = false;  // (SegmentIsIsa may move the buffer: views are rebased)
      if (LooksLikeIsa(buf_.get() + raw.begin)) {
        ASSIGN_OR_RETURN(isa, SegmentIsIsa(raw.begin));
      }
      if (EndsSet(key) || isa) {
        views_.resize(first);  // not part of the set: read again by the next call
        break;
      }
    }
    std::string_view whole(buf_.get() + raw.begin, raw.end - raw.begin);
    Location loc = LocationAt(raw.begin);
    loc.segment_in_set = ++in_set;
    ++segment_count_;
    // Element pointers are set once the set is complete (views_ may still move).
    segments_.push_back(Segment(whole, views_.size() - first, key, raw.plain,
                                &interchange_.delimiters, loc));
    pos_ = raw.next;
    last = raw;
    if (in_set > 1 && key == kTagSe) {
      has_trailer = true;
      break;
    }
    if (raw.next > set_limit) return too_large();
    if (fast) {
      const FastStop stop = ScanSetFast<kPlain>(&in_set, &last, set_limit);
      if (stop == FastStop::kTrailer) {
        has_trailer = true;
        break;
      }
      if (stop == FastStop::kTooLarge) return too_large();
    }
    first = views_.size();
    ASSIGN_OR_RETURN(bool found, ScanSegment<kPlain>(&raw));
    if (!found) break;
  }
  const size_t set_end =
      last.end + (last.terminated ? 1 + interchange_.delimiters.segment_tail_size : 0);
  // Each segment's views follow the previous segment's in views_ (the ST's start at 0).
  const std::string_view* elements = views_.data();
  for (Segment& seg : segments_) {
    seg.elements_ = elements;
    elements += seg.count_;
  }
  set_.segments = std::span<const Segment>(segments_.data(), segments_.size());
  set_.has_trailer = has_trailer;
  set_.byte_length = OriginalOffset(base_ + set_end) - OriginalOffset(base_ + set_begin);
  Event ev;
  ev.kind = EventKind::kTransactionSet;
  ev.interchange = &interchange_;
  ev.group = group_open_ ? &group_ : nullptr;
  ev.set = &set_;
  ev.segment = &segments_[0];
  ev.location = segments_[0].location();
  return ev;
}

Result<EnvelopeCounts> CountEnvelopes(std::string_view input) {
  MemorySource src(input);
  Reader reader(src);
  EnvelopeCounts c;
  for (;;) {
    ASSIGN_OR_RETURN(Event ev, reader.Next());
    switch (ev.kind) {
      case EventKind::kEnd: return c;
      case EventKind::kInterchangeStart: ++c.interchanges; ++c.segments; break;
      case EventKind::kGroupStart: ++c.groups; ++c.segments; break;
      case EventKind::kTransactionSet: ++c.sets; c.segments += ev.set->segments.size(); break;
      case EventKind::kTa1: ++c.ta1; ++c.segments; break;
      default: c.segments += ev.segment != nullptr ? 1 : 0; break;
    }
  }
}

}  // namespace mlc::edi
