// The page for the vanban service: search, chat, document, trace and document-list views,
// switched by the URL hash so links can be shared and the back button works.
// Every piece of text from the server goes into the page through textContent (the `h` helper):
// nothing untrusted is ever parsed as HTML.
"use strict";

const KEY_STORAGE = "vanban.apiKey";
const CHAT_STORAGE = "vanban.chat";

// How to name the ids the server uses (segment kinds, roles, relations, access levels): the server's
// own vocabulary, from /vocabulary, filled in before the first view; an id stands in until then.
const LABELS = { segment_kinds: {}, roles: {}, relations: {}, access_levels: {}, source_formats: {} };

// -- small helpers ----------------------------------------------------------------------------

/** Build an element; strings become text nodes, so server text is never parsed as HTML. */
function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function $(selector) {
  return document.querySelector(selector);
}

function clear(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

function formatDate(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
  return match ? `${match[3]}/${match[2]}/${match[1]}` : iso || "";
}

function excerpt(text, limit) {
  const chars = Array.from(text || "");
  return chars.length <= limit ? chars.join("") : chars.slice(0, limit).join("").trimEnd() + "…";
}

function docHref(documentId, segmentId) {
  const base = `#/doc/${encodeURIComponent(documentId)}`;
  return segmentId ? `${base}/${encodeURIComponent(segmentId)}` : base;
}

/** The number when the document has one; otherwise the start of its subject line. */
function symbolOf(doc) {
  return doc.number || doc.symbol || shortName(doc.type, doc.title) || doc.id;
}

/** "Kế hoạch thực hiện Kết luận số 72-KL/TW": the type and the subject up to its first comma. */
function shortName(type, title) {
  if (!title) return "";
  const subject = excerpt(title.split(",")[0], 70);
  return type && !subject.toLowerCase().startsWith(type.toLowerCase()) ? `${type} ${subject}` : subject;
}

/** Documents by id, for showing "45-KH/HU" where the service gives only an id. */
function documentName(documentId) {
  const found = (documentsCache || []).find((d) => d.id === documentId);
  return found ? symbolOf(found) : documentId;
}

function unique(values) {
  return [...new Set(values.filter(Boolean))];
}

/** Text with the highlight spans wrapped in <mark>; spans count Unicode code points, as Python does. */
function highlighted(text, spans) {
  const chars = Array.from(text || "");
  const sorted = (spans || []).filter((s) => Array.isArray(s) && s[1] > s[0]).sort((a, b) => a[0] - b[0]);
  const parts = [];
  let at = 0;
  for (const [start, end] of sorted) {
    if (start < at) continue; // overlapping spans: keep the first
    parts.push(chars.slice(at, start).join(""));
    parts.push(h("mark", {}, chars.slice(start, end).join("")));
    at = end;
  }
  parts.push(chars.slice(at).join(""));
  return parts;
}

// -- talking to the service -------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message, missing) {
    super(message);
    this.status = status;
    this.missing = missing; // the endpoint itself is not there (not yet deployed on this server)
  }
}

function apiKey() {
  return localStorage.getItem(KEY_STORAGE) || "";
}

function authHeaders(extra) {
  const headers = Object.assign({}, extra || {});
  const key = apiKey();
  if (key) headers["X-API-Key"] = key;
  return headers;
}

async function request(path, options) {
  const opts = Object.assign({}, options || {});
  opts.headers = authHeaders(opts.headers);
  let response;
  try {
    response = await fetch(path, opts);
  } catch (error) {
    throw new ApiError(0, "Không kết nối được máy chủ. Kiểm tra mạng hoặc máy chủ rồi thử lại.", false);
  }
  if (response.ok) return response;
  let body = null;
  try {
    body = await response.json();
  } catch (error) {
    body = null;
  }
  const detail = body && body.error && body.error.message;
  // A route the server does not have answers FastAPI's bare {"detail": "Not Found"}, without our
  // {"error": ...} envelope; 501 is how an endpoint says it is switched off.
  const missing = response.status === 501 || response.status === 405 || (response.status === 404 && !detail);
  throw new ApiError(response.status, describeError(response.status, detail), missing);
}

async function getJson(path) {
  return (await request(path)).json();
}

async function postJson(path, payload) {
  const response = await request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });
  return response.json();
}

