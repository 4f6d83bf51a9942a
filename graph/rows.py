"""The result rows of the query API, and how both stores build them from stored properties.

Every query answers with these plain dataclasses, sorted as `graph.store` states, and equal
across stores: each store reads its own storage and hands the values to the builders here
(`task_row`, `task_link`, `document_summary`, `regulation_row`, `unit_workload`, `unit_role`,
`deliverable_rows`), so a row is made one way whatever the store.
"""
from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from plangraph.graph.records import ROLE_PROPS, regulation_key
from plangraph.ingest.model import FINDING_KINDS, ROLES, Deadline

# A task's time limit in query results: the extraction's own Deadline (text as written,
# last day meant, yearly recurrence, offsets), one definition for both layers.
DeadlineInfo = Deadline
ROLE_ORDER = {r: i for i, r in enumerate(ROLES)}


@dataclass(slots=True)
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
    guides: list[str] = field(default_factory=list)  # units that guide (指导) it: they do not carry it out

    @property
    def number(self) -> int | None:
        """The task number: the last number of the id ("2.5.19" -> 19)."""
        return task_number(self.task_id)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class TaskLink:
    """Where a task sits and which units it names, without its text: what a drawing of a
    province's plans needs (50k full rows take seconds to read from a server)."""
    document_id: str
    task_id: str
    ordinal: int
    section: str
    section_title: str
    # tuples, not lists: most are empty (one shared ()), and a drawing of 1,000 plans holds 200k
    lead: tuple[str, ...]
    participants: tuple[str, ...]
    responsible: tuple[str, ...]
    guides: tuple[str, ...] = ()

    @property
    def number(self) -> int | None:
        return task_number(self.task_id)

    @classmethod
    def of(cls, row: TaskRow) -> "TaskLink":
        return cls(row.document_id, row.task_id, row.ordinal, row.section, row.section_title, tuple(row.lead),
                   tuple(row.participants), tuple(row.responsible), tuple(row.guides))


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


@dataclass(slots=True)
class UnitWorkload:
    unit: str
    collective: bool
    lead: int  # distinct tasks per role
    participant: int
    responsible: int
    guide: int
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
    units: list[str]  # who answers for it: the task's lead + responsible units, else its participants
    deadlines: list[DeadlineInfo]  # the task's time limits (empty: a deliverable_no_deadline gap)
    form_label: str | None = None  # of the Regulation node: 规章制度, 规划方案, …
    status: str | None = None  # of the Regulation node: resolved | form | unknown


@dataclass(slots=True)
class CoEdge:
    a: str  # a < b
    b: str
    weight: int  # distinct tasks both units carry out (any role but guide)


@dataclass(slots=True)
class DocumentSummary:
    document_id: str
    title: str
    doc_number: str
    issuer: str
    date: str
    source: str  # the file it was read from (absolute path when ingested by plangraph ingest)
    sha256: str  # of its text as decoded
    sections: int
    tasks: int
    units: int  # distinct units assigned to its tasks
    regulations: int  # distinct regulations cited (in or outside tasks)
    assignments: int  # Unit->Task edges
    citations: int  # CITES edges
    extractor: str = ""  # the extractor version that made the stored records


@dataclass
class FindingRow:
    """A place the extractor could not read (ingest/review.py): check it before trusting a gap list."""
    document_id: str
    position: int  # its place in the document's findings (they are in text order)
    kind: str  # ingest.model.FINDING_KINDS
    text: str  # the text it names (a bracket, a line, a unit's name, a task's heading)
    start: int  # offsets into the document's text (document_text)
    end: int
    task_id: str | None  # the task it lies in; None: outside every task
    task_heading: str | None = None  # that task's heading


@dataclass
class IngestResult:
    document_id: str
    tasks: int
    units: int
    regulations: int
    replaced: bool  # the document was in the store before
    unchanged: bool = False  # skipped: the store already holds exactly these records
    unlinked: int = 0  # linked pairs (plangraph link) its old version was in, removed with its tasks


@dataclass
class MatchRow:
    """A stored (:Task)-[:MATCHES]->(:Task): B's task `b` carries out A's task `a`."""
    a: TaskRow
    b: TaskRow
    score: float
    method: str  # how it was found, with the mode: tfidf-jieba+units+citations/one-to-one …
    mode: str  # one-to-one | one-to-many
    text: float  # the parts of the score (graph.compare): text similarity
    units: float  # units of the same function
    citations: float  # titles both cite
    key_terms: list[dict[str, Any]]  # [{"term", "weight"}]: the shared terms, what each adds to `text`


