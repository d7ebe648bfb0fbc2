// A command-line companion of edi_bench for bench/peers/run.sh (not a Google Benchmark):
//   edi_tokenize_bench generate FILE MB   write a synthetic 810 file of about MB megabytes
//   edi_tokenize_bench tokenize FILE      stream FILE through the Reader (reads from the file
//                                         descriptor) and print bytes, sets, segments, MB/s
//   edi_tokenize_bench validate FILE      full parse + envelope checks + schema validation of FILE
//                                         (ValidateInput, streaming, keeping only the sets with
//                                         problems) and print sets, MB/s
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "edi/reader.h"
#include "edi/validator.h"
#include "edi_synthetic.h"

namespace {

int Generate(const char* path, uint64_t mb) {
  std::FILE* f = std::fopen(path, "wb");
  if (f == nullptr) {
    std::fprintf(stderr, "opening %s: %s\n", path, std::strerror(errno));
    return 2;
  }
  auto r = mlc::edi::bench::GenerateSynthetic810(mb * 1000 * 1000, [&](const std::string& piece) {
    if (std::fwrite(piece.data(), 1, piece.size(), f) != piece.size()) {
      return mlc::UnavailableError("writing {}", path);
    }
    return mlc::Status::Ok();
  });
  if (std::fclose(f) != 0 || !r.ok()) {
    std::fprintf(stderr, "generating %s failed\n", path);
    return 1;
  }
  std::printf("%s: %llu invoices\n", path, static_cast<unsigned long long>(*r));
  return 0;
}

// Opens `path` for reading; prints why not and returns -1 on failure.
int OpenInput(const char* path) {
  int fd = ::open(path, O_RDONLY);
  if (fd < 0) std::fprintf(stderr, "opening %s: %s\n", path, std::strerror(errno));
  return fd;
}

int Tokenize(const char* path) {
  int fd = OpenInput(path);
  if (fd < 0) return 2;
  auto start = std::chrono::steady_clock::now();
  mlc::edi::FdSource src(fd, path);
  mlc::edi::Reader reader(src);
  uint64_t sets = 0, segments = 0, elements = 0, bytes = 0;
  for (;;) {
    auto ev = reader.Next();
    if (!ev.ok()) {
      std::fprintf(stderr, "%s: %s\n", path, ev.error().message().c_str());
      return 1;
    }
    if (ev->kind == mlc::edi::EventKind::kEnd) break;
    if (ev->kind == mlc::edi::EventKind::kTransactionSet) {
      ++sets;
      segments += ev->set->segments.size();
      bytes += ev->set->byte_length;
      for (const auto& s : ev->set->segments) elements += s.size();
    } else if (ev->segment != nullptr) {
      ++segments;
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  off_t size = ::lseek(fd, 0, SEEK_END);
  ::close(fd);
  std::printf("bytes=%lld sets=%llu segments=%llu elements=%llu seconds=%.3f MB/s=%.1f "
              "peak_buffer=%zu\n",
              static_cast<long long>(size), static_cast<unsigned long long>(sets),
              static_cast<unsigned long long>(segments), static_cast<unsigned long long>(elements),
              secs, static_cast<double>(size) / 1e6 / secs, reader.peak_buffer_capacity());
  (void)bytes;
  return 0;
}

int Validate(const char* path) {
  int fd = OpenInput(path);
  if (fd < 0) return 2;
  auto start = std::chrono::steady_clock::now();
  mlc::edi::FdSource src(fd, path);
  mlc::edi::ValidatorOptions options;
  options.keep_accepted_sets = false;  // memory bounded by the problems, not the file
  auto report = mlc::edi::ValidateInput(src, options);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  off_t size = ::lseek(fd, 0, SEEK_END);
  ::close(fd);
  if (!report.ok()) {
    std::fprintf(stderr, "%s: %s\n", path, report.error().message().c_str());
    return 1;
  }
  uint64_t sets = 0, rejected = 0;
  for (const auto& ic : report->interchanges) {
    for (const auto& g : ic.groups) {
      sets += g.sets.size() + g.omitted_accepted;
      for (const auto& s : g.sets) rejected += s.code == mlc::edi::AckCode::kRejected;
    }
  }
  std::printf("bytes=%lld sets=%llu rejected=%llu valid=%d seconds=%.3f MB/s=%.1f\n",
              static_cast<long long>(size), static_cast<unsigned long long>(sets),
              static_cast<unsigned long long>(rejected), report->ok() ? 1 : 0, secs,
              static_cast<double>(size) / 1e6 / secs);
  return report->ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "generate") == 0) {
    return Generate(argv[2], std::strtoull(argv[3], nullptr, 10));
  }
  if (argc == 3 && std::strcmp(argv[1], "tokenize") == 0) return Tokenize(argv[2]);
  if (argc == 3 && std::strcmp(argv[1], "validate") == 0) return Validate(argv[2]);
  std::fprintf(stderr, "usage: %s generate FILE MB | tokenize FILE | validate FILE\n", argv[0]);
  return 2;
}
