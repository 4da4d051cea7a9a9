"""A rule file as YAML text, with its comments, in the layout of hand-written rule files."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator, Mapping

import yaml

from mediawatch_alerter.prometheus.model import PromRule, RuleFile

INDENT = "  "
WIDTH = 92


def _scalar(value: str) -> str:
    """``value`` plain where YAML reads it back unchanged, else double-quoted."""
    try:
        if "\n" not in value and yaml.safe_load(f"k: {value}") == {"k": value}:
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)


def _comment(text: str, indent: str) -> Iterator[str]:
    """``text`` as comment lines, each paragraph (line of ``text``) wrapped to fit WIDTH."""
    for paragraph in text.splitlines():
        lines = textwrap.wrap(paragraph, WIDTH - len(indent) - 2, break_on_hyphens=False)
        for line in lines or [""]:
            yield f"{indent}# {line}".rstrip()


def _mapping(key: str, values: Mapping[str, str], indent: str, quote: bool) -> Iterator[str]:
    yield f"{indent}{key}:"
    for name, value in values.items():
        text = json.dumps(value, ensure_ascii=False) if quote else _scalar(value)
        yield f"{indent}{INDENT}{name}: {text}"


def _rule(rule: PromRule, indent: str) -> Iterator[str]:
    yield from _comment(rule.comment, indent)
    kind, name = ("alert", rule.alert) if rule.alert else ("record", rule.record)
    yield f"{indent}- {kind}: {name}"
    inner = indent + INDENT
    if "\n" in rule.expr:
        yield f"{inner}expr: |-"
        yield from (f"{inner}{INDENT}{line}".rstrip() for line in rule.expr.splitlines())
    else:
        yield f"{inner}expr: {_scalar(rule.expr)}"
    if rule.for_:
        yield f"{inner}for: {rule.for_}"
    if rule.labels:
        yield from _mapping("labels", rule.labels, inner, quote=False)
    if rule.annotations:
        yield from _mapping("annotations", rule.annotations, inner, quote=True)


def _apart(previous: PromRule, rule: PromRule) -> bool:
    """A blank line before a commented rule and between two different alerts."""
    return bool(rule.comment) or bool(rule.alert and rule.alert != previous.alert)


def rule_file_text(file: RuleFile) -> str:
    """The YAML text of ``file``: its header comment, then its groups."""
    lines = [*_comment(file.header, ""), "groups:"]
    for number, group in enumerate(file.groups):
        if number:
            lines.append("")
        lines += [f"{INDENT}- name: {_scalar(group.name)}", f"{INDENT * 2}rules:"]
        for index, rule in enumerate(group.rules):
            if index and _apart(group.rules[index - 1], rule):
                lines.append("")
            lines += _rule(rule, INDENT * 3)
    return "\n".join(lines) + "\n"
