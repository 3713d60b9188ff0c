"""Checks of scenario items outside a package (the admin's JSON editor) with the import's rules."""

from pathlib import Path

from course.package import FileReader, Mapping, Problem

from .package import read_step


def item_problems(steps: dict) -> list[str]:
    """Problems with an item's option tree, each naming its field; empty when it is sound."""
    problems: list[Problem] = []
    reader = FileReader(Path("."), Path("steps"), problems)
    read_step(reader, Mapping(steps), "", 1, root=True)
    return [f"{p.field}: {p.message}" if p.field else p.message for p in problems]
