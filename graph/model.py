"""The graph model: node/edge records both stores write, and the query result rows.

One place maps an `Extraction` to graph records (`build_graph_records`); the embedded
store and the Neo4j store both write exactly these records, so they hold the same graph.
Every property value is Neo4j-safe (str/int/float/bool or a list of one of them, no
None inside lists, no nested maps), which is also what GraphML export needs.

Nodes (label: key property):
  Document(id)   title, doc_number, issuer, date, source, sha256, format, text, warnings,
                 deadlines (JSON, the time limits outside every task),
                 fingerprint (hash of all the document's records), and its counts
                 n_sections, n_tasks, n_units, n_regulations, n_assignments, n_citations
  Section(key)   document_id, id, title, ordinal
  Task(key)      document_id, id, ordinal, labels, heading, text, start, end, section,
                 deadlines (JSON list of {text,date,recurring,start,end}), deadline_dates,
                 deadline_texts, deadline_first (earliest date, "" when none);
                 what its own edges say, stored so a task row needs no traversal:
                 section_title, lead, participants, responsible (canonical unit names in
                 order of first mention), basis, produces (titles as first cited), and the
                 gaps it has whatever the query: gap_no_lead, gap_collective_only,
                 gap_unassigned, gap_no_deadline, gap_deliverable_no_deadline (booleans)
  Unit(name)     canonical name; collective (True when any mention called it collective);
                 kind, kind_label (ingest.units kinds: government_department 政府部门 …);
                 levels (every administrative level its mentions gave: 国家/省/市/区县/乡镇),
                 level (the one level when they agree, else "")
  Regulation(key) normalised title; canonical (= key); the resolution of its citations
                 (ingest.laws.resolve_citation): canonical_title, level (宪法/法律/行政法规/
                 地方性法规/部门规章/司法解释), status (resolved|form|unknown), form_class,
                 form_label, issuer_level, publish_date, valid_from ("" when not known)
Relationships:
  Document-CONTAINS->Section-CONTAINS->Task (Document-CONTAINS->Task when a task has no section)
  Unit-LEADS|PARTICIPATES_IN|RESPONSIBLE_FOR->Task   {document_id, unit, mention, collective, start, end}
  Task-CITES->Regulation, Document-CITES->Regulation {document_id, relation, title, mention, start, end,
                                                     issuer_prefix ("" when none)}
Units and Regulations are shared by documents: `merge_shared_props` combines what several
mentions (and several documents) say about one, the same way in both stores and in any
order (collective OR-ed, levels united; a regulation keeps its best resolution).
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from ingest.laws import resolve_citation
from ingest.model import Deadline, Extraction
from ingest.units import LEVELS, describe_unit, document_level, document_region

ROLES = ("lead", "participant", "responsible")
ROLE_TYPES = {"lead": "LEADS", "participant": "PARTICIPATES_IN", "responsible": "RESPONSIBLE_FOR"}
TYPE_ROLES = {v: k for k, v in ROLE_TYPES.items()}
RELATIONS = ("basis", "produces")
KEY_SEP = "::"

try:  # a teammate's proper normaliser, when it exists
    from ingest.laws import normalize_title as _external_normalize_title  # type: ignore
except Exception:  # pragma: no cover - depends on the working tree
    _external_normalize_title = None

_BRACKETS = re.compile(r"[《》〈〉<>]")


def _local_normalize_title(title: str) -> str:
    """NFKC, drop title brackets and spaces, drop a leading 中华人民共和国."""
    t = unicodedata.normalize("NFKC", title or "")
    t = _BRACKETS.sub("", t)
    t = re.sub(r"\s+", "", t)
    if t.startswith("中华人民共和国") and len(t) > len("中华人民共和国"):
        t = t[len("中华人民共和国"):]
    return t


def regulation_key(title: str) -> str:
    """The key regulations merge on across documents (a normalised title)."""
    if _external_normalize_title is not None:
        try:
            key = _external_normalize_title(title)
            if key:
                return str(key)
        except Exception:
            pass
    return _local_normalize_title(title)


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
class DocumentRecords:
    """Everything one document contributes to the graph."""
    document: NodeRecord  # key = document id
    sections: list[NodeRecord] = field(default_factory=list)
    tasks: list[TaskRecord] = field(default_factory=list)
    units: list[NodeRecord] = field(default_factory=list)  # deduplicated by key
    regulations: list[NodeRecord] = field(default_factory=list)  # deduplicated by key
    assignments: list[AssignmentRecord] = field(default_factory=list)
    citations: list[CitationRecord] = field(default_factory=list)

    @property
    def document_id(self) -> str:
        return self.document.key


# ---------------------------------------------------------------- shared node properties

STATUS_RANK = {"resolved": 0, "form": 1, "unknown": 2}
LEVEL_RANK = {lv: i for i, lv in enumerate(LEVELS)}


def unit_props(name: str, mention_unit: str, collective: bool, doc_level: str | None,
               region: str | None) -> dict[str, Any]:
    """Unit node properties from one mention (`mention_unit`: the name as written)."""
    info = describe_unit(mention_unit, doc_level, region)
    level = info.level or ""
    return {"name": name, "collective": bool(collective), "kind": info.kind, "kind_label": info.kind_label,
            "level": level, "levels": [level] if level else []}


def regulation_props(key: str, title: str, issuer_prefix: str | None) -> dict[str, Any]:
    """Regulation node properties from one citation (title as cited, issuer written before 《)."""
    r = resolve_citation(title, issuer_prefix or None)
    return {"key": key, "canonical": key, "canonical_title": r.canonical_title or "", "level": r.level or "",
            "status": r.status, "form_class": r.form_class or "", "form_label": r.form_label or "",
            "issuer_level": r.issuer_level or "", "publish_date": r.publish_date or "",
            "valid_from": r.valid_from or ""}


def _regulation_rank(props: dict[str, Any]) -> tuple:
    """Smaller is better: resolved before form before unknown, more known fields first,
    then a fixed order of the values (so the choice never depends on write order)."""
    fields = ("canonical_title", "level", "form_class", "issuer_level", "publish_date")
    return (STATUS_RANK.get(props.get("status") or "", 3), sum(1 for f in fields if not props.get(f)),
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
        out = {**old, **new}
        out["collective"] = bool(old.get("collective", False)) or bool(new.get("collective", False))
        levels = set(old.get("levels") or []) | set(new.get("levels") or [])
        out["levels"] = sorted(levels, key=lambda lv: (LEVEL_RANK.get(lv, 99), lv))
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


# Gaps a task's own records decide, stored on the Task as `gap_<kind>` flags. The other
# two kinds depend on the question (deadline_passed: the as-of date) or on shared nodes
# (unresolved_citation: the cited Regulation's status), so stores answer them at query time.
STATIC_GAP_KINDS = ("no_lead", "collective_only", "unassigned", "no_deadline", "deliverable_no_deadline")


def gap_flag(kind: str) -> str:
    """The Task property that holds a static gap kind (a fixed name, safe in Cypher)."""
    if kind not in STATIC_GAP_KINDS:
        raise ValueError(f"not a static gap kind: {kind!r}")
    return f"gap_{kind}"


def static_gaps(unit_collective: list[bool], roles: set[str], deadline_count: int,
                produces: int) -> dict[str, bool]:
    """The gap definitions that depend on one task only (one place for both stores).

    no_lead: has units, none leads | collective_only: has units, all collective |
    unassigned: no unit | no_deadline: no time limit | deliverable_no_deadline: is to
    produce a document (a produces citation) and has no time limit."""
    return {
        "no_lead": bool(unit_collective) and "lead" not in roles,
        "collective_only": bool(unit_collective) and all(unit_collective),
        "unassigned": not unit_collective,
        "no_deadline": deadline_count == 0,
        "deliverable_no_deadline": produces > 0 and deadline_count == 0,
    }


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


def _task_summary_props(props: dict[str, Any], section_title: str, assignments: list["AssignmentRecord"],
                        citations: list["CitationRecord"]) -> dict[str, Any]:
    """What a task's edges say, as properties of the Task (see the module docstring)."""
    units = ordered_units([(a.unit, a.role, a.props["start"]) for a in assignments])
    cites = ordered_citations([(c.regulation, c.props["title"], c.props["relation"], c.props["start"])
                               for c in citations])
    dates = props["deadline_dates"]
    gaps = static_gaps([a.props["collective"] for a in assignments], {a.role for a in assignments},
                       len(props["deadline_texts"]),
                       sum(1 for c in citations if c.props["relation"] == "produces"))
    return {"section_title": section_title, "lead": units["lead"], "participants": units["participant"],
            "responsible": units["responsible"], "basis": cites["basis"], "produces": cites["produces"],
            "deadline_first": min(dates) if dates else "",
            **{gap_flag(k): v for k, v in gaps.items()}}


