"""The figures of a schemathesis run (scripts/api-fuzz), from the server's own access log:
requests served, answers by status, operations reached. Exits non-zero when the run failed."""

import argparse
import re
import sys
from collections import Counter


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("access_log")
    parser.add_argument("schemathesis_log")
    parser.add_argument("--min-requests", type=int, default=2000)
    parser.add_argument("--schemathesis-status", type=int, default=0)
    args = parser.parse_args()

    statuses: Counter[int] = Counter()
    with open(args.access_log, encoding="utf-8", errors="replace") as log:
        for line in log:
            parts = line.split()
            if len(parts) != 3 or not parts[2].isdigit() or not parts[1].startswith("/api/v1/"):
                continue
            statuses[int(parts[2])] += 1
    with open(args.schemathesis_log, encoding="utf-8", errors="replace") as log:
        text = log.read()
    summary = re.findall(r"\d+ generated.*", text)
    tested = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", text)
    requests = sum(statuses.values())
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    print(f"requests served: {requests}")
    print("answers by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    print(f"server errors (5xx): {server_errors}")
    if tested:
        print(f"operations tested: {tested[3]} of the schema's {tested[2]}")
    print("schemathesis: " + (summary[-1] if summary else "no summary line"))
    failed = []
    if args.schemathesis_status != 0:
        reason = (
            "stopped by the time bound" if args.schemathesis_status == 124 else "a check failed"
        )
        failed.append(f"schemathesis exited {args.schemathesis_status} ({reason})")
    if server_errors:
        failed.append(f"{server_errors} server errors")
    if requests < args.min_requests:
        failed.append(f"only {requests} requests, fewer than {args.min_requests}")
    for reason in failed:
        print(f"FAILED: {reason}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
