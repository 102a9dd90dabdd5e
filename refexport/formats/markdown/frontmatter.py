"""A post's metadata: Jekyll/Hugo front matter (title, category) and the date in its file name."""

from __future__ import annotations

import datetime
import re
from typing import Any

from refexport.model import PartialDate
from refexport.text.yaml import YAMLError, is_plain_yaml_string, load_yaml

_POST_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-")


def front_matter(lines: list[str]) -> tuple[int, dict[str, Any]]:
    """(index of the first body line, front-matter mapping). No closing `---`: no front matter."""
    if not lines or lines[0].strip() != "---":
        return 0, {}
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            return end + 1, _parse_front_matter(lines[1:end])
    return 0, {}


def _parse_front_matter(lines: list[str]) -> dict[str, Any]:
    simple = _simple_front_matter(lines)
    # Jekyll front matter is mostly `key: plain words`; when every line is that, YAML would
    # read exactly these strings, and PyYAML (40–70 ms to import) is not needed. A quoted
    # value may hold escapes (`"a\nb"`): YAML reads it.
    content = [line for line in lines if line.strip()]
    quoted = any(line.partition(":")[2].strip()[:1] in ("'", '"') for line in content)
    if (
        not quoted
        and len(simple) == len(content)
        and all(
            is_plain_yaml_string(key) and is_plain_yaml_string(str(value)) for key, value in simple.items()
        )
    ):
        return simple
    try:
        parsed = load_yaml("\n".join(lines))
    except YAMLError:
        return simple
    if not isinstance(parsed, dict):
        return simple
    # A value YAML turns into a mapping (`title: a: b` style quirks) is better read as written.
    return {
        str(key): simple.get(str(key), value) if isinstance(value, dict) else value
        for key, value in parsed.items()
    }


def _simple_front_matter(lines: list[str]) -> dict[str, Any]:
    """`key: value` lines, for front matter that is not valid YAML."""
    values: dict[str, Any] = {}
    for line in lines:
        key, colon, value = line.partition(":")
        if colon and key.strip() and not key.startswith((" ", "\t", "#")):
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            values[key.strip()] = value
    return values


def scalar_text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


def tags_of(front: dict[str, Any]) -> list[str]:
    """The front matter's category (one or a list) as tags."""
    category = front.get("category")
    values = category if isinstance(category, list) else [] if category is None else [category]
    return [tag for tag in (scalar_text(value) for value in values) if tag]


def post_date(file_name: str) -> PartialDate | None:
    match = _POST_DATE.match(file_name)
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        datetime.date(year, month, day)
    except ValueError:
        return None
    return PartialDate(year, month, day)