def _deadline_dicts(deadlines: list) -> list[dict[str, Any]]:
    return [{"text": d.text, "date": d.date, "recurring": d.recurring,
             "start": d.start, "end": d.end} for d in deadlines]


def build_graph_records(extraction: Extraction) -> DocumentRecords:
    """Map one Extraction to the node and edge records both stores write."""
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
        first_assignment, first_citation = len(out.assignments), len(out.citations)
        out.tasks.append(TaskRecord(key, {
            "key": key, "document_id": doc_id, "id": tid, "ordinal": ordinal,
            "labels": [str(x) for x in task.labels], "heading": task.heading or "",
            "text": task.text or "", "start": int(task.start), "end": int(task.end),
            "section": task.section or "",
            "deadlines": json.dumps(deadlines, ensure_ascii=False),
            "deadline_dates": [d["date"] for d in deadlines if d["date"]],
            "deadline_texts": [d["text"] for d in deadlines],
        }, section_key=sec_key))
        for a in task.assignments:
            name = unit_key(a.canonical or a.unit)
            if not name or a.role not in ROLES:
                continue
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
        task_record = out.tasks[-1]
        task_record.props.update(_task_summary_props(
            task_record.props, sections[sec_key].props["title"] if sec_key else "",
            out.assignments[first_assignment:], out.citations[first_citation:]))
    for c in extraction.citations:
        rkey = add_regulation(c)
        if rkey:
            out.citations.append(CitationRecord(None, rkey, citation_props(c)))
    out.sections = list(sections.values())
    out.units = list(units.values())
    out.regulations = list(regulations.values())
    doc_props.update(n_sections=len(out.sections), n_tasks=len(out.tasks), n_units=len(out.units),
                     n_regulations=len(out.regulations), n_assignments=len(out.assignments),
                     n_citations=len(out.citations))
    doc_props["fingerprint"] = records_fingerprint(out)
    return out


