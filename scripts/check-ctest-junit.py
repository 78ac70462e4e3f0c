#!/usr/bin/env python3
"""Fails when a CTest run skipped or did not run a test.

Usage: check-ctest-junit.py FILE, FILE being written by `ctest --output-junit FILE` (CTest >= 3.21).

CTest exits 0 when tests are skipped: gtest_discover_tests sets SKIP_REGULAR_EXPRESSION "[  SKIPPED ]",
which GTEST_SKIP() prints and which GoogleTest also prints for every test of a suite whose
SetUpTestSuite threw, so a suite that never ran looked like a green run. In the JUnit file CTest
writes each test as <testcase status="run|fail|notrun|disabled">, a skipped test with a <skipped>
child. This script lists every test that is not "run" or "fail" (a failure already fails CTest) and
exits 1 if there is one, or if the file holds no test at all.
"""

import sys
import xml.etree.ElementTree as ET


def skip_reason(case: ET.Element) -> str:
    """The reason CTest gives, followed by GoogleTest's 'Skipped' message or failure when it has one."""
    skipped = case.find("skipped")
    reason = skipped.get("message", "") if skipped is not None else case.get("status", "")
    output = case.findtext("system-out") or ""
    lines = output.splitlines()
    detail = ""
    for i, line in enumerate(lines):
        if "thrown in SetUpTestSuite" in line or "thrown in the test fixture's constructor" in line:
            detail = line.strip()
            break
        if line.endswith(": Skipped") and i + 1 < len(lines) and lines[i + 1].strip():
            detail = lines[i + 1].strip()
            break
    if not detail and case.get("status") == "disabled":
        detail = "DISABLED test property"
    return f"{reason}: {detail}" if detail else reason


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    path = sys.argv[1]
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as error:
        print(f"check-ctest-junit: cannot read the CTest JUnit file {path}: {error}", file=sys.stderr)
        return 1
    cases = root.iter("testcase")
    total = 0
    not_run = []
    for case in cases:
        total += 1
        status = case.get("status", "")
        if status not in ("run", "fail") or case.find("skipped") is not None:
            not_run.append((case.get("name", "?"), skip_reason(case)))
    if total == 0:
        print(f"check-ctest-junit: no test ran ({path} lists none)", file=sys.stderr)
        return 1
    if not_run:
        print(f"check-ctest-junit: {len(not_run)} of {total} tests were skipped or did not run "
              "(CTest counts them as passed; this run fails):", file=sys.stderr)
        for name, reason in not_run:
            print(f"  {name} ({reason})", file=sys.stderr)
        return 1
    print(f"check-ctest-junit: all {total} tests ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())
