#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "crosstalk/text/vocab.h"

namespace crosstalk::text {

/// The first pieces of a line, for a model whose position table holds only so many.
struct LimitedIds {
  std::vector<int> ids;    // at most max_pieces
  bool truncated = false;  // the line has more pieces than max_pieces: ids are its first ones
};

/// vocab.encode(line) cut to `max_pieces`. A long line is not encoded whole: growing
/// prefixes of it are (cut after a space where there is one), until one gives more than
/// max_pieces pieces, so that a megabyte line costs no more time and memory than its
/// first few thousand pieces. Cut at a space, the kept pieces are exactly those of the
/// whole line (SentencePiece does not merge across spaces).
LimitedIds encode_limited(const Vocab& vocab, const std::string& line, size_t max_pieces);

/// vocab.encode_pieces(line) cut to `max_pieces` the same way (the surface text of the
/// pieces encode_limited returns).
std::vector<std::string> encode_pieces_limited(const Vocab& vocab, const std::string& line, size_t max_pieces);

}  // namespace crosstalk::text
