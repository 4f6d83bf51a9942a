"""Which stored plan a plan implements: the (:Document)-[:IMPLEMENTS]->(:Document) rule.

A plan implements another when it names it as its basis (为贯彻落实《数字山东发展规划（2018—2022年）》…,
根据《…》) and that plan is in the store. Both stores keep these edges when they write or remove a
document (graph.store: `implements()`), with this one rule; the Compare page offers the
implemented plan as A. Light on purpose: the stores import it on every write (no numpy, no jieba).

    titles = PlanTitles([(doc_id, title), …])                  # the stored documents
    titles.implemented_by([(title, relation, task_id), …], own_id)  -> [CitedPlan]
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from plangraph.graph.records import regulation_key

_NOTICE = re.compile(r"^.*?关于(?:印发|转发|下发|颁布)(.+?)的通知$")
NOTICE_END = "的通知"  # a cited title ending so may name a plan through its covering notice


def plan_title_key(title: str) -> str:
    """A plan title as both a citation and a stored document write it: the Regulation key
    (width, dashes, title marks, 中华人民共和国), and without a covering notice's words
    (山东省人民政府办公厅关于印发数字山东2021行动方案的通知 → 数字山东2021行动方案)."""
    key = regulation_key(title)
    m = _NOTICE.match(key)
    return m.group(1) if m else key


def may_name(regulation: str, title_keys: Iterable[str]) -> bool:
    """Whether a cited Regulation key can name a plan of one of these title keys (the key
    itself, or a covering notice of it): the stores' first filter, before `PlanTitles`."""
    return any(regulation == k or regulation.endswith(k + NOTICE_END) for k in title_keys if k)


@dataclass(frozen=True)
class CitedPlan:
    """A stored document that a plan names as its basis."""
    document_id: str
    title: str  # as cited
    task_id: str | None  # None: cited outside every task (the preamble: 为贯彻落实《…》)

    @property
    def via(self) -> str:
        """Where the plan cites it: "preamble" (outside every task) or "task"."""
        return "preamble" if self.task_id is None else "task"


class PlanTitles:
    """The stored documents by title (plan_title_key), to find the plans others implement."""

    def __init__(self, documents: Iterable[tuple[str, str]]) -> None:
        """documents: (document id, title) of the store (at least the citing documents and
        those whose titles they may cite)."""
        self.key_of: dict[str, str] = {}
        self.by_key: dict[str, list[str]] = {}
        for doc_id, title in documents:
            key = plan_title_key(title or "")
            self.key_of[doc_id] = key
            if key:
                self.by_key.setdefault(key, []).append(doc_id)

    def implemented_by(self, citations: Iterable[tuple[str, str, str | None]],
                       own_id: str | None = None) -> list[CitedPlan]:
        """The stored documents a plan implements. citations: (title as cited, relation
        basis|produces, task id or None) of the plan. A basis citation whose title is a
        stored document's names it. Not: a document to be produced, the plan itself, nor a
        citation of the plan's own title (a covering notice's 现将《…》印发给你们: other
        documents of that title are copies or versions of the plan, not the plan it
        implements). Citations outside every task come first, then in the order given; one
        entry per document."""
        own_key = self.key_of.get(own_id or "")
        out: dict[str, CitedPlan] = {}
        for title, relation, task_id in sorted(citations, key=lambda c: c[2] is not None):
            key = plan_title_key(title)
            if relation != "basis" or key == own_key:
                continue
            for doc_id in sorted(self.by_key.get(key, ())):
                if doc_id != own_id:
                    out.setdefault(doc_id, CitedPlan(doc_id, title, task_id))
        return list(out.values())


def implemented_documents(citations: Iterable[tuple[str, str, str | None]],
                          documents: Iterable[tuple[str, str]], own_id: str | None = None) -> list[CitedPlan]:
    """PlanTitles(documents).implemented_by(citations, own_id), for one plan."""
    return PlanTitles(documents).implemented_by(citations, own_id)


def extraction_citations(extraction) -> list[tuple[str, str, str | None]]:
    """(title, relation, task id or None) of every citation of an extraction, outside tasks first."""
    out = [(c.title, c.relation, None) for c in extraction.citations]
    return out + [(c.title, c.relation, t.id) for t in extraction.tasks for c in t.citations]


def implements_edges(documents: Iterable[tuple[str, str]],
                     citations: Mapping[str, Sequence[tuple[str, str | None, int | None, int]]]
                     ) -> list[tuple[str, str, str, str, str]]:
    """The IMPLEMENTS edges of the documents in `citations` (document id -> its basis
    citations: title as cited, task id and ordinal (None outside every task), start), given
    `documents` (id, title: those documents and the ones their citations may name):
    (document_id, implemented_id, title as cited, task id or "", via), sorted. A document's
    citations are read outside tasks first, then by task and offset, so both stores, which
    keep them differently, pick the same citation of a plan cited twice."""
    titles = PlanTitles(documents)
    out = []
    for doc, cites in citations.items():
        ordered = sorted(cites, key=lambda c: (c[2] is not None, c[2] or 0, c[3], c[0]))
        out += [(doc, c.document_id, c.title, c.task_id or "", c.via)
                for c in titles.implemented_by([(title, "basis", task) for title, task, _, _ in ordered], doc)]
    return sorted(out)


__all__ = ["plan_title_key", "may_name", "CitedPlan", "PlanTitles", "implemented_documents",
           "extraction_citations", "implements_edges", "NOTICE_END"]
