"""The agency registry: canonical bodies, their aliases and abbreviations, and finding them in text.

One data table (`nlp/data/agencies.json`) holds every name; matching goes through
`ingest.normalize.match_key`, so case and tone-mark placement (hoà/hòa, uỷ/ủy) do not matter,
and abbreviations ("UBND", "BCS đảng", "ĐĐ") are expanded before a lookup. Collective mentions
("các huyện ủy") are agencies of their own, with ids ending in ":all". Users type queries without
diacritics ("ubnd tinh"): `resolve` and `search` fall back to keys with every diacritic folded away.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ingest.normalize import fold_diacritics, match_key, normalize_tone_marks

DATA_FILE = Path(__file__).parent / "data" / "agencies.json"
# Short all-caps aliases ("TU", "CP") are only looked up, never scanned for: as words of running
# text they collide with ordinary syllables ("tu bổ"). Longer all-caps ones are scanned case-sensitively.
_MIN_SCANNED_ABBREVIATION = 3
# "... có liên quan", "... liên quan": the members of a collective that a task concerns.
_RELATED_TAIL = re.compile(r"\s+(?:có\s+)?liên quan\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    level: str | None = None  # trung ương | tỉnh | huyện | xã
    kind: str = "other"  # cấp ủy, ban đảng, ban cán sự đảng, đảng đoàn, chính quyền, ...
    aliases: tuple[str, ...] = ()
    known: bool = True
    replaces: tuple[str, ...] = ()  # ids of bodies whose work this one took over (2025 mergers)

    @property
    def collective(self) -> bool:
        return self.id.endswith(":all")


@dataclass(frozen=True)
class AgencyMention:
    agency: Agency
    start: int
    end: int
    text: str


def _word_pattern(keys: list[str]) -> str:
    alternatives = "|".join(re.escape(k) for k in sorted(set(keys), key=len, reverse=True))
    return r"(?<!\w)(?:" + alternatives + r")(?!\w)"


@dataclass
class AgencyRegistry:
    agencies: list[Agency]
    abbreviations: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_id = {a.id: a for a in self.agencies}
        # Abbreviations expand to full words, longest first, on word boundaries of the match key.
        expansions = sorted(
            ((match_key(k), match_key(v)) for k, v in self.abbreviations.items()), reverse=True
        )
        self._expansions = [(re.compile(r"(?<!\w)" + re.escape(k) + r"(?!\w)"), v) for k, v in expansions]
        # Without diacritics two-letter abbreviations are ordinary syllables ("tu" in "bo tu phap"):
        # only the longer ones ("ubnd", "bcs dang") are expanded in folded text.
        folded = sorted(((fold_diacritics(k), fold_diacritics(v)) for k, v in expansions), reverse=True)
        self._folded_expansions = [
            (re.compile(r"(?<!\w)" + re.escape(k) + r"(?!\w)"), v) for k, v in folded if len(k) > 2
        ]
        self._by_key: dict[str, Agency] = {}
        scanned: list[str] = []
        capitals: list[str] = []
        for agency in self.agencies:
            for written in (agency.name, *agency.aliases):
                for key in self._variants(written):
                    self._by_key.setdefault(key, agency)
                    if " " in key or len(key) > 4:
                        scanned.append(key)
                if written.isupper() and " " not in written and len(written) >= _MIN_SCANNED_ABBREVIATION:
                    capitals.append(written)
        self._scan = re.compile(_word_pattern(scanned))
        # Folded keys ("uy ban nhan dan tinh") for queries typed without diacritics. Folding merges a
        # few names ("Sở", "Số"); the first agency listed under a folded key keeps it.
        self._by_folded: dict[str, Agency] = {}
        for key, agency in self._by_key.items():
            self._by_folded.setdefault(fold_diacritics(key), agency)
        self._scan_folded = re.compile(_word_pattern([fold_diacritics(k) for k in scanned]))
        self._scan_capitals = re.compile(_word_pattern(capitals)) if capitals else None

    # -- loading ---------------------------------------------------------------------------------

    @classmethod
    def from_file(cls, path: Path) -> AgencyRegistry:
        data = json.loads(path.read_text(encoding="utf-8"))
        agencies = [
            Agency(
                a["id"],
                a["name"],
                a.get("level"),
                a.get("kind", "other"),
                tuple(a.get("aliases", ())),
                replaces=tuple(a.get("replaces", ())),
            )
            for a in data["agencies"]
        ]
        return cls(agencies, dict(data.get("abbreviations", {})))

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> AgencyRegistry:
        return cls.from_file(DATA_FILE)

    # -- keys --------------------------------------------------------------------------------------

    def keys(self) -> list[str]:
        """Every key a body is found under (match keys: lowercase, as written and expanded)."""
        return list(self._by_key)

    def expand(self, text: str) -> str:
        """The match key of `text` with abbreviations written out ("BCS đảng UBND tỉnh" → "ban cán sự đảng ủy ban nhân dân tỉnh")."""
        key = match_key(text)
        for pattern, full in self._expansions:
            key = pattern.sub(full, key)
        return key

    def _variants(self, written: str) -> set[str]:
        """Keys under which a name is found: as written, expanded, and in the abbreviated forms writers use."""
        full = self.expand(written)
        keys = {match_key(written), full}
        if "việt nam " in full:  # "Ủy ban Mặt trận Tổ quốc tỉnh" drops "Việt Nam"
            keys.add(full.replace("việt nam ", ""))
        for short, long in self.abbreviations.items():
            long_key = match_key(long)
            for key in list(keys):
                if " " in long_key and long_key in key:
                    keys.add(key.replace(long_key, match_key(short)))
        keys.update(k.replace(" - ", "-") for k in list(keys) if " - " in k)
        keys.update(k.replace("-", " - ") for k in list(keys) if re.search(r"\w-\w", k))
        return {k for k in keys if k}

    # -- public API ------------------------------------------------------------------------------

    def get(self, agency_id: str) -> Agency | None:
        return self._by_id.get(agency_id)

    def resolve(self, mention: str) -> Agency | None:
        """The canonical agency a mention names, or None when the registry does not know it.

        A mention typed without diacritics ("ubnd tinh") is looked up among the folded keys.
        """
        mention = mention.strip(" \t,;:.()")
        if not mention or len(mention) > 300:
            return None
        for key in (match_key(mention), self.expand(mention)):
            agency = self._lookup(key, self._by_key)
            if agency is not None:
                return agency
        related = _RELATED_TAIL.search(mention)
        if related:
            # "các bộ, ngành, địa phương có liên quan": the ones of a collective that the work concerns
            # are that collective, as `find` reads them in running text.
            agency = self.resolve(mention[: related.start()])
            if agency is not None and agency.collective:
                return agency
        if _has_no_diacritics(mention):
            for key in (match_key(mention), self._expand_folded(mention)):
                agency = self._lookup(key, self._by_folded)
                if agency is not None:
                    return agency
        return None

    @staticmethod
    def _lookup(key: str, keys: dict[str, Agency]) -> Agency | None:
        agency = keys.get(key)
        if agency is None and key.startswith(("các ", "cac ")):
            agency = keys.get(key[4:])
        return agency

    def _expand_folded(self, text: str) -> str:
        """`expand` for text typed without diacritics: "bcs dang ubnd tinh" → "ban can su dang uy ban nhan dan tinh"."""
        key = match_key(text)
        for short, full in self._folded_expansions:
            key = short.sub(full, key)
        return key

    def unknown(self, mention: str) -> Agency:
        """A body the registry does not know, kept as found."""
        name = mention.strip(" \t,;:.()")
        # Kept by its normalised name, so "Các sở, ban, ngành tỉnh" and "các Sở, ban, ngành tỉnh" are one.
        return Agency(id=match_key(name), name=name, known=False)

    def find(self, text: str) -> list[AgencyMention]:
        """Known agencies written in `text`, leftmost-longest, without overlaps, in order."""
        key = normalize_tone_marks(text).lower()
        if len(key) != len(text):  # lowercasing changed offsets (rare letters): match on the plain text
            key = text.lower()
        found: list[AgencyMention] = []
        for match in self._scan.finditer(key):
            agency = self._by_key.get(match.group())
            if agency is not None:
                found.append(
                    AgencyMention(agency, match.start(), match.end(), text[match.start() : match.end()])
                )
        if self._scan_capitals is not None:
            taken = [(m.start, m.end) for m in found]
            for match in self._scan_capitals.finditer(text):
                if not any(s < match.end() and match.start() < e for s, e in taken):
                    agency = self.resolve(match.group())
                    if agency is not None:
                        found.append(AgencyMention(agency, match.start(), match.end(), match.group()))
            found.sort(key=lambda m: m.start)
        return found

    def search(self, text: str) -> list[Agency]:
        """Agencies a user's query names: the whole query as one name, else every name found in it."""
        whole = self.resolve(text)
        if whole is not None:
            return [whole]
        seen: dict[str, Agency] = {}
        if _has_no_diacritics(text) and len(text) <= 300:
            # Typed without diacritics: match folded names first, so that "tu" in "bo tu phap" is
            # not read as the abbreviation TU (Tỉnh ủy).
            for key in (match_key(text), self._expand_folded(text)):
                for match in self._scan_folded.finditer(key):
                    agency = self._by_folded.get(match.group())
                    if agency is not None:
                        seen.setdefault(agency.id, agency)
            if seen:
                return list(seen.values())
        for mention in self.find(text) + self.find(self.expand(text)):
            seen.setdefault(mention.agency.id, mention.agency)
        return list(seen.values())


def _has_no_diacritics(text: str) -> bool:
    return fold_diacritics(text) == text