@dataclass
class ImplementsRow:
    """A stored (:Document)-[:IMPLEMENTS]->(:Document): document_id cites implemented_id as its basis."""
    document_id: str
    implemented_id: str
    title: str  # as cited
    task_id: str | None  # the citing task; None: outside every task (the preamble)
    via: str  # preamble | task


@dataclass
class ComparedRow:
    """A stored (:Document)-[:COMPARED]->(:Document): B was linked against A (`plangraph link`)."""
    a: str  # the upper (or earlier) plan
    b: str  # the lower (or later) plan
    basis: str  # why: asked | implements | level | version (graph.records.LINK_BASES)
    method: str
    mode: str
    min_score: float
    pairs: int  # MATCHES written between their tasks
    linked: str  # when (ISO time)


# ---------------------------------------------------------------- builders from stored properties


def _list(value: Any) -> list:
    """A stored list property: a list (Neo4j), JSON text (SQLite) or missing."""
    if not value:
        return []
    return json.loads(value) if isinstance(value, str) else list(value)


def task_row(props: Mapping[str, Any]) -> TaskRow:
    """A TaskRow from a Task's properties (its units and citations are stored on the Task
    by graph.records)."""
    deadlines = [DeadlineInfo(**d) for d in _list(props.get("deadlines"))]  # JSON text, or decoded already
    return TaskRow(
        document_id=props["document_id"], task_id=props["id"], ordinal=int(props.get("ordinal") or 0),
        heading=props.get("heading") or "", text=props.get("text") or "",
        section=props.get("section") or "", section_title=props.get("section_title") or "",
        labels=_list(props.get("labels")), start=int(props.get("start") or 0), end=int(props.get("end") or 0),
        deadlines=deadlines, **{ROLE_PROPS[r]: _list(props.get(ROLE_PROPS[r])) for r in ROLES},
        basis=_list(props.get("basis")), produces=_list(props.get("produces")))


def task_link(props: Mapping[str, Any]) -> TaskLink:
    """A TaskLink from a Task's properties (the fields task_row reads for them). A drawing
    holds tens of thousands at once, so the names they repeat (document, section, units)
    are shared strings, not one copy per task."""
    return TaskLink(document_id=sys.intern(props["document_id"]), task_id=props["id"],
                    ordinal=int(props.get("ordinal") or 0), section=sys.intern(props.get("section") or ""),
                    section_title=sys.intern(props.get("section_title") or ""),
                    **{ROLE_PROPS[r]: tuple(map(sys.intern, _list(props.get(ROLE_PROPS[r])))) for r in ROLES})


# What a task row and a task link read of a Task.
TASK_FIELDS = ("key", "document_id", "id", "ordinal", "heading", "text", "section", "section_title", "labels",
               "start", "end", "deadlines", *ROLE_PROPS.values(), "basis", "produces")
LINK_FIELDS = ("document_id", "id", "ordinal", "section", "section_title", *ROLE_PROPS.values())
# What documents() reads of a Document: everything but its text (a plan can be 100 kB),
# in the order document_summary unpacks.
DOCUMENT_FIELDS = ("id", "title", "doc_number", "issuer", "date", "source", "sha256", "extractor", "n_sections",
                   "n_tasks", "n_units", "n_regulations", "n_assignments", "n_citations")


def document_summary(values: Sequence[Any]) -> DocumentSummary:
    """A DocumentSummary from a Document's DOCUMENT_FIELDS values, in that order (counts
    stored at write time). Positional: documents() makes one per stored plan, 10,000 at a
    province's scale, and a dict per row cost more than the read."""
    (doc_id, title, doc_number, issuer, date, source, sha256, extractor,
     sections, tasks, units, regulations, assignments, citations) = values
    return DocumentSummary(
        doc_id, title or "", doc_number or "", issuer or "", date or "", source or "", sha256 or "",
        int(sections or 0), int(tasks or 0), int(units or 0), int(regulations or 0), int(assignments or 0),
        int(citations or 0), extractor or "")


