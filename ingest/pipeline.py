"""read → clean → structure → segment (+ find spans) → assemble tasks.

`extract_file(path)` and `extract_text(text, source)` return an `Extraction` (ingest/model.py)
whose `to_json()` is the SCHEMA.md object.
"""
from __future__ import annotations

import hashlib
from bisect import bisect_left
from pathlib import Path
from typing import Callable

from plangraph.ingest.clean import mark_junk, split_lines
from plangraph.ingest.conventions import FIRST_LISTED_LEADS, first_stated
from plangraph.ingest.metadata import read_metadata
from plangraph.ingest.model import Assignment, Citation, Deadline, DocumentInfo, Extraction, Task
from plangraph.ingest.read import RawDocument, read_document
from plangraph.ingest.review import review
from plangraph.ingest.segment import segment
from plangraph.ingest.structure import (build_tree, find_labels, heading_of, item_text_span, merge_table_labels,
                              table_fresh_starts, unique_ids)
from plangraph.ingest.text_tables import find_text_tables
from plangraph.ingest.units import canonical_unit, document_level, document_region

# Bump when extraction output changes (or what a document stores of it: 2026.12.03 stores the
# findings), so `plangraph ingest` re-extracts unchanged files.
EXTRACTOR_VERSION = "2026.12.03"


def extract_file(path: str | Path) -> Extraction:
    """Extract one plan file; raises ingest.read.InputError for unreadable input."""
    return extract_raw(read_document(path))


def extract_text(text: str, source: str = "<text>") -> Extraction:
    return extract_raw(RawDocument(path=source, text=text.replace("\r\n", "\n").replace("\r", "\n")))


def extract_raw(raw: RawDocument) -> Extraction:
    text = raw.text
    lines = split_lines(text)
    page_meta = {**mark_junk(lines), **raw.metadata}
    tables = find_text_tables(text, lines)
    labels = merge_table_labels(find_labels(lines), tables.labels, lines, tables.spans)
    body_end = _body_end(lines, labels, len(text))
    items = build_tree(labels, body_end, table_fresh_starts(tables.headers, labels, lines))
    body_start = labels[0].start if labels else len(text)
    meta = read_metadata(lines, body_start, page_meta)

    doc = segment(text, tables.clauses)
    clauses = doc.user_data["clauses"]
    citations = doc.user_data["citations"]
    deadlines = doc.user_data["deadlines"]
    first_listed_leads_from = first_stated(text, FIRST_LISTED_LEADS)

    # 市司法局 in a Changde plan is 常德市司法局: canonical names carry the document's region
    region = document_region(meta.issuer, meta.title)
    level = document_level(meta.issuer, meta.title)

    canonical = _canonical_names(region, level)
    ids = unique_ids(items)
    clause_starts = [c.start for c in clauses]
    citation_starts = [c.start for c in citations]
    deadline_starts = [d.start for d in deadlines]
    tasks: list[Task] = []
    for item in items:
        start, end = item_text_span(text, item)
        own_end = item.children[0].label.start if item.children else end
        own_clauses = clauses[bisect_left(clause_starts, start):bisect_left(clause_starts, own_end)]
        if item.children and not own_clauses:
            continue
        task = Task(id=ids[id(item)], labels=item.labels, heading=heading_of(text, item),
                    text=text[start:end], start=start, end=end)
        if item.parent is not None:
            task.section = ids[id(item.parent)]
            task.section_title = heading_of(text, item.parent)
        for clause in own_clauses:
            first_leads = first_listed_leads_from is not None and clause.end > first_listed_leads_from
            task.assignments.extend(_assignments(clause, first_leads, canonical))
        task.citations = [_citation(c) for c in _within(citations, citation_starts, start, end)]
        task.deadlines = [_deadline(d) for d in _within(deadlines, deadline_starts, start, end)]
        tasks.append(task)

    in_task = {id(f) for t in tasks for f in (*_within(citations, citation_starts, t.start, t.end), *_within(deadlines, deadline_starts, t.start, t.end))}

    def outside(f) -> bool:
        return id(f) not in in_task

    source = raw.path
    extraction = Extraction(
        document=DocumentInfo(source=source, id=Path(source).stem, title=meta.title,
                              doc_number=meta.doc_number, issuer=meta.issuer, date=meta.date,
                              sha256=text_sha256(text), format=raw.format, extractor=EXTRACTOR_VERSION),
        text=text, tasks=tasks,
        citations=[_citation(c) for c in citations if outside(c)],
        deadlines=[_deadline(d) for d in deadlines if outside(d)],
        words=doc.user_data["words"],
    )
    extraction.findings = review(text, lines, labels, tasks, tables.unit_cells, body_start, tables.spans,
                                 doc.user_data["bracket_pairs"])
    extraction.warnings.extend(raw.warnings)
    if not tasks:
        extraction.warnings.append("no numbered tasks found")
    return extraction


def text_sha256(text: str) -> str:
    """The content hash a document is stored under (of the decoded text)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_unchanged(raw: RawDocument, stored_sha256: str, stored_extractor: str) -> bool:
    """True when the stored version came from this very text and this extractor: re-ingesting
    it would write the same records, so it can be skipped without extracting."""
    return stored_extractor == EXTRACTOR_VERSION and stored_sha256 == text_sha256(raw.text)


def _within(found: list, starts: list[int], start: int, end: int) -> list:
    """Items of `found` (sorted by start; `starts` their starts) lying inside text[start:end]."""
    lo = bisect_left(starts, start)
    out = []
    for f in found[lo:]:
        if f.start >= end:
            break
        if f.end <= end:
            out.append(f)
    return out


def _body_end(lines, labels, text_len: int) -> int:
    """Where the plan body stops: the first junk line after the last numbered item."""
    if not labels:
        return text_len
    last = labels[-1].start
    for line in lines:
        if line.start > last and line.junk is not None:
            return line.start
    return text_len


def _canonical_names(region: str | None, level: str | None) -> Callable[[str], str]:
    """`canonical_unit` of one document's units (its region and level), each name worked out
    once: a plan names the same few units again and again."""
    names: dict[str, str] = {}

    def canonical(unit: str) -> str:
        name = names.get(unit)
        if name is None:
            name = names[unit] = canonical_unit(unit, region=region, document_level=level)
        return name
    return canonical


def _assignments(clause, first_listed_leads: bool, canonical: Callable[[str], str]) -> list[Assignment]:
    out = [Assignment(unit=a.unit, mention=a.mention, role=a.role, collective=a.collective,
                      start=a.start, end=a.end, canonical=canonical(a.unit))
           for a in clause.assignments]
    if first_listed_leads:
        _first_listed_leads(out)
    return out


def _first_listed_leads(assignments: list[Assignment]) -> None:
    """The convention "the first-listed unit leads" (SCHEMA.md): in a statement without a
    lead, the first of the units it lists as 负责 leads unless it is a collective name (各有关
    部门 leads nothing); a statement with one such unit gives it the lead."""
    if any(a.role == "lead" for a in assignments):
        return
    responsible = [a for a in assignments if a.role == "responsible"]
    if len(responsible) == 1 or (responsible and not responsible[0].collective):
        responsible[0].role = "lead"


def _citation(c) -> Citation:
    return Citation(title=c.title, mention=c.mention, relation=c.relation, start=c.start, end=c.end,
                    issuer_prefix=c.issuer_prefix)


def _deadline(d) -> Deadline:
    return Deadline(text=d.text, date=d.date, recurring=d.recurring, start=d.start, end=d.end)
