"""Quizzes written inside lessons: extraction, parsing, validation and grading.

The syntax (see docs/course-format.md) is a fenced block with the info string ``quiz``::

    Q: A single-choice question?
    - [ ] wrong
    - [x] right
    Explanation: Why the right answer is right.

``Q (multiple):`` starts a question where the learner picks every correct option.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from lms.content.problems import ProblemList

FENCE_RE = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<info>[\w+-]*)")
QUESTION_RE = re.compile(r"^Q(?:\s*\((?P<kind>[^)]*)\))?\s*:\s*(?P<text>.*)$")
OPTION_RE = re.compile(r"^[-*]\s+\[(?P<mark>[ xX])\]\s*(?P<text>.*)$")
EXPLANATION_RE = re.compile(r"^Explanation\s*:\s*(?P<text>.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class QuestionKind:
    """How one kind of question is checked when authored and graded when answered."""

    input_type: str  # the HTML input a learner answers with
    describe: str  # what the learner is told to do
    valid_correct_count: Callable[[int], bool]
    rule: str  # shown to authors when the count of correct options is wrong

    def grade(self, selected: frozenset[int], correct: frozenset[int]) -> bool:
        # Both kinds demand the exact set: a multiple-choice answer with one wrong tick is wrong.
        return selected == correct


QUESTION_KINDS: dict[str, QuestionKind] = {
    "single": QuestionKind(
        input_type="radio",
        describe="Choose one answer.",
        valid_correct_count=lambda n: n == 1,
        rule="a single-choice question needs exactly one correct option marked [x]",
    ),
    "multiple": QuestionKind(
        input_type="checkbox",
        describe="Choose every answer that applies.",
        valid_correct_count=lambda n: n >= 1,
        rule="a multiple-choice question needs at least one correct option marked [x]",
    ),
}


@dataclass
class QuizBlock:
    lines: list[tuple[int, str]]  # (line number in the file, text)
    start_line: int


@dataclass
class _Draft:
    line: int
    kind: str
    prompt: list[str]
    options: list[tuple[bool, list[str]]] = field(default_factory=list)
    explanation: list[str] | None = None


def extract_quiz(body: str, body_line: int, problems: ProblemList) -> tuple[str, QuizBlock | None]:
    """Remove the ```quiz block from a lesson body; return the remaining Markdown and the block.

    Other fenced blocks are skipped whole, so a code sample that happens to contain "Q:" is safe.
    """
    lines = body.splitlines()
    kept: list[str] = []
    quiz: QuizBlock | None = None
    i = 0
    while i < len(lines):
        match = FENCE_RE.match(lines[i])
        if not match:
            kept.append(lines[i])
            i += 1
            continue
        fence = match["fence"]
        end = next(
            (
                j
                for j in range(i + 1, len(lines))
                if lines[j].strip().startswith(fence) and lines[j].strip().strip(fence[0]) == ""
            ),
            None,
        )
        if match["info"] != "quiz":
            stop = len(lines) if end is None else end + 1
            kept.extend(lines[i:stop])
            i = stop
            continue
        if end is None:
            problems.add(body_line + i, f"quiz block is not closed: add a line '{fence}'")
            return "\n".join(kept), None
        if quiz is not None:
            problems.add(body_line + i, "a lesson may have only one quiz block")
        else:
            quiz = QuizBlock(
                lines=[(body_line + j, lines[j]) for j in range(i + 1, end)],
                start_line=body_line + i,
            )
        i = end + 1
    return "\n".join(kept) + "\n", quiz


def parse_quiz(block: QuizBlock, problems: ProblemList) -> list[_Draft]:
    """Parse a quiz block into question drafts, adding a problem for every authoring mistake."""
    drafts: list[_Draft] = []
    for number, raw in block.lines:
        line = raw.strip()
        if not line:
            continue
        if m := QUESTION_RE.match(line):
            kind = (m["kind"] or "single").strip().lower()
            if kind not in QUESTION_KINDS:
                problems.add(
                    number,
                    f"unknown question kind {kind!r}; use one of: {', '.join(QUESTION_KINDS)}",
                )
                kind = "single"
            drafts.append(_Draft(line=number, kind=kind, prompt=[m["text"]]))
            continue
        current = drafts[-1] if drafts else None
        if current is None:
            problems.add(number, "text before the first question: start questions with 'Q:'")
        elif m := OPTION_RE.match(line):
            if current.explanation is not None:
                problems.add(number, "option after the explanation: put options before it")
            else:
                current.options.append((m["mark"] != " ", [m["text"]]))
        elif m := EXPLANATION_RE.match(line):
            if current.explanation is not None:
                problems.add(number, "a question may have only one 'Explanation:'")
            else:
                current.explanation = [m["text"]]
        elif current.explanation is not None:
            current.explanation.append(line)
        elif current.options:
            current.options[-1][1].append(line)
        else:
            current.prompt.append(line)
    if not drafts:
        problems.add(block.start_line, "quiz block has no questions: start each with 'Q:'")
    for draft in drafts:
        _check_draft(draft, problems)
    return drafts


def _check_draft(draft: _Draft, problems: ProblemList) -> None:
    if not " ".join(draft.prompt).strip():
        problems.add(draft.line, "question has no text after 'Q:'")
    if len(draft.options) < 2:
        problems.add(draft.line, "question needs at least two options ('- [ ]' or '- [x]')")
    correct = sum(1 for is_correct, _ in draft.options if is_correct)
    kind = QUESTION_KINDS[draft.kind]
    if correct == 0:
        problems.add(draft.line, "question has no correct answer: mark one option with [x]")
    elif not kind.valid_correct_count(correct):
        problems.add(draft.line, f"{kind.rule}, found {correct}")
    if any(not " ".join(parts).strip() for _, parts in draft.options):
        problems.add(draft.line, "question has an empty option")
    if draft.explanation is None or not " ".join(draft.explanation).strip():
        problems.add(draft.line, "question has no 'Explanation:' line")


def build_questions(drafts: Iterable[_Draft], render_inline: Callable[[str], str]) -> list[dict]:
    """Turn checked drafts into the stored form, with question and options rendered to HTML."""
    return [
        {
            "number": number,
            "kind": draft.kind,
            "prompt_html": render_inline("\n".join(draft.prompt)),
            "options": [
                {"html": render_inline("\n".join(parts)), "correct": is_correct}
                for is_correct, parts in draft.options
            ],
            "explanation_html": render_inline("\n".join(draft.explanation or [])),
        }
        for number, draft in enumerate(drafts, start=1)
    ]


@dataclass(frozen=True)
class QuestionResult:
    number: int
    correct: bool
    selected: frozenset[int]


@dataclass(frozen=True)
class QuizResult:
    questions: tuple[QuestionResult, ...]
    score: int
    total: int
    percent: int
    passed: bool

    def for_question(self, number: int) -> QuestionResult:
        return self.questions[number - 1]


def grade_quiz(
    questions: list[dict], answers: Mapping[int, Iterable[int]], pass_mark: int
) -> QuizResult:
    """Grade answers (question number -> chosen option indexes, 0-based) against stored questions.

    Unknown or out-of-range option indexes count as wrong answers rather than errors, so a tampered
    form can never crash grading or score a point.
    """
    results = []
    for question in questions:
        chosen = frozenset(answers.get(question["number"], ()))
        correct = frozenset(i for i, option in enumerate(question["options"]) if option["correct"])
        kind = QUESTION_KINDS[question["kind"]]
        valid = all(0 <= i < len(question["options"]) for i in chosen)
        if kind.input_type == "radio" and len(chosen) > 1:
            valid = False
        results.append(
            QuestionResult(
                number=question["number"],
                correct=valid and kind.grade(chosen, correct),
                selected=chosen,
            )
        )
    total = len(results)
    score = sum(result.correct for result in results)
    percent = round(100 * score / total) if total else 0
    # Compare exact fractions: 2 of 3 (66.7%) must not pass a 67% mark by rounding.
    passed = total > 0 and score * 100 >= pass_mark * total
    return QuizResult(tuple(results), score, total, percent, passed=passed)
