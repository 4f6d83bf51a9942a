"""What the extractor could not read: the places a user should check before trusting a gap list.

The last pipeline step. It looks again at the text for signs of responsibility statements
and numbered items, and names each place where those signs gave nothing:

- `unread_statement`: a bracket or a labelled line that holds a role word (牵头, 负责单位：…)
  or lists bodies, or a cell of a table's unit column, from which no unit was read;
- `unknown_unit`: a unit read from a labelled list whose name has no known form of a body;
- `task_without_units`: a task without units among siblings that nearly all have them;
- `unlabelled_number`: a line that starts like a numbered item but was not taken as one.

Each finding keeps its span in the text (SCHEMA.md offsets) and the task it lies in.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict

from plangraph.ingest.brackets import pairs_from
from plangraph.ingest.clauses import looks_like_unit, split_units
from plangraph.ingest.clean import Line
from plangraph.ingest.model import FINDING_KINDS, Finding, Task
from plangraph.ingest.numbering import Label, starts_numbered
from plangraph.ingest.vocab import label_word, vocabulary
from plangraph.ingest.whitespace import SPACE, strip_spaces

# A bracket longer than this is prose, not a statement.
MAX_STATEMENT = 200
# A task without units is worth a look when at least this share of its siblings have units …
SIBLINGS_WITH_UNITS = 0.75
MIN_SIBLINGS = 4  # … and it has at least this many siblings.
# A number, a dot and another digit at a line start (11.121人才梯队项目): a label the decimal
# rule refused, worth a look.
NUMBER_DOT_DIGIT = re.compile(SPACE + r"*\d{1,3}[.．]\d")
CJK = re.compile("[\u4e00-\u9fff]")
SENTENCE_BEFORE = "。；;！？!?\n"
# A word of a label's form at a statement's start, known or not (主抓单位：, 承办部门：).
LABEL_FORM = re.compile(SPACE + r"*[\u4e00-\u9fff]{1,6}(?:单位|部门|机构|主体)" + SPACE + "*[:：]")
# A bracket listing bodies and then a word this long or shorter (省能源局承担) is a statement.
MAX_UNKNOWN_VERB = 4
MIN_NAME = 3  # … bodies named this long at least (社区, 管委会 alone are no list of bodies)
BRACKETED_TAIL = re.compile(r"[（(][^（()）]*[)）]$")


def review(text: str, lines: list[Line], labels: list[Label], tasks: list[Task],
           unit_cells: list[tuple[int, int]], body_start: int,
           table_spans: list[tuple[int, int]] = (),
           bracket_pairs: list[tuple[int, int, int]] | None = None) -> list[Finding]:
    """Every finding in document order (see the module docstring). `labels`: every numbered
    item's label (tasks and the groups above them); `bracket_pairs`: find_pairs of the whole
    text with within_lines, if the caller has them (the clause step does)."""
    read = sorted((a.start, a.end) for t in tasks for a in t.assignments)
    pairs = pairs_from(text, body_start, bracket_pairs)
    spans = [*_statement_spans(text, body_start, read, pairs), *unit_cells]
    findings = [Finding("unread_statement", text[s:e], s, e) for s, e in _merge(spans) if not _holds(read, s, e)]
    findings += _unknown_units(tasks)
    findings += _tasks_without_units(tasks)
    findings += [f for f in _unlabelled_numbers(lines, labels, body_start)
                 if not any(s <= f.start < e for s, e in table_spans)]  # numbered lists inside a table's cells
    task_starts = [t.start for t in tasks]

    def task_of(f: Finding) -> str | None:
        if f.task_id is not None:
            return f.task_id
        i = bisect_right(task_starts, f.start) - 1
        return tasks[i].id if i >= 0 and f.start < tasks[i].end else None

    out = [Finding(f.kind, f.text, f.start, f.end, task_of(f)) for f in findings]
    return sorted(out, key=lambda f: (f.start, FINDING_KINDS.index(f.kind)))


def _statement_spans(text: str, body_start: int, read: list[tuple[int, int]],
                     pairs: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """Brackets (`pairs`: those of the text from body_start) and labelled lines that look
    like responsibility statements and from which nothing was read (`read`: spans of the
    units read, sorted)."""
    vocab = vocabulary()
    spans = []
    for open_pos, close_pos, depth in pairs:
        if depth == 0 and close_pos - open_pos <= MAX_STATEMENT and not _holds(read, open_pos, close_pos) \
                and _looks_like_statement(text, open_pos + 1, close_pos):
            spans.append((open_pos, close_pos + 1))
    for m in vocab.label_scan.finditer(text, body_start):
        word, start = label_word(m)
        if vocab.label_roles[word] == "none":
            continue
        before = text[max(body_start, start - 1):start]
        if before and before not in SENTENCE_BEFORE and not before.isspace():
            continue  # mid-sentence
        stop = text.find("\n", start)
        stop = len(text) if stop < 0 else stop
        sentence_end = text.find("。", start, stop)
        spans.append((start, stop if sentence_end < 0 else sentence_end))
    return spans


def _looks_like_statement(text: str, s: int, e: int) -> bool:
    """A bracket body that names a role (a known label or verb after a body's name, or a word
    of a label's form: 主抓单位：) or lists bodies followed by a verb the extractor may not
    know (省能源局承担), or lists two or more bodies."""
    vocab = vocabulary()
    body = text[s:e]
    if vocab.label_pattern.search(body) or LABEL_FORM.match(body):
        return True
    for m in vocab.verb_phrase.finditer(body):
        head = re.split(r"[、，,；;和及]", body[:m.start()])[-1].strip()
        if head and looks_like_unit(head):
            return True
    if looks_like_unit(body.strip()):
        return False  # one name in brackets (各设区市政府): an alias or a remark, no statement
    for tail in range(0, MAX_UNKNOWN_VERB + 1):
        if tail and not "\u4e00" <= text[e - tail] <= "\u9fff":
            break
        if not text[s:e - tail].endswith(vocab.unit_suffixes):
            continue  # no body's name before the tail
        units = [u for u, _s, _e in split_units(text, s, e - tail)]
        if not units or not all(looks_like_unit(u) and len(u) >= MIN_NAME for u in units) \
                or all(u in vocab.admin_levels for u in units):
            continue  # 各县（市、区）: levels of government qualifying a name
        if len(units) >= 2 or tail:
            return True
    return False


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans with those inside another dropped (a labelled line inside a bracket)."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans, key=lambda x: (x[0], -x[1])):
        if out and s < out[-1][1]:
            continue
        out.append((s, e))
    return out


def _holds(read: list[tuple[int, int]], s: int, e: int) -> bool:
    """True when some unit was read inside text[s:e]."""
    i = bisect_right(read, (s, -1))
    return i < len(read) and read[i][0] < e


def _unknown_units(tasks: list[Task]) -> list[Finding]:
    """Units whose name does not end like a body's (a bracketed alias aside: 市委党校(市行政学院))."""
    suffixes = vocabulary().unit_suffixes
    return [Finding("unknown_unit", a.mention, a.start, a.end, t.id)
            for t in tasks for a in t.assignments
            if not a.collective and not BRACKETED_TAIL.sub("", a.unit).endswith(suffixes)]


def _tasks_without_units(tasks: list[Task]) -> list[Finding]:
    siblings: dict[tuple[str, str | None], list[Task]] = defaultdict(list)
    for t in tasks:
        part = t.id.split(":")[0] if ":" in t.id else ""
        siblings[(part, t.section)].append(t)  # the roots of an appendix are not the body's siblings
    out = []
    for group in siblings.values():
        with_units = sum(1 for t in group if t.assignments)
        if len(group) < MIN_SIBLINGS or with_units < SIBLINGS_WITH_UNITS * len(group):
            continue
        out += [Finding("task_without_units", t.heading or t.text[:40], t.start, t.end, t.id)
                for t in group if not t.assignments]
    return out


def _unlabelled_numbers(lines: list[Line], labels: list[Label], body_start: int) -> list[Finding]:
    line_starts = [ln.start for ln in lines]
    label_lines = {line_starts[bisect_right(line_starts, lab.start) - 1] for lab in labels}
    out = []
    for line in lines:
        if line.junk is not None or line.start < body_start or line.start in label_lines:
            continue
        if starts_numbered(line.text) or NUMBER_DOT_DIGIT.match(line.text):
            stripped = strip_spaces(line.text)
            if len(stripped) < 2 or not CJK.search(stripped):
                continue  # a lone number (a page number, a table's figure: 25.20)
            start = line.start + (len(line.text) - len(line.text.lstrip()))
            out.append(Finding("unlabelled_number", stripped[:60], start, line.end))
    return out
