"""Judges that grade deterministically, for the stub upstream (tests/stub_upstream.py `content`): they
read the reference and the answer out of the judge prompt (jobs/eval_judge.py) and reply as a judge
model would, so the tests know each row's grade. Never shipped.

- `exact_judge`: 5 when the answer is the reference, else 2; a strict JSON reply;
- `script_judge`: 5 when the answer is the reference, else 1 for a reference in Hangul, 3 otherwise;
  its JSON wrapped in prose and a Markdown fence (the parser's tolerant path), the reason in Korean;
- `broken_judge`: `exact_judge`, except for a question holding "日本" (prose, no JSON: unparsable).
"""

from __future__ import annotations

import json
import re
from typing import Any

_SECTION = re.compile(r"<(question|reference|answer)>\n(.*?)\n</\1>", re.DOTALL)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def sections(body: dict[str, Any]) -> dict[str, str]:
    """The question, reference and answer the judge was shown (a chat message, or a prompt)."""
    text = body["messages"][-1]["content"] if body.get("messages") else body.get("prompt", "")
    return {name: value for name, value in _SECTION.findall(text)}


def exact_grade(body: dict[str, Any]) -> int:
    shown = sections(body)
    return 5 if shown["answer"].strip() == shown["reference"].strip() else 2


def script_grade(body: dict[str, Any]) -> int:
    shown = sections(body)
    if shown["answer"].strip() == shown["reference"].strip():
        return 5
    return 1 if _HANGUL.search(shown["reference"]) else 3


def exact_judge(body: dict[str, Any]) -> str:
    score = exact_grade(body)
    return json.dumps({"score": score, "reason": "matches the reference" if score == 5 else "differs"})


def script_judge(body: dict[str, Any]) -> str:
    verdict = json.dumps({"score": script_grade(body), "reason": "참조 답변과 비교했습니다"}, ensure_ascii=False)
    return f"채점 결과입니다:\n```json\n{verdict}\n```\n이상입니다."


def broken_judge(body: dict[str, Any]) -> str:
    if "日本" in sections(body)["question"]:
        return "The answer looks fine to me, maybe a four."
    return exact_judge(body)
