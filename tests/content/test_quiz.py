"""The quiz syntax and the server-side grader."""

from __future__ import annotations

import pytest

from lms.content.problems import ProblemList
from lms.content.quiz import build_questions, extract_quiz, grade_quiz, parse_quiz
from lms.content.render import render_inline

BODY = """\
Intro text.

```python
# a code sample mentioning Q: is not a quiz
print("Q: no")
```

```quiz
Q: Pick the even number.
   It is the one divisible by two.
- [ ] 3
- [x] 4
Explanation: 4 = 2 x 2.
  Odd numbers leave a remainder.

Q (multiple): Which are colours?
- [x] red
- [ ] seven
- [x] blue
Explanation: Seven is a number.
```
"""


def parse(body=BODY):
    problems = ProblemList("lesson.md")
    rest, block = extract_quiz(body, 6, problems)
    drafts = parse_quiz(block, problems) if block else []
    return rest, build_questions(drafts, render_inline), problems


def test_quiz_block_is_removed_from_the_lesson_text_and_code_kept():
    rest, _, problems = parse()
    assert problems == []
    assert "```quiz" not in rest and "Pick the even number" not in rest
    assert 'print("Q: no")' in rest


def test_questions_options_and_explanations():
    _, questions, _ = parse()
    first, second = questions
    assert first["number"] == 1 and first["kind"] == "single"
    assert first["prompt_html"] == "Pick the even number.\nIt is the one divisible by two."
    assert [o["correct"] for o in first["options"]] == [False, True]
    assert first["explanation_html"] == "4 = 2 x 2.\nOdd numbers leave a remainder."
    assert second["kind"] == "multiple"
    assert [o["html"] for o in second["options"]] == ["red", "seven", "blue"]


def test_quiz_line_numbers_are_file_lines():
    body = BODY.replace("- [x] 4", "- [ ] 4")
    _, _, problems = parse(body)
    [problem] = problems
    # Body starts at file line 6; "Q: Pick..." is body line 9, so file line 14.
    assert problem.line == 14
    assert "no correct answer" in problem.message


def test_two_quiz_blocks_are_refused():
    _, _, problems = parse(BODY + "\n```quiz\nQ: again?\n- [x] a\n- [ ] b\nExplanation: x\n```\n")
    assert any("only one quiz block" in p.message for p in problems)


@pytest.fixture
def questions():
    return parse()[1]


@pytest.mark.parametrize(
    ("answers", "score", "passed"),
    [
        ({1: [1], 2: [0, 2]}, 2, True),
        ({1: [1], 2: [0]}, 1, False),  # a multiple-choice answer must be the whole set
        ({1: [1], 2: [0, 1, 2]}, 1, False),  # ticking everything is not a way to score
        ({1: [0], 2: [0, 2]}, 1, False),
        ({}, 0, False),
    ],
)
def test_grading(questions, answers, score, passed):
    result = grade_quiz(questions, answers, pass_mark=70)
    assert (result.score, result.total, result.passed) == (score, 2, passed)
    assert result.percent == round(100 * score / 2)


def test_pass_mark_is_compared_exactly_not_after_rounding(questions):
    three = [*questions, dict(questions[0], number=3)]
    result = grade_quiz(three, {1: [1], 2: [0, 2], 3: [0]}, pass_mark=67)
    assert result.percent == 67 and not result.passed  # 2/3 is 66.67%
    assert grade_quiz(three, {1: [1], 2: [0, 2], 3: [0]}, pass_mark=66).passed


def test_tampered_answers_score_nothing_and_never_crash(questions):
    result = grade_quiz(questions, {1: [1, 0], 2: [99, -1]}, pass_mark=50)
    assert result.score == 0
    assert [q.correct for q in result.questions] == [False, False]
