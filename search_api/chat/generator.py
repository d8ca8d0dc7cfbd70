"""An optional language model that rephrases a rule-based answer from the retrieved evidence only.

Off by default: `generator_from_env()` returns one only when `VANBAN_LLM_URL` and
`VANBAN_LLM_MODEL` are set. It speaks the OpenAI chat-completions protocol over urllib (no extra
dependency). Any failure (timeout, HTTP error, malformed reply) returns None and logs a warning:
the caller keeps the rule-based answer, so the chat never fails because of the model.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "Bạn là trợ lý tra cứu văn bản chỉ đạo của Đảng và Nhà nước. Chỉ trả lời dựa trên các trích đoạn "
    "được cung cấp, không dùng hiểu biết bên ngoài và không suy diễn. Trả lời ngắn gọn bằng tiếng Việt, "
    "một vài câu, giữ nguyên tên cơ quan như văn bản viết và giữ nguyên các trích dẫn nguồn trong ngoặc "
    "(số hiệu văn bản, mục). Nếu các trích đoạn không đủ để trả lời, hãy nói rằng không tìm thấy thông tin "
    "trong các văn bản hiện có."
)
MAX_EVIDENCE_CHARS = 6000


@dataclass
class Evidence:
    source: str  # "Kế hoạch thực hiện Kết luận số 72-KL/TW, mục III.1"
    text: str


class Generator(Protocol):
    def rephrase(self, question: str, draft: str, evidence: list[Evidence]) -> str | None: ...


class OpenAICompatibleGenerator:
    def __init__(self, url: str, model: str, api_key: str | None = None, timeout: float = 20) -> None:
        self.url = url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout = timeout

    def payload(self, question: str, draft: str, evidence: list[Evidence]) -> dict[str, object]:
        excerpts, used = [], 0
        for number, item in enumerate(evidence, 1):
            block = f"[{number}] ({item.source})\n{item.text}"
            if used + len(block) > MAX_EVIDENCE_CHARS:
                break
            excerpts.append(block)
            used += len(block)
        user = (
            "Các trích đoạn:\n"
            + "\n\n".join(excerpts)
            + f"\n\nCâu hỏi: {question}\n\nCâu trả lời dựng từ dữ liệu trích xuất (hãy diễn đạt lại cho tự nhiên,"
            f" không thêm thông tin):\n{draft}"
        )
        return {
            "model": self.model,
            "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}],
            "temperature": 0,
        }

    def rephrase(self, question: str, draft: str, evidence: list[Evidence]) -> str | None:
        body = json.dumps(self.payload(question, draft, evidence), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(f"{self.url}/chat/completions", data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                reply = json.loads(response.read().decode("utf-8"))
            content = reply["choices"][0]["message"]["content"]
        except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            # urllib's HTTPError, URLError and timeouts are OSErrors; bad JSON is a ValueError.
            log.warning("the language model at %s failed (%s); answering without it", self.url, exc)
            return None
        if not isinstance(content, str) or not content.strip():
            log.warning("the language model at %s returned no text; answering without it", self.url)
            return None
        return content.strip()


def generator_from_env() -> OpenAICompatibleGenerator | None:
    url = os.environ.get("VANBAN_LLM_URL", "").strip()
    model = os.environ.get("VANBAN_LLM_MODEL", "").strip()
    if not url or not model:
        return None
    timeout = float(os.environ.get("VANBAN_LLM_TIMEOUT", "20") or 20)
    return OpenAICompatibleGenerator(url, model, os.environ.get("VANBAN_LLM_API_KEY") or None, timeout)
