"""A small persistent memo: string keys to string values in an SQLite file, bounded.

Used for citation-key words and pinyin (`refexport.keys`) and for formatted references
(`refexport.citeproc`). A run reads only the rows it asks for, in bulk (one query per 500
keys), so a memo that has seen a 25,000-link blog costs a 50-link catalog nothing, and each
key is asked for at most once per run. It is bounded: each row carries the day it was last
used (written at most once a day), and past `max_rows` the least recently used rows are
deleted. A missing, unwritable or damaged file only costs speed (a damaged one is replaced).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path


class Memo:
    TABLE = "memo_v4"  # a new name when the layout (or, for a subclass, its meaning) changes

    def __init__(self, path: Path | None = None, today: int | None = None, max_rows: int = 200_000) -> None:
        self.path = path
        self.today = today if today is not None else int(time.time() // 86400)
        self.max_rows = max_rows
        self._known: dict[str, str] = {}
        self._stale: set[str] = set()  # known rows last used before today
        self._asked: set[str] = set()  # keys the database was asked for (found or not)
        self._new: dict[str, str] = {}
        self._db: sqlite3.Connection | None = None
        self._opened = False

    def _connection(self) -> sqlite3.Connection | None:
        if not self._opened:
            self._opened = True
            if self.path is not None:
                self._db = self._open(self.path)
        return self._db

    def _open(self, path: Path) -> sqlite3.Connection | None:
        for attempt in range(2):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(path, timeout=5)
                db.execute(
                    f"CREATE TABLE IF NOT EXISTS {self.TABLE} "
                    "(k TEXT PRIMARY KEY, v TEXT NOT NULL, day INTEGER NOT NULL)"
                )
                tables = db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'memo_v%'").fetchall()
                for (old,) in tables:
                    if old != self.TABLE:  # an older layout: its rows are never read again
                        db.execute(f"DROP TABLE {old}")
                return db
            except sqlite3.DatabaseError:
                if attempt == 0:
                    path.unlink(missing_ok=True)  # not a database (damaged): start afresh
            except (OSError, sqlite3.Error):
                return None
        return None

    def prefetch(self, keys: Iterable[str]) -> None:
        """Read the rows for many keys at once (one query per 500 keys)."""
        wanted = [k for k in dict.fromkeys(keys) if k not in self._asked]
        self._asked.update(wanted)
        db = self._connection()
        if db is None:
            return
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT k, v, day FROM {self.TABLE} WHERE k IN ({marks})"  # placeholders only
                for key, value, day in db.execute(query, chunk):
                    self._known[key] = value
                    if day < self.today:
                        self._stale.add(key)
        except sqlite3.Error:
            self._db = None

    def known(self, key: str) -> str | None:
        """The memoised value, from what was already read (no database access)."""
        return self._known.get(key, self._new.get(key))

    def _get(self, key: str) -> str | None:
        if key not in self._asked:
            self.prefetch([key])
        return self._known.get(key, self._new.get(key))

    def remember(self, key: str, value: str) -> None:
        """Keep a value (written by `save`)."""
        self._new[key] = value

    def memoised(self, material: str, compute: Callable[[], str]) -> str:
        """The cached result for `material`, computing (and caching) it when new."""
        value = self._get(material)
        if value is None:
            value = compute()
            self._new[material] = value
        return value

    def save(self) -> None:
        """Write the new rows, mark the rows used today, prune, and close the file."""
        db = self._connection()
        if db is None:
            return
        try:
            with db:
                rows = ((k, v, self.today) for k, v in self._new.items())
                db.executemany(f"INSERT OR REPLACE INTO {self.TABLE} VALUES (?, ?, ?)", rows)
                used = ((self.today, k) for k in self._stale)
                db.executemany(f"UPDATE {self.TABLE} SET day = ? WHERE k = ?", used)
                self._prune(db)
            db.close()
        except sqlite3.Error:
            pass  # a read-only or locked cache only costs speed
        self._known.update(self._new)
        self._new.clear()
        self._stale.clear()
        self._db = None
        self._opened = False

    def _prune(self, db: sqlite3.Connection) -> None:
        if not self._new:
            return  # only new rows make it grow
        (count,) = db.execute(f"SELECT count(*) FROM {self.TABLE}").fetchone()
        if count > self.max_rows:
            excess = count - self.max_rows * 9 // 10  # prune a tenth more, not on every run
            db.execute(
                f"DELETE FROM {self.TABLE} WHERE rowid IN "
                f"(SELECT rowid FROM {self.TABLE} ORDER BY day, rowid LIMIT ?)",
                (excess,),
            )
