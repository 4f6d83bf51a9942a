"""Responsibility clauses: who leads, takes part in, or answers for a task.

find → parse → split, each a pure function over the document text with offsets kept:
- `find_clauses` finds candidate spans: outermost brackets, and labelled lines
  ("责任单位：…") outside brackets;
- `parse_clause` cuts a clause into segments, each with a role taken from a label
  (牵头单位：A、B) or a trailing verb (A、B牵头), see data/role_words.tsv;
- `split_units` splits a segment's unit list, expands shared words and drops trailers.
A sentence that only mentions units ("建立…牵头、…参加的联席会议机制") is no clause: it is
neither bracketed nor labelled, and its pieces do not look like unit lists.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from plangraph.ingest.brackets import find_pairs, split_top_level
from plangraph.ingest.conventions import is_convention_note
from plangraph.ingest.model import ROLES
from plangraph.ingest.units import is_collective
from plangraph.ingest.vocab import Vocabulary, label_word, vocabulary
from plangraph.ingest.whitespace import ALL_SPACES, INLINE_SPACES, SPACE

TRAILING_PUNCT = ALL_SPACES + "。．.；;，,：:"
MAX_UNIT_CHARS = 40
SHORT_NAME = 16  # a name this short needs no known beginning (网络交易和市场规范监督管理处)
# A word of a label's form (X单位：, X部门：) that is no known label
LABEL_FORM = re.compile(r"[\u4e00-\u9fff]{1,6}(?:单位|部门|处室|科室|机构|主体)" + SPACE + "*[:：]")
SPACE_RUN = re.compile(SPACE + "+")
ENUM_COMMA = re.compile("、")
BRACKETED_TAIL = re.compile(r"[（(][^（()）]*[)）]$")
LINE_BREAK = re.compile(SPACE + "*\n" + SPACE + "*")
PLACE_IN_NAME = re.compile(r"^[\u4e00-\u9fff]{1,4}[省市县区州盟旗]")


@dataclass
class UnitAssignment:
    unit: str
    mention: str
    role: str
    collective: bool
    start: int
    end: int
    canonical: str | None = None  # set by the pipeline, which knows the document's region


@dataclass
class Clause:
    start: int
    end: int
    assignments: list[UnitAssignment] = field(default_factory=list)


# ---------------------------------------------------------------- find

def find_clauses(text: str, start: int = 0, end: int | None = None,
                 pairs: list[tuple[int, int, int]] | None = None) -> list[Clause]:
    """Every responsibility clause in text[start:end], in order. `pairs`: the bracket pairs
    of text[start:end] (find_pairs with within_lines) when the caller has them already."""
    end = len(text) if end is None else end
    clauses: list[Clause] = []
    covered_until = start
    if pairs is None:
        pairs = find_pairs(text, start, end, within_lines=True)
    parse = _ParseOnce(text)
    for open_pos, close_pos, _depth in pairs:
        if open_pos < covered_until:
            continue  # inside a clause already taken
        assignments = parse(open_pos + 1, close_pos)
        if assignments:
            clauses.append(Clause(open_pos, close_pos + 1, assignments))
            covered_until = close_pos + 1
    clauses.extend(_labelled_lines(text, start, end, clauses, pairs, parse))
    clauses.sort(key=lambda c: c.start)
    return clauses


class _ParseOnce:
    """parse_clause over one text, parsing each distinct clause body once: a plan repeats
    many (（牵头单位：市司法局）), and the result depends on the body's text alone, so a
    repeat gets the first one's assignments moved to its own offsets. The unit lists inside
    them repeat as well (市司法局 leads here, takes part there): each distinct one is split
    once in the same way."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.seen: dict[str, tuple[int, list[UnitAssignment]]] = {}
        self.split_seen: dict[str, tuple[int, list[tuple[str, int, int]]]] = {}

    def __call__(self, s: int, e: int) -> list[UnitAssignment]:
        body = self.text[s:e]
        first = self.seen.get(body)
        if first is None:
            found = parse_clause(self.text, s, e, self.split_units)
            self.seen[body] = (s, found)
            return found
        shift = s - first[0]
        return [replace(a, start=a.start + shift, end=a.end + shift) for a in first[1]]

    def split_units(self, text: str, s: int, e: int) -> list[tuple[str, int, int]]:
        """split_units(text, s, e), which depends on text[s:e] alone, once per distinct list."""
        body = text[s:e]
        first = self.split_seen.get(body)
        if first is None:
            found = split_units(text, s, e)
            self.split_seen[body] = (s, found)
            return found
        shift = s - first[0]
        return [(unit, us + shift, ue + shift) for unit, us, ue in first[1]]


