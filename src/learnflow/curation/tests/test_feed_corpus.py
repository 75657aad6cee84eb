"""feedparser's own corpus of test feeds (over 2,000 documents, ../shared/data/feedparser_tests) through the
ingestion path every fetched feed takes (services.feed_ingest): none breaks it, every document's Expect line holds
for the result that path produced, and the normalised items agree with it."""
from __future__ import annotations

import pytest

from learnflow.curation.feeds import canonical_link, entry_link
from learnflow.curation.services import feed_ingest
from learnflow.curation.tests import corpus

pytestmark = pytest.mark.skipif(not corpus.CORPUS_DIR.is_dir(), reason=f"no feed corpus at {corpus.CORPUS_DIR}")


def _inconsistencies(case, result) -> list[str]:
    """Every entry with a web link became exactly one item with that link and its title; nothing else did."""
    problems = []
    parsed = result.parsed
    entries = (parsed.result or {}).get("entries", [])[:500]
    expected = [(entry_link(e), e) for e in entries]
    expected = [(link, e) for link, e in expected if canonical_link(link)]
    if len(parsed.items) != len(expected):
        problems.append(f"{len(expected)} linked entries but {len(parsed.items)} items")
    for item, (link, entry) in zip(parsed.items, expected):
        if item.link != link:
            problems.append(f"item link {item.link!r} != entry link {link!r}")
        if entry.get("title") and not item.title:
            problems.append(f"entry titled {entry.get('title')!r} lost its title")
    return problems


def test_every_corpus_feed_is_ingested_and_meets_feedparser_expectations(db, topic, capsys):
    files = corpus.corpus_files()
    assert len(files) > 2000
    raised, unmet, inconsistent, skipped, held = [], [], [], [], 0
    for path in files:
        case = corpus.corpus_case(path)
        try:
            result = feed_ingest(topic=topic, data=case.data, headers=case.headers, url=case.url)
        except Exception as exc:  # noqa: BLE001 - the assertion below names every one
            raised.append(f"{case.relative}: {type(exc).__name__}: {exc}")
            continue
        problems = _inconsistencies(case, result)
        if problems:
            inconsistent.append(f"{case.relative}: {'; '.join(problems)}")
        if corpus.skipped_by_harness(case):
            skipped.append(case.relative)
            continue
        try:
            ok = corpus.expectation_holds(case.expect, result.parsed.result)
        except Exception as exc:  # noqa: BLE001
            ok = False
            case.expect += f"  [{type(exc).__name__}: {exc}]"
        if ok:
            held += 1
        else:
            unmet.append(f"{case.relative}: {case.expect}")
    with capsys.disabled():
        print(f"\nfeed corpus: {len(files)} documents ingested, {len(raised)} raised; "
              f"{held} expectations held, {len(unmet)} unmet, {len(skipped)} skipped (SkipUnless); "
              f"{len(inconsistent)} with items inconsistent with the parse")
    assert raised == []
    assert unmet == []
    assert inconsistent == []
    assert held == len(files) - len(skipped)
