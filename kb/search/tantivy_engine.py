"""The tantivy search engine: the same index and query language as Whoosh's, compiled.

Why tantivy: it is a Rust library that indexes an order of magnitude faster than Whoosh
(``benchmarks/search.py``), so a large library's build stays within its time budget.
It is an optional extra (``pip install 'postmortem-library[tantivy]'``), imported only
when ``search_engine: tantivy`` chooses it.

How it keeps the promises of :mod:`kb.search.whoosh_engine`:

- One writer at a time: tantivy holds a lock file while a writer is open; a second
  writer gets :meth:`SearchError.busy <kb.search.engine.SearchError.busy>`, not a traceback.
  The operating system releases the lock when a writer's process dies.
- Atomic updates: a commit writes new segment files, then replaces ``meta.json``; a
  process killed before that leaves the previous commit, which readers keep using.
- Incremental: each document stores its digest and the generation it was written in;
  :func:`kb.search.engine.plan` decides what an update rewrites.
- The same query language: tantivy's parser reads the query into a tree (words,
  "phrases", AND/OR/NOT, +/-, ``field:value``, ``^`` boosts) and :func:`_compile`
  turns the tree into a query over our fields, so that bare words are OR-ed, ``NOT``
  excludes, and ``word~N``, ``po*l`` and ``po?l`` work as in Whoosh. Where the two differ is
  listed in docs/searching.md.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Filter, Occur, Query, TextAnalyzerBuilder, Tokenizer
from whoosh.analysis import STOP_WORDS

from kb.format.model import Postmortem
from kb.search.engine import (
    KEYWORDS,
    PROSE,
    Hit,
    Progress,
    Results,
    SearchError,
    UpdateStats,
    correctable,
    document,
    plan,
    with_phrase,
)

# Bump when the schema or an analyzer changes: a new version is a new folder, built from scratch.
SCHEMA_VERSION = 1
SNIPPET_CHARS = 160  # longest snippet, about what Whoosh's fragmenter gives
MAX_EDITS = 2  # for "did you mean", as in Whoosh, and for ``word~N``, tantivy's limit

# tantivy stores only an analyzer's name in the schema, so ours are registered on every
# index this module opens, and queries are analyzed by these very objects.
# Prose: tantivy's en_stem (long tokens dropped, lower case, Snowball English stems) plus
# the stop words Whoosh's analyzer drops, so that both engines ignore the same words.
STEMMED = (
    TextAnalyzerBuilder(Tokenizer.simple())
    .filter(Filter.remove_long(40))
    .filter(Filter.lowercase())
    .filter(Filter.custom_stopword(sorted(STOP_WORDS)))
    .filter(Filter.stemmer("english"))
    .build()
)
# Whole words as written: the vocabulary "did you mean" picks its corrections from.
WORDS = TextAnalyzerBuilder(Tokenizer.simple()).filter(Filter.remove_long(40)).filter(Filter.lowercase()).build()
# Keyword fields hold comma-separated values (``kb.search.engine.document``): each value is one
# term, lower-cased, whatever hyphens or spaces it has.
VALUES = TextAnalyzerBuilder(Tokenizer.regex(r"[^,\s](?:[^,]*[^,\s])?")).filter(Filter.lowercase()).build()
ANALYZERS = {"kb-stemmed": STEMMED, "kb-words": WORDS, "kb-values": VALUES}

OCCUR = {"must": Occur.Must, "should": Occur.Should, "must_not": Occur.MustNot, None: Occur.Should}
FUZZY = re.compile(r"(?P<word>[^~]+)~(?P<edits>\d*)")  # ``pool~`` (one edit) or ``pool~2``
WILDCARD = re.compile(r"[^\W_]*(?:[*?][^\W_]*)+")  # ``pool*``, ``po?l``: letters, digits and wildcards


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("digest", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("generation", stored=True)
    builder.add_text_field("started", stored=True, tokenizer_name="raw", index_option="basic")
    # Every word of the title, summary and content, unstemmed: a word found here is not a
    # typo, and the nearest of these replaces one that is. Document counts only.
    builder.add_text_field("words", tokenizer_name="kb-words", index_option="basic")
    for name in PROSE:
        builder.add_text_field(name, stored=True, tokenizer_name="kb-stemmed")
    for name in KEYWORDS:
        builder.add_text_field(name, stored=True, tokenizer_name="kb-values", index_option="freq")
    return builder.build()


class TantivyEngine:
    """A :class:`kb.search.engine.SearchEngine` over a tantivy index folder (created when missing)."""

    def __init__(self, cache_dir: Path) -> None:
        self.directory = cache_dir / f"tantivy-v{SCHEMA_VERSION}"

    # --- writing ---------------------------------------------------------------------

    def _open(self, create: bool) -> tantivy.Index:
        try:
            if self.directory.is_dir() and tantivy.Index.exists(str(self.directory)):
                ix = tantivy.Index.open(str(self.directory))
            elif create:
                self.directory.mkdir(parents=True, exist_ok=True)
                ix = tantivy.Index(_schema(), path=str(self.directory))
            else:
                raise SearchError.missing(self.directory)
        except OSError as exc:
            raise SearchError(f"cannot use the search index in {self.directory}: {exc.strerror}") from None
        except ValueError as exc:  # how tantivy reports its own I/O and format errors
            raise SearchError(f"cannot use the search index in {self.directory}: {exc}") from None
        for name, analyzer in ANALYZERS.items():
            ix.register_tokenizer(name, analyzer)
        return ix

    def _stored(self, ix: tantivy.Index, name: str) -> dict[str, Any]:
        """``{id: value of the stored field name}`` for every live document."""
        searcher = ix.searcher()
        if not searcher.num_docs:
            return {}
        found = searcher.search(Query.all_query(), limit=searcher.num_docs, count=False)
        docs = (searcher.doc(address) for _, address in found.hits)
        return {doc.get_first("id"): doc.get_first(name) for doc in docs}

    def update(self, postmortems: Iterable[Postmortem], progress: Progress | None = None) -> UpdateStats:
        return self.update_documents([document(pm) for pm in postmortems], progress)

    def update_documents(self, documents: list[dict[str, str]], progress: Progress | None = None) -> UpdateStats:
        """The update itself, from :func:`kb.search.engine.document` records (picklable, for a worker)."""
        docs = {doc["id"]: doc for doc in documents}
        ix = self._open(create=True)
        stats = plan(self._stored(ix, "digest"), docs.values())
        if progress and stats.unchanged:
            progress(stats.unchanged)
        # Only the updated ones are in the index already: the added ones need no delete.
        written = [docs[pm_id] for pm_id in stats.added + stats.updated]
        self._write(ix, written, stats.updated + stats.removed, progress)
        return stats

    def write(
        self, documents: list[dict[str, str]], delete: Iterable[str] = (), progress: Progress | None = None
    ) -> None:
        self._write(self._open(create=True), documents, [*{doc["id"] for doc in documents}, *delete], progress)

    def _write(
        self, ix: tantivy.Index, documents: list[dict[str, str]], delete: list[str], progress: Progress | None
    ) -> None:
        """Delete the documents of ``delete`` (which must name each of ``documents`` that
        the index holds already: tantivy has no replace), then add ``documents``."""
        if not documents and not delete:
            return
        try:
            # One indexing thread: the build indexes in a worker beside the page rendering,
            # on the machine's other core; a second thread would only take turns with them.
            writer = ix.writer(num_threads=1)
        except ValueError as exc:
            if "LockBusy" in str(exc):  # tantivy tells a held lock from other errors only so
                raise SearchError.busy(self.directory) from None
            raise SearchError(f"cannot write the search index in {self.directory}: {exc}") from None
        # Larger than every generation written so far: each earlier update's documents
        # got at most the opstamp its commit ended with, which tantivy keeps in meta.json.
        generation = writer.commit_opstamp + 1
        try:
            for pm_id in delete:
                writer.delete_documents_by_term("id", pm_id)
            for doc in documents:
                words = [doc["title"], doc["summary"], doc["content"]]
                writer.add_document(tantivy.Document(**doc, generation=generation, words=words))
                if progress:
                    progress(1)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()  # and releases the lock

    def stamp(self) -> str | None:
        # meta.json lists the segments and the last commit's opstamp: each commit rewrites it.
        try:
            return hashlib.blake2b((self.directory / "meta.json").read_bytes(), digest_size=16).hexdigest()
        except FileNotFoundError:
            return None

    def generations(self) -> dict[str, int]:
        """In which index generation each document was last written (for tests and stats)."""
        return self._stored(self._open(create=False), "generation")

    # --- reading ---------------------------------------------------------------------

    def search(self, query: str, limit: int = 10, marks: tuple[str, str] = ("**", "**")) -> Results:
        if limit < 1:
            raise ValueError("limit must be >= 1")  # as Whoosh says; tantivy would panic
        ix = self._open(create=False)
        searcher = ix.searcher()
        # Only words the index has never seen are corrected, and those are almost always
        # typos: search for the corrected query and say so.
        suggestion = _suggestion(searcher, query)
        compiled = _compile(ix.schema, _tree(with_phrase(suggestion or query)))
        if compiled is None:
            compiled = Query.empty_query()
        found = searcher.search(compiled, limit=limit)
        snippets = []
        for name in PROSE:
            generator = tantivy.SnippetGenerator.create(searcher, compiled, ix.schema, name)
            generator.set_max_num_chars(SNIPPET_CHARS)
            snippets.append(generator)
        hits = []
        for score, address in found.hits:
            doc = searcher.doc(address)
            hits.append(
                Hit(
                    id=doc.get_first("id"),
                    title=doc.get_first("title"),
                    score=round(score, 4),
                    started=doc.get_first("started"),
                    severity=(doc.get_first("severity") or "").upper(),
                    type=doc.get_first("type"),
                    status=doc.get_first("status"),
                    snippet=_snippet(doc, snippets, marks),
                )
            )
        return Results(hits, found.count or 0, suggestion)


# --- queries -------------------------------------------------------------------------

# Query syntax tantivy's parser reads that no field of ours has a use for.
UNSUPPORTED = {"range": "ranges", "set": "IN [...] sets", "exists": "field:* queries"}


def _tree(query: str) -> dict[str, Any]:
    """tantivy's reading of a query, as forgiving as Whoosh's: never a syntax error."""
    if query.count('"') % 2:  # an unclosed quote quotes nothing, as in Whoosh
        at = query.rindex('"')
        query = query[:at] + query[at + 1 :]
    tree, _ = tantivy.parse_query_lenient(query)
    return tree


def _compile(schema: tantivy.Schema, node: dict[str, Any]) -> Query | None:
    """The query for one node of tantivy's query tree; None for one that matches nothing
    by itself (only stop words), which an AND or OR then leaves out, as Whoosh does."""
    kind = node["type"]
    if kind == "literal":
        return _literal(schema, node)
    if kind == "boost":
        underlying = _compile(schema, node["underlying"])
        return Query.boost_query(underlying, node["boost"]) if underlying is not None else None
    if kind == "all":
        return Query.all_query()
    if kind == "regex":  # ``/x/``, or what is left of ``http://host``: words, as in Whoosh
        words = {"field_name": node["field"], "phrase": node["pattern"], "delimiter": "none"}
        return _literal(schema, {**words, "slop": 0, "prefix": False})
    if kind == "bool":
        clauses = [
            (OCCUR[occur], compiled)
            for occur, sub in node["clauses"]
            if (compiled := _compile(schema, sub)) is not None
        ]
        if not clauses:
            return None
        # tantivy matches nothing with exclusions alone; ``NOT x`` means "all but x".
        if all(occur == Occur.MustNot for occur, _ in clauses):
            clauses.append((Occur.Must, Query.all_query()))
        return Query.boolean_query(clauses)
    raise SearchError(
        f"{UNSUPPORTED.get(kind, kind)} are not supported by the tantivy search engine: "
        'search for words, "phrases", AND/OR/NOT and field:value'
    )


def _literal(schema: tantivy.Schema, node: dict[str, Any]) -> Query | None:
    field, text = node["field_name"], node["phrase"]
    if field in KEYWORDS:
        values = [(Occur.Should, Query.term_query(schema, field, value)) for value in VALUES.analyze(text)]
        return Query.boolean_query(values) if values else None
    if field is not None and field not in PROSE:
        # ``10:30`` or ``http://host``: not a field, words with a colon in them.
        text, field = f"{field}:{text}", None
    if field:
        return _prose(schema, field, node, text)
    # A match anywhere counts, a match in the title most: one clause per prose field.
    clauses = [
        (Occur.Should, Query.boost_query(query, boost))
        for name, boost in PROSE.items()
        if (query := _prose(schema, name, node, text)) is not None
    ]
    return Query.boolean_query(clauses) if clauses else None


def _prose(schema: tantivy.Schema, field: str, node: dict[str, Any], text: str) -> Query | None:
    """A literal's query on one prose field."""
    bare = node["delimiter"] == "none"
    fuzzy = FUZZY.fullmatch(text) if bare else None
    if bare and WILDCARD.fullmatch(text):
        # As in Whoosh, ``*`` is any letters and ``?`` one, matched against the indexed words.
        pattern = "".join({"*": ".*", "?": "."}.get(char, re.escape(char)) for char in text.lower())
        return Query.regex_query(schema, field, pattern)
    if fuzzy and len(stem := STEMMED.analyze(fuzzy["word"])) == 1:
        edits = min(int(fuzzy["edits"] or 1), MAX_EDITS)
        return Query.fuzzy_term_query(schema, field, stem[0], distance=edits)
    # Positions, not just words: stop words leave gaps a phrase must keep.
    tokens = [(token.position, token.text) for token in STEMMED.pre_tokenize(text).tokens]
    if len(tokens) <= 1:
        return Query.term_query(schema, field, tokens[0][1]) if tokens else None
    if bare:
        # ``near-miss`` or ``reserved_qty``: one word to the parser, several to the
        # analyzer. Any of them may match, as in Whoosh; quotes make a phrase.
        return Query.boolean_query([(Occur.Should, Query.term_query(schema, field, word)) for _, word in tokens])
    if node["prefix"]:  # "a phrase"*
        return Query.phrase_prefix_query(schema, field, tokens)
    return Query.phrase_query(schema, field, tokens, slop=node["slop"])