def finding_count_table(reviewed: Iterable[str], counts: Iterable[tuple[str, str, int]]) -> dict[str, dict[str, int]]:
    """finding_counts()' answer, for both stores: each reviewed document, in id order, with a
    count of every FINDING_KINDS kind (0 when none), from (document, kind, how many) rows;
    rows of other documents or kinds are left out."""
    out = {doc: dict.fromkeys(FINDING_KINDS, 0) for doc in sorted(reviewed)}
    for doc, kind, n in counts:
        if doc in out and kind in out[doc]:
            out[doc][kind] = n
    return out


def finding_row(props: Mapping[str, Any], task_heading: str | None = None) -> FindingRow:
    """A FindingRow from a Finding's properties (graph.records.finding_records) and the
    heading of the task it lies in."""
    return FindingRow(document_id=props["document_id"], position=int(props["position"]), kind=props["kind"],
                      text=props.get("text") or "", start=int(props.get("start") or 0),
                      end=int(props.get("end") or 0), task_id=_text(props.get("task_id")),
                      task_heading=None if not props.get("task_id") else (task_heading or ""))


# What a finding row reads of a Finding.
FINDING_FIELDS = ("document_id", "position", "kind", "text", "start", "end", "task_id")


def _text(value: Any) -> str | None:
    """A node property for a result row: "" and missing become None."""
    return None if value in (None, "") else str(value)


REGULATION_INFO = ("canonical_title", "level", "status", "form_class", "form_label", "issuer_level",
                   "publish_date")


def regulation_row(key: str, cites: Iterable[tuple[str, str, int]], tasks: int, documents: int,
                   props: Mapping[str, Any] | None = None) -> RegulationRow:
    """cites: (title as cited, relation, mentions), one or more per (title, relation);
    tasks, documents: how many distinct tasks and documents cite it; props: the
    Regulation's properties (its resolution)."""
    counts: dict[str, int] = {}
    basis = produces = 0
    for title, relation, n in cites:
        counts[title] = counts.get(title, 0) + n
        if relation == "produces":
            produces += n
        else:
            basis += n
    title = min(counts, key=lambda t: (-counts[t], len(t), t)) if counts else key
    props = props or {}
    return RegulationRow(key=key, title=title, titles=sorted(counts), basis_count=basis,
                         produces_count=produces, tasks=tasks, documents=documents,
                         **{f: _text(props.get(f)) for f in REGULATION_INFO})


def unit_workload(props: Mapping[str, Any], counts: Sequence[int]) -> UnitWorkload:
    """A UnitWorkload from a Unit's properties and its counters in graph.aggregates.LOAD_FIELDS
    order (per role, total, documents)."""
    n = len(ROLES)  # the per-role fields follow `collective` in ROLES order (tests/test_graph_model.py)
    return UnitWorkload(props["name"], bool(props.get("collective", False)), *counts[:n], int(counts[n]),
                        int(counts[n + 1]), _text(props.get("kind")), _text(props.get("kind_label")),
                        _text(props.get("level")))


def unit_role(unit_props: Mapping[str, Any], role: str, edge: Mapping[str, Any], task_id: str) -> UnitRole:
    return UnitRole(unit=unit_props["name"], role=role, collective=bool(edge["collective"]),
                    as_written=edge["unit"], mention=edge["mention"], document_id=edge["document_id"],
                    task_id=task_id, start=edge["start"], end=edge["end"],
                    kind=_text(unit_props.get("kind")), level=_text(unit_props.get("level")))


def unit_matches(canonical: str, written: Iterable[str], needles: Sequence[str]) -> bool:
    """The find_units rule for one unit (canonical name, names as written in the documents)."""
    return any(canonical.endswith(n) for n in needles) or any(w in needles for w in written)


def deliverable_rows(cites: Iterable[tuple[Any, str, str, str, int, int, Mapping[str, Any]]],
                     rows: Mapping[Any, TaskRow]) -> list[Deliverable]:
    """cites: (the task's key in `rows`, regulation key, title, mention, start, end, regulation
    props (only form_label and status are read)), one per produces citation; rows: -> TaskRow.
    One Deliverable per (task, regulation), from its first citation in the task."""
    first: dict[tuple[str, str], tuple] = {}
    for tkey, rkey, title, mention, start, end, props in cites:
        k = (tkey, rkey)
        if k not in first or (start, title) < first[k][:2]:
            first[k] = (start, title, mention, end, props)
    out = []
    for (tkey, rkey), (start, title, mention, end, props) in first.items():
        t = rows[tkey]
        units = list(dict.fromkeys(t.lead + t.responsible)) or list(dict.fromkeys(t.participants))
        out.append(Deliverable(task=t, regulation=rkey, title=title, mention=mention, start=start, end=end,
                               units=units, deadlines=list(t.deadlines), form_label=_text(props.get("form_label")),
                               status=_text(props.get("status"))))
    return sorted(out, key=lambda d: (d.task.document_id, d.task.ordinal, d.start, d.regulation))