def _labelled_lines(text: str, start: int, end: int, taken: list[Clause],
                    pairs: list[tuple[int, int, int]], parse: _ParseOnce) -> list[Clause]:
    """"责任单位：A、B" written as a line or sentence of its own, outside brackets."""
    vocab = vocabulary()
    found: list[Clause] = []
    # any enclosing bracket implies an enclosing outermost one: bisect over those
    outer = [(o, c) for o, c, depth in pairs if depth == 0]
    outer_opens = [o for o, _c in outer]
    taken_starts = [c.start for c in taken]
    for m in vocab.label_scan.finditer(text, start, end):
        word, label_start = label_word(m)
        if vocab.label_roles[word] == "none":
            continue
        before = text[start:label_start]
        stripped = before.rstrip(INLINE_SPACES)
        if stripped and stripped[-1] not in "\n。；;" and len(before) - len(stripped) < 2:
            continue  # mid-sentence, not set apart by punctuation or a run of spaces
        own_brackets = (label_start, m.end() - 1) if m.group("bracketed") else None
        i = bisect_left(outer_opens, label_start) - 1
        if i >= 0 and outer[i][1] > label_start and outer[i] != own_brackets:
            continue
        j = bisect_right(taken_starts, label_start) - 1
        if (j >= 0 and label_start < taken[j].end) or (found and label_start < found[-1].end):
            continue
        stop = text.find("\n", label_start, end)
        stop = end if stop < 0 else stop
        sentence_end = text.find("。", label_start, stop)
        stop = stop if sentence_end < 0 else sentence_end
        assignments = parse(label_start, stop)
        if assignments:
            found.append(Clause(label_start, stop, assignments))
    return found


# ---------------------------------------------------------------- parse

def _strip_span(text: str, s: int, e: int, chars: str = ALL_SPACES) -> tuple[int, int]:
    while s < e and text[s] in chars:
        s += 1
    while e > s and text[e - 1] in chars:
        e -= 1
    return s, e


def _ending_verb(text: str, s: int, e: int, vocab: Vocabulary) -> tuple[str, int] | None:
    """The role of the verb phrase text[s:e] ends with (市财政局按职责分别负责, 省商务厅配合落实)
    and where the phrase starts; None when it ends with none or is nothing but the phrase."""
    for m in vocab.verb_phrase.finditer(text, s, e):
        if m.end() == e and m.start() > s:
            return vocab.verb_roles[m.group("verb")], m.start()
    return None


def _pieces(text: str, s: int, e: int, vocab: Vocabulary) -> list[tuple[int, int]]:
    """Cut a clause body at ；; (and 。 before a label) and ，, (outside inner brackets),
    before every label, so "牵头单位：A　配合单位：B" written with spaces splits like one
    written with a semicolon, and after a verb phrase followed by 、 ("A牵头负责、B组织落实")."""
    pieces = []
    body = text[s:e]
    for a, b in split_top_level(body, "；;。"):
        for c, d in split_top_level(body[a:b], "，,"):
            ps, pe = s + a + c, s + a + d
            cuts = [label_word(m)[1] for m in vocab.label_scan.finditer(text, ps, pe)]
            cuts += [m.start() for m in LABEL_FORM.finditer(text, ps, pe)]
            cuts += [m.end() for m in ENUM_COMMA.finditer(text, ps, pe) if _ending_verb(text, ps, m.start(), vocab)]
            cuts = sorted({cut for cut in cuts if cut > ps})
            for x, y in zip([ps, *cuts], [*cuts, pe]):
                x, y = _strip_span(text, x, y, TRAILING_PUNCT + "、")
                if x < y:
                    pieces.append((x, y))
    return pieces


