// The history database's schema, versioned with PRAGMA user_version, and the forward migrations
// that bring an older file up to date. A new version appends a migration; none is ever edited,
// and tests/store/schema_test.cpp keeps a copy of each version's schema to migrate from.
#pragma once

#include "store/sqlite.hpp"

#include <cstdint>
#include <span>

namespace yollayah::store::schema {

// PRAGMA application_id of our files ("YLYH"): tells a history database from any other SQLite file.
inline constexpr std::int32_t kApplicationId = 0x594c5948;

struct Migration {
  int version;      // the user_version this brings the file to, from version - 1
  const char* sql;  // run in one transaction with the user_version update
};

std::span<const Migration> migrations();
int latest_version();

// Runs, each in its own transaction, every migration above the file's user_version. A failure
// rolls back that step and leaves the file at the last version reached (`reached`).
sql::Error migrate(sql::Connection& db, std::span<const Migration> steps, int& found, int& reached);

}  // namespace yollayah::store::schema