def records_fingerprint(records: DocumentRecords) -> str:
    """A hash of everything a document writes, to skip re-writing an unchanged document.

    The JSON is built from the records' fields directly (no dataclasses.asdict deep copy);
    dict keys are sorted, so equal records give the same hash; the Document's own
    `fingerprint` property is left out."""
    from dataclasses import fields

    def row(obj: Any) -> list[Any]:
        return [getattr(obj, f.name) for f in fields(obj)]

    doc = {k: v for k, v in records.document.props.items() if k != "fingerprint"}
    payload = [records.document.key, doc] + [
        [row(x) for x in getattr(records, f.name)] for f in fields(records) if f.name != "document"]
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- query results


# A task's time limit in query results: the extraction's own Deadline (text as written,
# last day meant, yearly recurrence, offsets), one definition for both layers.
DeadlineInfo = Deadline


@dataclass
class TaskRow:
    """One task with its units (canonical names, in order of first mention) and citations."""
    document_id: str
    task_id: str
    ordinal: int
    heading: str
    text: str
    section: str
    section_title: str
    labels: list[str]
    start: int
    end: int
    deadlines: list[DeadlineInfo]
    lead: list[str]
    participants: list[str]
    responsible: list[str]
    basis: list[str]  # titles as first cited, one per regulation
    produces: list[str]

    @property
    def number(self) -> int | None:
        """The task number: the last number of the id ("2.5.19" -> 19)."""
        return task_number(self.task_id)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TaskLink:
    """Where a task sits and which units it names, without its text: what a drawing of a
    province's plans needs (50k full rows take seconds to read from a server)."""
    document_id: str
    task_id: str
    ordinal: int
    section: str
    section_title: str
    lead: list[str]
    participants: list[str]
    responsible: list[str]

    @property
    def number(self) -> int | None:
        return task_number(self.task_id)

    @classmethod
    def of(cls, row: TaskRow) -> "TaskLink":
        return cls(row.document_id, row.task_id, row.ordinal, row.section, row.section_title, row.lead,
                   row.participants, row.responsible)