def parse_clause(text: str, s: int, e: int,
                 split: Callable[[str, int, int], list[tuple[str, int, int]]] | None = None) -> list[UnitAssignment]:
    """Assignments stated by the clause body text[s:e]; empty if it is not a clause. `split`:
    split_units or a function that gives what it gives (a memo of it)."""
    split = split_units if split is None else split
    vocab = vocabulary()
    body = text[s:e]
    if "。" in body.rstrip("。"):
        # "（A、B负责。列第一位者为牵头单位，下同）": a convention note after the statement;
        # "（责任部门：A、B。时间节点：2025年3月）": another labelled part
        first, *rest = body.rstrip("。").split("。")
        if not all(is_convention_note(r) or vocab.label_pattern.match(r) for r in rest):
            e = s + len(first)  # a remark after the statement ("以下均需…落实，不再单独列出")
            body = first
        elif all(is_convention_note(r) for r in rest):
            e = s + len(first)
            body = first
    if not body.strip() or len(body) > 600 or not vocab.role_word.search(body):
        return []  # no role word: no statement (most brackets: 以下简称…, dates, scores)
    segments: list[tuple[str, int, int, bool]] = []  # (role, start, end, labelled)
    current_role: str | None = None
    unroled: list[tuple[int, int]] = []  # pieces waiting for a verb
    for ps, pe in _pieces(text, s, e, vocab):
        m = vocab.label_pattern.match(text, ps, pe)
        if not m and LABEL_FORM.match(text, ps, pe):
            current_role, unroled = None, []  # a label of a role we do not know: its units stay unread
            continue
        if m:
            current_role = vocab.label_roles[label_word(m)[0]]
            us, ue = m.end(), pe
            verb = _ending_verb(text, us, ue, vocab)
            if verb:
                ue = verb[1]
            segments.append((current_role, us, ue, True))
            continue
        verb = _ending_verb(text, ps, pe, vocab)
        if verb:
            verb_role, verb_start = verb
            if current_role in ("participant", "responsible") and verb_role == "responsible":
                segments.append((current_role, ps, verb_start, True))
            else:
                # "A、B，C负责": the pieces before, with no role word of their own, share the verb
                segments.extend((verb_role, a, b, False) for a, b in unroled)
                segments.append((verb_role, ps, verb_start, False))
                current_role = None
            unroled = []
        elif current_role is not None:
            # a piece that continues a labelled list ("参加单位：A，B") must itself name
            # units: "；持续推进" after a list is a remark, not a unit
            segments.append((current_role, ps, pe, False))
        else:
            unroled.append((ps, pe))
    assignments: list[UnitAssignment] = []
    for role, us, ue, labelled in segments:
        if role not in ROLES:
            continue
        units = split(text, us, ue)
        if not units or (not labelled and not all(looks_like_unit(u) for u, _s, _e in units)):
            continue
        for unit, ms, me in units:
            unit_role = role
            marker = vocab.role_marker.search(unit)  # 市发改委（牵头）: the role of this one unit
            if marker:
                word = marker.group(1)
                unit_role = vocab.label_roles.get(word) or vocab.verb_roles.get(word) or role
                unit, me = unit[: marker.start()], me - len(marker.group(0))
            unit = LINE_BREAK.sub("", unit)  # a name wrapped onto the next line
            if not unit or len(unit) > MAX_UNIT_CHARS or unit_role not in ROLES:
                continue
            assignments.append(UnitAssignment(
                unit=unit, mention=text[ms:me], role=unit_role, collective=is_collective(unit),
                start=ms, end=me))
    return assignments


# ---------------------------------------------------------------- split

def looks_like_unit(name: str) -> bool:
    """A name of the form of a body: a known ending, no verb at its head, and a known
    beginning or a name short enough to be one (人力资源社会保障部, 中医药局)."""
    vocab = vocabulary()
    if not name or "的" in name or len(name) > MAX_UNIT_CHARS:
        return False
    if name.endswith(("）", ")")):
        name = BRACKETED_TAIL.sub("", name) or name  # 各街镇（园区）, 区委宣传部（区文明办、区网信办）
    if len(name) < 2 or not name.endswith(vocab.unit_suffixes) or name.startswith(vocab.not_starts):
        return False  # one character (会) names no body
    return name.startswith(vocab.unit_prefixes) or len(name) <= SHORT_NAME or bool(PLACE_IN_NAME.match(name))


