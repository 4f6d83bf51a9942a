"""Numbered items → a tree → tasks (SCHEMA.md `tasks`).

Nesting follows the order in which numbering styles appear (a new style opens a level, a
style already open closes the levels below it), corrected by the usual rank of styles
(一、 above （一） above 1. above （1） above ①). A top-level item numbered 1 again, or a new
top-level style, starts a new part: its ids get a prefix (`p2:1.3`).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from plangraph.ingest.clean import Line
from plangraph.ingest import numbering
from plangraph.ingest.numbering import Label, Style, doubtful_label, label_at, match_label, style_rank
from plangraph.ingest.whitespace import ALL_SPACES, INLINE_SPACES, SPACE, leading_space

# A label inside a line may follow the end of a sentence or of a bracketed statement, or a run
# of spaces ("第二章　规划建设　　第八条　…": a heading and the first article on one line).
AFTER_SENTENCE = re.compile("[。；;！？!?：:）)】\\]”]" + SPACE + "*|" + SPACE + "{2,}")  # or a run of spaces
BRACKET_OPEN = re.compile("[（(]")
# A line at least this long holds several items whose line breaks were lost.
RUN_ON_LINE = 1000
HEADING_END = re.compile(r"[。；;：:！？!?\n\t]")
MAX_HEADING = 60


@dataclass
class Item:
    label: Label
    part: int
    parent: Item | None = None
    children: list[Item] = field(default_factory=list)
    end: int = 0  # where the item's own text stops (next item or end of body)

    @property
    def path(self) -> list[int]:
        node, numbers = self, []
        while node is not None:
            numbers.append(node.label.number)
            node = node.parent
        return numbers[::-1]

    @property
    def id(self) -> str:
        dotted = ".".join(str(n) for n in self.path)
        return dotted if self.part == 1 else f"p{self.part}:{dotted}"

    @property
    def labels(self) -> list[str]:
        node, labels = self, []
        while node is not None:
            labels.append(node.label.text)
            node = node.parent
        return labels[::-1]


def find_labels(lines: list[Line]) -> list[Label]:
    """Labels of the numbered items, in document order.

    - A label opening a non-junk line is one; bare numbers (`1突破…`) only where a 1, 2, 3 …
      run confirms them.
    - A label inside a line, after the end of a sentence or statement ("…负责）１０．大力培育…"),
      is one where it continues its style's sequence: the line break before it was lost.
    - In a run-on line (a whole task list on one line), a label inside it may also open a
      sequence (1 followed by 2), and a bracketed label (（一）) needs no sentence end before it.
    - A number and a dot before a digit (11.121人才梯队项目) is one where it continues the sequence.
    """
    at_line_start = [lab for line in lines if line.junk is None
                     for lab in [match_label(line.text, line.start)] if lab is not None]
    after_sentence = _sentence_end_before_label(numbering.STYLES)
    inline = [lab for line in lines if line.junk is None for lab in _inline_candidates(line, after_sentence)]
    opened = {lab.start for lab in at_line_start}
    doubtful = [lab for line in lines if line.junk is None
                for lab in [doubtful_label(line.text, line.start)] if lab is not None and lab.start not in opened]
    candidates = sorted([*_confirm_strict(at_line_start), *inline, *doubtful], key=lambda lab: lab.start)
    # labels that need their sequence: inline ones (opening one only in a run-on line), doubtful ones
    needs_sequence = {lab.start: run_on for lab, run_on in inline_labels_kind(inline, lines)}
    needs_sequence.update((lab.start, False) for lab in doubtful)
    return _follow_sequences(candidates, needs_sequence)


def _confirm_strict(candidates: list[Label]) -> list[Label]:
    """Bare-number labels only where a 1, 2, 3 … run confirms them."""
    strict = [lab for lab in candidates if lab.strict]
    confirmed: set[int] = set()
    expected = None
    for i, lab in enumerate(strict):
        follows = expected is not None and lab.number == expected
        opens = lab.number == 1 and i + 1 < len(strict) and strict[i + 1].number == 2
        if follows or opens:
            confirmed.add(lab.start)
            expected = lab.number + 1
    return [lab for lab in candidates if not lab.strict or lab.start in confirmed]


def inline_labels_kind(inline: list[Label], lines: list[Line]) -> list[tuple[Label, bool]]:
    """Each inline candidate with whether its line is a run-on line."""
    starts = [ln.start for ln in lines]
    out = []
    for lab in inline:
        line = lines[bisect_right(starts, lab.start) - 1]
        out.append((lab, line.end - line.start >= RUN_ON_LINE))
    return out


@lru_cache(maxsize=4)
def _sentence_end_before_label(styles: tuple[Style, ...]) -> re.Pattern[str]:
    """AFTER_SENTENCE where a row of `styles` matches right after it. Its matches end where
    AFTER_SENTENCE's do that a label may follow (a label starts with no space and no mark of
    a sentence end, so neither can run on into it): the rest need no look row by row."""
    if any(s.pattern.flags != AFTER_SENTENCE.flags for s in styles):
        return AFTER_SENTENCE  # rows compiled with other flags: every place is tried
    any_style = "|".join("(?:" + s.pattern.pattern + ")" for s in styles)
    return re.compile("(?:" + AFTER_SENTENCE.pattern + ")(?=" + any_style + ")")


def _inline_candidates(line: Line, after_sentence: re.Pattern[str] = AFTER_SENTENCE) -> list[Label]:
    """Labels that could start inside `line`: after a sentence or statement end, or (in a
    run-on line) before any bracket. `after_sentence`: AFTER_SENTENCE, or the same that
    finds only those followed by a label's form (`_sentence_end_before_label`)."""
    run_on = len(line.text) >= RUN_ON_LINE
    positions = {leading_space(line.text, m.end()) for m in after_sentence.finditer(line.text)}
    if run_on:
        positions |= {m.start() for m in BRACKET_OPEN.finditer(line.text) if m.start() > 0}
    found = []
    for pos in sorted(positions):
        if pos == leading_space(line.text) or pos >= len(line.text):
            continue  # the line's own first label
        lab = label_at(line.text, pos)
        if lab is not None and not lab.strict:
            found.append(Label(lab.style, lab.number, lab.text, lab.start + line.start, lab.end + line.start, False))
    return found


