"""Routing quality (issue 6): would the concierge have suggested the people who actually answered?

    python bench/routing.py DATA_DIR            # any Stack Exchange dump folder (Posts.xml, Users.xml, Tags.xml …)
    python bench/routing.py DATA_DIR --quiet    # only the JSON object on stdout

Replays the dump's questions and answers in time order. For each question with at least one answer by someone other
than the asker, the people who had answered anything before it (the candidates; the asker excluded) are ranked with
only what had happened before the question, by the concierge's own scoring (learnflow.concierge.ranking), and by two
baselines:

- random: a uniformly random order of the candidates active (asked or answered) in the 30 days before the question;
  its hit@k and MRR are the exact expectations over all such orders (no seed, no sampling noise);
- most_active: candidates by their number of answers before the question (ties: the most recent answerer first).

hit@k: a person who answered is in the top k. MRR: 1 / rank of the best-placed answerer (0 if none is ranked).
Figures are over all answered questions (answerers who were not yet candidates count as misses) and, under
"answerable", over the questions where at least one answerer was a candidate.

Comments (Comments.xml, when present; --no-comments to leave them out) go in as replies: they show who is around.
Answers go into the index at their own creation time, so a question is ranked with exactly the answers (and
questions) posted before it. An answer's weight uses its final outcome (accepted, score), which the dump only has as
of its publication date: that outcome was known later than the answer itself, so there is a small look-ahead.

Tuning protocol. The answered questions are split in time order into a first half (tuning) and a later half (held
out). `--tune` scores one knob at a time around the ranking's defaults (TUNING_GRID: lift exponent, activity and
expertise half-lives, smoothing β, size pseudocount κ, tag/word/asker weights, accepted-answer and reply weights) on
the first half only, and marks a variant for adoption only if its paired MRR gain over the defaults has a 95%
bootstrap interval above zero. None does on this dump, so the defaults stay; the output's "later_half" block is the
figure never tuned on. (The defaults themselves date from an earlier round that tuned on the first 60%, i.e. also on
the first fifth of the later half; re-checked on the first half alone, no variant differs by more than noise.)
--part A:B scores only the questions from fraction A to fraction B (the replay itself always runs from the start).

Prints one JSON object on stdout: the required figures over all questions, the answerable subset, "first_half" and
"later_half" (each with its own figures), and paired comparisons of method against most_active (and random) over the
same questions by reciprocal rank: better/worse/same counts, the mean MRR difference with a 95% bootstrap interval,
an exact sign test and a Wilcoxon signed-rank test. A table goes to stderr.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import random
import re
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from learnflow.concierge.ranking import EvidenceKind, ExpertiseIndex, Parameters  # noqa: E402

KS = (1, 5, 10)
ACTIVE_DAYS = 30.0


@dataclass
class Question:
    id: int
    when: float
    owner: int | None
    title: str
    body: str
    tags: list[str]
    accepted_answer: int | None
    answers: list["Answer"] = field(default_factory=list)


@dataclass
class Answer:
    id: int
    when: float
    owner: int | None
    parent: int
    score: int
    body: str


def _stamp(value: str) -> float:
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.timestamp()


def _tags(value: str | None) -> list[str]:
    if not value:
        return []
    if "<" in value:
        return re.findall(r"<([^<>]+)>", value)
    return [t for t in value.split("|") if t]       # newer dumps: |a|b|


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def read_posts(data_dir: Path) -> tuple[dict[int, Question], list[Answer]]:
    """Questions and answers from Posts.xml, streamed (the big dumps do not fit in memory as a tree)."""
    questions: dict[int, Question] = {}
    answers: list[Answer] = []
    for _event, element in ET.iterparse(data_dir / "Posts.xml", events=("end",)):
        if element.tag != "row":
            continue
        row = element.attrib
        kind = row.get("PostTypeId")
        owner = _int(row.get("OwnerUserId"))
        if owner is not None and owner < 0:          # -1: the Community user
            owner = None
        if kind == "1":
            questions[int(row["Id"])] = Question(
                id=int(row["Id"]), when=_stamp(row["CreationDate"]), owner=owner, title=row.get("Title", ""),
                body=row.get("Body", ""), tags=_tags(row.get("Tags")),
                accepted_answer=_int(row.get("AcceptedAnswerId")))
        elif kind == "2" and row.get("ParentId"):
            answers.append(Answer(id=int(row["Id"]), when=_stamp(row["CreationDate"]), owner=owner,
                                  parent=int(row["ParentId"]), score=_int(row.get("Score")) or 0,
                                  body=row.get("Body", "")))
        element.clear()
    for answer in answers:
        if answer.parent in questions:
            questions[answer.parent].answers.append(answer)
    return questions, [a for a in answers if a.parent in questions]


@dataclass
class Comment:
    when: float
    owner: int
    post: int
    text: str


def read_comments(data_dir: Path) -> list[Comment]:
    """Comments.xml, if the dump has it: taking part in discussions shows who is around (and about what)."""
    path = data_dir / "Comments.xml"
    if not path.exists():
        return []
    comments = []
    for _event, element in ET.iterparse(path, events=("end",)):
        if element.tag == "row":
            row = element.attrib
            owner = _int(row.get("UserId"))
            if owner is not None and owner >= 0 and row.get("PostId") and row.get("CreationDate"):
                comments.append(Comment(when=_stamp(row["CreationDate"]), owner=owner, post=int(row["PostId"]),
                                        text=row.get("Text", "")))
        element.clear()
    return comments


def answer_weight(answer: Answer) -> float:
    """Votes strengthen the evidence, on a log scale (a few votes matter, hundreds do not dominate)."""
    return 1.0 + math.log1p(max(answer.score, 0))


def expected_random(n: int, m: int) -> dict[str, float]:
    """Exact hit@k and MRR of a uniformly random order of n people of whom m answered."""
    if n == 0 or m == 0:
        return {f"hit_at_{k}": 0.0 for k in KS} | {"mrr": 0.0}
    result = {}
    for k in KS:
        kk = min(k, n)
        result[f"hit_at_{k}"] = 1.0 - (math.comb(n - m, kk) / math.comb(n, kk) if n - m >= kk else 0.0)
    # P(first answerer at rank r) = C(n−r, m−1) / C(n, m)
    total = math.comb(n, m)
    result["mrr"] = sum(math.comb(n - r, m - 1) / total / r for r in range(1, n - m + 2))
    return result


def best_rank(candidates: set, answerers: set, key) -> int | None:
    """Where the best-placed answerer would be in the candidates sorted by `key`, best first (no full sort)."""
    keys = [key(p) for p in answerers & candidates]
    if not keys:
        return None
    best = max(keys)
    return 1 + sum(1 for p in candidates if key(p) > best)


def from_rank(rank: int | None) -> dict[str, float]:
    return {f"hit_at_{k}": float(rank is not None and rank <= k) for k in KS} | {"mrr": 1.0 / rank if rank else 0.0}


def sign_test(better: int, worse: int) -> float:
    """Two-sided exact sign test: how likely a split at least this uneven is if neither ranking were better."""
    n = better + worse
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(0, min(better, worse) + 1)) / 2 ** n
    return round(min(1.0, 2 * tail), 4)


def mean_rows(rows: list[dict[str, float]]) -> dict[str, float]:
    keys = [f"hit_at_{k}" for k in KS] + ["mrr"]
    return {key: round(sum(r[key] for r in rows) / len(rows), 4) if rows else 0.0 for key in keys}


def answered_in_order(questions: dict[int, Question]) -> list[int]:
    """The questions answered by someone other than the asker, in time order: the ones routing is scored on."""
    answered = sorted((q.when, q.id) for q in questions.values()
                      if any(a.owner is not None and a.owner != q.owner for a in q.answers))
    return [qid for _, qid in answered]


def scored_questions(questions: dict[int, Question], part: tuple[float, float] = (0.0, 1.0)) -> set[int]:
    """The questions to score: those answered by someone other than the asker, in time order, from the fraction
    part[0] to part[1] of them (the whole replay always runs: later questions are ranked with everything before)."""
    answered = answered_in_order(questions)
    lo, hi = round(part[0] * len(answered)), round(part[1] * len(answered))
    return set(answered[lo:hi])


def wilcoxon_signed_rank(differences: list[float]) -> float:
    """Two-sided Wilcoxon signed-rank test (normal approximation, ties and zeros handled as usual: zeros dropped,
    tied magnitudes share their mean rank, variance corrected for ties). Uses how much better, not only which."""
    nonzero = sorted((abs(d), d > 0) for d in differences if d != 0)
    n = len(nonzero)
    if n == 0:
        return 1.0
    ranks, i, tie_term = [0.0] * n, 0, 0.0
    while i < n:
        j = i
        while j + 1 < n and nonzero[j + 1][0] == nonzero[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        t = j - i + 1
        tie_term += t ** 3 - t
        i = j + 1
    w_plus = sum(r for r, (_, positive) in zip(ranks, nonzero) if positive)
    mean = n * (n + 1) / 4
    variance = n * (n + 1) * (2 * n + 1) / 24 - tie_term / 48
    if variance <= 0:
        return 1.0
    z = (abs(w_plus - mean) - 0.5) / math.sqrt(variance)        # continuity correction
    return round(min(1.0, math.erfc(max(z, 0.0) / math.sqrt(2))), 4)


def bootstrap_interval(differences: list[float], resamples: int = 4000, seed: int = 6) -> list[float]:
    """95% percentile bootstrap interval of the mean difference (questions resampled with replacement; a fixed seed
    so that the same data always prints the same interval)."""
    if not differences:
        return [0.0, 0.0]
    rng = random.Random(seed)
    n = len(differences)
    means = sorted(sum(rng.choices(differences, k=n)) / n for _ in range(resamples))
    return [round(means[int(0.025 * resamples)], 4), round(means[int(0.975 * resamples) - 1], 4)]


def paired_comparison(method: list[float], other: list[float]) -> dict:
    """Method against a baseline over the same questions, by reciprocal rank (0 when no answerer is ranked)."""
    differences = [a - b for a, b in zip(method, other)]
    better = sum(1 for d in differences if d > 0)
    worse = sum(1 for d in differences if d < 0)
    return {"questions": len(differences), "better": better, "worse": worse, "same": len(differences) - better - worse,
            "mrr_difference": round(sum(differences) / len(differences), 4) if differences else 0.0,
            "mrr_difference_95ci": bootstrap_interval(differences),
            "sign_test_p": sign_test(better, worse), "wilcoxon_p": wilcoxon_signed_rank(differences)}


def summary(rows: dict[str, list[dict[str, float]]]) -> dict:
    """Mean figures of each ranking over some questions, and method against most_active on them."""
    return {"questions": len(rows["method"]), **{name: mean_rows(r) for name, r in rows.items()},
            "method_vs_most_active": paired_comparison([r["mrr"] for r in rows["method"]],
                                                       [r["mrr"] for r in rows["most_active"]])}


def replay(questions: dict[int, Question], answers: list[Answer], comments: list[Comment] = (),
           parameters: Parameters | None = None, part: tuple[float, float] = (0.0, 1.0),
           keep_ranks: bool = False) -> dict:
    index = ExpertiseIndex(parameters)
    scored = scored_questions(questions, part)
    answered = answered_in_order(questions)
    later = set(answered[round(len(answered) / 2):])      # the later half of the timeline, never tuned on
    # (time, order, id, item): at the same instant a question comes first (nobody answers it in 0 ms)
    events = [(q.when, 0, q.id, q) for q in questions.values()] + [(a.when, 1, a.id, a) for a in answers]
    events += [(c.when, 2, i, c) for i, c in enumerate(comments)]
    question_of = {a.id: a.parent for a in answers} | {q.id: q.id for q in questions.values()}
    events.sort(key=lambda e: e[:3])
    answer_counts: dict[int, int] = {}
    last_answer: dict[int, float] = {}
    last_seen: dict[int, float] = {}
    names = ("method", "random", "most_active")
    rows = {name: [] for name in names}
    answerable_rows = {name: [] for name in names}
    halves = {"first_half": {name: [] for name in names}, "later_half": {name: [] for name in names}}
    candidate_sizes = []
    for when, order, _id, item in events:
        if order == 0:
            question: Question = item
            answerers = {a.owner for a in question.answers if a.owner is not None and a.owner != question.owner}
            if answerers and question.id in scored:
                candidates = set(answer_counts)
                candidates.discard(question.owner)
                candidate_sizes.append(len(candidates))
                scores = index.scores(f"{question.title}\n{question.title}\n{question.body}", question.tags,
                                      now=when, candidates=candidates, asker=question.owner)
                method = best_rank(candidates, answerers, lambda p: (scores[p], -p))
                busiest = best_rank(candidates, answerers, lambda p: (answer_counts[p], last_answer[p], -p))
                active = {p for p in candidates if last_seen.get(p, -math.inf) >= when - ACTIVE_DAYS * 86400}
                figures = {"method": from_rank(method),
                           "random": expected_random(len(active), len(active & answerers)),
                           "most_active": from_rank(busiest)}
                half = halves["later_half" if question.id in later else "first_half"]
                for name, figure in figures.items():
                    rows[name].append(figure)
                    half[name].append(figure)
                    if answerers & candidates:
                        answerable_rows[name].append(figure)
            if question.owner is not None:
                index.add_evidence(question.owner, kind=EvidenceKind.QUESTION, when=when,
                                   text=f"{question.title}\n{question.body}", tags=question.tags)
                last_seen[question.owner] = when
        elif order == 2:
            comment: Comment = item
            parent = question_of.get(comment.post)
            tags = questions[parent].tags if parent is not None else ()
            index.add_evidence(comment.owner, kind=EvidenceKind.REPLY, when=when, text=comment.text, tags=tags)
            last_seen[comment.owner] = when
        else:
            answer: Answer = item
            if answer.owner is None:
                continue
            question = questions[answer.parent]
            if answer.owner == question.owner:
                continue                                # answering one's own question is not routing
            accepted = question.accepted_answer == answer.id
            index.add_evidence(answer.owner, kind=EvidenceKind.ACCEPTED_ANSWER if accepted else EvidenceKind.ANSWER,
                               when=when, text=f"{question.title}\n{answer.body}", tags=question.tags,
                               weight=answer_weight(answer), helped=question.owner)
            answer_counts[answer.owner] = answer_counts.get(answer.owner, 0) + 1
            last_answer[answer.owner] = when
            last_seen[answer.owner] = when
    n_questions = len(rows["method"])
    n_answerable = len(answerable_rows["method"])
    overall = summary(rows)
    return {
        "questions": n_questions,
        "answerable": n_answerable,
        "coverage": round(n_answerable / n_questions, 4) if n_questions else 0.0,
        "mean_candidates": round(sum(candidate_sizes) / len(candidate_sizes), 1) if candidate_sizes else 0.0,
        **{name: overall[name] for name in names},
        "method_vs_most_active": overall["method_vs_most_active"],
        "method_vs_random": paired_comparison([r["mrr"] for r in rows["method"]],
                                              [r["mrr"] for r in rows["random"]]),
        "answerable_subset": {name: mean_rows(r) for name, r in answerable_rows.items()},
        # the parameters were chosen on the first half only: the later half is the honest figure
        **{label: summary(half) for label, half in halves.items() if half["method"]},
    } | ({"method_reciprocal_ranks": [r["mrr"] for r in rows["method"]]} if keep_ranks else {})


# --tune: one knob at a time around the defaults, scored on the first half of the timeline only.
TUNING_GRID: list[tuple[str, dict]] = [
    ("lift exponent 0.3", {"lift_exponent": 0.3}),
    ("lift exponent 0.7", {"lift_exponent": 0.7}),
    ("activity half-life 7 days only", {"activity_half_lives_days": (7.0,)}),
    ("activity half-lives 1, 7, 30 days", {"activity_half_lives_days": (1.0, 7.0, 30.0)}),
    ("expertise half-life 30 days", {"expertise_half_life_days": 30.0}),
    ("expertise half-life 90 days", {"expertise_half_life_days": 90.0}),
    ("smoothing β 1", {"smoothing": 1.0}),
    ("smoothing β 10", {"smoothing": 10.0}),
    ("size pseudocount κ 0.3", {"size_pseudocount": 0.3}),
    ("size pseudocount κ 3", {"size_pseudocount": 3.0}),
    ("tag weight 0.5", {"tag_weight": 0.5}),
    ("word weight 2", {"text_weight": 2.0}),
    ("asker tie weight 0", {"tie_weight": 0.0}),
    ("accepted answer weight 1 (as an answer)", {"kind_weights": {EvidenceKind.ACCEPTED_ANSWER: 1.0}}),
    ("accepted answer weight 4", {"kind_weights": {EvidenceKind.ACCEPTED_ANSWER: 4.0}}),
    ("reply activity weight 0.25", {"activity_weights": {EvidenceKind.REPLY: 0.25}}),
    ("reply activity weight 1", {"activity_weights": {EvidenceKind.REPLY: 1.0}}),
]


def tune(questions, answers, comments) -> dict:
    """Each variant of TUNING_GRID against the defaults on the first half of the timeline (the later half is not
    looked at). A variant is worth adopting only if its paired MRR gain's 95% bootstrap interval lies above zero:
    with ~180 questions, smaller differences are noise that would not carry over."""
    first = (0.0, 0.5)
    defaults = Parameters()
    base = replay(questions, answers, comments, defaults, part=first, keep_ranks=True)
    rows = []
    for label, change in TUNING_GRID:
        change = {key: ({**getattr(defaults, key), **value} if isinstance(value, dict) else value)
                  for key, value in change.items()}
        variant = replay(questions, answers, comments, dataclasses.replace(defaults, **change), part=first,
                         keep_ranks=True)
        versus = paired_comparison(variant["method_reciprocal_ranks"], base["method_reciprocal_ranks"])
        rows.append({"variant": label, "mrr": variant["method"]["mrr"], "hit_at_1": variant["method"]["hit_at_1"],
                     "mrr_difference": versus["mrr_difference"], "mrr_difference_95ci": versus["mrr_difference_95ci"],
                     "adopt": versus["mrr_difference_95ci"][0] > 0})
    return {"part": list(first), "defaults": {"mrr": base["method"]["mrr"], "hit_at_1": base["method"]["hit_at_1"]},
            "most_active": base["most_active"], "variants": rows}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="a Stack Exchange dump folder holding Posts.xml")
    parser.add_argument("--no-comments", action="store_true", help="leave Comments.xml out (posts only)")
    parser.add_argument("--quiet", action="store_true", help="no table on stderr")
    parser.add_argument("--part", default="0:1", help="score only this fraction of the questions, in time order "
                                                      "(e.g. 0:0.5 to tune, 0.5:1 to report)")
    parser.add_argument("--tune", action="store_true", help="score the tuning grid on the first half instead")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    questions, answers = read_posts(args.data_dir)
    comments = [] if args.no_comments else read_comments(args.data_dir)
    parsed = time.perf_counter()
    if args.tune:
        result = tune(questions, answers, comments)
        result["seconds"] = round(time.perf_counter() - started, 2)
        print(json.dumps(result))
        if not args.quiet:
            print(f"first half: defaults MRR {result['defaults']['mrr']:.3f} (most_active "
                  f"{result['most_active']['mrr']:.3f})", file=sys.stderr)
            for row in result["variants"]:
                low, high = row["mrr_difference_95ci"]
                print(f"  {row['variant']:<42} MRR {row['mrr']:.3f}  {row['mrr_difference']:+.3f} "
                      f"({low:+.3f} .. {high:+.3f}){'  adopt' if row['adopt'] else ''}", file=sys.stderr)
        return result
    parameters = Parameters()
    lo, _, hi = args.part.partition(":")
    part = (float(lo or 0), float(hi or 1))
    result = replay(questions, answers, comments, parameters, part=part)
    result["part"] = list(part)
    result["parameters"] = {key: ({str(k): v for k, v in value.items()} if isinstance(value, dict) else value)
                            for key, value in dataclasses.asdict(parameters).items()}
    result["random_pool"] = f"candidates active in the previous {ACTIVE_DAYS:g} days (exact expectation)"
    result["comments"] = len(comments)
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["parse_seconds"] = round(parsed - started, 2)
    print(json.dumps(result))
    if not args.quiet:
        print(f"{args.data_dir}: {result['questions']} answered questions, {result['answerable']} answerable "
              f"(coverage {result['coverage']:.1%}), {result['seconds']} s", file=sys.stderr)
        tables = [("all", result), ("answerable", result["answerable_subset"])]
        tables += [(label.replace("_", " "), result[label]) for label in ("first_half", "later_half") if label in result]
        for subset, table in tables:
            print(f"  {subset:<11} {'hit@1':>7} {'hit@5':>7} {'hit@10':>7} {'mrr':>7}", file=sys.stderr)
            for name in ("method", "random", "most_active"):
                row = table[name]
                print(f"  {name:<11} " + " ".join(f"{row[key]:>7.3f}" for key in
                                                 ("hit_at_1", "hit_at_5", "hit_at_10", "mrr")), file=sys.stderr)
        for label, table in [("all", result), *((label, result[label]) for label in ("first_half", "later_half")
                                               if label in result)]:
            versus = table["method_vs_most_active"]
            print(f"  method − most_active, {label} ({versus['questions']} questions): MRR "
                  f"{versus['mrr_difference']:+.3f} (95% CI {versus['mrr_difference_95ci'][0]:+.3f} .. "
                  f"{versus['mrr_difference_95ci'][1]:+.3f}), better on {versus['better']}, worse on "
                  f"{versus['worse']}; sign test p={versus['sign_test_p']}, Wilcoxon p={versus['wilcoxon_p']}",
                  file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
