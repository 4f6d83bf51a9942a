"""Units (government bodies) named in plans: canonical names, kind, administrative level.

Plans name the same body in many ways (市发改委 / 市发展改革委, 人行常德市中心支行 /
中国人民银行常德市中心支行), and a graph needs one node per body.  All naming knowledge
lives in tab-separated data files under ``data/`` so that it can be reviewed and extended
without touching code:

- ``unit_aliases.tsv``     exact / prefix / suffix / regex alias rules -> canonical name
- ``collective_units.tsv`` forms of collective names (市政府各部门, 各区县(市)政府, 相关部门)
- ``unit_kinds.tsv``       name form -> kind (party, government_department, court …) + labels
- ``unit_levels.tsv``      name prefix -> administrative level (国家/省/市/区县/乡镇)

Every file is read once and cached; the functions here are pure.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from plangraph.ingest.resources import DATA_DIR, read_rows

LEVELS = ("国家", "省", "市", "区县", "乡镇")


@dataclass(frozen=True)
class UnitInfo:
    """What the graph needs to know about one unit mention."""

    canonical: str
    kind: str
    kind_label: str
    level: str | None
    collective: bool
    name: str = ""


# --------------------------------------------------------------------------- data files

@dataclass(frozen=True)
class _AliasRules:
    exact: dict[str, str]
    central: dict[str, str]
    regex: tuple[tuple[re.Pattern[str], str], ...]
    prefix: tuple[tuple[str, str], ...]
    suffix: tuple[tuple[str, str], ...]


@lru_cache(maxsize=1)
def _alias_rules() -> _AliasRules:
    exact: dict[str, str] = {}
    central: dict[str, str] = {}
    regex: list[tuple[re.Pattern[str], str]] = []
    prefix: list[tuple[str, str]] = []
    suffix: list[tuple[str, str]] = []
    for row in read_rows("unit_aliases.tsv"):
        match, src = row[0], normalize_unit(row[1])
        dst = row[2] if len(row) > 2 else ""
        if match == "regex":
            regex.append((re.compile(row[1]), dst))
            continue
        dst = normalize_unit(dst)
        if match == "exact":
            exact[src] = dst
        elif match == "central":
            central[src] = dst
        elif match == "prefix":
            prefix.append((src, dst))
        elif match == "suffix":
            suffix.append((src, dst))
        else:
            raise ValueError(f"unit_aliases.tsv: unknown match type {match!r}")
    # Longest affix first, so 人力资源和社会保障局 wins over a shorter rule ending the same.
    prefix.sort(key=lambda p: -len(p[0]))
    suffix.sort(key=lambda p: -len(p[0]))
    return _AliasRules(exact, central, tuple(regex), tuple(prefix), tuple(suffix))


@dataclass(frozen=True)
class _CollectiveRules:
    prefix: tuple[str, ...]
    suffix: tuple[str, ...]
    contains: tuple[str, ...]
    exact: frozenset[str]
    regex: tuple[re.Pattern[str], ...]


@lru_cache(maxsize=1)
def _collective_rules() -> _CollectiveRules:
    kinds: dict[str, list] = {"prefix": [], "suffix": [], "contains": [], "exact": [], "regex": []}
    for row in read_rows("collective_units.tsv"):
        match, pattern = row[0], row[1]
        if match not in kinds:
            raise ValueError(f"collective_units.tsv: unknown match type {match!r}")
        kinds[match].append(re.compile(pattern) if match == "regex" else normalize_unit(pattern))
    return _CollectiveRules(tuple(kinds["prefix"]), tuple(kinds["suffix"]), tuple(kinds["contains"]),
                            frozenset(kinds["exact"]), tuple(kinds["regex"]))


@lru_cache(maxsize=1)
def _kind_rules() -> tuple[dict[str, str], tuple[tuple[re.Pattern[str], str], ...]]:
    labels: dict[str, str] = {}
    rules: list[tuple[re.Pattern[str], str]] = []
    for row in read_rows("unit_kinds.tsv"):
        if row[0] == "label":
            labels[row[1]] = row[2]
        else:
            rules.append((re.compile(row[1]), row[0]))
    for _, kind in rules:
        if kind not in labels:
            raise ValueError(f"unit_kinds.tsv: kind {kind!r} has no label row")
    return labels, tuple(rules)


def kind_labels() -> dict[str, str]:
    """The fixed kind vocabulary with its Chinese display labels (from unit_kinds.tsv)."""
    return dict(_kind_rules()[0])


@lru_cache(maxsize=1)
def _level_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    macros: dict[str, str] = {}
    rules: list[tuple[re.Pattern[str], str]] = []
    for row in read_rows("unit_levels.tsv"):
        if row[0] == "define":
            macros[row[1]] = row[2]
            continue
        pattern = re.sub(r"\{([A-Z_]+)\}", lambda m: macros[m.group(1)], row[1])
        if row[0] not in LEVELS + ("=市", "=doc", "-"):
            raise ValueError(f"unit_levels.tsv: unknown level {row[0]!r}")
        rules.append((re.compile(pattern), row[0]))
    return tuple(rules)


@lru_cache(maxsize=1)
def _province_re() -> re.Pattern[str]:
    for row in read_rows("unit_levels.tsv"):
        if row[0] == "define" and row[1] == "PROVINCE":
            provinces = row[2]
        if row[0] == "define" and row[1] == "MUNICIPALITY":
            municipalities = row[2]
    # a province named near the start of a title without 省: 数字山东2021行动方案
    return re.compile(f"^.{{0,2}}?(?:(?P<prov>{provinces})|(?P<muni>{municipalities}))")


@lru_cache(maxsize=1)
def known_unit_names() -> frozenset[str]:
    """Names known to be one body: alias-table names and the jieba dictionary's `nt` words.

    Used where a name must not be cut at an inner 和 (工业和信息化部, 住房和城乡建设局).
    """
    names: set[str] = set()
    for row in read_rows("unit_aliases.tsv"):
        if row[0] in ("exact", "central", "suffix"):
            names.update(normalize_unit(x) for x in row[1:3] if x)
    user_dict = DATA_DIR / "jieba_user_dict.txt"
    if user_dict.exists():
        with open(user_dict, encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 3 and parts[2] == "nt":
                    names.add(normalize_unit(parts[0]))
    names.discard("")
    return frozenset(names)


# --------------------------------------------------------------------------- normalisation

_EDGE_PUNCT = "、，,；;：:。.　 \t\n"


def normalize_unit(name: str) -> str:
    """Fold full/half width (NFKC: （）→()), drop all whitespace and edge punctuation.

    This alone never merges two different bodies; it only removes typing differences.
    """
    text = unicodedata.normalize("NFKC", name or "")
    text = re.sub(r"\s+", "", text)
    return text.strip(_EDGE_PUNCT)


@lru_cache(maxsize=1 << 16)  # pure, and called for every mention of every plan
def is_collective(name: str) -> bool:
    """True for a class of bodies (市政府各部门, 各区县(市)政府, 相关部门, 有关单位 …).

    Such names are not one accountable body: the graph keeps them flagged and never
    merges them with a named unit.  Judged by form (leading 各/有关/相关/其他, trailing
    有关部门/等部门/成员单位 …, plural 区县(市)…) plus an exact list, all in
    collective_units.tsv.
    """
    text = normalize_unit(name)
    if not text:
        return False
    rules = _collective_rules()
    return (text in rules.exact
            or text.startswith(rules.prefix)
            or text.endswith(rules.suffix)
            or any(part in text for part in rules.contains)
            or any(rx.search(text) for rx in rules.regex))


@lru_cache(maxsize=8192)
def _fold(text: str, central: bool) -> str:
    """Apply alias rules (exact, central, regex, prefix, suffix) until nothing changes."""
    rules = _alias_rules()
    for _ in range(8):
        before = text
        if text in rules.exact:
            text = rules.exact[text]
        elif central and text in rules.central:
            text = rules.central[text]
        for rx, repl in rules.regex:
            text = rx.sub(repl, text)
        for src, dst in rules.prefix:
            if text.startswith(src) and len(text) > len(src):
                text = dst + text[len(src):]
                break
        for src, dst in rules.suffix:
            # skip when `to` itself ends with `from` and is already there (…人民检察院)
            if text.endswith(src) and not (dst.endswith(src) and text.endswith(dst)):
                text = text[: len(text) - len(src)] + dst
                break
        if text == before:
            break
    return text


_LEVEL_CHARS = "省市州盟县区旗"
_NOT_A_LEVEL_PREFIX = ("市级", "省级", "县级", "区级", "区域", "区县", "县市区", "县区", "市县")


def qualify_unit(name: str, region: str | None) -> str:
    """Write the region into a name that only carries a level word: 市司法局 → 常德市司法局.

    Why: 市司法局 in a Changde plan and 市司法局 in a Jinan plan are different bodies;
    with the region written in, the same body in two documents gets one node and two
    cities' bureaus do not collapse into one.  Central bodies (市场监管总局) are left alone.
    """
    if not region or not name:
        return name
    region = normalize_unit(region)
    level_char = region[-1] if region and region[-1] in _LEVEL_CHARS else None
    if (level_char is None or not name.startswith(level_char) or name.startswith(region)
            or name.startswith(_NOT_A_LEVEL_PREFIX) or _level_token(name) == "国家"):
        return name
    if name.startswith("市场"):  # 市场监管局 written without its 市: the city's 市市场监管局
        return region + name
    return region + name[1:]


@lru_cache(maxsize=1 << 16)  # pure, and called for every mention of every plan
def canonical_unit(name: str, region: str | None = None, document_level: str | None = None) -> str:
    """The name a unit is merged under: width/space normalised, aliases folded.

    市发改委 → 市发展改革委, 人行常德市中心支行 → 中国人民银行常德市中心支行,
    市纪委市监委 → 市纪委监委, 人力资源和社会保障部 → 人力资源社会保障部.
    Bare central names (发展改革委 → 国家发展改革委) are folded only when the document is
    national or of unknown level (no `region`, `document_level` None or 国家).
    With `region` (e.g. 常德市, see `document_region`) level-only prefixes are qualified:
    市司法局 → 常德市司法局.  Collective names are normalised but never folded into a
    named body.
    """
    text = normalize_unit(name)
    if not text:
        return text
    central = region is None and document_level in (None, "国家")
    folded = _fold(text, central)
    if is_collective(text) and not is_collective(folded):
        folded = text
    return qualify_unit(folded, region)


# --------------------------------------------------------------------------- kind and level

def unit_kind(name: str) -> str:
    """Kind of body from the form of its canonical name (first matching rule in unit_kinds.tsv).

    Vocabulary: party, government, government_department, congress, cppcc, court,
    procuratorate, development_zone, enterprise, financial, research,
    mass_organization, public_institution, collective, other.
    """
    canon = canonical_unit(name)
    _, rules = _kind_rules()
    for rx, kind in rules:
        if rx.search(canon):
            return kind
    return "collective" if is_collective(name) else "other"


def kind_label(kind: str) -> str:
    """Chinese display label of a kind (其他 for an unknown kind)."""
    labels = _kind_rules()[0]
    return labels.get(kind, labels.get("other", "其他"))


def _level_token(text: str) -> str | None:
    for rx, level in _level_rules():
        if rx.search(text):
            return level
    return None


def unit_level(name: str, document_level: str | None = None) -> str | None:
    """Administrative level (国家/省/市/区县/乡镇) from the name's prefix.

    国家…/国务院…/中央…/bare …部 → 国家; 省…/湖南省… → 省 (北京市… too); 市… → 市
    (区县 when the document itself is 区县-level, a 县级市 plan); 各区县(市)…/县… → 区县;
    乡镇/街道 → 乡镇.  Names without a level word (常德经济开发区, 相关部门) take the
    issuing document's level; 各地区 has none.
    """
    text = canonical_unit(name, document_level=document_level)
    token = _level_token(text)
    if token is None or token == "=doc":
        return document_level
    if token == "=市":
        return "区县" if document_level == "区县" else "市"
    if token == "-":
        return None
    return token


@lru_cache(maxsize=1 << 16)  # pure, and called for every mention of every plan
def describe_unit(name: str, document_level: str | None = None, region: str | None = None) -> UnitInfo:
    """Everything about one unit mention at once: canonical name, kind, level, collective flag."""
    kind = unit_kind(name)
    return UnitInfo(
        canonical=canonical_unit(name, region=region, document_level=document_level),
        kind=kind,
        kind_label=kind_label(kind),
        level=unit_level(name, document_level),
        collective=is_collective(name),
        name=name,
    )


# --------------------------------------------------------------------------- documents

_PROVINCE_FULL = {"内蒙古": "内蒙古自治区", "广西": "广西壮族自治区", "西藏": "西藏自治区",
                  "宁夏": "宁夏回族自治区", "新疆": "新疆维吾尔自治区",
                  "香港": "香港特别行政区", "澳门": "澳门特别行政区"}
_NATIONAL_ISSUER = re.compile(r"^(国务院|中共中央|党中央|中央|全国人|全国|国家|最高人民|中华人民共和国)")
_REGION = re.compile(r"^([^\s各、，,（(《“]{1,8}?(?:省|自治区|市|州|盟|县|区|旗))")
_TITLE_LEAD = re.compile(r"^关于(?:印发|转发)?")


def _document_texts(issuer: str | None, title: str | None) -> list[tuple[str, bool]]:
    texts: list[tuple[str, bool]] = []
    if issuer:
        texts.append((canonical_unit(issuer), False))
    if title:
        t = normalize_unit(title).lstrip("《")
        texts.append((_TITLE_LEAD.sub("", canonical_unit(t)), True))
    return texts


def document_level(issuer: str | None, title: str | None) -> str | None:
    """Level of the issuing document: 国务院… → 国家, …省… → 省, …市… → 市 (issuer first, then title).

    Used as the default level of units that carry no level word, and to tell a city
    plan's 市… from a 县级市 plan's.
    """
    for text, is_title in _document_texts(issuer, title):
        token = _level_token(text)
        if token in LEVELS:
            return token
        if token == "=市":
            return "市"
        if is_title and _province_re().search(text):
            return "省"
    return None


def document_region(issuer: str | None, title: str | None) -> str | None:
    """The region a local document belongs to (常德市, 山东省), None for national documents.

    Pass it to `canonical_unit(..., region=...)` so that 市司法局 becomes 常德市司法局.
    """
    for text, is_title in _document_texts(issuer, title):
        if _NATIONAL_ISSUER.match(text):
            return None
        m = _REGION.match(text)
        if m and not (is_title and ("的" in m.group(1) or m.group(1).endswith("城市"))):
            return m.group(1)
        if is_title:
            p = _province_re().search(text)
            if p:
                name = p.group("prov") or p.group("muni")
                return _PROVINCE_FULL.get(name, name + ("省" if p.group("prov") else "市"))
    return None