def _follow_sequences(candidates: list[Label], inline: dict[int, bool]) -> list[Label]:
    """Line-start labels, and inline ones that continue (or, in a run-on line, open) their
    style's sequence. Numbering may run on across parents ((四) under 一、, (五) under 二、)."""
    last: dict[str, int] = {}
    accepted: list[Label] = []
    for i, lab in enumerate(candidates):
        run_on = inline.get(lab.start)
        if run_on is not None:
            continues = last.get(lab.style) == lab.number - 1
            opens = run_on and lab.number == 1 and any(
                c.style == lab.style and c.number == 2 for c in candidates[i + 1:i + 400])
            if not (continues or opens):
                continue
        accepted.append(lab)
        last[lab.style] = lab.number
    return accepted


def merge_table_labels(labels: list[Label], table_rows: list[Label], lines: list[Line],
                       table_spans: list[tuple[int, int]] = ()) -> list[Label]:
    """Line labels and table-row labels in document order; a table row is one item even
    when a cell inside it starts with a number, and so is a row of a table written one cell per
    line (`table_spans`) when a cell of its holds a numbered list."""
    if not table_rows:
        return labels
    labels = [lab for lab in labels if not any(s <= lab.start < e for s, e in table_spans)]
    starts = [ln.start for ln in lines]

    def line_of(offset: int) -> int:
        return starts[bisect_right(starts, offset) - 1]

    row_lines = {line_of(row.start) for row in table_rows}
    kept = [lab for lab in labels if line_of(lab.start) not in row_lines]
    return sorted([*kept, *table_rows], key=lambda lab: lab.start)


def build_tree(labels: list[Label], body_end: int, fresh_starts: list[int] = ()) -> list[Item]:
    """All items in document order, linked to their parents.

    `fresh_starts`: offsets (a task table's header after the plan body) from which items no
    longer nest under the items before; the next label starts a new part."""
    items: list[Item] = []
    stack: list[Item] = []
    part = 1
    last_root: Item | None = None
    breaks = sorted(fresh_starts)
    for lab in labels:
        if breaks and lab.start >= breaks[0]:
            while breaks and lab.start >= breaks[0]:
                breaks.pop(0)
            if items:
                stack.clear()
                part += 1
                last_root = None
        styles = [it.label.style for it in stack]
        if lab.style in styles:
            del stack[styles.index(lab.style):]
        else:
            while stack and style_rank(lab.style) < style_rank(stack[-1].label.style):
                stack.pop()
        parent = stack[-1] if stack else None
        if parent is None and last_root is not None and (
                lab.style != last_root.label.style or lab.number <= last_root.label.number):
            part += 1
        item = Item(label=lab, part=part, parent=parent)
        if parent is not None:
            parent.children.append(item)
        else:
            last_root = item
        items.append(item)
        stack.append(item)
    for item, nxt in zip(items, items[1:] + [None]):
        item.end = nxt.label.start if nxt is not None else body_end
    return items


def table_fresh_starts(headers: list[int], labels: list[Label], lines: list[Line]) -> list[int]:
    """The table headers that do not stand right under an item's own line: a table printed
    after the body (附件 … 清单) starts afresh; one right under "一、政务服务" nests in it."""
    starts = [ln.start for ln in lines]
    label_lines = {starts[bisect_right(starts, lab.start) - 1] for lab in labels}
    fresh = []
    for header in headers:
        i = bisect_right(starts, header) - 1
        j = i - 1
        while j >= 0 and not lines[j].text.strip():
            j -= 1
        if j < 0 or lines[j].start not in label_lines:
            fresh.append(header)
    return fresh


def item_text_span(text: str, item: Item) -> tuple[int, int]:
    """From the label to the next item, trailing blank space dropped."""
    end = item.end
    while end > item.label.start and text[end - 1] in ALL_SPACES:
        end -= 1
    return item.label.start, end


def heading_of(text: str, item: Item) -> str:
    start, end = item.label.end, item_text_span(text, item)[1]
    while start < end and text[start] in ALL_SPACES:  # a table row's number stands on its own line
        start += 1
    m = HEADING_END.search(text, start, end)
    stop = m.start() if m else end
    return text[start:min(stop, start + MAX_HEADING)].strip(INLINE_SPACES)


def unique_ids(items: list[Item]) -> dict[int, str]:
    """id per item; a number repeated by the author gets a suffix (-2, -3) to stay unique."""
    seen: dict[str, int] = {}
    out: dict[int, str] = {}
    for item in items:
        base = item.id
        seen[base] = seen.get(base, 0) + 1
        out[id(item)] = base if seen[base] == 1 else f"{base}-{seen[base]}"
    return out
