// zlib compression for stored payloads (raw X12, NetSuite JSON compress 5-10x).
//
// Compress never fails for inputs that fit in memory; Decompress checks the size it is told and
// returns DATA_LOSS for anything that is not a complete zlib stream of exactly that size.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace mlc::store {

std::string Compress(std::string_view raw);
Result<std::string> Decompress(std::string_view compressed, size_t raw_size);

}  // namespace mlc::store
