#include "crosstalk/text/encode_limited.h"

#include <algorithm>
#include <functional>

namespace crosstalk::text {

namespace {

// A line up to this many bytes per allowed piece is encoded whole.
constexpr size_t kBytesPerPiece = 16;
constexpr size_t kMinPrefixBytes = 4096;

// The first `bytes` bytes of `line`, cut after the last space in their second half, or
// else before a UTF-8 character that does not fit.
std::string prefix_of(const std::string& line, size_t bytes) {
  if (bytes >= line.size()) return line;
  const size_t space = line.find_last_of(" \t", bytes);
  if (space != std::string::npos && space >= bytes / 2) return line.substr(0, space);
  size_t cut = bytes;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // a continuation byte
  return line.substr(0, cut);
}

template <class Piece>
std::vector<Piece> encode_bounded(const std::string& line, size_t max_pieces,
                                  const std::function<std::vector<Piece>(const std::string&)>& encode,
                                  bool* truncated) {
  size_t bytes = std::max(kMinPrefixBytes, max_pieces * kBytesPerPiece);
  while (true) {
    const bool whole = bytes >= line.size();
    std::vector<Piece> pieces = encode(whole ? line : prefix_of(line, bytes));
    if (pieces.size() > max_pieces || whole) {
      *truncated = pieces.size() > max_pieces;
      if (*truncated) pieces.resize(max_pieces);
      return pieces;
    }
    bytes *= 2;
  }
}

}  // namespace

LimitedIds encode_limited(const Vocab& vocab, const std::string& line, size_t max_pieces) {
  LimitedIds out;
  out.ids = encode_bounded<int>(line, max_pieces, [&](const std::string& s) { return vocab.encode(s); },
                                &out.truncated);
  return out;
}

std::vector<std::string> encode_pieces_limited(const Vocab& vocab, const std::string& line, size_t max_pieces) {
  bool truncated = false;
  return encode_bounded<std::string>(line, max_pieces,
                                     [&](const std::string& s) { return vocab.encode_pieces(s); }, &truncated);
}

}  // namespace crosstalk::text
