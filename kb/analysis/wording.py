"""Similar wording between postmortems: more-like-this over in-memory dictionaries.

This is the more-like-this algorithm (each document's key terms by tf-idf, then the
documents that share the most weight of them), run once for the whole library instead
of as one search per postmortem, which would cost one index query per postmortem on
every build (``benchmarks/`` has the figures).

Compared text: title, summary, trigger, cause details and lessons, where a writer says
what the incident was about. A term shared by more than ``MAX_SHARED`` postmortems
("database", "latency") says little about any two of them and is not a key term, which
also bounds the work per postmortem.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import cache

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem

from kb.format.model import Postmortem

KEY_TERMS = 10  # per postmortem
MAX_SHARED = 50  # a term in more postmortems than this is too common to be a key term
_WORD = re.compile(r"[a-z][a-z0-9_]{2,}")


@cache
def _term(word: str) -> str:
    """A word's stem, or "" for a stop word (cached: a library uses its words many times)."""
    return "" if word in STOP_WORDS else stem(word)


def terms(pm: Postmortem) -> Counter[str]:
    """Stemmed words of the compared fields, without stop words."""
    text = " ".join(
        [pm.title, pm.summary or "", pm.trigger or "", *(c.detail or "" for c in pm.causes), *pm.lessons]
    ).lower()
    counts = Counter(map(_term, _WORD.findall(text)))  # all in C but the first stemming of each word
    del counts[""]
    return counts


def similar_wording(postmortems: list[Postmortem], limit: int) -> dict[str, list[tuple[str, float]]]:
    """For each postmortem, up to ``limit`` others by shared key-term weight, best first."""
    counts = {pm.slug: terms(pm) for pm in postmortems}
    frequency: Counter[str] = Counter(t for c in counts.values() for t in c)
    total = len(postmortems)
    posting: dict[str, list[tuple[str, float]]] = defaultdict(list)
    keys: dict[str, list[tuple[str, float]]] = {}
    for pm_id, tf in counts.items():
        weighted = [
            (term, n * math.log(1 + total / frequency[term]))
            for term, n in tf.items()
            if 1 < frequency[term] <= MAX_SHARED
        ]
        keys[pm_id] = sorted(weighted, key=lambda tw: (-tw[1], tw[0]))[:KEY_TERMS]
        for term, weight in keys[pm_id]:
            posting[term].append((pm_id, weight))
    result = {}
    for pm_id, key_terms in keys.items():
        scores: Counter[str] = Counter()
        for term, weight in key_terms:
            for other, other_weight in posting[term]:
                if other != pm_id:
                    scores[other] += weight * other_weight
        result[pm_id] = sorted(scores.items(), key=lambda s: (-s[1], s[0]))[:limit]
    return result
