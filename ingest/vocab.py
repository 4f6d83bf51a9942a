"""The word lists extraction relies on, read once from data/*.tsv.

Rules live in data files so that a new role word or junk line is one added row, not a
new regex somewhere in the code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from plangraph.ingest.resources import load_tsv
from plangraph.ingest.whitespace import SPACE


def _longest_first(words: list[str]) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=lambda w: (-len(w), w)))


def _alternation(words) -> str:
    """A regex matching any of `words`, written as a trie (牵头(?:单位|部门)?): it matches
    exactly what the longest-first alternation 牵头单位|牵头部门|牵头 matches, trying the
    words that fit at a position longest first, but `re` no longer tries a thousand words
    one by one at every position."""
    trie: dict = {}
    for word in set(words):
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here
    return _trie_regex(trie)


def _trie_regex(node: dict) -> str:
    branches = [re.escape(ch) + _trie_regex(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # a word may end here: the longer words first (a greedy ?), then this one
    return body if "" not in node else "(?:" + body + ")?"


@dataclass(frozen=True)
class Vocabulary:
    label_roles: dict[str, str]  # 牵头单位 -> lead; 适用范围 -> none
    verb_roles: dict[str, str]  # 负责 -> responsible; with every modifier: 按职责分工负责 -> responsible
    header_roles: dict[str, str]  # words naming a unit column only in a table header: 责任 -> responsible
    labels: tuple[str, ...]  # longest first
    verbs: tuple[str, ...]  # longest first
    verb_phrase: re.Pattern[str]  # modifiers + a verb + an action (按职责分别负责, 配合落实); group "verb"
    role_word: re.Pattern[str]  # any label or verb: a bracket without one states no responsibility
    label_pattern: re.Pattern[str]  # "牵头单位：" or "【牵头单位】" after spaces, for .match at a piece
    label_scan: re.Pattern[str]  # the same without the leading spaces: fast to search a whole text
    role_marker: re.Pattern[str]  # a role written after one unit: 市发改委（牵头）
    unit_suffixes: tuple[str, ...]
    unit_prefixes: tuple[str, ...]
    body_words: tuple[str, ...]
    trailer: re.Pattern[str]  # a trailing 等… after named units (data/unit_forms.tsv trailer_end)
    conjunctions: tuple[str, ...]  # 和, 及, 会同 … between two bodies; longest first
    admin_levels: tuple[str, ...]  # 区, 县级市 … (各区、县级市)
    quantifiers: tuple[str, ...]  # 各, 有关 … before a level of government
    level_prefixes: tuple[str, ...]  # 县, 市 … opening a name (names run together: 县委宣传部县教育局)
    joint_bodies: tuple[tuple[str, str], ...]  # (纪委, 监委): 市纪委市监委 is one body
    lead_ins: tuple[str, ...]
    not_starts: tuple[str, ...]
    citation_verbs: dict[str, str]
    junk_patterns: tuple[tuple[re.Pattern[str], str], ...]


def _with_modifiers(verbs: dict[str, str], modifiers: list[str]) -> dict[str, str]:
    """Each verb, and each modifier + verb with the verb's role (按职责分工 + 配合 -> participant).
    A modifier that is also a verb (按职责分工) is not combined with itself."""
    out = dict(verbs)
    for verb, role in verbs.items():
        if verb in modifiers:
            continue
        for modifier in modifiers:
            out.setdefault(modifier + verb, role)
    return out


def _verb_phrase(verbs: dict[str, str], modifiers: list[str], actions: list[str]) -> re.Pattern[str]:
    """Modifiers, one verb and an action, as a regex: search it with `$` to find the verb a
    piece ends with (the match that starts first is the whole phrase)."""
    first = "(?=[" + re.escape("".join(sorted({w[0] for w in [*modifiers, *verbs]}))) + "])"  # fast to skip
    return re.compile(first + f"(?:{_alternation(modifiers)})*(?P<verb>{_alternation(verbs)})"
                      f"(?:{_alternation(actions)})?")


def _any_of(words: list[str]) -> re.Pattern[str]:
    """Any of `words`, behind a lookahead of their first characters (fast to search)."""
    first = "(?=[" + re.escape("".join(sorted({w[0] for w in words}))) + "])"
    return re.compile(first + "(?:" + _alternation(words) + ")")


def _label_pattern(labels: tuple[str, ...], leading_spaces: bool = True) -> re.Pattern[str]:
    """A label with its colon (牵头单位：) or in square brackets (【牵头单位】, colon optional)."""
    words = _alternation(labels)
    # a lookahead of the possible first characters lets `re` skip ahead fast (13x on whole texts)
    first = "(?=[【" + re.escape("".join(sorted({w[0] for w in labels}))) + "])"
    return re.compile((SPACE + "*" if leading_spaces else first) + "(?:【(?P<bracketed>" + words + r")】" + SPACE
                      + "*[:：]?|(?P<plain>" + words + ")" + SPACE + "*[:：])")


def label_word(m: re.Match[str]) -> tuple[str, int]:
    """The label word of a `label_pattern` match, and where the label starts."""
    if m.group("bracketed"):
        return m.group("bracketed"), m.start("bracketed") - 1
    return m.group("plain"), m.start("plain")


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    roles = load_tsv("role_words.tsv")

    def words(form: str) -> list[str]:
        return [r["word"] for r in roles if r["form"] == form]

    base_verbs = {r["word"]: r["role"] for r in roles if r["form"] == "verb"}
    stems = {**base_verbs, **{r["word"]: r["role"] for r in roles if r["form"] in ("header", "label_stem")}}
    composed = {stem + noun: role for stem, role in stems.items() for noun in words("label_noun")}
    label_roles = _with_modifiers({**composed, **{r["word"]: r["role"] for r in roles if r["form"] == "label"}},
                                  words("label_modifier"))
    verb_roles = _with_modifiers(base_verbs, words("modifier"))
    labels = _longest_first(list(label_roles))
    forms = load_tsv("unit_forms.tsv")

    def of(kind: str) -> tuple[str, ...]:
        return _longest_first([r["text"] for r in forms if r["kind"] == kind])

    return Vocabulary(
        label_roles=label_roles,
        verb_roles=verb_roles,
        header_roles={r["word"]: r["role"] for r in roles if r["form"] == "header"},
        labels=labels,
        verbs=_longest_first(list(verb_roles)),
        verb_phrase=_verb_phrase(base_verbs, words("modifier"), words("action")),
        role_word=_any_of([*label_roles, *base_verbs]),
        label_pattern=_label_pattern(labels),
        label_scan=_label_pattern(labels, leading_spaces=False),
        role_marker=re.compile(r"[（(](" + _alternation([*labels, *verb_roles])
                               + r")[）)]$"),
        unit_suffixes=of("suffix"),
        unit_prefixes=of("prefix"),
        body_words=of("body"),
        trailer=re.compile("等(?!级)(?:[\u4e00-\u9fff]{0,8}?(?:" + "|".join(map(re.escape, of("trailer_end"))) + "))?$"),
        conjunctions=of("conjunction"),
        admin_levels=of("admin_level"),
        quantifiers=of("quantifier"),
        level_prefixes=of("level_prefix"),
        joint_bodies=tuple(tuple(t.split("+", 1)) for t in of("joint")),
        lead_ins=of("lead_in"),
        not_starts=of("not_start"),
        citation_verbs={r["verb"]: r["relation"] for r in load_tsv("citation_verbs.tsv")},
        junk_patterns=tuple((re.compile(r["pattern"]), r["reason"]) for r in load_tsv("junk_lines.tsv")),
    )
