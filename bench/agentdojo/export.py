"""Exports the AgentDojo `workspace` and `travel` suites as recorded MCP exchanges, in the NDJSON
format of `mcp-audit capture import`, with a labels file. See README.md in this folder.

    python export.py --out data [--day 2026-11-16] [--users 20] [--history-days 14] [--seed 1]

Deterministic: the same arguments and agentdojo version give byte-identical files.
"""

import argparse
import datetime as dt
import gzip
import json
import os
import random
import sys
from importlib.metadata import version as package_version
from pathlib import Path

# The benchmark's tools build some lists through Python sets (a new event's participants), whose
# order follows string hashing; a fixed hash seed makes reruns give the same bytes. It must be set
# before the interpreter starts, so the exporter restarts itself once with it.
if __name__ == "__main__" and os.environ.get("PYTHONHASHSEED") != "0":
    os.execve(sys.executable, sys.orig_argv, {**os.environ, "PYTHONHASHSEED": "0"})

import suites  # noqa: E402  (first of the benchmark's imports: keeps the held-out suites out)
import labels as labelling  # noqa: E402
import synthesized  # noqa: E402
import traces  # noqa: E402

TENANTS = {"workspace": "tenant-workspace", "travel": "tenant-travel"}
PREFIX = {"workspace": "ws", "travel": "tr"}
CLIENT = {"name": "desk-assistant", "version": "3.2.0"}
AGENT = "assistant"
# The working day: traces start between these hours (UTC).
DAY_START_H, DAY_END_H = 8, 18
# Benign traces each user runs on the evaluation day (every user task is run at least once too).
EVAL_BENIGN_PER_USER = 6
# History: traces per user on a weekday and on a weekend day.
HISTORY_WEEKDAY = (4, 9)
HISTORY_WEEKEND = (0, 2)


def iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Writer:
    """Writes one trace's exchanges: tools/list of every server of the suite, then each call."""

    def __init__(self, path: Path, tools: dict[str, list[dict]]) -> None:
        # mtime=0: the gzip header carries no time, so reruns give identical bytes.
        self.file = gzip.GzipFile(filename="", mode="wb", fileobj=open(path, "wb"), mtime=0)
        self.tools = tools
        self.lines = 0

    def _line(self, record: dict) -> None:
        self.file.write((json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode())
        self.lines += 1

    def trace(self, trace, trace_id: str, user: str, start: dt.datetime, rng: random.Random) -> list[tuple[str, str]]:
        """Writes the trace; returns (request id, ts) of each call."""
        tenant = TENANTS[trace.suite]
        base = {"tenant_id": tenant, "user_id": user, "agent_id": AGENT, "client": CLIENT}
        t = start
        # The client lists the tools of every configured server when the agent run starts.
        for server, tools in self.tools.items():
            rid = f"{trace_id}#list-{server}"
            self._line(
                {
                    "ts": iso(t),
                    **base,
                    "session_id": f"{trace_id}/{server}",
                    "server": {"name": server, "transport": "stdio"},
                    "request": {"jsonrpc": "2.0", "id": rid, "method": "tools/list"},
                    "response": {"jsonrpc": "2.0", "id": rid, "result": {"tools": tools}},
                    "duration_ms": rng.randint(5, 60),
                }
            )
            t += dt.timedelta(milliseconds=rng.randint(20, 300))
        ids = []
        for seq, call in enumerate(trace.calls, 1):
            # The model thinks between calls: a few seconds, longer before a write.
            t += dt.timedelta(milliseconds=rng.randint(1500, 6000 if labelling.is_read(call.name) else 15000))
            rid = f"{trace_id}#{seq:02d}"
            result = {"content": [{"type": "text", "text": call.output}]}
            if call.is_error:
                result["isError"] = True
            duration = rng.randint(40, 900)
            self._line(
                {
                    "ts": iso(t),
                    **base,
                    "session_id": f"{trace_id}/{call.server}",
                    "server": {"name": call.server, "transport": "stdio"},
                    "request": {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": call.name, "arguments": call.arguments}},
                    "response": {"jsonrpc": "2.0", "id": rid, "result": result},
                    "duration_ms": duration,
                }
            )
            ids.append((rid, iso(t)))
            t += dt.timedelta(milliseconds=duration)
        return ids

    def close(self) -> None:
        fileobj = self.file.fileobj
        self.file.close()
        fileobj.close()


def schedule(items: list, users: list[str], day: dt.date, rng: random.Random) -> list[tuple]:
    """(start, user, item) for items already assigned to users: each user's traces in order through
    the working day, one per slot, never overlapping."""
    by_user: dict[str, list] = {u: [] for u in users}
    for user, item in items:
        by_user[user].append(item)
    out = []
    span = (DAY_END_H - DAY_START_H) * 3600
    for user, its in by_user.items():
        rng.shuffle(its)
        slot = span / max(1, len(its))
        for k, item in enumerate(its):
            offset = k * slot + rng.uniform(0, slot * 0.5)
            start = dt.datetime(day.year, day.month, day.day, DAY_START_H, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=offset)
            out.append((start, user, item))
    out.sort(key=lambda x: (x[0], x[1]))
    return out


def export_suite(name: str, suite, out: Path, args, all_labels: list, stats: dict) -> None:
    rng = random.Random(f"{args.seed}:{name}")
    prefix = PREFIX[name]
    users = [f"{prefix}-user{n:02d}" for n in range(1, args.users + 1)]
    tools = traces.tool_definitions(suite)
    user_tasks = list(suite.user_tasks.values())
    benign = {t.ID: traces.benign_trace(name, suite, t) for t in user_tasks}
    # Each user prefers some tasks: history and the evaluation day draw from the same habits.
    weights = {u: [rng.expovariate(1.0) for _ in user_tasks] for u in users}

    def habitual(user: str, k: int) -> list[str]:
        return [t.ID for t in rng.choices(user_tasks, weights=weights[user], k=k)]

    # Evaluation day, benign: every user task once, plus each user's habitual traces.
    assigned = [(users[i % len(users)], tid) for i, tid in enumerate(benign)]
    for u in users:
        assigned += [(u, tid) for tid in habitual(u, max(0, EVAL_BENIGN_PER_USER - sum(1 for a in assigned if a[0] == u)))]
    w = Writer(out / f"{name}.benign.ndjson.gz", tools)
    for n, (start, user, tid) in enumerate(schedule(assigned, users, args.day, rng), 1):
        trace_id = f"{prefix}-b{n:04d}"
        w.trace(benign[tid], trace_id, user, start, rng)
        all_labels.append({**labelling.label(benign[tid], trace_id, [], None), "user_id": user, "tenant_id": TENANTS[name], "start": iso(start)})
    w.close()
    stats[name] = {"benign_traces": n, "benign_exchanges": w.lines}

    # Evaluation day, attacks: every (user task, injection task) pair the benchmark can inject.
    attack = traces.attack_for(suite)
    pairs, not_injectable = [], []
    for ut in user_tasks:
        for it in suite.injection_tasks.values():
            tr = traces.attack_trace(name, suite, attack, ut, it)
            if tr is None:
                not_injectable.append(ut.ID)
                break
            pairs.append(tr)
        print(f"{name}: {ut.ID} done, {len(pairs)} attack traces", file=sys.stderr)
    assigned = [(users[rng.randrange(len(users))], tr) for tr in pairs]
    w = Writer(out / f"{name}.attacks.ndjson.gz", tools)
    harmful = 0
    for n, (start, user, tr) in enumerate(schedule(assigned, users, args.day, rng), 1):
        trace_id = f"{prefix}-a{n:04d}"
        written = w.trace(tr, trace_id, user, start, rng)
        lab = labelling.label(tr, trace_id, [rid for rid, _ in written], suite.injection_tasks[tr.injection_task].GOAL)
        ts_of = dict(written)
        if lab["harmful_action_ids"]:
            lab["first_harmful_action_ts"] = ts_of[lab["harmful_action_ids"][0]]
        harmful += len(lab["harmful_exchange_ids"])
        all_labels.append({**lab, "user_id": user, "tenant_id": TENANTS[name], "start": iso(start)})
    w.close()
    stats[name].update(
        {"attack_traces": len(pairs), "attack_exchanges": w.lines, "harmful_calls": harmful, "user_tasks_not_injectable": sorted(set(not_injectable))}
    )

    # History: the days before the evaluation day, re-sampled from the benign traces by habit.
    w = Writer(out / f"{name}.history.ndjson.gz", tools)
    n = 0
    for d in range(args.history_days, 0, -1):
        day = args.day - dt.timedelta(days=d)
        lo, hi = HISTORY_WEEKEND if day.weekday() >= 5 else HISTORY_WEEKDAY
        assigned = [(u, tid) for u in users for tid in habitual(u, rng.randint(lo, hi))]
        for start, user, tid in schedule(assigned, users, day, rng):
            n += 1
            w.trace(benign[tid], f"{prefix}-h{n:05d}", user, start, rng)
    w.close()
    stats[name].update({"history_traces": n, "history_exchanges": w.lines})


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    p.add_argument("--day", type=dt.date.fromisoformat, default=dt.date(2026, 11, 16), help="the evaluation day (history is the days before)")
    p.add_argument("--users", type=int, default=20, help="users per suite")
    p.add_argument("--history-days", type=int, default=14)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    loaded = suites.load_suites()
    verified = synthesized.check(loaded["workspace"])
    all_labels: list = []
    stats: dict = {}
    for name in suites.SUITES:
        export_suite(name, loaded[name], args.out, args, all_labels, stats)
    classes: dict[str, int] = {}
    for lab in all_labels:
        if lab["attack"]:
            classes[lab["attack_class"]] = classes.get(lab["attack_class"], 0) + 1
    manifest = {
        "benchmark": "agentdojo",
        "benchmark_version": suites.BENCHMARK_VERSION,
        "agentdojo": package_version("agentdojo"),
        "suites": list(suites.SUITES),
        "attack": "important_instructions",
        "attacked_model_name": traces.ATTACKED_MODEL,
        "synthesized_injection_tasks": {"workspace": verified},
        "day": args.day.isoformat(),
        "history_days": args.history_days,
        "users_per_suite": args.users,
        "seed": args.seed,
        "servers": {name: sorted(traces.tool_definitions(loaded[name])) for name in suites.SUITES},
        "stats": stats,
        "attack_classes": dict(sorted(classes.items())),
        "not_revealable": sum(1 for lab in all_labels if lab["attack"] and not lab["revealable"]),
    }
    # One trace per line: compact, and still a diff a reviewer can read.
    body = ",\n".join(json.dumps(lab, ensure_ascii=False, separators=(",", ":")) for lab in all_labels)
    (args.out / "labels.json").write_text('{"traces":[\n' + body + "\n]}\n")
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
