"""Write an imported rubric (and its evidence) as YAML a person can read and fix.

Keys follow docs/rubric-format.md; Chinese is kept as it is (``allow_unicode``); multi-line rule
texts are ``|-`` block scalars; every inferred method is followed by a comment with the inferred
type, the confidence and the reason, "# 请核对" on the lines an officer should check:

    method: {type: checklist, items: 3}  # 推断：checklist，置信度0.9：以上3项各占1/3权重

The text written is parsed back and compared with the data before it is returned, so a quoting
mistake cannot produce a file that means something else.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import yaml

from ..core.infer import Inference
from ..core.numbers import fmt_number


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes Decimals as plain numbers."""


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = fmt_number(value)
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _represent_decimal)


def _dump(value: Any, flow: bool | None) -> str:
    return yaml.dump(
        value,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=flow,
        width=10**9,
    )


def scalar(value: Any, quote: bool = False) -> str:
    """One YAML scalar on one line: plain when YAML allows it, else double-quoted."""
    if isinstance(value, str) and (quote or not value):
        return json.dumps(value, ensure_ascii=False)
    text = _dump(value, True).strip()
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    if text.endswith("..."):
        text = text[:-3].strip()
    if isinstance(value, str) and (text.startswith(("'", '"')) or "\n" in text):
        return json.dumps(value, ensure_ascii=False)
    return text


def _block_ok(text: str) -> bool:
    lines = text.split("\n")
    if not lines[0] or lines[0][0] in " \t":
        return False
    return all(line == line.rstrip() and "\t" not in line for line in lines) and all(
        ch.isprintable() or ch == "\n" for ch in text
    )


def text_field(key: str, value: str, indent: str) -> list[str]:
    """``key: "text"``, or a ``|-`` block for a multi-line text."""
    if "\n" in value and _block_ok(value):
        return [
            f"{indent}{key}: |-",
            *(f"{indent}  {line}" if line else "" for line in value.split("\n")),
        ]
    return [f"{indent}{key}: {scalar(value, quote=True)}"]


def inference_comment(inference: Inference) -> str:
    """ "# 推断：checklist，置信度0.9：以上3项各占1/3权重" (+ "；请核对" when doubtful)."""
    note = inference.note
    if inference.details:
        note += "（" + "；".join(inference.details) + "）"
    text = f"# 推断：{inference.type}，置信度{inference.confidence:g}：{note}"
    if inference.needs_review:
        text += " # 请核对"
    return text


def _method_lines(method: dict[str, Any], indent: str, comment: str) -> list[str]:
    nested = any(isinstance(v, list | dict) for v in method.values())
    suffix = f"  {comment}" if comment else ""
    if not nested:
        return [f"{indent}method: {_dump(method, True).strip()}{suffix}"]
    body = _dump(method, None).rstrip("\n").split("\n")
    return [f"{indent}method:{suffix}", *(f"{indent}  {line}" for line in body)]


NODE_KEYS = (
    "code",
    "name",
    "code_assigned",
    "weight",
    "target",
    "nature",
    "unit",
    "rule",
    "method",
    "declared_counts",
    "children",
)


def _node_lines(
    node: dict[str, Any],
    indent: str,
    inferences: dict[str, Inference],
    comments: dict[str, list[str]],
) -> list[str]:
    lines = [f"{indent}# {text}" for text in comments.get(str(node["code"]), [])]
    inner = indent + "  "
    first = True
    keys = [key for key in NODE_KEYS if key in node] + [key for key in node if key not in NODE_KEYS]
    for key in keys:
        value = node[key]
        prefix = f"{indent}- " if first else inner
        first = False
        if key == "children":
            lines.append(f"{prefix}children:")
            for child in value:
                lines.extend(_node_lines(child, inner + "  ", inferences, comments))
        elif key == "method":
            inference = inferences.get(str(node["code"]))
            comment = inference_comment(inference) if inference is not None else ""
            method_lines = _method_lines(value, inner, comment)
            if prefix != inner:
                method_lines[0] = prefix + method_lines[0][len(inner) :]
            lines.extend(method_lines)
        elif key in ("rule", "target") and isinstance(value, str):
            field_lines = text_field(key, value, inner)
            field_lines[0] = prefix + field_lines[0][len(inner) :]
            lines.extend(field_lines)
        elif isinstance(value, dict | list):
            lines.append(f"{prefix}{key}: {_dump(value, True).strip()}")
        else:
            lines.append(f"{prefix}{key}: {scalar(value)}")
    return lines


def rubric_yaml(
    data: dict[str, Any],
    *,
    header: list[str],
    inferences: dict[str, Inference],
    comments: dict[str, list[str]] | None = None,
) -> str:
    """The rubric ``data`` as commented YAML (``comments`` go above the node with that code)."""
    comments = comments or {}
    lines = [f"# {text}" for text in header]
    for key, value in data.items():
        if key == "levels":
            lines.append("levels:")
            for node in value:
                lines.extend(_node_lines(node, "  ", inferences, comments))
        elif key in ("title", "source", "description") and isinstance(value, str):
            lines.extend(text_field(key, value, ""))
        elif isinstance(value, dict | list):
            lines.append(_dump({key: value}, None).rstrip("\n"))
        else:
            lines.append(f"{key}: {scalar(value)}")
    text = "\n".join(lines) + "\n"
    _check(text, data)
    return text


def evidence_yaml(data: dict[str, Any], *, header: list[str], names: dict[str, str]) -> str:
    """Evidence ``data`` (rubric, source, lines) as YAML, each line's indicator name as a comment."""
    lines = [f"# {text}" for text in header]
    for key, value in data.items():
        if key != "lines":
            lines.extend(
                text_field(key, value, "")
                if isinstance(value, str)
                else [f"{key}: {scalar(value)}"]
            )
            continue
        lines.append("lines:" if value else "lines: {}")
        for code, line in value.items():
            name = names.get(code)
            lines.append(f"  {scalar(code)}:" + (f"  # {name}" if name else ""))
            for field, item in line.items():
                if isinstance(item, str):
                    lines.extend(text_field(field, item, "    "))
                else:
                    lines.append(f"    {field}: {scalar(item)}")
    text = "\n".join(lines) + "\n"
    _check(text, data)
    return text


def _normalize(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return Decimal(str(value)).normalize()
    return value


def _check(text: str, data: dict[str, Any]) -> None:
    parsed = yaml.safe_load(text)
    if _normalize(parsed) != _normalize(data):
        raise RuntimeError("internal error: the YAML written does not read back as the data")
