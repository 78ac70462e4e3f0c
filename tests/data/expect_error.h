#pragma once
// expect_error(action, parts): the action must throw sparsepixels::Error whose message names every part.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sparsepixels/error.h"

namespace sparsepixels::testing {

template <class Action>
void expect_error(Action&& action, const std::vector<std::string>& parts) {
  try {
    action();
    FAIL() << "no exception";
  } catch (const Error& error) {
    for (const std::string& part : parts) {
      EXPECT_NE(std::string(error.what()).find(part), std::string::npos)
          << "'" << part << "' not in: " << error.what();
    }
  }
}

}  // namespace sparsepixels::testing
