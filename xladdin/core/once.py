"""Work done once per object: derived views of a rubric, or of its settings, that a batch's
workbooks share.

Rubrics are not changed after loading, so what depends only on a rubric object can be kept for
as long as the object lives. Objects are told apart by identity (a reused ``id`` is checked),
and a few dozen are kept at most: a batch has one rubric, a test suite a few hundred.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
V = TypeVar("V")


def per_object(compute: Callable[[T], V]) -> Callable[[T], V]:
    """``compute(obj)``, computed once per object ``obj`` (the value is shared: not to be
    changed by callers)."""
    found: dict[int, tuple[T, V]] = {}

    @functools.wraps(compute)
    def once(obj: T) -> V:
        hit = found.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        value = compute(obj)
        if len(found) > 64:
            found.clear()
        found[id(obj)] = (obj, value)
        return value

    return once
