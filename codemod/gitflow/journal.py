"""The batch journal: one JSON object per line, one line per unit and state.

A batch run appends a record whenever a unit reaches a state:

  planned    the unit's changes were computed (`planned_hash`) and work on it begins;
  verified   its branch commit exists and passed verification (`commit`, `patch_hash`);
  pushed     the branch was pushed (`remote`);
  pr-opened  its pull request was opened or updated (`pr`);
  failed     something went wrong (`detail`); the next run starts the unit over.

Every record carries `unit`, `state`, `time` (UTC, ISO 8601), `run` (an id
shared by the records of one run) and the fields of the unit's earlier
records in the same attempt, so the latest record of a unit says all that is
known about it. Each record is flushed and synced before the run goes on,
so a crash loses at most the step that was in progress; a torn last line is
ignored when reading. `latest` merges any number of journals (one per CI
shard, say) into the current state of every unit.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

STATES = ("planned", "verified", "pushed", "pr-opened", "failed")
RANK = {s: i for i, s in enumerate(STATES[:-1])}
NAME = "journal.jsonl"


def journal_name(shard: tuple[int, int] | None) -> str:
    """The journal's file name: journal.jsonl, or journal-I-of-N.jsonl for a shard."""
    return NAME if shard is None else f"journal-{shard[0]}-of-{shard[1]}.jsonl"


class Journal:
    """An append-only journal file; records are durable when write returns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.run = f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{uuid.uuid4().hex[:8]}"
        path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, unit: str, state: str, **fields: Any) -> dict[str, Any]:
        """Append the record of unit reaching state; returns it."""
        if state not in STATES:
            raise ValueError(f"unknown journal state {state!r}")
        record = {"unit": unit, "state": state, "time": _now(), "run": self.run, **fields}
        line = json.dumps(record, sort_keys=True) + "\n"
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(line)
            out.flush()
            os.fsync(out.fileno())
        return record


def journal_files(locations: Iterable[Path]) -> list[Path]:
    """The journal files at locations: files as given, directories searched for journal*.jsonl."""
    out: list[Path] = []
    for loc in locations:
        if loc.is_dir():
            out += sorted(loc.glob("journal*.jsonl"))
        elif loc.is_file():
            out.append(loc)
    return out


def read(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Every well-formed record of the journals, in time order (file order among equal times)."""
    records = []
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        for line in lines:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line torn by a crash
            if isinstance(record, dict) and record.get("unit") and record.get("state") in STATES:
                records.append(record)
    records.sort(key=lambda r: str(r.get("time", "")))
    return records


def latest(records: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The latest record of every unit, by unit id."""
    out: dict[str, dict[str, Any]] = {}
    for r in records:
        out[r["unit"]] = r
    return dict(sorted(out.items()))


def reached(record: dict[str, Any] | None, state: str) -> bool:
    """Whether record shows its unit at state or beyond (a failed unit has reached nothing)."""
    if record is None or record["state"] == "failed":
        return False
    return RANK[record["state"]] >= RANK[state]


def _now() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1e6):06d}Z"
