"""Short answers in Vietnamese, each citing the exact source."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from search_api.chat.answerer import ChatAnswer
from search_api.http.dependencies import CallerDep, StateDep
from search_api.queries.search import MAX_QUERY_CHARS

router = APIRouter()


class ChatRequest(BaseModel):
    message: str = Field(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        description="Câu hỏi bằng tiếng Việt",
        examples=["Ai chủ trì tuyên truyền Kết luận 72?"],
    )
    conversation_id: str | None = Field(
        default=None, description="Mã hội thoại trả về ở câu trả lời trước, để hỏi tiếp", examples=[None]
    )


@router.post("/chat", tags=["hỏi đáp"], summary="Hỏi đáp ngắn, có trích dẫn nguồn")
def chat(request: ChatRequest, state: StateDep, who: CallerDep) -> ChatAnswer:
    return state.answerer(who.levels).answer(request.message, request.conversation_id)
