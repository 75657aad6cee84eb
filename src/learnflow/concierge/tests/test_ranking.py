"""The concierge's expertise ranking (pure functions) and the routing benchmark that replays a Q&A dump through it."""
from __future__ import annotations

import datetime as dt
import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

from learnflow.concierge.ranking import EvidenceKind, ExpertiseIndex

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.timezone.utc)
REPO = Path(__file__).resolve().parents[4]


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


@pytest.fixture
def index() -> ExpertiseIndex:
    """ann knows Kubernetes (recent, accepted), tim answers about Excel, eve about sales decks."""
    index = ExpertiseIndex()
    for day in (3, 10, 20):
        index.add_evidence("ann", kind=EvidenceKind.ACCEPTED_ANSWER, when=days_ago(day), tags=["kubernetes"],
                           text="Roll back a Kubernetes deployment with kubectl rollout undo")
    for day in (2, 5, 9, 15):
        index.add_evidence("tim", kind=EvidenceKind.ANSWER, when=days_ago(day), tags=["excel"],
                           text="Pivot tables and lookups in Excel")
    index.add_evidence("eve", kind=EvidenceKind.ANSWER, when=days_ago(4), tags=["sales"],
                       text="A sales deck that tells a story")
    return index


def ids(suggestions) -> list:
    return [s.person_id for s in suggestions]


def test_person_with_matching_recent_accepted_evidence_ranks_first(index):
    ranked = index.rank("kubectl rollout of a deployment failed", ["kubernetes"], now=NOW)
    assert ids(ranked)[0] == "ann"


def test_without_topical_evidence_the_most_recently_helpful_come_first(index):
    ranked = index.rank("something nobody wrote about", ["astronomy"], now=NOW)
    assert ids(ranked)[0] == "tim"


def test_old_expertise_counts_less_than_the_same_expertise_recently():
    index = ExpertiseIndex()
    for person, age in (("old", 900), ("fresh", 30)):
        index.add_evidence(person, kind=EvidenceKind.ANSWER, when=days_ago(age), tags=["terraform"])
        index.add_evidence(person, kind=EvidenceKind.ANSWER, when=days_ago(1), tags=["cooking"])
    ranked = index.rank("", ["terraform"], now=NOW)
    assert ids(ranked) == ["fresh", "old"]


def test_reasons_say_how_many_questions_on_the_tag_were_answered_and_accepted(index):
    best = index.rank("", ["kubernetes"], now=NOW, k=1)[0]
    assert "answered 3 questions tagged kubernetes in the last 6 months (3 accepted)" in best.reasons


def test_reasons_name_a_declared_skill():
    index = ExpertiseIndex()
    index.declare_skills("lena", ["Python", "facilitation"])
    best = index.rank("", ["python"], now=NOW, k=1)[0]
    assert (best.person_id, "declared skill: python" in best.reasons) == ("lena", True)


def test_lower_availability_lowers_the_score(index):
    free = index.scores("", ["excel"], now=NOW)["tim"]
    busy = index.scores("", ["excel"], now=NOW, availability=lambda person: 0.25 if person == "tim" else 1.0)["tim"]
    assert busy < free


def test_unavailable_person_is_never_suggested(index):
    ranked = index.rank("", ["kubernetes"], now=NOW, availability=lambda person: 0.0 if person == "ann" else 1.0)
    assert "ann" not in ids(ranked)


def test_opted_out_person_never_appears(index):
    ranked = index.rank("kubectl rollout", ["kubernetes"], now=NOW, exclude={"ann"}, k=10)
    assert "ann" not in ids(ranked)


def test_asker_is_never_suggested_to_themselves(index):
    ranked = index.rank("kubectl rollout", ["kubernetes"], now=NOW, asker="ann", k=10)
    assert "ann" not in ids(ranked)


def test_someone_who_only_asked_questions_is_not_suggested():
    index = ExpertiseIndex()
    index.add_evidence("sam", kind=EvidenceKind.QUESTION, when=days_ago(1), tags=["budget"])
    index.add_evidence("boss", kind=EvidenceKind.ANSWER, when=days_ago(1), tags=["budget"])
    assert ids(index.rank("", ["budget"], now=NOW)) == ["boss"]


# --- bench/routing.py --------------------------------------------------------------------------------------------

