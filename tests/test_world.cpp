// dist/world.h: torchrun's variables, free ports and the shards of a global batch.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "crosstalk/common/error.h"
#include "crosstalk/dist/world.h"

using crosstalk::UserError;
using namespace crosstalk::dist;

TEST_CASE("world: torchrun's variables", "[dist]") {
  SECTION("none: a single process") {
    const auto w = world_from({});
    CHECK(w.size == 1);
    CHECK(w.rank == 0);
    CHECK_FALSE(w.distributed());
  }
  SECTION("a rank of a world of 4") {
    const auto w = world_from({{"RANK", "2"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "0"}, {"MASTER_ADDR", "127.0.0.1"},
                               {"MASTER_PORT", "29511"}});
    CHECK(w.rank == 2);
    CHECK(w.size == 4);
    CHECK(w.local_rank == 0);
    CHECK(w.master_addr == "127.0.0.1");
    CHECK(w.master_port == 29511);
    CHECK(w.distributed());
    CHECK_FALSE(w.main());
  }
  SECTION("each bad variable is one clear error naming it") {
    const std::map<std::string, std::string> good = {{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"},
                                                     {"MASTER_PORT", "29511"}};
    auto with = [&](const std::string& name, const std::string& value) {
      auto env = good;
      if (value == "<unset>") env.erase(name);
      else env[name] = value;
      return env;
    };
    CHECK_THROWS_WITH(world_from(with("RANK", "2")), Catch::Contains("RANK=2 is not below WORLD_SIZE=2"));
    CHECK_THROWS_WITH(world_from(with("RANK", "-1")), Catch::Contains("RANK='-1'"));
    CHECK_THROWS_WITH(world_from(with("RANK", "<unset>")), Catch::Contains("RANK is not set"));
    CHECK_THROWS_WITH(world_from(with("WORLD_SIZE", "two")), Catch::Contains("WORLD_SIZE='two'"));
    CHECK_THROWS_WITH(world_from(with("WORLD_SIZE", "0")), Catch::Contains("WORLD_SIZE='0'"));
    CHECK_THROWS_WITH(world_from(with("MASTER_ADDR", "<unset>")), Catch::Contains("MASTER_ADDR is not set"));
    CHECK_THROWS_WITH(world_from(with("MASTER_PORT", "70000")), Catch::Contains("MASTER_PORT='70000'"));
    CHECK_THROWS_WITH(world_from(with("MASTER_PORT", "<unset>")), Catch::Contains("MASTER_PORT is not set"));
    CHECK_THROWS_WITH(world_from(with("LOCAL_RANK", "x")), Catch::Contains("LOCAL_RANK='x'"));
    CHECK_THROWS_AS(world_from(with("RANK", "2")), UserError);
  }
}

TEST_CASE("world: free_port gives a usable port", "[dist]") {
  const int port = free_port();
  CHECK(port > 0);
  CHECK(port <= 65535);
}

TEST_CASE("shard_of: disjoint, complete, in order, sizes within one", "[dist]") {
  for (size_t n : {0, 1, 2, 3, 7, 64, 101}) {
    for (int size : {1, 2, 3, 8}) {
      size_t expected_begin = 0, smallest = n, largest = 0;
      for (int rank = 0; rank < size; ++rank) {
        const auto [begin, end] = shard_of(n, rank, size);
        INFO("n " << n << ", rank " << rank << " of " << size);
        CHECK(begin == expected_begin);  // contiguous and in rank order: together they cover [0, n)
        CHECK(end >= begin);
        expected_begin = end;
        smallest = std::min(smallest, end - begin);
        largest = std::max(largest, end - begin);
      }
      CHECK(expected_begin == n);
      CHECK(largest - smallest <= 1);
    }
  }
  // Fewer examples than ranks: the last ranks get empty shards.
  CHECK(shard_of(1, 1, 2).first == shard_of(1, 1, 2).second);
}
