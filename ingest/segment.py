"""Segmentation: spaCy's blank Chinese pipeline with the jieba segmenter, and the
PlanGraph components that mark clauses, citations and deadlines as span groups.

The words are ingest.words.cut: jieba with the project's dictionary, extended from data/
(unit names, legal terms, role words) so that units and role words stay whole tokens.
Components are small and registered by name, like any spaCy component; each writes
`doc.spans[NAME]` and keeps its typed findings in `doc.user_data[NAME]` for the assembly step.
"""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from plangraph.ingest.brackets import find_pairs
from plangraph.ingest.citations import find_citations
from plangraph.ingest.clauses import find_clauses
from plangraph.ingest.deadlines import find_deadlines
from plangraph.ingest.read import MAX_TEXT_BYTES
from plangraph.ingest.words import cut, tokenizer

COMPONENTS = ("plangraph_clauses", "plangraph_citations", "plangraph_deadlines")


def doc_text(doc: Doc) -> str:
    """The text as given; `Doc.text` is rebuilt from the tokens on every access."""
    text = doc.user_data.get("text")
    if text is None:
        text = doc.user_data["text"] = doc.text
    return text


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
    """Clauses in the text, plus those the structure step read from task tables
    (`doc.user_data["table_clauses"]`), which win where both cover the same text."""
    table_clauses = doc.user_data.get("table_clauses", [])
    text = doc_text(doc)
    # kept for the findings (ingest/review.py), which look at the same brackets again
    pairs = doc.user_data["bracket_pairs"] = find_pairs(text, within_lines=True)
    clauses = [c for c in find_clauses(text, pairs=pairs)
               if not any(t.start <= c.start < t.end or c.start <= t.start < c.end for t in table_clauses)]
    clauses = sorted([*clauses, *table_clauses], key=lambda c: c.start)
    doc.user_data["clauses"] = clauses
    _set_spans(doc, "units", [a for c in clauses for a in c.assignments], lambda a: a.role)
    return doc


@Language.component("plangraph_citations")
def citations_component(doc: Doc) -> Doc:
    text = doc_text(doc)
    starts, texts = doc.user_data["words"]  # from JiebaTokenizer: no Token objects needed
    _set_spans(doc, "citations", find_citations(text, starts, texts), lambda c: c.relation)
    return doc


@Language.component("plangraph_deadlines")
def deadlines_component(doc: Doc) -> Doc:
    _set_spans(doc, "deadlines", find_deadlines(doc_text(doc)), lambda d: d.recurring or "once")
    return doc


class JiebaTokenizer:
    """jieba's words straight into a Doc, whitespace kept as tokens.

    spaCy's own zh tokenizer (segmenter "jieba") realigns the words with the text through
    `get_words_and_spaces`, which grows faster than linearly on long documents; jieba's
    words already cover the text exactly, so they need no realignment.
    """

    def __init__(self, vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        starts, words = cut(text)
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words))
        # token offsets, kept for components that only need words (and for key terms)
        doc.user_data["words"] = (starts, words)
        return doc


def segment(text: str, table_clauses: list | None = None) -> Doc:
    """Run the pipeline over `text`, handing the components the text itself (and the
    clauses of task tables found by the structure step)."""
    nlp = get_nlp()
    doc = nlp.make_doc(text)
    doc.user_data["text"] = text
    doc.user_data["table_clauses"] = table_clauses or []
    for _name, component in nlp.pipeline:
        doc = component(doc)
    return doc


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared pipeline: jieba segmentation, then clauses, citations, deadlines."""
    tokenizer()  # jieba's dictionary, extended
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.tokenizer = JiebaTokenizer(nlp.vocab)
    # No component reads lexical attributes (like_num, shape, is_stop, norm …), and spaCy
    # computes all of them for each word the vocab has not seen yet, which is most words of a
    # new plan: the tokens carry only their text. A component that needs an attribute adds
    # its getter back here.
    nlp.vocab.lex_attr_getters = {}
    # spaCy's 1,000,000-character guard is for its parser and NER, which this pipeline does
    # not run; ingest.read already bounds a text by MAX_TEXT_BYTES, which this must admit.
    nlp.max_length = MAX_TEXT_BYTES + 1
    for name in COMPONENTS:
        nlp.add_pipe(name)
    return nlp
