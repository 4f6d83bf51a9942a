"""A deterministic synthetic corpus of N plans, made by varying the 7 real plans.

    from bench.corpus import build_corpus
    paths = build_corpus(n=1000, out_dir=Path("/tmp/plans"), seed=7)

Each synthetic plan takes one real plan as its base (round robin) and keeps its head
(covering notice, title, preamble) and its upper levels (一、 / （一）), then:

  * tasks: the task-level items (the plan's most frequent lower numbering style, with
    their sub-items) are shuffled within their parent, and about a third of the leaf
    ones are swapped for leaf tasks drawn from any of the 7 plans;
  * numbering: the tasks are renumbered 1, 2, 3 … in another style of the same rank
    (1. / 1． / 1、 / （1） for 1.-level tasks; （一） / (一) / 1． for （一）-level ones);
  * units: the region is renamed (常德/包头/济南 → another city, 湖南/山东/内蒙古 → its
    province), half the plans prefix 市… units with the city (市司法局 → 岳阳市司法局), and
    department names are written in another accepted form (发展改革委 → 发改委,
    人力资源社会保障局 → 人社局 …, folded back by data/unit_aliases.tsv).

Plans are written as UTF-8 .txt files named `p00001_<base>.txt`: the file stem is the
document id, so every plan is a distinct document. Same (n, seed) → same bytes.

Each plan knows where its text came from (`synthetic_plan(index, seed)` gives the text and
its `TextOrigin`s): every task-level item names the item of a real plan it was copied from,
every run of kept text the piece of its base plan. Two plans built on the same base share
the origins of the tasks both kept, which is what a comparison of them should find
(tests/test_compare_synthetic.py).
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from plangraph.ingest.clean import mark_junk, split_lines
from plangraph.ingest.numbering import style_rank
from plangraph.ingest.numerals import int_to_chinese
from plangraph.ingest.structure import find_labels

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "data" / "changde_fazhi_2021-2025.txt",
           *sorted((ROOT.parent / "shared" / "corpus" / "dev").glob("*.txt"))]

# The regions named in the real plans, and what replaces them.
SOURCE_CITIES = ("常德", "包头", "济南")
SOURCE_PROVINCES = ("湖南", "山东", "内蒙古")
REGIONS = [  # (province, city): prefecture-level cities, real names
    ("湖南", "岳阳"), ("湖南", "株洲"), ("湖南", "衡阳"), ("湖南", "邵阳"), ("湖南", "益阳"),
    ("湖北", "宜昌"), ("湖北", "襄阳"), ("湖北", "荆州"), ("湖北", "黄冈"), ("河南", "洛阳"),
    ("河南", "南阳"), ("河南", "开封"), ("山东", "潍坊"), ("山东", "临沂"), ("山东", "烟台"),
    ("山东", "济宁"), ("江西", "赣州"), ("江西", "九江"), ("江西", "上饶"), ("安徽", "芜湖"),
    ("安徽", "安庆"), ("安徽", "阜阳"), ("四川", "绵阳"), ("四川", "南充"), ("四川", "宜宾"),
    ("广西", "柳州"), ("广西", "桂林"), ("内蒙古", "赤峰"), ("内蒙古", "鄂尔多斯"), ("河北", "保定"),
]
# canonical department name -> other written forms the extractor folds back to it
ALIASES = [
    (r"发展改革委(?!员会)", ("发改委", "发展和改革委员会")),
    (r"人力资源社会保障(?=[局厅部])", ("人社", "人力资源和社会保障")),
    (r"住房城乡建设(?=[局厅部])", ("住建", "住房和城乡建设")),
    (r"卫生健康委(?!员会)", ("卫健委", "卫生健康委员会")),
    (r"市场监管局", ("市场监督管理局",)),
    (r"文化和旅游(?=[局厅])", ("文旅",)),
    (r"科技局", ("科学技术局",)),
    (r"应急管理局", ("应急局",)),
]
# 市X局 written after a list separator: the unit mentions a region prefix can go in front of
CITY_UNIT = re.compile(r"(?<=[、，,：:（(])市(?!场)(?=[\u4e00-\u9fff]{1,10}?(?:局|委|办|院|厅|部|中心)[、，,。；;）)\n])")

# Renumbering styles by the rank of the task level; (format, style name it produces).
LABEL_FORMATS = {
    "arabic_dot": [("{n}.", "arabic_dot"), ("{n}．", "arabic_dot"), ("{n}、", "arabic_dot"),
                   ("（{n}）", "arabic_paren")],
    "cn_paren": [("（{cn}）", "cn_paren"), ("({cn})", "cn_paren"), ("{n}．", "arabic_dot"),
                 ("{n}、", "arabic_dot")],
    "arabic_paren": [("（{n}）", "arabic_paren"), ("({n})", "arabic_paren"), ("{n}）", "arabic_rparen")],
}


@dataclass
class TaskUnit:
    """A task-level item with its sub-items: the text after the label (the next label's
    indent, if any, comes along at the end; whitespace is harmless there)."""
    body: str  # text after the label (and its spaces), through the end of the last sub-item
    leaf: bool
    origin: str = ""  # "<real plan>:<group>.<item>", the same wherever the item is copied to


@dataclass(frozen=True)
class TextOrigin:
    """Where a stretch [start, end) of a synthetic plan's text came from: a task-level item
    ("<real plan>:<group>.<item>") or a piece of its base plan kept as is ("<real plan>:text<n>")."""
    start: int
    end: int
    origin: str


@dataclass
class Template:
    """One real plan cut into pieces: head, then runs of fixed text and task groups, then tail."""
    name: str
    task_style: str
    used_styles: frozenset[str]
    pieces: list  # str (kept as is) or list[TaskUnit] (a group of sibling tasks)


def _cut(path: Path) -> Template:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    lines = split_lines(text)
    mark_junk(lines)
    labels = find_labels(lines)
    styles = [lab.style for lab in labels]
    lower = [s for s in styles if style_rank(s) >= 2 and s in LABEL_FORMATS]
    task_style = max(set(lower), key=lambda s: (lower.count(s), -style_rank(s)))
    task_rank = style_rank(task_style)

    # the tail: junk lines after the last label (page footers) stay at the end
    body_end = len(text)
    for line in reversed(lines):
        if line.start <= labels[-1].start or (line.junk is None and line.text.strip()):
            break
        body_end = line.start

    pieces: list = [text[:labels[0].start]]
    groups = 0
    i = 0
    while i < len(labels):
        lab = labels[i]
        if lab.style != task_style:
            nxt = labels[i + 1].start if i + 1 < len(labels) else body_end
            _append_text(pieces, text[lab.start:nxt])
            i += 1
            continue
        group: list[TaskUnit] = []
        while i < len(labels) and labels[i].style == task_style:
            j = i + 1
            while j < len(labels) and style_rank(labels[j].style) > task_rank:
                j += 1
            end = labels[j].start if j < len(labels) else body_end
            group.append(TaskUnit(body=text[labels[i].end:end], leaf=(j == i + 1),
                                  origin=f"{path.stem}:{groups}.{len(group)}"))
            i = j
        pieces.append(group)
        groups += 1
    pieces.append(text[body_end:])
    return Template(path.stem, task_style, frozenset(styles), pieces)


def _append_text(pieces: list, s: str) -> None:
    if pieces and isinstance(pieces[-1], str):
        pieces[-1] += s
    else:
        pieces.append(s)


def load_templates() -> list[Template]:
    missing = [str(p) for p in SOURCES if not p.exists()]
    if missing:
        raise FileNotFoundError(f"corpus files missing: {', '.join(missing)}")
    return [_cut(p) for p in SOURCES]


def _label_formats(t: Template) -> list[tuple[str, str]]:
    """Styles that keep the tree: not a style the plan already uses at another level."""
    out = []
    for fmt, style in LABEL_FORMATS[t.task_style]:
        if style == t.task_style or style not in t.used_styles:
            out.append((fmt, style))
    return out


def _safe_label(fmt: str, n: int, body: str) -> str:
    """`1.` before a digit would read as a decimal (1.2022): use 1、 there."""
    label = fmt.format(n=n, cn=int_to_chinese(n))
    if label[-1] in ".．" and body[:1].isdigit():
        label = f"{n}、"
    return label


def make_plan(templates: list[Template], pool: list[TaskUnit], index: int, seed: int) -> str:
    """The text of synthetic plan number `index` (deterministic for (index, seed))."""
    return make_plan_with_origins(templates, pool, index, seed)[0]


def make_plan_with_origins(templates: list[Template], pool: list[TaskUnit], index: int,
                           seed: int) -> tuple[str, list[TextOrigin]]:
    """The text of synthetic plan number `index` and where each stretch of it came from."""
    rng = random.Random(f"{seed}:{index}")
    t = templates[index % len(templates)]
    fmt, _style = rng.choice(_label_formats(t))
    parts: list[tuple[str, str]] = []  # (text, origin)
    for k, piece in enumerate(t.pieces):
        if isinstance(piece, str):
            parts.append((piece, f"{t.name}:text{k}"))
            continue
        group = list(piece)
        rng.shuffle(group)
        group = [rng.choice(pool) if u.leaf and rng.random() < 0.3 else u for u in group]
        for n, unit in enumerate(group, 1):
            body = unit.body if unit.body.endswith("\n") else unit.body + "\n"
            parts.append((_safe_label(fmt, n, body) + body, unit.origin))
    rename = _renamer(rng)
    texts, origins, start = [], [], 0
    for text, origin in parts:  # renaming never reaches across a label, so part by part is the same
        text = rename(text)
        texts.append(text)
        origins.append(TextOrigin(start, start + len(text), origin))
        start += len(text)
    return "".join(texts), origins


def _renamer(rng: random.Random):
    """The renaming of one plan (region, city-prefixed units, alias forms), drawn from `rng`
    once, as a function of a piece of text."""
    province, city = rng.choice(REGIONS)
    prefix_city = rng.random() < 0.5
    aliases = [(pattern, rng.choice(forms)) for pattern, forms in ALIASES if rng.random() < 0.5]

    def rename(text: str) -> str:
        for old in SOURCE_CITIES:
            text = text.replace(old, city)
        for old in SOURCE_PROVINCES:
            text = text.replace(old, province)
        if prefix_city:
            text = CITY_UNIT.sub(city + "市", text)
        for pattern, form in aliases:
            text = re.sub(pattern, form, text)
        return text
    return rename


@lru_cache(maxsize=1)
def _templates_and_pool() -> tuple[list[Template], list[TaskUnit]]:
    templates = load_templates()
    pool = [u for t in templates for piece in t.pieces if isinstance(piece, list) for u in piece if u.leaf]
    return templates, pool


def synthetic_plan(index: int, seed: int = 7) -> tuple[str, list[TextOrigin]]:
    """Plan number `index` of the corpus `build_corpus(n > index, …, seed)` writes, with its origins."""
    templates, pool = _templates_and_pool()
    return make_plan_with_origins(templates, pool, index, seed)


def plan_name(index: int) -> str:
    """The file stem (= document id) of plan number `index`: p00001_<base>."""
    templates, _ = _templates_and_pool()
    return f"p{index + 1:05d}_{templates[index % len(templates)].name.split('_')[0]}"


def task_origins(starts: list[int], origins: list[TextOrigin]) -> list[tuple[str, int]]:
    """Where each task of a synthetic plan came from, given where the tasks start (in text
    order): the origin of the stretch its start falls in, and its rank among the tasks that
    start in that stretch (an item with sub-items gives several tasks). Equal values in two
    plans are copies of the same task."""
    import bisect
    bounds = [o.start for o in origins]
    seen: dict[int, int] = {}
    out = []
    for start in starts:
        k = max(bisect.bisect_right(bounds, start) - 1, 0)
        out.append((origins[k].origin, seen.get(k, 0)))
        seen[k] = seen.get(k, 0) + 1
    return out


def build_corpus(n: int, out_dir: Path, seed: int = 7) -> list[Path]:
    """Write n synthetic plans into out_dir (created); return their paths in order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = out_dir / f"{plan_name(i)}.txt"
        path.write_text(synthetic_plan(i, seed)[0], encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":  # quick look: python -m bench.corpus N OUT_DIR
    import sys
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 14
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("/tmp/pg-bench-corpus")
    for p in build_corpus(count, out):
        print(p)
