"""Data tables about the genre, one place for each fact.

Document types with their symbol abbreviations, the words that name a section's purpose,
the verbs of assignment lines, and the openings of header lines. Code elsewhere builds its
regular expressions from these tables instead of spelling the words out again.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentType:
    name: str  # as written in a citation: "Kết luận"
    abbreviations: tuple[str, ...]  # as written in symbols: "KL"
    title_words: tuple[str, ...] = ()  # extra capitalised title forms ("CHƯƠNG TRÌNH HÀNH ĐỘNG")


DOCUMENT_TYPES: tuple[DocumentType, ...] = (
    DocumentType("Kế hoạch", ("KH",)),
    DocumentType("Kết luận", ("KL",)),
    DocumentType("Nghị quyết", ("NQ", "NQLT")),
    DocumentType("Chương trình", ("CTr", "CTR", "CT-TU"), ("CHƯƠNG TRÌNH HÀNH ĐỘNG",)),
    DocumentType("Chỉ thị", ("CT",)),
    DocumentType("Quyết định", ("QĐ", "QD")),
    DocumentType("Quy định", ("QĐi", "QyĐ")),
    DocumentType("Hướng dẫn", ("HD",)),
    DocumentType("Thông báo", ("TB",)),
    DocumentType("Báo cáo", ("BC",)),
    DocumentType("Luật", ("QH",)),
    DocumentType("Nghị định", ("NĐ", "ND")),
    DocumentType("Thông tư", ("TT", "TTLT")),
    DocumentType("Công văn", ("CV",)),
    DocumentType("Công điện", ("CĐ",)),
    DocumentType("Đề án", ("ĐA",)),
    DocumentType("Tờ trình", ("TTr",)),
    DocumentType("Quy chế", ("QC",)),
)

TYPE_BY_NAME = {t.name.lower(): t for t in DOCUMENT_TYPES}
# Symbol abbreviation → type name. "CT" is Chỉ thị; "CTr" is Chương trình; Quy định of the
# party are written "-QĐ/TW" like Quyết định, so "QĐ" stays Quyết định unless the text says otherwise.
TYPE_BY_ABBREVIATION = {abbr: t.name for t in DOCUMENT_TYPES for abbr in t.abbreviations}

# Words that name what a section holds; the nearest titled ancestor decides a segment's kind.
# Earlier position in the title wins ("MỤC ĐÍCH, YÊU CẦU" is a purpose section).
SECTION_KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("mục đích", "purpose"),
    ("yêu cầu", "requirement"),
    ("mục tiêu", "goal"),
    ("chỉ tiêu", "goal"),
    ("định hướng", "goal"),
    ("nhiệm vụ", "task"),
    ("giải pháp", "task"),
    ("biện pháp", "task"),
    ("nội dung", "task"),
    ("quyết nghị", "task"),
    ("cơ quan chủ trì", "assignment"),
    ("cơ quan phối hợp", "assignment"),
    ("phân công", "assignment"),
    ("tổ chức thực hiện", "organization"),
    ("trách nhiệm thi hành", "organization"),
    ("trách nhiệm của", "organization"),
    ("điều khoản thi hành", "organization"),
    ("hiệu lực thi hành", "organization"),
    ("tổ chức triển khai", "organization"),
    ("quan điểm", "other"),
    ("tình hình", "other"),
    ("kết quả", "other"),
)


# Segment kinds (`ingest.model.SegmentKind`, in its order) as a reader names them.
SEGMENT_KIND_LABELS: dict[str, str] = {
    "preamble": "Phần mở đầu",
    "heading": "Tiêu đề mục",
    "purpose": "Mục đích",
    "requirement": "Yêu cầu",
    "goal": "Mục tiêu",
    "task": "Nhiệm vụ",
    "assignment": "Phân công",
    "organization": "Tổ chức thực hiện",
    "recipients": "Nơi nhận",
    "table_row": "Dòng bảng",
    "other": "Nội dung",
}

# Source formats (`ingest.model.SourceFormat`) as the document page names them.
SOURCE_FORMAT_LABELS: dict[str, str] = {
    "txt": "Tệp văn bản",
    "md": "Tệp Markdown",
    "pdf": "PDF",
    "docx": "Word",
    "image": "Ảnh quét",
}

# The levels of the administration, from the top: an issuer's, a body's, a directive's.
ADMINISTRATIVE_LEVELS: tuple[str, ...] = ("trung ương", "tỉnh", "huyện", "xã")


@dataclass(frozen=True)
class Role:
    """What a body is given to do by a task: one role, everywhere it is read, shown or asked for."""

    id: str
    label: str  # as a sentence or a list says it ("chủ trì"); capitalised where it titles a table
    verbs: tuple[str, ...] = ()  # running-text verbs that give it ("X chủ trì, phối hợp với Y ...")
    asked_as: tuple[str, ...] = ()  # the words, without diacritics, a question uses for it
    # Whether its verbs after a body make the line an assignment line, one that speaks for its section
    # ("Ban Tuyên giáo chủ trì, phối hợp ... hướng dẫn"). Not so for the common verbs of running text:
    # "thực hiện", "triển khai" ("Các chính sách ... được triển khai"), "báo cáo" (also a noun: "căn cứ
    # vào báo cáo của ...", a form's "Báo cáo tổng diện tích ..."). Measured on the real corpus.
    marks_assignment_line: bool = False


# In the order lists and tables show them.
ROLES: tuple[Role, ...] = (
    Role(
        "lead",
        "chủ trì",
        verbs=("chủ trì",),
        asked_as=("chu tri", "chiu trach nhiem", "phu trach", "dau moi"),
        marks_assignment_line=True,
    ),
    Role(
        "direct",
        "lãnh đạo, chỉ đạo",
        verbs=("lãnh đạo", "chỉ đạo"),
        asked_as=("lanh dao", "chi dao"),
        marks_assignment_line=True,
    ),
    Role(
        "coordinate",
        "phối hợp",
        verbs=("phối hợp chặt chẽ với", "phối hợp với", "phối hợp"),
        asked_as=("phoi hop",),
        marks_assignment_line=True,
    ),
    Role(
        "implement",
        "thực hiện",
        verbs=("triển khai", "thực hiện", "tổ chức quán triệt", "thi hành"),
        asked_as=("thuc hien", "trien khai"),
    ),
    Role("request", "được đề nghị", asked_as=("de nghi",)),
    Role("guide", "hướng dẫn", verbs=("hướng dẫn",), asked_as=("huong dan",), marks_assignment_line=True),
    Role(
        "monitor",
        "theo dõi, kiểm tra",
        verbs=("theo dõi", "đôn đốc", "kiểm tra", "giám sát"),
        asked_as=("theo doi", "don doc", "kiem tra", "giam sat"),
        marks_assignment_line=True,
    ),
    Role("report", "báo cáo", verbs=("báo cáo",), asked_as=("bao cao",)),
    Role("advise", "tham mưu", verbs=("tham mưu",), asked_as=("tham muu",), marks_assignment_line=True),
)
ROLE_IDS: tuple[str, ...] = tuple(role.id for role in ROLES)
ROLE_BY_ID: dict[str, Role] = {role.id: role for role in ROLES}
# Verb → role, longest first, so "phối hợp với" is read before "phối hợp".
ROLE_VERBS: tuple[tuple[str, str], ...] = tuple(
    sorted(((verb, role.id) for role in ROLES for verb in role.verbs), key=lambda pair: -len(pair[0]))
)
# Words of a table column or inline field title that list bodies in a role, the most specific first:
# a title naming two takes the first of these ("Cơ quan thực hiện/phối hợp": coordinate). "Đơn vị thực
# hiện" lists the bodies that carry the task out, as "Đơn vị chủ trì" does: both lead.
COLUMN_ROLE_WORDS: tuple[tuple[str, str], ...] = (
    ("chủ trì", "lead"),
    ("phối hợp", "coordinate"),
    ("thực hiện", "lead"),
)

# "Giao X ...": the word that gives work with no role of its own; X is the subject of what follows.
ASSIGNING_WORD = "giao"
# Verbs that make a line an assignment line when an agency is their subject: the verbs of the roles so
# marked, and "giao". A duty opener ("X chịu trách nhiệm ...", "X có trách nhiệm ...") is not one: such a
# line carries its own task, and the extractor reads its subject wherever the line stands.
ASSIGNMENT_VERBS: tuple[str, ...] = tuple(
    sorted(
        {verb for role in ROLES if role.marks_assignment_line for verb in role.verbs} | {ASSIGNING_WORD},
        key=lambda verb: (-len(verb), verb),
    )
)

# Words that open a duty right after its subject: "Các sở, ngành khẩn trương ...", "Sở Y tế có trách
# nhiệm ...", "Ban Tổ chức Trung ương tổng hợp ...". A body named at a clause's start and followed by
# one of these implements what follows, whatever the section (GUIDE.md section 1, subject-led lines).
DUTY_OPENERS: tuple[str, ...] = (
    "có trách nhiệm",
    "chịu trách nhiệm",
    "có nhiệm vụ",
    "khẩn trương",
    "chủ động",
    "tập trung",
    "tiếp tục",
    "đẩy mạnh",
    "tăng cường",
    "căn cứ",
    "nghiêm túc",
    "tích cực",
    "kịp thời",
    "ưu tiên",
    "xây dựng",
    "rà soát",
    "nghiên cứu",
    "tổng hợp",
    "bố trí",
    "tuyên truyền",
    "quán triệt",
    "cụ thể hóa",
    "cụ thể hoá",
    "đề xuất",
    "tham gia",
    "phản ánh",
    "bảo đảm",
    "đảm bảo",
    "quan tâm",
    "hoàn thành",
    "hoàn thiện",
    "thành lập",
    "chuẩn bị",
    "cập nhật",
    "công khai",
    "niêm yết",
    "cung cấp",
    "hỗ trợ",
    "phát huy",
    "nâng cao",
    "ban hành",
    "xác định",
    "quy định",
    "coi",
    "tổ chức",  # a verb after a subject ("X tổ chức kiểm tra"); a member after a comma ("cơ quan, tổ chức")
    "cần",
    "phải",
)
# Members a collective names after its head, glued to it across commas: "Các sở, ngành, địa phương",
# "UBND các xã, phường, đặc khu", "các cơ quan, tổ chức, cá nhân có liên quan".
COLLECTIVE_MEMBERS: tuple[str, ...] = (
    "sở",
    "ban",
    "ngành",
    "đoàn thể",
    "địa phương",
    "cơ quan",
    "đơn vị",
    "tổ chức",
    "cá nhân",
    "doanh nghiệp",
    "xã",
    "phường",
    "đặc khu",
    "thị trấn",
    "huyện",
    "thị xã",
    "thành phố",
    "hội",
    "bưu chính",
    "cơ sở",
    "trường",
    "cao đẳng",  # "các trường đại học, cao đẳng"
    "viện",
    "lực lượng",
    "hội đoàn thể",
    "cơ quan ngang bộ",
    "cấp ủy",
    "cấp uỷ",
    "tổ chức đảng",
)
# Kinds of body written once before a list of their names: "các Bộ: Tài chính, Quốc phòng", "các Đảng uỷ:
# Chính phủ; Quốc hội; ...". Each name in the list is that kind's: "Bộ Tài chính", "Đảng uỷ Quốc hội".
SHARED_HEADS: tuple[str, ...] = (
    "Đảng uỷ",
    "Đảng ủy",
    "Ban cán sự đảng",
    "Ban",
    "Bộ",
    "Sở",
    "Cục",
    "Ủy ban",
    "Uỷ ban",
    "Tỉnh ủy",
    "Tỉnh uỷ",
)
# How an article addresses the people it charges before naming them: "Các Ông/bà: Chánh Văn phòng Bộ; ...".
PERSON_ADDRESSES: tuple[str, ...] = (
    "các ông/bà",
    "ông/bà",
    "các ông, bà",
    "các ông (bà)",
    "các đồng chí",
    "đồng chí",
)
# Titles of a body's head standing for the body: "Giám đốc Sở Nội vụ", "Thủ trưởng các sở, ngành".
PERSON_TITLES: tuple[str, ...] = (
    "các bộ trưởng",
    "bộ trưởng",
    "thủ trưởng",
    "chủ tịch",
    "phó chủ tịch",
    "tổng giám đốc",
    "giám đốc",
    "trưởng ban",
    "chánh",  # "Chánh Văn phòng UBND tỉnh": the office
    "chánh án",
    "viện trưởng",
    "cục trưởng",
    "chi cục trưởng",
    "người đứng đầu",
    "bí thư",
)

# How an assignment line's subject starts: a body, a collective of bodies, or "Giao ...".
AGENCY_SUBJECT_STARTS: tuple[str, ...] = (
    "Ban ",
    "Các ",
    "các ",
    "Đảng đoàn",
    "Đảng ủy",
    "Đảng uỷ",
    "Ủy ban",
    "Uỷ ban",
    "UBND",
    "HĐND",
    "Hội đồng",
    "Sở ",
    "Văn phòng",
    "Huyện ủy",
    "Thành ủy",
    "Tỉnh ủy",
    "Tỉnh đoàn",
    "Bộ ",
    "Mặt trận",
    "Giao ",
    "Đề nghị",
    "Hội ",
    "Công an",
    "Cơ quan",
    "Thủ trưởng",
    "Chủ tịch",
    "Trung tâm",
    "Đài ",
    "Báo ",
    "Liên đoàn",
    "Chính phủ",
    "Thủ tướng",
)

# A Công văn has no type title: its header names its subject after one of these ("V/v thành lập ...").
# Its symbol is the number and the issuing unit's code, with no type in it ("11299/VPCP-KGVX").
LETTER_SUBJECT_OPENINGS: tuple[str, ...] = ("V/v", "V/V", "v/v")
LETTER_TYPE = "Công văn"

NATIONAL_MOTTOS: tuple[str, ...] = (
    "ĐẢNG CỘNG SẢN VIỆT NAM",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
)

# Openings of the closing blocks of a directive.
RECIPIENTS_OPENINGS: tuple[str, ...] = ("Nơi nhận",)
# The closing paragraph of the body, after the last section: "Trên đây là Kế hoạch ... Đề nghị các cơ
# quan, đơn vị nghiêm túc triển khai thực hiện ./.". It belongs to the whole plan, not to the last item.
CLOSING_OPENINGS: tuple[str, ...] = ("Trên đây là",)
# The filing line that ends the recipients: "- Lưu: VT, VX." ("Lưu VT" in some offices).
FILING_LINE_OPENINGS: tuple[str, ...] = ("Lưu:", "Lưu VT", "Lưu: VT")
SIGNATURE_OPENINGS: tuple[str, ...] = (
    "T/M",
    "TM.",
    "TM ",
    "K/T",
    "KT.",
    "KT ",
    "Q. ",
    "TL.",
    "T/L",
    "TUQ.",
    "BÍ THƯ",
    "PHÓ BÍ THƯ",
    "CHỦ TỊCH",
    "THỦ TƯỚNG",
    "PHÓ THỦ TƯỚNG",
    "TỔNG BÍ THƯ",
    "TRƯỞNG BAN",
    "[đã ký]",
    "(Đã ký)",
    "(đã ký)",
)

# How a text relates itself to a directive it names, by the words just before the name.
# Longer cues first: "tiếp tục thực hiện" before "thực hiện". Relations rank as in RELATION_STRENGTH.
RELATION_CUES: tuple[tuple[str, str], ...] = (
    ("sửa đổi, bổ sung", "amends"),
    ("sửa đổi bổ sung", "amends"),
    ("sửa đổi", "amends"),
    ("thay thế", "replaces"),
    ("tiếp tục triển khai thực hiện", "implements"),
    ("tiếp tục thực hiện", "implements"),
    ("triển khai thực hiện", "implements"),
    ("tổ chức thực hiện", "implements"),
    ("thực hiện", "implements"),
    ("triển khai", "implements"),
    ("cụ thể hóa", "implements"),
    ("cụ thể hoá", "implements"),
    ("căn cứ", "based_on"),
    ("gắn với", "linked"),
)
# Relations, strongest first, with how the page names them.
RELATION_LABELS: dict[str, str] = {
    "implements": "thực hiện",
    "amends": "sửa đổi, bổ sung",
    "replaces": "thay thế",
    "based_on": "căn cứ",
    "linked": "gắn với",
    "cites": "trích dẫn",
}
RELATION_STRENGTH: tuple[str, ...] = tuple(RELATION_LABELS)
# Words between a relation cue and the name that leave the relation intact ("thực hiện tốt ...").
RELATION_MODIFIERS: tuple[str, ...] = (
    "có hiệu quả",
    "hiệu quả",
    "tốt",
    "nghiêm túc",
    "nghiêm",
    "đồng bộ",
    "đầy đủ",
    "quyết liệt",
    "thắng lợi",
    "thành công",
    "kịp thời",
)

# The 34 provinces and centrally-run cities after the 2025 reorganisation (Resolution 202/2025/QH15).
# A local body named in a directive ("Sở Y tế", "UBND các xã, phường") belongs to its issuer's province.
PROVINCES_2025: tuple[str, ...] = (
    "Hà Nội",
    "Hải Phòng",
    "Huế",
    "Đà Nẵng",
    "Cần Thơ",
    "Hồ Chí Minh",
    "Tuyên Quang",
    "Cao Bằng",
    "Lai Châu",
    "Lào Cai",
    "Thái Nguyên",
    "Điện Biên",
    "Lạng Sơn",
    "Sơn La",
    "Phú Thọ",
    "Bắc Ninh",
    "Quảng Ninh",
    "Hưng Yên",
    "Ninh Bình",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Quảng Trị",
    "Quảng Ngãi",
    "Gia Lai",
    "Khánh Hòa",
    "Lâm Đồng",
    "Đắk Lắk",
    "Đồng Nai",
    "Tây Ninh",
    "Vĩnh Long",
    "Đồng Tháp",
    "Cà Mau",
    "An Giang",
)