# --- "did you mean" --------------------------------------------------------------------


def _literals(node: dict[str, Any]) -> Iterable[dict[str, Any]]:
    if node["type"] == "literal":
        yield node
    elif node["type"] == "bool":
        for _, sub in node["clauses"]:
            yield from _literals(sub)
    elif node["type"] == "boost":
        yield from _literals(node["underlying"])


def _suggestion(searcher: tantivy.Searcher, query: str) -> str | None:
    """The query with each unknown word replaced by the nearest known one, if any was.

    Like Whoosh's corrector: bare words are checked against every word of the library,
    ``field:value`` against that field's values; phrases, ``word*`` and ``word~`` are
    left as typed. Replacements are made in the query as typed, which keeps its layout.
    """
    corrected = query
    for node in _literals(_tree(query)):
        field, text = node["field_name"], node["phrase"]
        if node["delimiter"] != "none" or WILDCARD.fullmatch(text) or FUZZY.fullmatch(text):
            continue
        if field in KEYWORDS:
            values = VALUES.analyze(text)
            better = _nearest(searcher, field, values[0]) if len(values) == 1 else None
            if better:
                pattern = rf"(?<![\w-]){field}:{re.escape(text)}(?![^\s()])"
                corrected = _replace(pattern, f"{field}:{better}", corrected)
            continue
        for word in WORDS.analyze(text):
            better = _nearest(searcher, "words", word)
            if better:
                # Whole words only: ``reservd`` in ``reservd_qty``, not in ``unreservd``.
                pattern = rf"(?<![^\W_]){re.escape(word)}(?![^\W_])"
                corrected = _replace(pattern, better, corrected)
    return corrected if corrected != query else None


