from __future__ import annotations

from learnflow.curation.cli import feeds_ingest_cli
from learnflow.curation.models import InboxItem, Topic
from learnflow.curation.tests.conftest import rss


def test_cli_ingests_files_and_prints_per_file_counts(db, tmp_path, capsys):
    good = tmp_path / "good.xml"
    good.write_bytes(rss(("One", "https://example.org/1"), ("Two", "https://example.org/2")))
    failed = feeds_ingest_cli(topic="Security", files=[good, good])
    out = capsys.readouterr().out
    assert failed == 0
    assert f"{good}: 2 taken, 0 duplicates" in out and f"{good}: 0 taken, 2 duplicates" in out
    assert InboxItem.objects.filter(topic=Topic.objects.get(name="Security")).count() == 2


def test_cli_reports_a_broken_or_missing_file_and_goes_on(db, tmp_path, capsys):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<html>not a feed</html>")
    good = tmp_path / "good.xml"
    good.write_bytes(rss(("One", "https://example.org/1")))
    failed = feeds_ingest_cli(topic="Security", files=[broken, tmp_path / "missing.xml", good])
    captured = capsys.readouterr()
    assert failed == 2
    assert "broken.xml: 0 taken, 0 duplicates; error:" in captured.err and "missing.xml: error" in captured.err
    assert f"{good}: 1 taken" in captured.out
