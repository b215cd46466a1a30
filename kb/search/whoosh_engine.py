"""The Whoosh search engine: an on-disk index kept in step with the library.

Why Whoosh: pure Python (nothing to compile or download), a real query language
(phrases, AND/OR/NOT, ``field:value``, fuzzy terms), stemming, spelling correction and
more-like-this, and an index that lives in a folder we control.

Safety properties the rest of the project relies on:

- One writer at a time: Whoosh holds a lock file while writing; a second writer gets a
  :class:`~kb.search.engine.SearchError` saying so, not a traceback.
- Atomic updates: a commit writes new segment files, then renames a new table of
  contents into place. A process killed before that rename leaves the previous
  generation, which readers keep using.
- Incremental: each document stores a digest of its indexed content, so an update
  rewrites only the postmortems whose content changed, and records in which index
  generation each document was written.
- Compact: three prose fields (title, summary, everything else) analyzed once each,
  plus a short unstemmed field for spelling, so a word is tokenized and stemmed about
  once: indexing is the slowest thing Whoosh does, in pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from whoosh import highlight, index, query, spelling
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser, OrGroup, QueryParser
from whoosh.searching import Searcher

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

# Bump when the schema changes: a new version is a new folder, built from scratch.
SCHEMA_VERSION = 2
SPELLING_LIMIT = 2_000  # characters of the content that feed "did you mean", after title and summary


def _schema() -> Schema:
    stem = StemmingAnalyzer()
    fields: dict[str, object] = {
        "id": ID(stored=True, unique=True),
        "digest": ID(stored=True),
        "generation": NUMERIC(stored=True),
        "started": STORED(),
        # Unstemmed words for "did you mean": the title, the summary and the start of the
        # content (trigger, causes, lessons), not whole bodies, to keep indexing fast.
        "exact": TEXT(analyzer=StandardAnalyzer()),
    }
    fields |= {name: TEXT(analyzer=stem, stored=True) for name in PROSE}
    fields |= {name: KEYWORD(lowercase=True, commas=True, scorable=True, stored=True) for name in KEYWORDS}
    return Schema(**fields)


class WhooshEngine:
    """A :class:`kb.search.engine.SearchEngine` over an index folder (created when missing)."""

    def __init__(self, cache_dir: Path) -> None:
        self.directory = cache_dir / f"whoosh-v{SCHEMA_VERSION}"

    # --- writing ---------------------------------------------------------------------

    def _open(self, create: bool) -> index.Index:
        try:
            if index.exists_in(self.directory):
                return index.open_dir(self.directory)
            if not create:
                raise SearchError.missing(self.directory)
            self.directory.mkdir(parents=True, exist_ok=True)
            return index.create_in(self.directory, _schema())
        except OSError as exc:
            raise SearchError(f"cannot use the search index in {self.directory}: {exc.strerror}") from None

    def update(self, postmortems: Iterable[Postmortem], progress: Progress | None = None) -> UpdateStats:
        return self.update_documents([document(pm) for pm in postmortems], progress)

    def _indexed(self, ix: index.Index) -> dict[str, str]:
        with ix.searcher() as searcher:
            return {f["id"]: f["digest"] for f in searcher.all_stored_fields()}

    def update_documents(self, documents: list[dict[str, str]], progress: Progress | None = None) -> UpdateStats:
        """The update itself, from :func:`kb.search.engine.document` records (picklable, for a worker)."""
        docs = {doc["id"]: doc for doc in documents}
        ix = self._open(create=True)
        stats = plan(self._indexed(ix), documents)
        if progress and stats.unchanged:
            progress(stats.unchanged)
        self._write(ix, [docs[pm_id] for pm_id in [*stats.added, *stats.updated]], stats.removed, progress)
        return stats

    def write(
        self, documents: list[dict[str, str]], delete: Iterable[str] = (), progress: Progress | None = None
    ) -> None:
        self._write(self._open(create=True), documents, list(delete), progress)

    def _write(
        self, ix: index.Index, documents: list[dict[str, str]], delete: list[str], progress: Progress | None
    ) -> None:
        if not documents and not delete:
            return
        try:
            writer = ix.writer(limitmb=256)
        except LockError:
            raise SearchError.busy(self.directory) from None
        generation = ix.latest_generation() + 1
        try:
            for pm_id in delete:
                writer.delete_by_term("id", pm_id)
            for doc in documents:
                exact = f"{doc['title']}\n{doc['summary']}\n{doc['content'][:SPELLING_LIMIT]}"
                writer.update_document(**doc, generation=generation, exact=exact)
                if progress:
                    progress(1)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise

    def stamp(self) -> str | None:
        # The table of contents' generation: each commit writes the next one.
        return str(index.open_dir(self.directory).latest_generation()) if index.exists_in(self.directory) else None

    def generations(self) -> dict[str, int]:
        """In which index generation each document was last written (for tests and stats)."""
        with self._open(create=False).searcher() as searcher:
            return {f["id"]: f["generation"] for f in searcher.all_stored_fields()}

    # --- reading ---------------------------------------------------------------------

    def _parser(self, ix: index.Index) -> MultifieldParser:
        # Any word may match (OR), but documents matching more of them rank higher.
        parser = MultifieldParser(list(PROSE), ix.schema, fieldboosts=PROSE, group=OrGroup.factory(0.9))
        parser.add_plugin(FuzzyTermPlugin())
        return parser

    def search(self, query: str, limit: int = 10, marks: tuple[str, str] = ("**", "**")) -> Results:
        ix = self._open(create=False)
        parser = self._parser(ix)
        with ix.searcher() as searcher:
            # The corrector only rewrites words the index has never seen, which are
            # almost always typos: search for the corrected query and say so.
            suggestion = self._suggestion(searcher, ix, query)
            hits = searcher.search(_nots_exclude(parser.parse(with_phrase(suggestion or query))), limit=limit)
            hits.formatter = _Marks(*marks)
            hits.fragmenter = highlight.ContextFragmenter(maxchars=160, surround=60)
            found = [
                Hit(
                    id=hit["id"],
                    title=hit["title"],
                    score=round(hit.score, 4),
                    started=hit["started"],
                    severity=hit["severity"].upper(),
                    type=hit["type"],
                    status=hit["status"],
                    snippet=_snippet(hit),
                )
                for hit in hits
            ]
            return Results(found, len(hits), suggestion)

    def _suggestion(self, searcher: Searcher, ix: index.Index, query: str) -> str | None:
        """A better-spelled query from the unstemmed lexicon, when a word is unknown."""
        parsed = QueryParser("exact", ix.schema).parse(query)
        reader = searcher.reader()
        correctors = {name: _NearestFirst(reader, name) for name in ("exact", *KEYWORDS)}
        try:
            corrected = searcher.correct_query(parsed, query, correctors=correctors, prefix=1)
        except (AttributeError, TypeError):
            # Whoosh's corrector fails on some query nodes (ranges such as
            # ``year:[2020 TO 2022]``, words under an unknown field): no suggestion then.
            return None
        return corrected.string if corrected.query != parsed else None


def _nots_exclude(q: query.Query) -> query.Query:
    """``retry NOT payments`` must exclude payments, not match "retry OR anything else".

    With OR as the default grouping, Whoosh reads a ``NOT`` clause as one more optional
    alternative; rewrite each such group as (the other clauses) AND NOT (the negated ones).
    """
    if not q.is_leaf():
        q = q.apply(_nots_exclude)
    if isinstance(q, query.Or):
        negated = [sub.query for sub in q.subqueries if isinstance(sub, query.Not)]
        kept = [sub for sub in q.subqueries if not isinstance(sub, query.Not)]
        if negated and kept:
            return query.AndNot(query.Or(kept, scale=q.scale), query.Or(negated))
    return q


class _NearestFirst(spelling.Corrector):
    """Suggests the closest known words first, the most frequent among equals.

    Whoosh's own reader corrector ranks every word within the maximum distance by
    frequency alone, so "pol" became "no" rather than "pool".
    """

    def __init__(self, reader: object, fieldname: str) -> None:
        self.reader, self.fieldname = reader, fieldname

    def _suggestions(self, text: str, maxdist: int, prefix: int) -> Iterator[tuple[float, str]]:
        if not correctable(text):
            return
        seen: set[str] = set()
        for distance in range(1, maxdist + 1):
            for word in self.reader.terms_within(self.fieldname, text, distance, prefix=prefix):
                if word not in seen:
                    seen.add(word)
                    frequency = self.reader.frequency(self.fieldname, word) or 1
                    yield -(distance + 0.5 / frequency), word


class _Marks(highlight.Formatter):
    """Wraps matched terms in two strings, e.g. ``**`` for text or ANSI bold for a terminal."""

    def __init__(self, before: str, after: str) -> None:
        self.before, self.after = before, after

    def format_token(self, text: str, token: object, replace: bool = False) -> str:
        return f"{self.before}{highlight.get_text(text, token, replace)}{self.after}"


def _snippet(hit: object) -> str:
    for name in PROSE:
        text = hit.highlights(name, top=1)  # type: ignore[attr-defined]
        if text:
            return " ".join(text.split())
    summary: str = hit.get("summary") or ""  # type: ignore[attr-defined]
    return summary[:200]