def match_row(a: TaskRow, b: TaskRow, props: Mapping[str, Any]) -> MatchRow:
    """A MatchRow from the two task rows and the MATCHES edge's properties (graph.records.match_props)."""
    terms, weights = _list(props.get("key_terms")), _list(props.get("term_weights"))
    return MatchRow(a=a, b=b, score=float(props["score"]), method=props.get("method") or "",
                    mode=props.get("mode") or "", text=float(props.get("text") or 0.0),
                    units=float(props.get("units") or 0.0), citations=float(props.get("citations") or 0.0),
                    key_terms=[{"term": t, "weight": float(w)} for t, w in zip(terms, weights)])


def implements_row(document_id: str, implemented_id: str, props: Mapping[str, Any]) -> ImplementsRow:
    return ImplementsRow(document_id=document_id, implemented_id=implemented_id, title=props.get("title") or "",
                         task_id=props.get("task_id") or None, via=props.get("via") or "")


def compared_row(a: str, b: str, props: Mapping[str, Any]) -> ComparedRow:
    return ComparedRow(a=a, b=b, basis=props.get("basis") or "", method=props.get("method") or "",
                       mode=props.get("mode") or "", min_score=float(props.get("min_score") or 0.0),
                       pairs=int(props.get("pairs") or 0), linked=props.get("linked") or "")


# ---------------------------------------------------------------- the orders the API states


def sort_tasks(rows: Iterable[TaskRow]) -> list[TaskRow]:
    return sorted(rows, key=lambda r: (r.document_id, r.ordinal))


def sort_regulations(rows: Iterable[RegulationRow]) -> list[RegulationRow]:
    return sorted(rows, key=lambda r: (-r.total, r.key))


def matches_title(row: RegulationRow, needle: str | None) -> bool:
    """Substring match on the key (normalised needle) or on any title as cited."""
    if not needle:
        return True
    nkey = _needle_key(needle)
    return (bool(nkey) and nkey in row.key) or any(needle in t for t in row.titles)


@functools.lru_cache(maxsize=64)
def _needle_key(needle: str) -> str:
    """regulation_key of a searched title: once per search, not once per regulation."""
    return regulation_key(needle)


def sort_workload(rows: Iterable[UnitWorkload]) -> list[UnitWorkload]:
    return sorted(rows, key=lambda w: (-w.total, -w.lead, w.unit))


def sort_citations(rows: Iterable[TaskCitation]) -> list[TaskCitation]:
    return sorted(rows, key=lambda c: (c.task.document_id, c.task.ordinal, c.start, c.relation, c.title))


def sort_matches(rows: Iterable[MatchRow]) -> list[MatchRow]:
    return sorted(rows, key=lambda m: (m.a.document_id, m.a.ordinal, m.b.document_id, m.b.ordinal))


def sort_findings(rows: Iterable[FindingRow]) -> list[FindingRow]:
    return sorted(rows, key=lambda f: (f.document_id, f.position))


def unit_role_sort_key(u: UnitRole) -> tuple:
    return (u.start, ROLE_ORDER.get(u.role, 9), u.unit, u.end)


__all__ = ["DeadlineInfo", "TaskRow", "TaskLink", "UnitRole", "TaskCitation", "RegulationRow", "UnitWorkload",
           "Deliverable", "CoEdge", "DocumentSummary", "FindingRow", "IngestResult", "task_number", "task_row",
           "task_link", "finding_row", "finding_count_table", "sort_findings", "FINDING_FIELDS",
           "document_summary", "regulation_row", "unit_workload", "unit_role", "unit_matches", "deliverable_rows",
           "sort_tasks", "sort_regulations", "matches_title", "sort_workload", "sort_citations",
           "unit_role_sort_key", "TASK_FIELDS", "LINK_FIELDS", "DOCUMENT_FIELDS", "REGULATION_INFO", "MatchRow",
           "ImplementsRow", "ComparedRow", "match_row", "implements_row", "compared_row", "sort_matches"]