def task_number(task_id: str) -> int | None:
    m = re.search(r"(\d+)(?!.*\d)", task_id or "")
    return int(m.group(1)) if m else None


@dataclass
class UnitRole:
    """One Unit->Task edge with its provenance (offsets into the document text)."""
    unit: str
    role: str
    collective: bool
    as_written: str
    mention: str
    document_id: str
    task_id: str
    start: int
    end: int
    kind: str | None = None  # the Unit's kind (ingest.units vocabulary), None when not known
    level: str | None = None  # 国家/省/市/区县/乡镇, None when not known or mixed


@dataclass
class TaskCitation:
    """One Task->Regulation citation with its provenance."""
    task: TaskRow
    regulation: str  # key
    relation: str
    title: str  # as cited
    mention: str
    start: int
    end: int


@dataclass
class RegulationRow:
    key: str  # normalised title: the merge key
    title: str  # most frequent title as cited (ties: shortest, then smallest)
    titles: list[str]  # every title as cited, sorted
    basis_count: int  # citation mentions (in tasks and outside them) with relation basis
    produces_count: int
    tasks: int  # distinct tasks citing it
    documents: int  # distinct documents citing it
    # the Regulation node's resolution (ingest.laws.resolve_citation); None when not known
    canonical_title: str | None = None  # the statute's full title (status resolved)
    level: str | None = None  # 宪法/法律/行政法规/地方性法规/部门规章/司法解释 (status resolved)
    status: str | None = None  # resolved | form | unknown
    form_class: str | None = None  # law, regulation, rules, normative, plan, agreement
    form_label: str | None = None  # 法律, 法规, 规章制度, 规范性文件, 规划方案, 协议安排
    issuer_level: str | None = None  # 国家/省/市/区县 of the issuer
    publish_date: str | None = None

    @property
    def total(self) -> int:
        return self.basis_count + self.produces_count


@dataclass
class UnitWorkload:
    unit: str
    collective: bool
    lead: int  # distinct tasks per role
    participant: int
    responsible: int
    total: int  # distinct tasks in any role
    documents: int
    kind: str | None = None  # government_department, party, court, … (ingest.units.kind_labels())
    kind_label: str | None = None  # 政府部门, 党委机构, 审判机关, …
    level: str | None = None  # 国家/省/市/区县/乡镇; None when not known or the mentions disagree


@dataclass
class Deliverable:
    """A document a task is to produce (a `produces` citation: 出台《常德市…办法》)."""
    task: TaskRow
    regulation: str  # Regulation key
    title: str  # as cited (first citation of this regulation in the task)
    mention: str
    start: int
    end: int
    units: list[str]  # who answers for it: the task's lead + responsible units, else all its units
    deadlines: list[DeadlineInfo]  # the task's time limits (empty: a deliverable_no_deadline gap)
    form_label: str | None = None  # of the Regulation node: 规章制度, 规划方案, …
    status: str | None = None  # of the Regulation node: resolved | form | unknown


@dataclass
class CoEdge:
    a: str  # a < b
    b: str
    weight: int  # distinct tasks both units are assigned to (any role)


@dataclass
class DocumentSummary:
    document_id: str
    title: str
    doc_number: str
    issuer: str
    date: str
    source: str
    sha256: str
    sections: int
    tasks: int
    units: int  # distinct units assigned to its tasks
    regulations: int  # distinct regulations cited (in or outside tasks)
    assignments: int  # Unit->Task edges
    citations: int  # CITES edges
    extractor: str = ""  # the extractor version that made the stored records


@dataclass
class IngestResult:
    document_id: str
    tasks: int
    units: int
    regulations: int
    replaced: bool  # the document was in the store before
    unchanged: bool = False  # skipped: the store already holds exactly these records