def split_units(text: str, s: int, e: int) -> list[tuple[str, int, int]]:
    """Units named in text[s:e] as (unit, mention start, mention end)."""
    vocab = vocabulary()
    s, e = _strip_span(text, s, e, TRAILING_PUNCT)
    for lead_in in vocab.lead_ins:
        if text.startswith(lead_in, s, e):
            s += len(lead_in)
            break
    out: list[tuple[str, int, int]] = []
    for a, b in split_top_level(text[s:e], "、，,；;/"):
        ps, pe = _strip_span(text, s + a, s + b, TRAILING_PUNCT)
        pe = ps + len(strip_trailer(text[ps:pe]))  # 人社部等有关部门和单位: the trailer names nobody
        for unit, us, ue in _split_conjunctions(text, ps, pe, vocab):
            us, ue = _strip_span(text, us, ue, TRAILING_PUNCT)
            stripped = strip_trailer(unit)
            unit, ue = stripped, ue - (len(unit) - len(stripped))
            unit = unit.strip(TRAILING_PUNCT)
            if unit:
                out.extend(_split_run_together(unit, us, ue, vocab))
    return _share_body_across_places(_share_across_levels(out, vocab), vocab)


def strip_trailer(name: str) -> str:
    """`name` without a trailing 等, 等部门, 等有关部门和单位 … (SCHEMA.md); a name that is
    only a trailer stays as it is for the caller to drop."""
    m = vocabulary().trailer.search(name)
    return name[: m.start()] if m and m.start() > 0 else ("" if m else name)


PLACE_LEVELS = "省市县区州盟旗"
MIN_PLACE, MAX_PLACE = 2, 8  # characters of a place name (济南市, 恩施土家族苗族自治州 is too long to guess)
MIN_RUN_TOGETHER = 3  # each part of names run together is at least this long
MIN_OWN_NAME = 2  # … and names at least this much after its place (丑市委丑市政府 is no split)


def _split_run_together(unit: str, us: int, ue: int, vocab: Vocabulary) -> list[tuple[str, int, int]]:
    """Names written without a separator (a table cell's lines joined): 县委宣传部县教育局县河长办
    -> 县委宣传部, 县教育局, 县河长办. A name splits only where a body's name ends and the
    name's own opening (its place up to a level: 县, 石城县, 常德市) opens the next one, both
    parts bodies; bodies that work as one (市纪委市监委) stay whole."""
    opening = _level_opening(unit, vocab)
    if opening is None or len(unit) < 2 * MIN_RUN_TOGETHER or ue - us != len(unit):
        return [(unit, us, ue)]
    for i in range(max(MIN_RUN_TOGETHER, len(opening) + 1), len(unit) - MIN_RUN_TOGETHER + 1):
        if not unit.startswith(opening, i):
            continue
        left, right = unit[:i], unit[i:]
        if any(left.endswith(a) and right.endswith(b) for a, b in vocab.joint_bodies):
            continue
        if min(len(left), len(right)) - len(opening) < MIN_OWN_NAME:
            continue
        if looks_like_unit(left) and looks_like_unit(right):
            return [(left, us, us + i), *_split_run_together(right, us + i, ue, vocab)]
    return [(unit, us, ue)]


def _level_opening(unit: str, vocab: Vocabulary) -> str | None:
    """The place a name opens with, up to its level character: 县 / 石城县 / 常德市, or None."""
    for end in range(1, min(len(unit), 5)):
        if unit[end - 1] in vocab.level_prefixes:
            return unit[:end]
    return None


