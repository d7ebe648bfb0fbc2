#include "store/compress.h"

#include <zlib.h>

namespace mlc::store {

std::string Compress(std::string_view raw) {
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string out(size, '\0');
  int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                     reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                     Z_DEFAULT_COMPRESSION);
  // compressBound guarantees room; Z_MEM_ERROR means the process is out of memory anyway.
  if (rc != Z_OK) std::abort();
  out.resize(size);
  return out;
}

Result<std::string> Decompress(std::string_view compressed, size_t raw_size) {
  std::string out(raw_size, '\0');
  uLongf size = static_cast<uLongf>(raw_size);
  // uncompress wants a non-null destination even for an empty result.
  Bytef empty = 0;
  Bytef* dest = raw_size == 0 ? &empty : reinterpret_cast<Bytef*>(out.data());
  uLongf dest_len = raw_size == 0 ? 1 : size;
  int rc = uncompress(dest, &dest_len, reinterpret_cast<const Bytef*>(compressed.data()),
                      static_cast<uLong>(compressed.size()));
  if (rc != Z_OK || dest_len != raw_size) {
    return DataLossError("stored payload does not decompress to {} bytes (zlib: {})", raw_size,
                         zError(rc));
  }
  return out;
}

}  // namespace mlc::store