function describeError(status, detail) {
  const what = {
    400: "Yêu cầu không hợp lệ.",
    401: "Khóa API không hợp lệ hoặc còn thiếu. Kiểm tra khóa trong mục Cài đặt.",
    403: "Khóa API này không được phép thực hiện thao tác này.",
    404: "Không tìm thấy.",
    413: "Tệp quá lớn.",
    415: "Loại tệp không được hỗ trợ.",
    422: "Nội dung nhập chưa hợp lệ.",
    500: "Máy chủ gặp lỗi. Vui lòng thử lại sau.",
  }[status] || `Máy chủ trả lỗi ${status}.`;
  return detail ? `${what} (Chi tiết: ${detail})` : what;
}

function errorBox(error, unavailableText) {
  const text = error instanceof ApiError && error.missing && unavailableText ? unavailableText : error.message;
  return h("div", { class: "notice notice-error", role: "alert" }, text);
}

function loading(text) {
  return h("p", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), text);
}

// -- routing ----------------------------------------------------------------------------------

const views = ["search", "chat", "trace", "docs", "doc"];

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [pathPart, queryPart] = raw.split("?", 2);
  const parts = pathPart.split("/").map((p) => {
    try {
      return decodeURIComponent(p);
    } catch (error) {
      return p;
    }
  });
  return { name: parts[0] || "search", args: parts.slice(1), query: new URLSearchParams(queryPart || "") };
}

