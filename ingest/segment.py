"""Segmentation: spaCy's blank Chinese pipeline with the jieba segmenter, and the
PlanGraph components that mark clauses, citations and deadlines as span groups.

jieba's dictionary is extended from data/ (unit names, legal terms, role words) so that
units and role words stay whole tokens. Components are small and registered by name, like
any spaCy component; each writes `doc.spans[NAME]` and keeps its typed findings in
`doc.user_data[NAME]` for the assembly step.
"""
from __future__ import annotations

import logging
from functools import lru_cache

import jieba
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ingest.citations import find_citations
from ingest.clauses import find_clauses
from ingest.deadlines import find_deadlines
from ingest.resources import DATA_DIR
from ingest.vocab import vocabulary

USER_DICT = DATA_DIR / "jieba_user_dict.txt"
COMPONENTS = ("plangraph_clauses", "plangraph_citations", "plangraph_deadlines")


def _set_spans(doc: Doc, name: str, found: list, label_of) -> None:
    spans = []
    for f in found:
        span = doc.char_span(f.start, f.end, label=label_of(f), alignment_mode="expand")
        if span is not None:
            spans.append(span)
    doc.spans[name] = spans
    doc.user_data[name] = found


@Language.component("plangraph_clauses")
def clauses_component(doc: Doc) -> Doc:
    clauses = find_clauses(doc.text)
    doc.user_data["clauses"] = clauses
    _set_spans(doc, "units", [a for c in clauses for a in c.assignments], lambda a: a.role)
    return doc


@Language.component("plangraph_citations")
def citations_component(doc: Doc) -> Doc:
    starts = [t.idx for t in doc]
    texts = [t.text for t in doc]
    _set_spans(doc, "citations", find_citations(doc.text, starts, texts), lambda c: c.relation)
    return doc


@Language.component("plangraph_deadlines")
def deadlines_component(doc: Doc) -> Doc:
    _set_spans(doc, "deadlines", find_deadlines(doc.text), lambda d: d.recurring or "once")
    return doc


def _extend_jieba() -> None:
    jieba.setLogLevel(logging.WARNING)
    if USER_DICT.exists():
        jieba.load_userdict(str(USER_DICT))
    vocab = vocabulary()
    for word in (*vocab.labels, *vocab.verbs, *vocab.citation_verbs):
        jieba.add_word(word, freq=20000)


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared pipeline: jieba segmentation, then clauses, citations, deadlines."""
    _extend_jieba()
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    for name in COMPONENTS:
        nlp.add_pipe(name)
    return nlp
