// The command line's contract: exit 0 on success, 2 on bad usage, help and version on request.
#include <gtest/gtest.h>

#include "run_command.h"

using sparsepixels::testing::run_cli;

TEST(Cli, HelpListsUsageAndExitsZero) {
  const auto result = run_cli("--help");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.output.find("Usage:"), std::string::npos) << result.output;
}

TEST(Cli, VersionPrintsSemanticVersion) {
  const auto result = run_cli("--version");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.output.find(SPARSEPIXELS_EXPECTED_VERSION), std::string::npos) << result.output;
}

TEST(Cli, UnknownSubcommandIsBadUsage) {
  const auto result = run_cli("no-such-command");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("no-such-command"), std::string::npos) << result.output;
}

TEST(Cli, UnknownOptionIsBadUsage) {
  const auto result = run_cli("--no-such-option");
  EXPECT_EQ(result.exit_code, 2);
}