def _replace(pattern: str, new: str, text: str) -> str:
    return re.sub(pattern, lambda _: new, text, flags=re.IGNORECASE)  # ``new`` as is, backslashes too


def _nearest(searcher: tantivy.Searcher, field: str, word: str) -> str | None:
    """For a word ``field`` has never seen, the known one fewest edits away (the most
    frequent among equals), sharing its first letter as Whoosh's corrector requires.

    tantivy counts documents, not occurrences as Whoosh does, so equals are common: the
    more alike spelling goes first then ("pol" is "pool" rather than "pod").
    """
    if not word or not correctable(word) or searcher.doc_freq(field, word):
        return None
    candidates = []
    for known, frequency in searcher.terms_with_prefix(field, word[0]):
        edits = _edits(word, known, MAX_EDITS)
        if edits <= MAX_EDITS:
            alike = difflib.SequenceMatcher(None, word, known).ratio()
            candidates.append((edits, -frequency, -alike, known))
    return min(candidates)[-1] if candidates else None


def _edits(a: str, b: str, limit: int) -> int:
    """Insertions, deletions, substitutions and swaps of neighbours from ``a`` to ``b``
    (``buo`` to ``bou`` is one, as typos go); ``limit + 1`` as soon as it is more."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []  # the row two characters back, for swaps
    row = list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        previous, row = row, [i] + [0] * len(b)
        for j, other in enumerate(b, start=1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (char != other))
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                row[j] = min(row[j], before[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        before = previous
    return row[-1]


# --- snippets --------------------------------------------------------------------------


def _snippet(doc: tantivy.Document, generators: list[tantivy.SnippetGenerator], marks: tuple[str, str]) -> str:
    """The first prose field with a match, its matched words marked; else the summary."""
    for generator in generators:
        snippet = generator.snippet_from_doc(doc)
        if snippet.highlighted():
            return " ".join(_marked(snippet, marks).split())
    summary: str = doc.get_first("summary") or ""
    return summary[:200]


def _marked(snippet: tantivy.Snippet, marks: tuple[str, str]) -> str:
    text = snippet.fragment().encode()  # tantivy's ranges count UTF-8 bytes, not characters
    parts, end = [], 0
    for match in snippet.highlighted():
        parts += [text[end : match.start], marks[0].encode(), text[match.start : match.end], marks[1].encode()]
        end = match.end
    parts.append(text[end:])
    return b"".join(parts).decode()
