"""The write records: what one document contributes to the graph, the same for both stores.

One place maps an `Extraction` to graph records (`build_graph_records`); the embedded
(SQLite) store and the Neo4j store both write exactly these records, so they hold the same
graph. Every property value is Neo4j-safe (str/int/float/bool or a list of one of them, no
None inside lists, no nested maps), which is also what GraphML export needs.

Nodes (label: key property):
  Document(id)   title, doc_number, issuer, date, source, sha256, format, extractor, text,
                 warnings, deadlines (JSON, the time limits outside every task),
                 fingerprint (hash of all the document's records), its counts
                 n_sections, n_tasks, n_units, n_regulations, n_assignments, n_citations,
                 and n_gap_<kind> per static gap kind (graph.gaps); title_key (the title
                 as a citation names it, graph.implements.plan_title_key) and terms_version
                 (graph.compare_text.terms_version of its tasks' key_terms)
  Section(key)   document_id, id, title, ordinal
  Task(key)      document_id, id, ordinal, labels, heading, text, start, end, section,
                 deadlines (JSON list of {text,date,recurring,start,end}), deadline_dates,
                 deadline_texts, deadline_first (earliest date, "" when none);
                 what its own edges say, stored so a task row needs no traversal:
                 section_title, lead, participants, responsible, guides (canonical unit
                 names in order of first mention), basis, produces (titles as first cited),
                 and the gaps it has whatever the question: gap_<kind> per static kind;
                 key_terms (what plan comparison reads of it, graph.compare.task_terms)
  Unit(name)     canonical name; collective (True when any mention called it collective);
                 kind, kind_label (ingest.units kinds: government_department 政府部门 …);
                 levels (every administrative level its mentions gave: 国家/省/市/区县/乡镇),
                 level (the one level when they agree, else "")
  Regulation(key) normalised title; canonical (= key); the resolution of its citations
                 (ingest.laws.resolve_citation): canonical_title, level, status
                 (resolved|form|unknown), form_class, form_label, issuer_level,
                 publish_date, valid_from ("" when not known)
Relationships:
  Document-CONTAINS->Section-CONTAINS->Task (Document-CONTAINS->Task when a task has no section)
  Unit-LEADS|PARTICIPATES_IN|RESPONSIBLE_FOR|GUIDES->Task  {document_id, unit, mention,
                                                           collective, start, end}
  Task-CITES->Regulation, Document-CITES->Regulation {document_id, relation, title, mention, start, end,
                                                     issuer_prefix ("" when none)}
Written by the stores themselves, not by a document's records:
  Document-IMPLEMENTS->Document {title, task_id ("" outside tasks), via}: kept up to date by
                 every write and removal (graph.implements, the one rule)
  Task-MATCHES->Task (B's task -> A's) and Document-COMPARED->Document (B -> A): written by
                 `plangraph link` (LinkedPair: match_props, compared_props); removed with
                 either document's tasks (re-ingest, remove)
Findings (what the extractor could not read, ingest/review.py; `DocumentRecords.findings`):
  Finding        document_id, position (its place in the document's list), kind
                 (ingest.model.FINDING_KINDS), text, start, end, task_id ("" outside every task);
                 Task-HAS_FINDING->Finding, or Document-HAS_FINDING->Finding outside every task.
                 The Document's n_findings counts them; a Document without it (stored before
                 findings were kept) has them not recorded, which is not the same as none.
Units and Regulations are shared by documents: `merge_shared_props` combines what several
mentions (and several documents) say about one, the same way in both stores and in any
order (collective OR-ed, levels united; a regulation keeps its best resolution).
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

from plangraph.graph import gaps
from plangraph.graph.gaps import TaskFacts, gap_flag, static_gaps
from plangraph.ingest.model import ROLES, Extraction

# Each role's relationship type and the Task property listing its units (fixed names,
# safe to compose into Cypher and SQL).
ROLE_TYPES = {"lead": "LEADS", "participant": "PARTICIPATES_IN", "responsible": "RESPONSIBLE_FOR",
              "guide": "GUIDES"}
ROLE_PROPS = {"lead": "lead", "participant": "participants", "responsible": "responsible", "guide": "guides"}
TYPE_ROLES = {v: k for k, v in ROLE_TYPES.items()}
RELATIONS = ("basis", "produces")
KEY_SEP = "::"
assert set(ROLE_TYPES) == set(ROLES) == set(ROLE_PROPS), "a role needs a relationship type and a Task property"

def regulation_key(title: str) -> str:
    """The key regulations merge on across documents (ingest.laws' normalised title)."""
    from plangraph.ingest.laws import normalize_title
    return normalize_title(title or "")


def unit_key(name: str) -> str:
    """Units merge on their canonical name; only surrounding whitespace is dropped."""
    return (name or "").strip()


def task_key(document_id: str, task_id: str) -> str:
    return f"{document_id}{KEY_SEP}{task_id}"


def section_key(document_id: str, section_id: str) -> str:
    return f"{document_id}{KEY_SEP}§{section_id}"


# ---------------------------------------------------------------- records written


@dataclass
class NodeRecord:
    key: str
    props: dict[str, Any]


@dataclass
class TaskRecord(NodeRecord):
    section_key: str | None = None  # None: the Document contains the task directly


@dataclass
class AssignmentRecord:
    unit: str  # Unit key (canonical name)
    task_key: str
    role: str  # one of ROLES
    props: dict[str, Any]

    @property
    def rel_type(self) -> str:
        return ROLE_TYPES[self.role]


@dataclass
class CitationRecord:
    source_key: str | None  # Task key, or None for a citation outside every task (Document)
    regulation: str  # Regulation key
    props: dict[str, Any]


@dataclass
class FindingRecord:
    """A place the extractor could not read (ingest.model.Finding) in the document."""
    task_key: str | None  # the Task it lies in, None: outside every task (the Document)
    props: dict[str, Any]  # document_id, position, kind, text, start, end, task_id ("" when none)


@dataclass
class DocumentRecords:
    """Everything one document contributes to the graph."""
    document: NodeRecord  # key = document id
    sections: list[NodeRecord] = field(default_factory=list)
    tasks: list[TaskRecord] = field(default_factory=list)
    units: list[NodeRecord] = field(default_factory=list)  # deduplicated by key
    regulations: list[NodeRecord] = field(default_factory=list)  # deduplicated by key
    assignments: list[AssignmentRecord] = field(default_factory=list)
    citations: list[CitationRecord] = field(default_factory=list)
    # None: not known (a document imported from a store that did not keep them), not "none found"
    findings: list[FindingRecord] | None = None

    @property
    def document_id(self) -> str:
        return self.document.key


# ---------------------------------------------------------------- links between plans

# Why two plans were linked (COMPARED.basis): `plangraph link A B` asked for it; B cites A as
# its basis (IMPLEMENTS); they are of different levels; or versions (same region and level).
LINK_BASES = ("asked", "implements", "level", "version")
# The bases whose A tasks without a MATCHES from B are B's gap "not taken up" (graph.gaps):
# a pair linked only because of the levels may be two plans of unrelated regions.
GAP_BASES = ("asked", "implements")


class TaskMatch(NamedTuple):
    """One (:Task)-[:MATCHES]->(:Task) to write: B's task carries out A's task (ids of
    tasks, not keys). score = text + weights × (units, citations) (graph.compare); key_terms
    and term_weights: the shared key terms and what each adds to the text part, largest first.
    A named tuple: `link --all` makes a million of them."""
    a_document: str
    a_task: str
    b_document: str
    b_task: str
    score: float
    text: float = 0.0
    units: float = 0.0
    citations: float = 0.0
    key_terms: tuple[str, ...] = ()
    term_weights: tuple[float, ...] = ()


@dataclass
class LinkedPair:
    """A pair of documents linked: A (upper or earlier) ← B (lower or later), with every
    MATCHES between their tasks; written whole, replacing any earlier link of the two."""
    a: str
    b: str
    basis: str  # one of LINK_BASES
    method: str  # graph.compare METHOD or graph.link METHOD, with the mode: "…/one-to-one"
    mode: str  # one-to-one | one-to-many
    min_score: float
    links: list[TaskMatch] = field(default_factory=list)
    linked: str = ""  # when (ISO time, given by the caller)

    def __post_init__(self) -> None:
        if self.basis not in LINK_BASES:
            raise ValueError(f"unknown link basis {self.basis!r} (use one of {', '.join(LINK_BASES)})")
        if self.a == self.b:
            raise ValueError(f"a document is not linked with itself: {self.a!r}")
        for m in self.links:
            if (m.a_document, m.b_document) != (self.a, self.b):
                raise ValueError(f"a link of {m.a_document} and {m.b_document} in the pair {self.a}, {self.b}")


MATCH_PROPS = ("score", "method", "mode", "text", "units", "citations", "key_terms", "term_weights")


def match_props(pair: LinkedPair, m: TaskMatch) -> dict[str, Any]:
    """The properties of a MATCHES edge (both stores write exactly these)."""
    return {"score": float(m.score), "method": pair.method, "mode": pair.mode, "text": float(m.text),
            "units": float(m.units), "citations": float(m.citations), "key_terms": list(m.key_terms),
            "term_weights": [float(w) for w in m.term_weights]}


def compared_props(pair: LinkedPair) -> dict[str, Any]:
    """The properties of a COMPARED edge B -> A (both stores write exactly these)."""
    return {"basis": pair.basis, "method": pair.method, "mode": pair.mode, "min_score": float(pair.min_score),
            "pairs": len(pair.links), "linked": pair.linked}


# ---------------------------------------------------------------- shared node properties

STATUS_RANK = {"resolved": 0, "form": 1, "unknown": 2}


def unit_props(name: str, mention_unit: str, collective: bool, doc_level: str | None,
               region: str | None) -> dict[str, Any]:
    """Unit node properties from one mention (`mention_unit`: the name as written)."""
    from plangraph.ingest.units import describe_unit
    info = describe_unit(mention_unit, doc_level, region)
    level = info.level or ""
    return {"name": name, "collective": bool(collective), "kind": info.kind, "kind_label": info.kind_label,
            "level": level, "levels": [level] if level else []}


def regulation_props(key: str, title: str, issuer_prefix: str | None) -> dict[str, Any]:
    """Regulation node properties from one citation (title as cited, issuer written before 《)."""
    from plangraph.ingest.laws import resolve_citation
    r = resolve_citation(title, issuer_prefix or None)
    return {"key": key, "canonical": key, "canonical_title": r.canonical_title or "", "level": r.level or "",
            "status": r.status, "form_class": r.form_class or "", "form_label": r.form_label or "",
            "issuer_level": r.issuer_level or "", "publish_date": r.publish_date or "",
            "valid_from": r.valid_from or ""}


def _regulation_rank(props: dict[str, Any]) -> tuple:
    """Smaller is better: resolved before form before unknown, more known fields first,
    then a fixed order of the values (so the choice never depends on write order)."""
    keys = ("canonical_title", "level", "form_class", "issuer_level", "publish_date")
    return (STATUS_RANK.get(props.get("status") or "", 3), sum(1 for f in keys if not props.get(f)),
            json.dumps(props, ensure_ascii=False, sort_keys=True))


def merge_shared_props(label: str, old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """What a shared node (Unit or Regulation) holds after `new` is written over `old`.

    Commutative, associative and idempotent, so the result depends only on which
    mentions were ever written, not on their order, and re-writing a document changes
    nothing. Unit: collective OR-ed, levels united, level = the single level or "",
    kind = the first of the kinds in sort order (they depend on the name only). Regulation:
    the best resolution (see `_regulation_rank`). Other labels: later properties win.
    """
    if not old:
        return dict(new)
    if label == "Unit":
        from plangraph.ingest.units import LEVELS
        rank = {lv: i for i, lv in enumerate(LEVELS)}
        out = {**old, **new}
        out["collective"] = bool(old.get("collective", False)) or bool(new.get("collective", False))
        levels = set(old.get("levels") or []) | set(new.get("levels") or [])
        out["levels"] = sorted(levels, key=lambda lv: (rank.get(lv, 99), lv))
        out["level"] = out["levels"][0] if len(out["levels"]) == 1 else ""
        kinds = sorted({(k, lab) for k, lab in ((old.get("kind"), old.get("kind_label")),
                                              (new.get("kind"), new.get("kind_label"))) if k},
                       key=lambda kl: (kl[0] == "other", kl[0] == "collective", kl[0]))
        if kinds:
            out["kind"], out["kind_label"] = kinds[0][0], kinds[0][1] or ""
        return out
    if label == "Regulation":
        return dict(min(old, new, key=_regulation_rank))
    return {**old, **new}


# ---------------------------------------------------------------- what a task's edges say


def ordered_units(unit_edges: list[tuple[str, str, int]]) -> dict[str, list[str]]:
    """(unit, role, start) per edge -> role -> units in order of first mention (then name)."""
    first: dict[tuple[str, str], int] = {}
    for unit, role, start in unit_edges:
        k = (role, unit)
        first[k] = min(first.get(k, start), start)
    by_role: dict[str, list[str]] = {r: [] for r in ROLES}
    for (role, unit), _start in sorted(first.items(), key=lambda kv: (kv[1], kv[0][1])):
        by_role[role].append(unit)
    return by_role


def ordered_citations(cites: list[tuple[str, str, str, int]]) -> dict[str, list[str]]:
    """(regulation key, title as cited, relation, start) per citation -> relation -> one
    title per regulation (its first citation), in order of first citation (then key)."""
    first: dict[tuple[str, str], tuple[int, str]] = {}
    for key, title, relation, start in cites:
        k = (relation, key)
        if k not in first or (start, title) < first[k]:
            first[k] = (start, title)
    by_rel: dict[str, list[str]] = {r: [] for r in RELATIONS}
    for (relation, _key), (_start, title) in sorted(first.items(), key=lambda kv: (kv[1][0], kv[0][1])):
        by_rel.setdefault(relation, []).append(title)
    return by_rel


def task_facts(assignments: list[tuple[str, bool]], deadline_count: int, relations: list[str]) -> TaskFacts:
    """The facts graph.gaps rules read, from (role, collective) per assignment, the number of
    time limits and the relation of each citation of one task."""
    return TaskFacts(tuple(assignments), deadline_count, sum(1 for r in relations if r == "produces"))


def task_summary_props(props: dict[str, Any], section_title: str, assignments: list[AssignmentRecord],
                       citations: list[CitationRecord]) -> dict[str, Any]:
    """What a task's edges say, as properties of the Task (see the module docstring)."""
    units = ordered_units([(a.unit, a.role, a.props["start"]) for a in assignments])
    cites = ordered_citations([(c.regulation, c.props["title"], c.props["relation"], c.props["start"])
                               for c in citations])
    dates = props["deadline_dates"]
    facts = task_facts([(a.role, bool(a.props["collective"])) for a in assignments], len(props["deadline_texts"]),
                       [c.props["relation"] for c in citations])
    return {"section_title": section_title, **{ROLE_PROPS[r]: units[r] for r in ROLES},
            "basis": cites["basis"], "produces": cites["produces"], "deadline_first": min(dates) if dates else "",
            **{gap_flag(k): v for k, v in static_gaps(facts).items()}}


def complete_records(out: DocumentRecords) -> DocumentRecords:
    """Fill in what the records say about themselves: each Task's summary properties and
    gap flags, the Document's counts and fingerprint. Task props must hold their own fields
    (ids, text, deadlines); shared node records must be deduplicated."""
    by_task_a: dict[str, list[AssignmentRecord]] = defaultdict(list)
    by_task_c: dict[str, list[CitationRecord]] = defaultdict(list)
    for a in out.assignments:
        by_task_a[a.task_key].append(a)
    for c in out.citations:
        if c.source_key is not None:
            by_task_c[c.source_key].append(c)
    titles = {s.key: s.props.get("title", "") for s in out.sections}
    gap_totals = dict.fromkeys(gaps.STATIC_GAP_KINDS, 0)
    for t in out.tasks:
        t.props.update(task_summary_props(t.props, titles.get(t.section_key, "") if t.section_key else "",
                                          by_task_a.get(t.key, []), by_task_c.get(t.key, [])))
        for k in gaps.STATIC_GAP_KINDS:
            gap_totals[k] += bool(t.props[gap_flag(k)])
    doc = out.document.props
    doc.pop("fingerprint", None)
    doc.pop("n_findings", None)
    doc.update(n_sections=len(out.sections), n_tasks=len(out.tasks), n_units=len(out.units),
               n_regulations=len(out.regulations), n_assignments=len(out.assignments),
               n_citations=len(out.citations), **{f"n_{gap_flag(k)}": n for k, n in gap_totals.items()})
    if out.findings is not None:
        doc["n_findings"] = len(out.findings)
    doc["fingerprint"] = records_fingerprint(out)
    return out


def document_link_props(title: str) -> dict[str, Any]:
    """What linking reads of a Document: its title as a citation of it writes it
    (graph.implements.plan_title_key) and the version of its tasks' key terms."""
    from plangraph.graph.compare_text import terms_version
    from plangraph.graph.implements import plan_title_key
    return {"title_key": plan_title_key(title or ""), "terms_version": terms_version()}


def _deadline_dicts(deadlines: list) -> list[dict[str, Any]]:
    return [{"text": d.text, "date": d.date, "recurring": d.recurring,
             "start": d.start, "end": d.end} for d in deadlines]


def build_graph_records(extraction: Extraction) -> DocumentRecords:
    """Map one Extraction to the node and edge records both stores write."""
    from plangraph.graph.compare_text import extraction_task_terms
    from plangraph.ingest.units import document_level, document_region
    info = extraction.document
    doc_id = info.id
    if not doc_id:
        raise ValueError("extraction has no document id")
    doc_props: dict[str, Any] = {
        "id": doc_id,
        "title": info.title or "",
        "doc_number": info.doc_number or "",
        "issuer": info.issuer or "",
        "date": info.date or "",
        "source": info.source or "",
        "sha256": info.sha256 or "",
        "extractor": info.extractor or "",
        "format": info.format or "",
        "text": extraction.text or "",
        "warnings": [str(w) for w in extraction.warnings],
        "deadlines": json.dumps(_deadline_dicts(extraction.deadlines), ensure_ascii=False),  # outside tasks
        **document_link_props(info.title or ""),
    }
    out = DocumentRecords(document=NodeRecord(doc_id, doc_props))
    doc_level = document_level(info.issuer, info.title)
    region = document_region(info.issuer, info.title)

    sections: dict[str, NodeRecord] = {}
    units: dict[str, NodeRecord] = {}
    regulations: dict[str, NodeRecord] = {}
    seen_tasks: set[str] = set()

    def add_regulation(c) -> str | None:
        key = regulation_key(c.title)
        if not key:
            return None
        props = regulation_props(key, c.title, getattr(c, "issuer_prefix", None))
        old = regulations.get(key)
        regulations[key] = NodeRecord(key, merge_shared_props("Regulation", old.props if old else None, props))
        return key

    def citation_props(c) -> dict[str, Any]:
        return {"document_id": doc_id, "relation": c.relation if c.relation in RELATIONS else "basis",
                "title": c.title, "mention": c.mention or c.title, "start": int(c.start), "end": int(c.end),
                "issuer_prefix": getattr(c, "issuer_prefix", None) or ""}

    for ordinal, task in enumerate(extraction.tasks):
        tid = task.id
        key = task_key(doc_id, tid)
        n = 2
        while key in seen_tasks:  # ids should be unique; never let a duplicate clobber a task
            tid = f"{task.id}~{n}"
            key = task_key(doc_id, tid)
            n += 1
        seen_tasks.add(key)
        sec_key = None
        if task.section:
            sec_key = section_key(doc_id, task.section)
            if sec_key not in sections:
                sections[sec_key] = NodeRecord(sec_key, {
                    "key": sec_key, "document_id": doc_id, "id": task.section,
                    "title": task.section_title or "", "ordinal": len(sections)})
        deadlines = _deadline_dicts(task.deadlines)
        out.tasks.append(TaskRecord(key, {
            "key": key, "document_id": doc_id, "id": tid, "ordinal": ordinal,
            "labels": [str(x) for x in task.labels], "heading": task.heading or "",
            "text": task.text or "", "start": int(task.start), "end": int(task.end),
            "section": task.section or "",
            "deadlines": json.dumps(deadlines, ensure_ascii=False),
            "deadline_dates": [d["date"] for d in deadlines if d["date"]],
            "deadline_texts": [d["text"] for d in deadlines],
        }, section_key=sec_key))
        spans = []
        for a in task.assignments:
            name = unit_key(a.canonical or a.unit)
            if not name or a.role not in ROLES:
                continue
            spans.append((int(a.start), int(a.end)))
            props = unit_props(name, a.unit or name, bool(a.collective), doc_level, region)
            old = units.get(name)
            units[name] = NodeRecord(name, merge_shared_props("Unit", old.props if old else None, props))
            out.assignments.append(AssignmentRecord(name, key, a.role, {
                "document_id": doc_id, "unit": a.unit, "mention": a.mention or a.unit,
                "collective": bool(a.collective), "start": int(a.start), "end": int(a.end)}))
        for c in task.citations:
            rkey = add_regulation(c)
            if rkey:
                out.citations.append(CitationRecord(key, rkey, citation_props(c)))
        # what plan comparison reads of the task, so linking many plans cuts no text
        out.tasks[-1].props["key_terms"] = extraction_task_terms(extraction, task, spans)
    for c in extraction.citations:
        rkey = add_regulation(c)
        if rkey:
            out.citations.append(CitationRecord(None, rkey, citation_props(c)))
    out.sections = list(sections.values())
    out.units = list(units.values())
    out.regulations = list(regulations.values())
    out.findings = finding_records(doc_id, extraction, out.tasks)
    return complete_records(out)


def finding_records(doc_id: str, extraction: Extraction, tasks: list[TaskRecord]) -> list[FindingRecord]:
    """The extraction's findings, in its order, each with the stored id of the task it lies in
    (a task id the records made unique, 2.1~2, is found by the finding's offset)."""
    stored: dict[str, list[TaskRecord]] = defaultdict(list)
    for t, task in zip(tasks, extraction.tasks):
        stored[task.id].append(t)
    out = []
    for position, f in enumerate(extraction.findings):
        candidates = stored.get(f.task_id or "", [])
        task = next((t for t in candidates if t.props["start"] <= f.start < t.props["end"]),
                    candidates[0] if candidates else None)
        out.append(FindingRecord(task.key if task else None, {
            "document_id": doc_id, "position": position, "kind": f.kind, "text": f.text or "",
            "start": int(f.start), "end": int(f.end), "task_id": task.props["id"] if task else ""}))
    return out


def records_fingerprint(records: DocumentRecords) -> str:
    """A hash of everything a document writes, to skip re-writing an unchanged document.

    The JSON is built from the records' fields directly (no dataclasses.asdict deep copy);
    dict keys are sorted, so equal records give the same hash; the Document's own
    `fingerprint` property is left out."""

    def row(obj: Any) -> list[Any]:
        return [getattr(obj, f.name) for f in fields(obj)]

    doc = {k: v for k, v in records.document.props.items() if k != "fingerprint"}
    payload = [records.document.key, doc] + [
        None if getattr(records, f.name) is None else [row(x) for x in getattr(records, f.name)]
        for f in fields(records) if f.name != "document"]
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


__all__ = ["ROLES", "ROLE_TYPES", "ROLE_PROPS", "TYPE_ROLES", "RELATIONS", "NodeRecord", "TaskRecord",
           "AssignmentRecord", "CitationRecord", "FindingRecord", "DocumentRecords", "build_graph_records",
           "finding_records", "complete_records",
           "records_fingerprint", "merge_shared_props", "unit_props", "regulation_props", "regulation_key",
           "unit_key", "task_key", "section_key", "task_facts", "task_summary_props", "LINK_BASES", "GAP_BASES",
           "TaskMatch", "LinkedPair", "MATCH_PROPS", "match_props", "compared_props", "document_link_props"]