def load_routing():
    spec = importlib.util.spec_from_file_location("routing_bench", REPO / "bench" / "routing.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)     # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def write_dump(folder: Path) -> None:
    """Two experts (10: python, 20: cooking) answer in turn; asker 30 asks; later questions test the routing."""
    rows = []
    post_id = 0

    def post(**attrs) -> int:
        nonlocal post_id
        post_id += 1
        rows.append("<row " + " ".join(f'{k}="{v}"' for k, v in {"Id": post_id, **attrs}.items()) + " />")
        return post_id

    for day in range(1, 9):
        topic, expert = (("python", 10), ("cooking", 20))[day % 2]
        tags = f"&lt;{topic}&gt;" if day < 5 else f"|{topic}|"          # both dump formats
        question = post(PostTypeId=1, CreationDate=f"2020-01-0{day}T10:00:00.000", OwnerUserId=30, Score=1,
                        Title=f"A {topic} question", Body=f"&lt;p&gt;How about {topic}?&lt;/p&gt;", Tags=tags)
        post(PostTypeId=2, ParentId=question, CreationDate=f"2020-01-0{day}T11:00:00.000", OwnerUserId=expert,
             Score=2, Body=f"Use {topic} like this")
        post(PostTypeId=2, ParentId=question, CreationDate=f"2020-01-0{day}T12:00:00.000", OwnerUserId=30,
             Score=0, Body="Answering my own question")
    (folder / "Posts.xml").write_text('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n' + "\n".join(rows)
                                      + "\n</posts>\n", encoding="utf-8")


def test_routing_bench_prints_one_json_object_with_all_three_rows(tmp_path, capsys):
    write_dump(tmp_path)
    load_routing().main([str(tmp_path), "--quiet"])
    result = json.loads(capsys.readouterr().out)
    shape = {name: sorted(result[name]) for name in ("method", "random", "most_active")}
    assert (result["questions"], shape) == (8, {name: ["hit_at_1", "hit_at_10", "hit_at_5", "mrr"]
                                                for name in ("method", "random", "most_active")})


def test_routing_bench_routes_topics_to_their_expert_better_than_the_busiest(tmp_path, capsys):
    write_dump(tmp_path)
    result = load_routing().main([str(tmp_path), "--quiet"])
    # topics alternate, so whoever answered last (the busiest, on ties) is always the wrong expert
    assert (result["answerable"], result["most_active"]["hit_at_1"], result["method"]["hit_at_1"] > 0.5) == (6, 0, True)


def test_rank_picks_the_same_people_as_scoring_everyone():
    import random

    rng = random.Random(4)
    index = ExpertiseIndex()
    tags = ["python", "excel", "sales", "kubernetes", "budget"]
    for i in range(400):
        person = rng.randrange(60)
        kind = rng.choice([EvidenceKind.ANSWER, EvidenceKind.ACCEPTED_ANSWER, EvidenceKind.REPLY, EvidenceKind.ENTRY])
        index.add_evidence(person, kind=kind, when=days_ago(rng.uniform(0, 400)), tags=[rng.choice(tags)],
                           text=rng.choice(["pivot tables", "a rollout", "the deck", "a forecast"]))
    busy = lambda person: 0.0 if person % 7 == 0 else (0.5 if person % 3 == 0 else 1.0)  # noqa: E731
    for query in (("pivot", ["excel"]), ("", ["astronomy"]), ("rollout deck", ["sales", "python"])):
        full = index.scores(*query, now=NOW, availability=busy, asker=5)
        expected = sorted(full, key=lambda p: (full[p], str(p)), reverse=True)[:8]
        assert ids(index.rank(*query, now=NOW, availability=busy, asker=5, k=8)) == expected


def test_rank_stays_exact_with_the_shortlist_of_the_most_active_as_time_passes_and_help_arrives(monkeypatch):
    import random

    monkeypatch.setattr(ExpertiseIndex, "_LEADERS", 6)
    rng = random.Random(9)
    index = ExpertiseIndex()
    for i in range(300):
        index.add_evidence(rng.randrange(80), kind=EvidenceKind.ANSWER, when=days_ago(rng.uniform(1, 200)),
                           tags=[rng.choice(["python", "excel", "sales"])])
    busy = {p: 0.3 for p in range(0, 80, 4)}
    for step in range(40):
        now = NOW + dt.timedelta(hours=step * 5)
        if step % 3 == 0:
            index.add_evidence(rng.randrange(80), kind=EvidenceKind.REPLY, when=now - dt.timedelta(minutes=5))
        full = index.scores("", ["astronomy"], now=now, availability=busy)
        expected = sorted(full, key=lambda p: (full[p], str(p)), reverse=True)[:4]
        assert ids(index.rank("", ["astronomy"], now=now, availability=busy, k=4)) == expected


def test_routing_bench_reports_the_later_half_apart_with_a_paired_comparison(tmp_path, capsys):
    write_dump(tmp_path)
    result = load_routing().main([str(tmp_path), "--quiet"])
    later, versus = result["later_half"], result["later_half"]["method_vs_most_active"]
    assert (result["first_half"]["questions"], later["questions"], sorted(later["method"]),
            versus["better"] + versus["worse"] + versus["same"]) == (4, 4, ["hit_at_1", "hit_at_10", "hit_at_5", "mrr"],
                                                                     4)
    # the busiest is always the wrong expert here, so the method can only be better or the same
    assert (versus["worse"], versus["mrr_difference"] > 0, versus["mrr_difference_95ci"][0] >= 0) == (0, True, True)


def test_wilcoxon_signed_rank_matches_the_textbook_example():
    # Ranks 1..10, two negative: W+ = 55 − (3 + 7) = 45 against 27.5 expected; normal approximation with continuity
    # correction (what scipy.stats.wilcoxon(..., correction=True, method="approx") gives: 0.0831)
    wilcoxon = load_routing().wilcoxon_signed_rank
    differences = [1, 2, -3, 4, 5, 6, -7, 8, 9, 10]
    z = (abs(45 - 27.5) - 0.5) / (10 * 11 * 21 / 24) ** 0.5
    assert wilcoxon(differences) == round(math.erfc(z / math.sqrt(2)), 4) == 0.0831
    assert (wilcoxon([0, 0, 0]), wilcoxon([1.0] * 30) < 0.001, wilcoxon([1, -1] * 15)) == (1.0, True, 1.0)


def test_routing_tuning_looks_at_the_first_half_only(tmp_path, capsys):
    write_dump(tmp_path)
    result = load_routing().main([str(tmp_path), "--quiet", "--tune"])
    assert (result["part"], len(result["variants"]) > 10, "later_half" in result) == ([0.0, 0.5], True, False)
