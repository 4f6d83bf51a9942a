"""Legal basis: normalise cited titles and resolve them to statutes with level and dates.

A plan cites the same statute in many spellings (《政府信息公开条例》, 国务院《中华人民共和国
政府信息公开条例》, full-width brackets, —/－ dashes, nested 〈〉 or <>).  `normalize_title`
gives the key regulations merge on across documents; `resolve_citation` looks that key up
in ``data/law_titles.tsv`` (3,411 statutes: 宪法, 法律, 行政法规, 地方性法规, 部门规章,
司法解释) and otherwise classifies the title by its form (…法, …条例, …办法, …意见,
…方案) using ``data/law_forms.tsv``.  Lookups are exact after normalisation — a local
document (常德市…办法) is never matched fuzzily to a national law.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from plangraph.ingest.resources import DATA_DIR, read_rows
from plangraph.ingest.units import document_level, document_region, known_unit_names


NATIONAL_LEVELS = frozenset({"宪法", "法律", "行政法规", "部门规章", "司法解释"})
PRC = "中华人民共和国"


@dataclass(frozen=True)
class LawResolution:
    """One cited title, resolved to a statute (status "resolved") or classified by form.

    status: "resolved" (found in law_titles.tsv), "form" (not found, form class known),
    "unknown" (neither).  level is the statute's level (resolved only); issuer_level is
    国家/省/市/区县 of whoever issued it, from the statute or the issuer prefix / title.
    """

    title: str
    canonical_title: str | None
    level: str | None
    status: str
    form_class: str | None
    form_label: str | None
    issuer_level: str | None
    publish_date: str | None
    valid_from: str | None
    key: str = ""


@dataclass(frozen=True)
class _Statute:
    title: str
    short_name: str
    level: str
    publish_date: str
    valid_from: str
    latest: bool
    region: str


# --------------------------------------------------------------------------- normalisation

_DASHES = re.compile(r"[—–―‐‑‒−－~～〜﹣]+|-{2,}")
_MARKS = re.compile(r"[《》〈〉<>«»‹›「」『』“”\"‘’']")
_EDGE = "《》〈〉<>「」『』“”\"‘’'、，,；;：:。.!！?？"


def normalize_title(title: str) -> str:
    """The key a cited title merges on: width folded (NFKC), spaces dropped, dashes → '-',
    title marks and quotes (outer and nested 〈〉<>《》) dropped, 中华人民共和国 dropped.

    《中华人民共和国个人信息保护法》 and 《个人信息保护法》 share the key 个人信息保护法;
    《法治政府建设实施纲要（2021—2025年）》 gives 法治政府建设实施纲要(2021-2025年).
    """
    text = unicodedata.normalize("NFKC", title or "")
    text = re.sub(r"\s+", "", text)
    text = text.strip(_EDGE)
    text = _DASHES.sub("-", text)
    text = _MARKS.sub("", text)
    if text != PRC:
        text = text.replace(PRC, "")
    return text


_VERSION = re.compile(r"\((?:\d{4}年?)?(?:第[一二三四五六七八九十]+次)?(?:修正|修订|修改)(?:本|版|文本)?\)$"
                      r"|\(\d{4}年?(?:版|修正本|修订本|修正|修订)\)$")
_TRIAL = ("(试行)", "(暂行)")


def _variants(key: str) -> list[str]:
    """Spellings of one statute that differ only by version remarks: (2019年修订), (试行)."""
    out = [key]
    bare = _VERSION.sub("", key)
    if bare != key:
        out.append(bare)
    for k in list(out):
        for trial in _TRIAL:
            if k.endswith(trial):
                out.append(k[: -len(trial)])
        out.append(k + "(试行)")
    return out


# --------------------------------------------------------------------------- data

@lru_cache(maxsize=1)
def _statutes() -> dict[str, tuple[_Statute, ...]]:
    """law_titles.tsv indexed once by the normalised title and short name."""
    index: dict[str, list[_Statute]] = {}
    with open(DATA_DIR / "law_titles.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            st = _Statute(row["title"], row["short_name"], row["level"], row["publish_date"],
                          row["valid_from"], row["repo_version_status"] == "latest_in_repo",
                          row["region"])
            for key in {normalize_title(st.title), normalize_title(st.short_name)}:
                if key:
                    index.setdefault(key, []).append(st)
    return {k: tuple(v) for k, v in index.items()}


@dataclass(frozen=True)
class _FormRules:
    labels: dict[str, str]
    forms: tuple[tuple[re.Pattern[str], str], ...]
    issuers: tuple[re.Pattern[str], ...]
    leadins: tuple[str, ...]
    trailers: tuple[str, ...]


@lru_cache(maxsize=1)
def _form_rules() -> _FormRules:
    labels: dict[str, str] = {}
    forms: list[tuple[re.Pattern[str], str]] = []
    issuers: list[re.Pattern[str]] = []
    leadins: list[str] = []
    trailers: list[str] = []
    for row in read_rows("law_forms.tsv"):
        kind, value, pattern = (row + ["", ""])[:3]
        if kind == "class":
            labels[value] = pattern
        elif kind == "form":
            forms.append((re.compile(pattern), value))
        elif kind == "issuer":
            issuers.append(re.compile(pattern))
        elif kind == "leadin":
            leadins.append(pattern)
        elif kind == "trailer":
            trailers.append(pattern)
        else:
            raise ValueError(f"law_forms.tsv: unknown row type {kind!r}")
    for _, cls in forms:
        if cls not in labels:
            raise ValueError(f"law_forms.tsv: form class {cls!r} has no class row")
    leadins.sort(key=len, reverse=True)
    trailers.sort(key=len, reverse=True)
    return _FormRules(labels, tuple(forms), tuple(issuers), tuple(leadins), tuple(trailers))


def form_labels() -> dict[str, str]:
    """Form classes with their Chinese display labels (from law_forms.tsv)."""
    return dict(_form_rules().labels)


# --------------------------------------------------------------------------- form and issuer

_TRAILING_BRACKET = re.compile(r"\([^()]*\)$")


def classify_form(title: str) -> str | None:
    """Form class of a title by its ending: …法 law, …条例 regulation, …办法/规定/细则
    rules, …意见/通知 normative, …方案/规划/纲要/计划/要点 plan (None when no rule fits).

    Trailing brackets such as (2021-2025年), (试行), (草案) are ignored.
    """
    text = normalize_title(title)
    while True:
        stripped = _TRAILING_BRACKET.sub("", text)
        if stripped == text or not stripped:
            break
        text = stripped
    for rx, cls in _form_rules().forms:
        if rx.search(text):
            return cls
    return None


_PUNCT = re.compile(r"[\s，,。．；;：:、！!？?（）()《》〈〉<>“”\"‘’'\[\]【】]")
_CONNECTIVES = "和及与同并或"


def split_issuer_prefix(text_before_mark: str) -> str | None:
    """The issuer written right before an opening 《, if any: '全面贯彻落实国务院' → 国务院.

    Why: 国务院《优化营商环境条例》 and 国务院办公厅《2022年政务公开工作要点》 name their
    issuer outside the marks; it tells the level of a document that does not resolve,
    and guards against matching a local document to a national statute.
    """
    rules = _form_rules()
    text = unicodedata.normalize("NFKC", text_before_mark or "")
    parts = _PUNCT.split(text)
    tail = parts[-1][-30:] if parts else ""
    for trailer in rules.trailers:
        if tail.endswith(trailer) and len(tail) > len(trailer):
            tail = tail[: -len(trailer)]
            break
    if not tail:
        return None

    def ok(i: int) -> bool:
        cand = tail[i:]
        if cand.startswith(rules.leadins):
            return False
        if i and not tail[:i].endswith(rules.leadins):
            return False
        return any(rx.fullmatch(cand) for rx in rules.issuers)

    starts = [i for i in range(len(tail)) if ok(i)]
    after_leadin = [i for i in starts if i > 0]
    if after_leadin:
        best = after_leadin[-1]  # the shortest candidate after a lead-in word is the safest …
    elif starts:
        best = starts[0]
    else:
        return None
    known = known_unit_names()
    for i in reversed([i for i in starts if i < best]):
        # … unless the lead-in was a 和/及 inside a known name (落实工业和信息化部《…》)
        if tail[best - 1] in _CONNECTIVES and any(
                tail[i:].endswith(k) and len(k) > len(tail) - best for k in known):
            best = i
    return tail[best:]


# --------------------------------------------------------------------------- resolution

def _pick(statutes: tuple[_Statute, ...], as_of: str | None) -> _Statute:
    """The version in force: latest in the table, or latest published on/before `as_of`."""
    ordered = sorted(statutes, key=lambda s: (s.publish_date or "", s.latest))
    if as_of:
        earlier = [s for s in ordered if s.publish_date and s.publish_date <= as_of]
        if earlier:
            return earlier[-1]
    latest = [s for s in ordered if s.latest]
    return (latest or ordered)[-1]


def _statute_issuer_level(st: _Statute) -> str | None:
    if st.level in NATIONAL_LEVELS:
        return "国家"
    if st.level == "地方性法规":
        return document_level(None, st.title) or "省"
    return None


def _lookup(key: str) -> tuple[_Statute, ...] | None:
    index = _statutes()
    for variant in _variants(key):
        if variant in index:
            return index[variant]
    return None


@lru_cache(maxsize=4096)
@lru_cache(maxsize=1 << 16)  # pure (LawResolution is frozen), called for every citation
def resolve_citation(title: str, issuer_prefix: str | None = None, as_of: str | None = None) -> LawResolution:
    """Resolve a cited title (text inside 《》, marks optional) to a statute, else classify it.

    Exact match after `normalize_title` first (so the missing 中华人民共和国 does not
    matter), then version remarks ((2019年修订), (试行)) are tolerated and the latest
    version in the table is chosen (or the latest published by `as_of`, 'YYYY-MM-DD').
    `issuer_prefix` is what `split_issuer_prefix` found (国务院, 湖南省人民政府): a local
    issuer first tries its region + title, and a national statute is not accepted for a
    local issuer (nor a local one for a national issuer).
    """
    key = normalize_title(title)
    issuer_level = document_level(issuer_prefix, None) if issuer_prefix else None
    found: _Statute | None = None
    if key:
        keys = [key]
        region = document_region(issuer_prefix, None) if issuer_prefix else None
        if region and not key.startswith(region):
            keys.insert(0, normalize_title(region + key))
        for k in keys:
            hits = _lookup(k)
            if not hits:
                continue
            st = _pick(hits, as_of)
            st_level = _statute_issuer_level(st)
            national = st_level == "国家"
            if issuer_level and st_level and national != (issuer_level == "国家"):
                continue
            found = st
            break
    form_class = classify_form(found.title if found else title) if key else None
    labels = _form_rules().labels
    form_label = labels.get(form_class) if form_class else None
    if found is not None:
        return LawResolution(
            title=title, canonical_title=found.title, level=found.level, status="resolved",
            form_class=form_class, form_label=form_label,
            issuer_level=_statute_issuer_level(found) or issuer_level,
            publish_date=found.publish_date or None, valid_from=found.valid_from or None,
            key=normalize_title(found.title))
    if issuer_level is None and key:
        issuer_level = document_level(None, key)
    return LawResolution(
        title=title, canonical_title=None, level=None,
        status="form" if form_class else "unknown",
        form_class=form_class, form_label=form_label, issuer_level=issuer_level,
        publish_date=None, valid_from=None, key=key)
