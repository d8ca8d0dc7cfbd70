"""A served store for the HTTP, browser and access-control tests: the seed (public), the district plan
(internal) and a classified copy of it (confidential: its header carries the "MẬT" mark)."""

from __future__ import annotations

from pathlib import Path

from inputs import GENRE, SEED

from tests.conftest import ingest_with_cli

PUBLIC_KEY = "public-reader-key"
INTERNAL_KEY = "internal-staff-key"
SECRET_KEY = "confidential-officer-key"
API_KEYS = f"{PUBLIC_KEY}=public,{INTERNAL_KEY}=internal,{SECRET_KEY}=confidential"
# Words that occur only in the classified document: any response containing them leaks it.
SECRET_PHRASE = "sân bay dã chiến Plei Kần"
SECRET_SYMBOL = "46-KH/HU"
SECRET_ID = "46-kh-hu"
INTERNAL_ID = "45-kh-hu"


def as_key(key: str | None) -> dict[str, str]:
    """The header that sends `key` (none for an anonymous caller)."""
    return {"X-API-Key": key} if key else {}


def classified_plan(folder: Path) -> Path:
    """The district plan renumbered 46-KH/HU, stamped MẬT, with one task only it contains."""
    text = (GENRE / "ke-hoach-huyen-uy-ngoc-hoi.txt").read_text(encoding="utf-8")
    text = text.replace("Số 45-KH/HU", "MẬT\nSố 46-KH/HU", 1)
    text = text.replace(
        "III. NHIỆM VỤ, GIẢI PHÁP\n",
        "III. NHIỆM VỤ, GIẢI PHÁP\n\n0. Nhiệm vụ riêng\n\n"
        f"- Khảo sát vị trí xây dựng {SECRET_PHRASE} phục vụ quốc phòng, hoàn thành trong quý IV/2024.\n\n",
        1,
    )
    path = folder / "ke-hoach-mat-46.txt"
    path.write_text(text, encoding="utf-8")
    return path


def build_served_home(home: Path) -> Path:
    """Ingest the three documents at their levels through the CLI, as an office would."""
    ingest_with_cli(home, SEED)
    ingest_with_cli(home, GENRE / "ke-hoach-huyen-uy-ngoc-hoi.txt", access="internal")
    ingest_with_cli(home, classified_plan(home.parent))
    return home