function showView(name) {
  for (const view of views) $(`#view-${view}`).hidden = view !== name;
  for (const link of document.querySelectorAll(".main-nav a")) {
    const current = link.dataset.view === name || (name === "doc" && link.dataset.view === "docs");
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function route() {
  const { name, args, query } = parseHash();
  setStatus("");
  if (name === "chat") {
    showView("chat");
    document.title = "Hỏi đáp · Tra cứu văn bản chỉ đạo";
  } else if (name === "trace") {
    showView("trace");
    document.title = "Truy vết · Tra cứu văn bản chỉ đạo";
    await showTrace(args.join("/"));
  } else if (name === "docs") {
    showView("docs");
    document.title = "Văn bản đã nạp · Tra cứu văn bản chỉ đạo";
    await showDocuments();
  } else if (name === "doc" && args[0]) {
    showView("doc");
    await showDocument(args[0], args.slice(1).join("/"));
  } else {
    showView("search");
    document.title = "Tìm kiếm · Tra cứu văn bản chỉ đạo";
    await showSearch(query);
  }
}

function setStatus(text) {
  $("#status").textContent = text;
}

// -- the catalogue of documents (filters, list view) ------------------------------------------

let documentsCache = null;

async function loadDocuments(force) {
  if (!documentsCache || force) documentsCache = (await getJson("/documents")).documents;
  return documentsCache;
}

async function loadVocabulary() {
  try {
    const body = await getJson("/vocabulary");
    for (const [name, labels] of Object.entries(LABELS)) {
      for (const item of body[name] || []) labels[item.id] = item.label;
    }
  } catch (error) {
    // Without the vocabulary the page shows the ids; everything else still works.
  }
  for (const option of document.querySelectorAll("#f-kind option")) {
    if (option.value) option.textContent = LABELS.segment_kinds[option.value] || option.value;
  }
  for (const option of document.querySelectorAll("#f-role option")) {
    if (option.value) option.textContent = capitalize(LABELS.roles[option.value] || option.value);
  }
}

async function fillFilterChoices() {
  try {
    const docs = await loadDocuments();
    const select = $("#f-type");
    const chosen = select.value;
    clear(select, h("option", { value: "" }, "Tất cả"));
    for (const type of unique(docs.map((d) => d.type)).sort((a, b) => a.localeCompare(b, "vi"))) {
      select.append(h("option", { value: type }, type));
    }
    select.value = chosen;
  } catch (error) {
    // The filters still work as free choices; the list view shows the error.
  }
  try {
    const body = await getJson("/agencies");
    const agencies = Array.isArray(body) ? body : body.agencies || [];
    clear($("#agency-list"), agencies.map((a) => h("option", { value: a.name || a.id || String(a) })));
  } catch (error) {
    // /agencies is optional: without it the agency field is plain text.
  }
}

// -- search view ------------------------------------------------------------------------------

const FILTER_FIELDS = ["type", "kind", "year_from", "year_to", "agency", "role", "cited"];

function searchFormToHash(event) {
  event.preventDefault();
  const form = $("#search-form");
  const params = new URLSearchParams();
  const q = form.elements.q.value.trim();
  if (!q) {
    form.elements.q.focus();
    return;
  }
  params.set("q", q);
  for (const field of FILTER_FIELDS) {
    const value = form.elements[field].value.trim();
    if (value) params.set(field, value);
  }
  location.hash = `#/search?${params}`;
}

async function showSearch(query) {
  const form = $("#search-form");
  const results = $("#search-results");
  const q = (query.get("q") || "").trim();
  form.elements.q.value = q;
  let filtered = false;
  for (const field of FILTER_FIELDS) {
    form.elements[field].value = query.get(field) || "";
    filtered = filtered || Boolean(query.get(field));
  }
  if (filtered) $("#filters").open = true;
  if (!q) {
    clear(results, await searchWelcome());
    return;
  }
  clear(results, loading("Đang tìm…"));
  const params = new URLSearchParams({ q, k: "20" });
  for (const field of FILTER_FIELDS) if (query.get(field)) params.set(field, query.get(field));
  try {
    const body = await getJson(`/search?${params}`);
    renderHits(results, body.hits || [], q);
  } catch (error) {
    clear(results, errorBox(error));
  }
}

async function searchWelcome() {
  const box = h("div", { class: "welcome" });
  append(box, [
    h("p", {}, "Gõ chủ đề, tên cơ quan hoặc số hiệu văn bản. Có thể gõ không dấu."),
    h(
      "p",
      { class: "examples" },
      "Thử: ",
      ["hạ tầng giao thông", "tuyên truyền Kết luận 72", "chuyen doi so", "KL 72"].map((text) =>
        h("a", { class: "chip", href: `#/search?q=${encodeURIComponent(text)}` }, text),
      ),
    ),
  ]);
  try {
    const docs = await loadDocuments();
    box.append(h("p", { class: "muted" }, `Hệ thống đang có ${docs.length} văn bản. `,
      h("a", { href: "#/docs" }, "Xem danh sách văn bản")));
  } catch (error) {
    box.append(errorBox(error));
  }
  return box;
}

function renderHits(container, hits, q) {
  if (!hits.length) {
    clear(container, h("div", { class: "notice" }, `Không tìm thấy đoạn nào phù hợp với “${q}”. `,
      "Thử từ khóa khác hoặc bỏ bớt bộ lọc."));
    return;
  }
  const list = h("ol", { class: "hits" });
  for (const hit of hits) {
    const crumbs = (hit.breadcrumb || []).filter(Boolean);
    list.append(
      h(
        "li",
        { class: "hit" },
        h(
          "a",
          { class: "hit-link", href: docHref(hit.document_id, hit.segment_id) },
          h(
            "div",
            { class: "hit-meta" },
            h("span", { class: `badge kind-${hit.kind}` }, LABELS.segment_kinds[hit.kind] || hit.kind),
            h("span", { class: "hit-symbol" }, hit.document_symbol || hit.document_type || hit.document_id),
            hit.document_symbol && hit.document_type ? h("span", { class: "muted" }, hit.document_type) : null,
          ),
          hit.document_title ? h("div", { class: "hit-title" }, excerpt(hit.document_title, 180)) : null,
          h(
            "div",
            { class: "hit-crumbs" },
            crumbs.length ? excerpt(crumbs.join(" › "), 200) : null,
            h("span", { class: "hit-path" }, `Mục ${hit.path}`),
          ),
          h("p", { class: "hit-text" }, highlighted(hit.text, hit.highlights)),
        ),
      ),
    );
  }
  clear(container, h("p", { class: "muted result-count" }, `${hits.length} kết quả`), list);
}

// -- document view ----------------------------------------------------------------------------

async function showDocument(documentId, segmentId) {
  const body = $("#doc-body");
  clear(body, loading("Đang tải văn bản…"));
  let data;
  try {
    data = await getJson(`/documents/${encodeURIComponent(documentId)}`);
  } catch (error) {
    clear(body, h("p", {}, h("a", { href: "#/docs" }, "← Danh sách văn bản")), errorBox(error));
    return;
  }
  const doc = data.document;
  document.title = `${symbolOf(doc)} · Tra cứu văn bản chỉ đạo`;
  const segments = data.segments || [];
  const threshold = data.ocr_min_confidence;
  clear(
    body,
    h("p", { class: "back" }, h("a", { href: "#/docs" }, "← Danh sách văn bản")),
    renderDocumentHead(doc),
    renderWarnings(doc),
    h(
      "div",
      { class: "doc-layout" },
      renderOutline(data.outline || [], documentId),
      h(
        "div",
        { class: "doc-main" },
        h("h2", { id: "doc-content" }, "Toàn văn"),
        h("div", { class: "segments" }, segments.map((s) => renderSegment(s, documentId, threshold))),
      ),
    ),
    // Full width below the text: six columns need the room.
    renderAssignmentTable(documentId),
  );
  if (segmentId) focusSegment(segmentId);
  else window.scrollTo(0, 0);
}

function renderDocumentHead(doc) {
  const rows = [
    ["Loại", doc.type],
    ["Số hiệu", doc.number],
    ["Cơ quan ban hành", doc.issuer],
    ["Ngày ban hành", formatDate(doc.date) + (doc.place ? ` (${doc.place})` : "")],
    ["Trích yếu", doc.title],
    ["Nguồn", sourceText(doc)],
  ];
  const implementsList = doc.implements || [];
  return h(
    "header",
    { class: "doc-head" },
    h(
      "h1",
      {},
      doc.number ? [h("span", { class: "doc-type" }, doc.type || "Văn bản"), " "] : null,
      h("span", { class: "doc-symbol" }, symbolOf(doc)),
      doc.access_level && doc.access_level !== "public"
        ? h("span", { class: `badge access-${doc.access_level}` }, LABELS.access_levels[doc.access_level] || doc.access_level)
        : null,
    ),
    h(
      "dl",
      { class: "meta" },
      rows.filter(([, v]) => v && String(v).trim()).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
      implementsList.length
        ? [
            h("dt", {}, capitalize(LABELS.relations.implements)),
            h(
              "dd",
              {},
              implementsList.map((symbol, i) => [
                i ? ", " : "",
                h("a", { href: `#/trace/${encodeURIComponent(symbol)}` }, symbol),
              ]),
            ),
          ]
        : null,
    ),
    h(
      "div",
      { class: "doc-actions" },
      h("a", { class: "button secondary", href: "#assignment-table" }, "Bảng phân công"),
      h("button", { type: "button", onclick: () => downloadMatrix(doc.id, "xlsx") }, "Tải bảng phân công (Excel)"),
      h("button", { type: "button", class: "secondary", onclick: () => downloadMatrix(doc.id, "csv") }, "CSV"),
      doc.number ? h("a", { class: "button secondary", href: `#/trace/${encodeURIComponent(doc.number)}` }, "Truy vết") : null,
    ),
    h("p", { class: "doc-action-status", id: "doc-action-status", role: "status" }),
  );
}

// "Ảnh quét, đọc bằng OCR (tesseract, độ tin cậy 96%)" from the format and the reader's note
// ("ocr tesseract 96%"); a text file's encoding ("tcvn3") is named as it is.
function sourceText(doc) {
  const format = LABELS.source_formats[doc.source_format] || doc.source_format;
  const pages = doc.page_count ? `, ${doc.page_count} trang` : "";
  const ocr = /^ocr (\S+)(?: (\d+%))?$/.exec(doc.encoding || "");
  if (ocr) return `${format}${pages}, đọc bằng OCR (${ocr[1]}${ocr[2] ? `, độ tin cậy ${ocr[2]}` : ""})`;
  const encoding = doc.encoding && doc.encoding !== "utf-8" ? `, mã ${doc.encoding}` : "";
  return `${format}${pages}${encoding}`;
}

// What the reader noticed (pages or parts OCR read poorly, pages without text): said once, above
// the text, so that nobody relies on a passage without checking it against the paper.
function renderWarnings(doc) {
  const warnings = doc.warnings || [];
  if (!warnings.length) return null;
  return h(
    "div",
    { class: "notice notice-warning doc-warnings", role: "note" },
    h("p", {}, h("strong", {}, "Lưu ý khi đọc văn bản này"), " — đối chiếu với bản gốc những chỗ được nêu:"),
    h("ul", {}, warnings.map((warning) => h("li", {}, warning))),
  );
}

function renderOutline(outline, documentId) {
  const items = outline.map((entry) => {
    const depth = Math.min(String(entry.path).split(".").length - 1, 3);
    return h(
      "li",
      { class: `depth-${depth}` },
      h(
        "a",
        {
          href: docHref(documentId, entry.segment_id),
          onclick: (event) => {
            event.preventDefault();
            history.replaceState(null, "", docHref(documentId, entry.segment_id));
            focusSegment(entry.segment_id);
          },
        },
        excerpt(entry.text, 90),
      ),
    );
  });
  return h(
    "nav",
    { class: "outline", "aria-label": "Mục lục" },
    h("details", { open: window.matchMedia("(min-width: 900px)").matches }, h("summary", {}, "Mục lục"), h("ol", {}, items)),
  );
}

function pathDepth(path) {
  return Math.min(String(path).split(".").length - 1, 4);
}

// A part of a scan OCR read with less than the service's threshold: marked where it is read.
function ocrDoubt(segment, threshold) {
  const confidence = segment.ocr_confidence;
  if (threshold == null || confidence == null || confidence >= threshold) return null;
  const percent = `${Math.round(confidence * 100)}%`;
  return h(
    "span",
    { class: "badge ocr-doubt", title: `OCR đọc đoạn này với độ tin cậy ${percent}: đối chiếu với bản quét` },
    `OCR ${percent} · cần đối chiếu`,
  );
}

function renderSegment(segment, documentId, threshold) {
  const kind = segment.kind;
  const attrs = {
    class: `segment kind-${kind} depth-${pathDepth(segment.path)}`,
    id: `seg-${segment.id}`,
    "data-segment": segment.id,
    tabindex: "-1",
  };
  const label = h("a", { class: "seg-path", href: docHref(documentId, segment.id), title: "Liên kết đến mục này" }, segment.path);
  if (kind === "table_row" && Array.isArray(segment.cells)) {
    const columns = Array.isArray(segment.columns) ? segment.columns : [];
    return h(
      "div",
      attrs,
      label,
      ocrDoubt(segment, threshold),
      h(
        "dl",
        { class: "row-cells" },
        segment.cells.map((cell, i) => [h("dt", {}, columns[i] || `Cột ${i + 1}`), h("dd", {}, cell || "—")]),
      ),
      renderAssignmentLine(segment),
    );
  }
  const textTag = kind === "heading" ? "h3" : "p";
  return h(
    "div",
    attrs,
    label,
    ocrDoubt(segment, threshold),
    kind === "assignment" ? h("span", { class: "seg-kind" }, LABELS.segment_kinds.assignment) : null,
    h(textTag, { class: "seg-text" }, segment.text),
    renderAssignmentLine(segment),
  );
}

function renderAssignmentLine(segment) {
  const byRole = groupByRole(segment.assignments || []);
  const roles = Object.keys(byRole);
  if (!roles.length) return null;
  return h(
    "ul",
    { class: "roles" },
    roles.map((role) => h("li", {}, h("span", { class: "role-name" }, `${capitalize(LABELS.roles[role] || role)}: `), byRole[role].join("; "))),
  );
}

function capitalize(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

function groupByRole(assignments) {
  const byRole = {};
  for (const a of assignments) {
    (byRole[a.role] = byRole[a.role] || []).push(a.mention || a.agency);
  }
  for (const role of Object.keys(byRole)) byRole[role] = unique(byRole[role]);
  return byRole;
}

// The matrix's columns the page leaves to the Excel file: the directive chain has its own view (trace).
const MATRIX_HIDDEN = ["chain"];

/** The assignment matrix: the same rows as the Excel and CSV export, served as JSON, with its column titles. */
function renderAssignmentTable(documentId) {
  const section = h("section", { class: "assignment-section", id: "assignment-table", "aria-labelledby": "assignment-title" });
  section.append(h("h2", { id: "assignment-title" }, "Bảng phân công"), loading("Đang tải bảng phân công…"));
  const params = new URLSearchParams({ document: documentId, format: "json" });
  getJson(`/export/matrix?${params}`).then(
    (matrix) => clear(section, section.firstChild, matrixTable(matrix, documentId)),
    (error) => clear(section, section.firstChild, errorBox(error, "Máy chủ này chưa hỗ trợ bảng phân công.")),
  );
  return section;
}

function matrixTable(matrix, documentId) {
  if (!matrix.rows.length) return h("p", { class: "notice" }, "Văn bản này không có nhiệm vụ nào được nhận diện.");
  const columns = matrix.columns.filter((column) => !MATRIX_HIDDEN.includes(column.id));
  const table = h(
    "table",
    { class: "assignments" },
    h("thead", {}, h("tr", {}, columns.map((column) => h("th", { scope: "col" }, column.label)))),
    h(
      "tbody",
      {},
      matrix.rows.map((row) =>
        h("tr", {}, columns.map((column) => h("td", { "data-label": column.label, class: `col-${column.id}` }, matrixCell(row, column.id, documentId)))),
      ),
    ),
  );
  return h("div", { class: "table-wrap" }, table);
}

function matrixCell(row, column, documentId) {
  const value = row[column];
  if (column === "task") return h("p", { class: "task-text" }, excerpt(value, 240));
  if (column === "source") return h("a", { class: "path-link", href: docHref(documentId, row.segment_id) }, row.path);
  if (column === "due") return value ? formatDate(value) : "—";
  if (Array.isArray(value)) return value.length ? value.join("; ") : "—";
  return value === null || value === undefined ? "—" : String(value);
}

function focusSegment(segmentId) {
  const target = document.getElementById(`seg-${segmentId}`);
  for (const old of document.querySelectorAll(".segment.is-target")) old.classList.remove("is-target");
  if (!target) {
    setStatus("Không tìm thấy mục được dẫn trong văn bản này.");
    return;
  }
  target.classList.add("is-target");
  target.scrollIntoView({ block: "start" });
  target.focus({ preventScroll: true });
}

async function downloadMatrix(documentId, format) {
  const status = $("#doc-action-status");
  status.textContent = "Đang chuẩn bị tệp…";
  try {
    const params = new URLSearchParams({ document: documentId, format });
    const response = await request(`/export/matrix?${params}`);
    const blob = await response.blob();
    const disposition = response.headers.get("Content-Disposition") || "";
    const named = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
    const link = h("a", {
      href: URL.createObjectURL(blob),
      download: named ? decodeURIComponent(named[1]) : `bang-phan-cong-${documentId}.${format}`,
    });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    status.textContent = "Đã tải tệp.";
  } catch (error) {
    status.textContent =
      error instanceof ApiError && error.missing
        ? "Máy chủ này chưa hỗ trợ tải bảng phân công."
        : error.message;
  }
}

// -- chat view --------------------------------------------------------------------------------

const chat = { conversationId: null, turns: [] };

function loadChat() {
  try {
    Object.assign(chat, JSON.parse(sessionStorage.getItem(CHAT_STORAGE) || "{}"));
  } catch (error) {
    sessionStorage.removeItem(CHAT_STORAGE);
  }
  renderChat();
}

function saveChat() {
  sessionStorage.setItem(CHAT_STORAGE, JSON.stringify(chat));
}

function renderChat() {
  const log = $("#chat-log");
  clear(log, chat.turns.map(renderTurn));
  $("#chat-examples").hidden = chat.turns.length > 0;
}

function renderTurn(turn) {
  if (turn.role === "user") return h("div", { class: "turn turn-user" }, h("p", {}, turn.text));
  if (turn.role === "pending") return h("div", { class: "turn turn-answer" }, loading("Đang tìm câu trả lời…"));
  if (turn.role === "error") return h("div", { class: "turn turn-answer turn-error", role: "alert" }, turn.text);
  const citations = turn.citations || [];
  return h(
    "div",
    { class: `turn turn-answer${turn.found ? "" : " not-found"}` },
    turn.found ? null : h("p", { class: "badge not-found-badge" }, "Không tìm thấy"),
    h("p", { class: "answer-text" }, turn.text),
    citations.length
      ? h(
          "div",
          { class: "citations" },
          h("p", { class: "citations-title" }, "Nguồn trích dẫn"),
          h(
            "ol",
            {},
            citations.map((c) =>
              h(
                "li",
                {},
                h(
                  "a",
                  { class: "citation", href: docHref(c.document_id, c.segment_id) },
                  h("span", { class: "citation-ref" }, `${c.document_symbol || c.document_id}, mục ${c.path}`),
                  c.text ? h("span", { class: "citation-text" }, excerpt(c.text, 200)) : null,
                ),
              ),
            ),
          ),
        )
      : null,
  );
}

async function sendChat(message) {
  message = message.trim();
  if (!message) return;
  chat.turns.push({ role: "user", text: message }, { role: "pending" });
  renderChat();
  const input = $("#chat-input");
  input.value = "";
  const payload = { message };
  if (chat.conversationId) payload.conversation_id = chat.conversationId;
  try {
    const body = await postJson("/chat", payload);
    chat.conversationId = body.conversation_id || chat.conversationId;
    chat.turns.pop();
    chat.turns.push({ role: "answer", text: body.answer, found: Boolean(body.found), citations: body.citations || [] });
  } catch (error) {
    chat.turns.pop();
    const text =
      error instanceof ApiError && error.missing
        ? "Chức năng hỏi đáp chưa được bật trên máy chủ này. Hãy dùng mục Tìm kiếm."
        : error.message;
    chat.turns.push({ role: "error", text });
  }
  saveChat();
  renderChat();
  const last = $("#chat-log").lastElementChild;
  if (last) last.scrollIntoView({ block: "nearest" });
  input.focus();
}

// -- trace view -------------------------------------------------------------------------------

async function showTrace(symbol) {
  const result = $("#trace-result");
  $("#trace-input").value = symbol;
  if (!symbol) {
    clear(result, h("p", { class: "muted" }, "Gõ số hiệu văn bản (có thể viết tắt như “KL 72”, “NQ 13”)."));
    return;
  }
  clear(result, loading("Đang truy vết…"));
  let data;
  try {
    await loadDocuments().catch(() => null); // for document names in the sources
    data = await getJson(`/trace/${encodeURIComponent(symbol)}`);
  } catch (error) {
    const message =
      error instanceof ApiError && error.status === 404 && !error.missing
        ? `Không tìm thấy văn bản “${symbol}” trong hệ thống. Hãy nạp văn bản đó hoặc một văn bản trích dẫn nó.`
        : null;
    clear(result, message ? h("div", { class: "notice" }, message) : errorBox(error, "Chức năng truy vết chưa được bật trên máy chủ này."));
    return;
  }
  if (data.ambiguous) {
    clear(
      result,
      h("p", {}, `“${symbol}” có thể là một trong các văn bản sau, hãy chọn:`),
      h("ul", { class: "candidates" }, (data.candidates || []).map((c) => {
        const number = typeof c === "string" ? c : c.number;
        return h("li", {}, h("a", { class: "chip", href: `#/trace/${encodeURIComponent(number)}` }, number));
      })),
    );
    return;
  }
  const node = data.node || { number: data.symbol, document_id: data.document };
  const sections = [
    ["Văn bản này thực hiện", data.implements],
    ["Được thực hiện bởi", data.implemented_by],
    ["Văn bản được trích dẫn", data.cites],
    ["Được trích dẫn bởi", data.cited_by],
  ];
  clear(
    result,
    h(
      "div",
      { class: "trace-node" },
      h("h2", {}, [node.type, data.symbol || node.number].filter(Boolean).join(" ")),
      node.title ? h("p", {}, node.title) : null,
      h("p", { class: "muted" }, [node.issuer, node.date ? `ngày ${formatDate(node.date)}` : null, node.level ? `cấp ${node.level}` : null].filter(Boolean).join(" · ")),
      data.document ? h("a", { class: "button secondary", href: docHref(data.document) }, "Mở văn bản") : h("p", { class: "muted" }, "Văn bản này chưa được nạp; chỉ biết qua các văn bản trích dẫn nó."),
    ),
    renderChain(data.chain_up || [], node, data),
    sections.map(([title, items]) => renderTraceSection(title, items || [])),
  );
}

function renderChain(chain, node, data) {
  const steps = chain.map((item) => ({ item, current: false }));
  steps.push({ item: Object.assign({ number: data.symbol, document: data.document }, node), current: true });
  return h(
    "section",
    { class: "chain" },
    h("h3", {}, "Chuỗi chỉ đạo (từ trên xuống)"),
    chain.length ? null : h("p", { class: "muted" }, "Không có văn bản cấp trên nào được biết."),
    h("ol", { class: "chain-steps" }, steps.map(({ item, current }) => h("li", { class: current ? "current" : "" }, traceItemHead(item)))),
  );
}

/** A node known only by its document (no number) is keyed by the document id: show its subject instead. */
function hasNumber(item) {
  return Boolean(item.number) && item.number !== item.document && !String(item.key || "").startsWith("doc:");
}

function traceRef(item) {
  return hasNumber(item) ? item.number : item.document || item.key || "";
}

function traceItemHead(item) {
  const named = hasNumber(item);
  const name = named ? item.number : shortName(null, item.title) || item.key || "(không rõ)";
  // Named plans ("Quy hoạch tỉnh Kon Tum ...") already start with their type.
  const typed = item.type && !name.toLowerCase().startsWith(item.type.toLowerCase());
  const label = typed ? `${item.type} ${name}` : name;
  const target = item.document;
  return h(
    "div",
    { class: "trace-item" },
    target ? h("a", { class: "trace-symbol", href: docHref(target) }, label) : h("span", { class: "trace-symbol" }, label),
    item.date ? h("span", { class: "muted" }, ` · ${formatDate(item.date)}`) : null,
    item.level ? h("span", { class: "muted" }, ` · cấp ${item.level}`) : null,
    item.title ? h("div", { class: "trace-title" }, excerpt(item.title, 220)) : null,
  );
}

/** The service lists a neighbour once per relation; show it once, with all its relations. */
function mergeByNode(items) {
  const merged = new Map();
  for (const item of items) {
    const key = item.key || item.number;
    const entry = merged.get(key);
    if (entry) entry.relations = unique([...entry.relations, item.relation]);
    else merged.set(key, Object.assign({}, item, { relations: unique([item.relation]) }));
  }
  return [...merged.values()];
}

function renderTraceSection(title, rawItems) {
  const items = mergeByNode(rawItems);
  return h(
    "section",
    { class: "trace-section" },
    h("h3", {}, title, h("span", { class: "count" }, ` (${items.length})`)),
    items.length
      ? h(
          "ul",
          { class: "trace-list" },
          items.map((item) =>
            h(
              "li",
              {},
              item.relations.map((relation) => h("span", { class: "badge" }, LABELS.relations[relation] || relation)),
              traceItemHead(item),
              item.segment_id
                ? h("a", { class: "trace-source", href: docHref(item.document_id, item.segment_id) },
                    `Tại: ${documentName(item.document_id)}, mục ${item.path}`)
                : null,
              h("a", { class: "trace-more", href: `#/trace/${encodeURIComponent(traceRef(item))}` }, "Truy vết tiếp"),
            ),
          ),
        )
      : h("p", { class: "muted" }, "Không có."),
  );
}

// -- documents list ---------------------------------------------------------------------------

async function showDocuments() {
  const container = $("#docs-list");
  clear(container, loading("Đang tải danh sách…"));
  try {
    const docs = await loadDocuments(true);
    if (!docs.length) {
      clear(container, h("p", { class: "notice" }, "Chưa có văn bản nào. Dùng lệnh “vanban ingest” để nạp văn bản."));
      return;
    }
    const sorted = [...docs].sort((a, b) => String(b.date || "").localeCompare(String(a.date || "")));
    clear(
      container,
      h("p", { class: "muted" }, `${docs.length} văn bản`),
      h(
        "ul",
        { class: "doc-cards" },
        sorted.map((doc) =>
          h(
            "li",
            { class: "doc-card" },
            h(
              "a",
              { href: docHref(doc.id) },
              h(
                "div",
                { class: "hit-meta" },
                h("span", { class: "hit-symbol" }, symbolOf(doc)),
                h("span", { class: "muted" }, doc.type || ""),
                doc.access_level && doc.access_level !== "public"
                  ? h("span", { class: `badge access-${doc.access_level}` }, LABELS.access_levels[doc.access_level] || doc.access_level)
                  : null,
              ),
              h("div", { class: "hit-title" }, excerpt(doc.title || "", 220)),
              h(
                "div",
                { class: "muted small" },
                [doc.issuer, doc.date ? formatDate(doc.date) : null, `${doc.segment_count ?? "?"} đoạn`].filter(Boolean).join(" · "),
              ),
            ),
          ),
        ),
      ),
    );
  } catch (error) {
    clear(container, errorBox(error));
  }
}

// -- settings ---------------------------------------------------------------------------------

function setupSettings() {
  const panel = $("#settings");
  const toggle = $("#settings-toggle");
  const input = $("#api-key");
  toggle.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    toggle.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) input.focus();
  });
  input.value = apiKey();
  panel.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
    $("#settings-note").textContent = key ? "Đã lưu khóa API." : "Đã xóa khóa API.";
    documentsCache = null;
    fillFilterChoices();
    route();
  });
  $("#api-key-clear").addEventListener("click", () => {
    input.value = "";
    panel.requestSubmit();
  });
}

// -- start ------------------------------------------------------------------------------------

async function start() {
  setupSettings();
  $("#search-form").addEventListener("submit", searchFormToHash);
  $("#filters-clear").addEventListener("click", () => {
    for (const field of FILTER_FIELDS) $("#search-form").elements[field].value = "";
    $("#search-form").requestSubmit();
  });
  $("#chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sendChat($("#chat-input").value);
  });
  $("#chat-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("#chat-form").requestSubmit();
    }
  });
  for (const chip of document.querySelectorAll("#chat-examples .chip")) {
    chip.addEventListener("click", () => sendChat(chip.textContent));
  }
  $("#chat-new").addEventListener("click", () => {
    chat.conversationId = null;
    chat.turns = [];
    saveChat();
    renderChat();
    $("#chat-input").focus();
  });
  $("#trace-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const symbol = $("#trace-input").value.trim();
    if (symbol) location.hash = `#/trace/${encodeURIComponent(symbol)}`;
  });
  loadChat();
  fillFilterChoices();
  await loadVocabulary();
  window.addEventListener("hashchange", route);
  route();
}

document.addEventListener("DOMContentLoaded", start);
