"""The fixed tune/check split of every gold set: a document's half depends only on its file name."""

from __future__ import annotations

import hashlib
from typing import Literal

Half = Literal["tune", "check"]
HALVES: tuple[Half, Half] = ("tune", "check")


def half_of(source: str) -> Half:
    """`tune` or `check` from a stable hash of the file name, so sibling sets (`_no_header`, ...) split alike."""
    name = source.rsplit("/", 1)[-1]
    return "tune" if hashlib.blake2b(name.encode(), digest_size=8).digest()[0] % 2 == 0 else "check"
