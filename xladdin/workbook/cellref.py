"""A1 cell references: column letters and indexes, and splitting a reference.

Kept apart from the layouts so that the package layer can use them without knowing any layout.
"""

from __future__ import annotations


def col_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """A → 0, AA → 26."""
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def split_ref(ref: str) -> tuple[str, int]:
    """ "H12" → ("H", 12)."""
    i = 0
    while i < len(ref) and ref[i].isalpha():
        i += 1
    return ref[:i], int(ref[i:])
