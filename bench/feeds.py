"""Ingesting local feed files (issue 5): 500 files through `feed_ingest`, the path fetched feeds take.

    .venv/bin/python bench/feeds.py                    # 500 generated feeds (RSS 2.0, Atom, JSON Feed; 25 items each)
    .venv/bin/python bench/feeds.py --corpus           # 500 documents of feedparser's test corpus (../shared/data)
    .venv/bin/python bench/feeds.py --files 2000 --items 50
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_feeds .venv/bin/python bench/feeds.py

Generated feeds look like real ones: 25 items with titles, links carrying utm_* parameters, HTML summaries of about
1 KB (with markup the sanitiser has to remove), dates and authors; a fifth of the items repeat links seen in other
feeds (the same article from two sources) so deduplication is exercised. Files are written first; the timing covers
reading each file and `feed_ingest` (parse, normalise, sanitise, deduplicate, insert). Target: 500 files ≤ 30 s.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, data_dir_for, percentiles  # noqa: E402

WORDS = ("secure coding review threat model accessibility design system data literacy onboarding feedback "
         "coaching pairing testing refactoring observability incident retrospective mentoring facilitation "
         "leadership delegation python sql kubernetes privacy compliance writing negotiation").split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def _item(rng: random.Random, link_no: int) -> dict:
    return {
        "title": _sentence(rng, rng.randint(4, 10)),
        "link": f"https://site{link_no % 97}.example/articles/{link_no}/?utm_source=rss&utm_medium=feed",
        "summary": "".join(f"<p>{_sentence(rng, 25)} <a href='/x/{link_no}' onclick='t()'>more</a></p>"
                           f"<script>track({link_no})</script>" for _ in range(4)),
        "date": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z",
        "author": rng.choice(["Ada Lovelace", "Grace Hopper", "Alan Kay", "Barbara Liskov"]),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def generate(folder: Path, files: int, items: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    paths, next_link = [], 0
    for n in range(files):
        entries = []
        for _ in range(items):
            if next_link > 100 and rng.random() < 0.2:
                entries.append(_item(rng, rng.randrange(next_link)))  # an article another feed carried too
            else:
                entries.append(_item(rng, next_link))
                next_link += 1
        kind = ("rss", "atom", "json")[n % 3]
        if kind == "rss":
            body = "".join(f"<item><title>{_escape(e['title'])}</title><link>{_escape(e['link'])}</link>"
                           f"<description>{_escape(e['summary'])}</description><pubDate>{e['date']}</pubDate>"
                           f"<author>{e['author']}</author><guid>{_escape(e['link'])}</guid></item>" for e in entries)
            doc = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {n}</title>'
                   f"<link>https://site{n}.example/</link>{body}</channel></rss>")
        elif kind == "atom":
            body = "".join(f"<entry><title>{_escape(e['title'])}</title>"
                           f"<link rel='alternate' href='{_escape(e['link'])}'/>"
                           f"<id>{_escape(e['link'])}</id><updated>{e['date']}</updated><author><name>{e['author']}"
                           f"</name></author><summary type='html'>{_escape(e['summary'])}</summary></entry>"
                           for e in entries)
            doc = (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                   f"<title>Feed {n}</title><id>urn:feed:{n}</id>{body}</feed>")
        else:
            doc = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": f"Feed {n}", "items": [
                {"id": e["link"], "url": e["link"], "title": e["title"], "content_html": e["summary"],
                 "date_published": e["date"], "authors": [{"name": e["author"]}]} for e in entries]})
        path = folder / f"feed-{n:05d}.{'json' if kind == 'json' else 'xml'}"
        path.write_text(doc, encoding="utf-8")
        paths.append(path)
    return paths


def corpus_files(files: int) -> list[Path]:
    root = REPO.parent / "shared" / "data" / "feedparser_tests" / "tests"
    if not root.is_dir():
        sys.exit(f"No feed corpus at {root}.")
    found = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".xml", ".json"))
    return [found[i % len(found)] for i in range(files)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--items", type=int, default=25, help="items per generated feed")
    parser.add_argument("--corpus", action="store_true", help="feedparser's test documents instead of generated feeds")
    parser.add_argument("--topics", type=int, default=5)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--db", help="data folder (default: a fresh one under $TMPDIR, removed afterwards)")
    args = parser.parse_args()

    data_dir = data_dir_for(args.db, f"learnflow-bench-feeds-{os.getpid()}")
    if not args.db and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["LEARNFLOW_DATA_DIR"] = str(data_dir)
    sys.path.insert(0, str(REPO / "src"))
    import learnflow.settings as project_settings

    # Until curation is in the project's INSTALLED_APPS, its test settings add it.
    default = "learnflow.settings" if "learnflow.curation" in project_settings.INSTALLED_APPS \
        else "learnflow.curation.tests.settings"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    from learnflow.curation.models import InboxItem
    from learnflow.curation.services import feed_ingest, topic_get_or_create

    topics = [topic_get_or_create(name=f"Bench topic {i}")[0] for i in range(args.topics)]
    with tempfile.TemporaryDirectory(prefix="learnflow-feeds-") as tmp:
        paths = corpus_files(args.files) if args.corpus else generate(Path(tmp), args.files, args.items, args.seed)
        size = sum(p.stat().st_size for p in paths)
        samples, taken, dupes, errors = [], 0, 0, 0
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        for n, path in enumerate(paths):
            start = time.perf_counter()
            result = feed_ingest(topic=topics[n % len(topics)], data=path.read_bytes())
            samples.append((time.perf_counter() - start) * 1000)
            taken, dupes, errors = taken + result.items_taken, dupes + result.duplicates, errors + bool(result.error)
        wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
    stats = percentiles(samples)
    print(f"feeds: {len(paths)} files ({'feedparser corpus' if args.corpus else f'generated, {args.items} items each'}"
          f", {size / 1024 / 1024:.1f} MB) on {connection.vendor}")
    print(f"total {wall:.2f} s wall, {cpu:.2f} s CPU   per file p50 {stats['p50']:.1f} ms  p95 {stats['p95']:.1f} ms  "
          f"max {stats['max']:.1f} ms")
    print(f"items taken {taken}, duplicates {dupes}, files with an error {errors}, "
          f"inbox rows {InboxItem.objects.count()}   target: 500 files ≤ 30 s")
    if not args.db:
        connection.close()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
