// The lossless JSON form of X12 (documented in docs/edi-json.md), and the canonical text layout
// (`edi fmt`).
//
// X12 -> JSON -> X12 is byte-identical for canonically formatted input: no BOM, no hard wrap, no
// indentation, and after every terminator the same line break as after the ISA's ("", LF or
// CRLF). Any other input comes back in that canonical layout with the same segments, elements and
// delimiters. Missing trailers, stray segments and sets outside groups are kept where they were.
//
// The JSON is built in memory (nlohmann::json), so ToJson's memory grows with the input; the
// streaming reader underneath still bounds its own buffer. The JSON form requires the data to
// be UTF-8 (or ASCII); nlohmann refuses other bytes when dumping, which DumpJson reports as an
// error rather than throwing.
//
// Loops: the form is a plain segment list per transaction set. JsonFormOptions::loops is the hook
// for a schema-aware caller to add a "loops" member per set; FromJson ignores "loops" (segments
// are authoritative).
//
// Thread safety: free functions; no shared state.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "edi/reader.h"
#include "edi/writer.h"

namespace mlc::edi {

inline constexpr std::string_view kJsonFormat = "mlc-x12-json/1";

struct JsonFormOptions {
  // Called once per transaction set with the set and its "segments" JSON; a non-null result is
  // stored as the set's "loops" member.
  std::function<nlohmann::json(const TransactionSet&, const nlohmann::json& segments)> loops;
};

// One segment as JSON: [tag, element, ...]; an element is a string, an array of component
// strings when it contains the component separator, or {"rep": [...]} when it contains the
// repetition separator (each repetition a string or a component array).
nlohmann::json SegmentToJson(const Segment& segment);

// Reads all of `source`. Errors: those of Reader::Next.
Result<nlohmann::json> ToJson(ByteSource& source, const JsonFormOptions& options = {});
Result<nlohmann::json> ToJson(std::string_view x12, const JsonFormOptions& options = {});

// Writes the X12 for a JSON form document. Errors: kInvalidArgument naming the JSON path for a
// malformed document, or the SegmentEncoder's error for a value containing a delimiter.
Result<std::string> FromJson(const nlohmann::json& doc);
// Parses JSON text first (kInvalidArgument with nlohmann's message on bad JSON).
Result<std::string> FromJsonText(std::string_view text);

// nlohmann's dump without exceptions: kInvalidArgument when a string is not valid UTF-8.
Result<std::string> DumpJson(const nlohmann::json& doc, int indent = -1);

// Writes every segment of `source` again with its own delimiters, followed by `line_break`
// (nullopt: each interchange's own style, i.e. the canonical layout). `edi fmt` uses LF. When the
// terminator is itself a line break, no extra line break is added. Output goes to `sink` in
// pieces (one per event), so memory stays bounded for any input size.
Status Reformat(ByteSource& source, std::optional<LineBreak> line_break,
                const std::function<Status(std::string_view)>& sink);
Result<std::string> Canonicalize(std::string_view x12, std::optional<LineBreak> line_break = {});

}  // namespace mlc::edi
