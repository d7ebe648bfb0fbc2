// Shared helpers of the cleo_sandbox suite: temporary roots, seed files, and 850s built with our
// own X12 writer the way the connector's PO flow would.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "edi/writer.h"

namespace mlc::testing_support {

class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("mlc-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void WriteText(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

inline std::string ReadText(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// An 850 from us (MLCBUYER) to `partner_isa`, PO `po`, `lines` lines of 10 x 12.50 EA.
inline std::string Build850(const std::string& partner_isa, const std::string& po, int lines,
                            const std::string& isa13 = "1001") {
  edi::Writer w(edi::WriterOptions{});
  edi::IsaFields isa;
  isa.sender_id = "MLCBUYER";
  isa.receiver_id = partner_isa;
  isa.date = "260315";
  isa.time = "0930";
  isa.control_number = isa13;
  (void)w.BeginInterchange(isa);
  edi::GsFields gs;
  gs.functional_id = "PO";
  gs.sender = "MLCBUYER";
  gs.receiver = partner_isa;
  gs.date = "20260315";
  gs.time = "0930";
  gs.control_number = isa13;
  gs.version = "004010";
  (void)w.BeginGroup(gs);
  (void)w.BeginSet("850", "0001");
  (void)w.Add("BEG", {"00", "SA", po, "", "20260315"});
  for (int i = 1; i <= lines; ++i) {
    (void)w.Add("PO1", {std::to_string(i), "10", "EA", "12.50", "", "VP",
                        "SKU-" + std::to_string(100 + i), "BP", "ITEM-" + std::to_string(i)});
  }
  (void)w.Add("CTT", {std::to_string(lines)});
  (void)w.EndSet();
  (void)w.EndGroup();
  (void)w.EndInterchange();
  return w.out();
}

}  // namespace mlc::testing_support