def _share_across_levels(units: list[tuple[str, int, int]], vocab: Vocabulary) -> list[tuple[str, int, int]]:
    """A list of levels of government that share a quantifier and a body word:
    各区、县级市 -> 各区, 各县级市; 有关区、市政府 -> 有关区政府, 有关市政府. Names keep the
    mention as written (each level's own span)."""
    if len(units) < 2:
        return units
    first = units[0][0]
    quantifier = next((q for q in vocab.quantifiers if first.startswith(q)), None)
    if quantifier is None or first[len(quantifier):] not in vocab.admin_levels:
        return units
    run = 1  # units[0:run] are bare levels; units[run] may be a level with a body word
    while run < len(units) and units[run][0] in vocab.admin_levels:
        run += 1
    body = ""
    if run < len(units):
        last = units[run][0]
        body = next((w for w in vocab.body_words if last.endswith(w) and last[: -len(w)] in vocab.admin_levels), "")
        if not body:
            return units if run == 1 else _with_quantifier(units, run, quantifier, "")
        run += 1
    elif run == 1:
        return units
    return _with_quantifier(units, run, quantifier, body)


def _share_body_across_places(units: list[tuple[str, int, int]], vocab: Vocabulary) -> list[tuple[str, int, int]]:
    """Places listed before a place with a body word share that body: 济南市、青岛市政府 ->
    济南市政府, 青岛市政府 (a city government is not the bare city)."""
    out = list(units)
    for i, (unit, _us, _ue) in enumerate(units):
        if i == 0 or not unit.endswith(vocab.body_words):
            continue
        body = next((w for w in vocab.body_words if unit.endswith(w) and _is_place(unit[: -len(w)], vocab)), None)
        if body is None:
            continue
        j = i - 1
        while j >= 0 and _is_place(units[j][0], vocab):
            name, us, ue = out[j]
            out[j] = (name + body, us, ue)
            j -= 1
    return out


def _is_place(name: str, vocab: Vocabulary) -> bool:
    """A place name alone: 济南市, 历下区, 石城县 (not 各区 or a body)."""
    return (MIN_PLACE <= len(name) <= MAX_PLACE and name[-1] in PLACE_LEVELS
            and not name.startswith(vocab.quantifiers) and name not in vocab.admin_levels)


def _with_quantifier(units, run, quantifier, body):
    out = []
    for i, (unit, us, ue) in enumerate(units):
        if i < run:
            unit = (unit if unit.startswith(quantifier) else quantifier + unit)
            unit = unit if unit.endswith(body) else unit + body
        out.append((unit, us, ue))
    return out


def _split_conjunctions(text: str, s: int, e: int, vocab: Vocabulary) -> list[tuple[str, int, int]]:
    """Split "A和B" / "A及B" / "A会同B" where both are bodies; expand a shared ending
    ("P人大常委会和政府" -> P人大常委会 + P政府, "各有关部门和单位" -> 各有关部门 + 各有关单位).

    Names that contain 和 themselves (市人大监察和司法委, 文化和旅游部) stay whole: the part
    before 和 is no body.
    """
    s, e = _strip_span(text, s, e)
    piece = text[s:e]
    if not any(c in piece for c in vocab.conjunctions) and not SPACE_RUN.search(piece):
        return [(piece, s, e)]
    closes = {o: c for o, c, _d in find_pairs(piece)}
    i = 0
    while i < len(piece):
        if i in closes:
            i = closes[i] + 1
            continue
        space = SPACE_RUN.match(piece, i)  # "省发展改革委 省财政厅": spaces between two bodies
        conj = space.group() if space else next((c for c in vocab.conjunctions if piece.startswith(c, i)), None)
        conj = conj if i > 0 else None
        if conj is None or i + len(conj) >= len(piece):
            i += 1
            continue
        left, right = piece[:i], piece[i + len(conj):]
        right_name = strip_trailer(right)
        if right_name in vocab.body_words:
            body = next((w for w in vocab.body_words if left.endswith(w) and len(left) > len(w)), None)
            if body:
                shared = left[: -len(body)]
                rs = s + i + len(conj)
                return [(left, s, s + i), (shared + right_name, rs, rs + len(right_name))]
        if looks_like_unit(strip_trailer(left)) and (right.startswith(vocab.unit_prefixes) or looks_like_unit(right_name)):
            return [(left, s, s + i)] + _split_conjunctions(text, s + i + len(conj), e, vocab)
        i += len(conj)
    return [(piece, s, e)]
