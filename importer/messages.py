"""The importer's Chinese messages: what could not be read, placed or trusted, and what was read.

Kept in the importer's own package (exempted from the CJK scan like dialogs/messages*.py) because
only the importer emits them, and the readers of issue 13 (Word, PDF, flattened text) add theirs
here without touching the dialog engine's modules. Messages name the line, say what is wrong and
what to do, like the dialog's own messages.
"""

# --- the whole file -------------------------------------------------------------------------
UNNAMED_FILE = "未命名文件"
EMPTY = "文件是空的，没有可导入的内容。"
NOT_A_REPORT = (
    "这不像是政府信息公开工作年度报告：读到 {lines} 行文字（其中 {rows} 行是表格数字），"
    "但没有一行是「一、总体情况」至「六、其他需要报告的事项」这样的一级标题。"
    "如果这是年报全文，请把各部分的标题改为国家格式的写法后再导入。"
)
MISSING_HEADING = "找不到「{heading}」部分，文件可能不完整（被截断）或不是按国家格式编写的年报。"
MISSING_HEADING_INSIDE = (
    "找不到「{heading}」部分的标题，而其后的「{later}」已读到，文件并非不完整："
    "这一部分的标题可能写成了别的文字。请把它改为「{heading}」后再导入。"
)
HEADING_DIFFERS = "一级标题「{printed}」与国家格式「{official}」不一致，已按「{official}」导入。"
HTML_REJECTED = "网页内容无法解析，请在浏览器中重新“另存为”网页（.html）后再导入。"
UNDECODABLE = (
    "无法识别文件的文字编码（不是 UTF-8 或 GB18030/GBK）。请用记事本打开后“另存为”UTF-8 编码的纯文本再导入。"
)
BINARY = "这不是年报文件（{name}）。请导入年报的 Word 文档（.docx）、PDF、网页（.html）或纯文本（.txt）。"
WORD_FILE = "这是旧版 Word、WPS 或其他文字处理文件（{name}），无法直接读取。请在 Word 或 WPS 中“另存为”Word 文档（.docx）后再导入。"
WORD_DAMAGED = "Word 文件（.docx）已损坏或不是 Word 文档，无法打开。请在 Word 或 WPS 中重新“另存为”Word 文档（.docx）后再导入。"
EXCEL_FILE = "这是 Excel 表格文件（{name}），不是年报全文。请导入年报的 Word 文档（.docx）、PDF、网页（.html）或纯文本（.txt）。"
PDF_DAMAGED = "PDF 文件已损坏或无法打开，请重新下载年报 PDF，或导入年报 Word 文档（.docx）、网页（.html）。"
PDF_ENCRYPTED = "这个 PDF（{name}）设置了打开密码，无法读取。请发送没有密码的 PDF，或年报的 Word 文档（.docx）、网页（.html）。"
PDF_SCANNED = "这个 PDF（{name}）是扫描的图片，没有可读取的文字层，无法读取其中的文字。请发送年报的 Word 文档（.docx）、原网页（.html）或可以选中文字的 PDF，或把全文复制到记事本另存为纯文本（.txt）后再导入。"
OFD_FILE = "这是 OFD 版式文件（{name}），无法直接读取。请导入同一年报的 PDF 或 Word 文档（.docx），或打开年报原网页“另存为”网页（.html）再导入。"
IMAGE_FILE = "这是图片（{name}），无法读取其中的文字。请导入年报的 Word 文档（.docx）、PDF、网页（.html）或纯文本（.txt）。"
ARCHIVE_FILE = (
    "这是压缩包（{name}），请解压后导入其中的年报（Word 文档 .docx、PDF、网页 .html 或纯文本 .txt）。"
)
FATAL_PREFIX = "无法导入："
LINE_REF = "第 {line} 行「{text}」："

# --- title and front matter -----------------------------------------------------------------
NO_TITLE = "找不到报告标题（如「××局2024年政府信息公开工作年度报告」）。"
NO_YEAR = "标题和统计期限中都找不到报告年度，请在对话中确认年度。"
BEFORE_TITLE = "标题前的内容未导入（可能是网页导航或附加信息）。"
PAGE_EXTRA = "网页附加信息（发布时间、来源、打印、网站页脚等）未导入。"

# --- narratives -----------------------------------------------------------------------------
S1_UNPLACED = "「一、总体情况」中的这一段无法对应到（一）至（五）小节，未导入。"
S1_GOV_EXTRA = "这一小节（工作考核、社会评议和责任追究结果情况）已并入「（五）监督保障」。"
S1_NO_SUBSECTIONS = (
    "「一、总体情况」中找不到（一）至（五）小标题，全部文字已放入开篇概述，请在对话中分到各小节。"
)
S1_MISSING_SUBSECTION = "「一、总体情况」中缺少「{title}」小节，请在对话中补填。"
SECTION_EMPTY = "「{heading}」下没有文字，请在对话中补填。"
FEE_NOT_STATED = "「六、其他需要报告的事项」没有写明信息处理费（金额或「未收取」），请在对话中补填。"
SIGNATURE_UNPLACED = "文末落款未导入正文（落款日期已记为发布日期）。"

# --- tables ---------------------------------------------------------------------------------
TABLE_TEXT_UNPLACED = "「{heading}」中的这一行既不是表格标题也不是表格数据，未导入。"
T2_OLD_FORMAT = "表二是 2019 年试行格式（列为「{column}」等），与 2021 年格式的列含义不同，无法自动对应。请按 2021 年格式整理表二后再导入。"
T2_UNKNOWN_ROW = "表二中的「{label}」不是 2021 年格式的行，未导入。"
T2_WRONG_COUNT = "表二「{label}」应有 {expected} 个数字，这一行有 {got} 个。文件可能不完整或表格错位。"
T2_LAST_OF_MANY = "表二「{label}」这一行有 {got} 个数字，已按最后一个（本年数量）导入，请核对。"
T2_NOT_INTEGER = "表二「{label}」应为整数件数，这一行是「{value}」。"
T2_DUPLICATE = "表二「{label}」出现了两次，无法判断以哪一行为准。"
T2_MISSING = "表二没有「{label}」一行（与国家格式不一致），这一行未导入，请在对话中填写。"
T3_WRONG_COUNT = "表三「{label}」应有 7 个数字（6 类申请人和总计），这一行有 {got} 个。文件可能不完整或表格错位，请核对原表。"
T3_NOT_INTEGER = "表三「{label}」的数字应为整数件数，这一行有「{value}」。"
T3_UNKNOWN_ROW = "表三中无法识别这一行（「{label}」），未导入。"
T3_NO_NUMBERS = "表三「{label}」这一行没有数字，文件可能不完整（被截断）。"
T3_LABEL_DIFFERS = "表三行标签「{printed}」与官方标签「{official}」不一致，已按官方行「{official}」导入。"
T3_SUBTOTAL = "表三「{label}」是分组标题，官方表格没有小计行，这一行的数字未导入。"
T3_OLD_OTHER_ROW = (
    "表三使用了 2019 年试行格式的单行「（六）其他处理」。已将其数字计入「3.其他」，"
    "「1.申请人无正当理由逾期不补正……」和「2.申请人逾期未按收费通知要求缴纳费用……」两行记为 0，请核对。"
)
T3_DUPLICATE = "表三「{label}」出现了两次，无法判断以哪一行为准。"
T3_MISSING = "表三缺少以下行：{labels}。文件可能不完整（被截断）。"
T4_WRONG_COUNT = "表四应有 15 个数字（行政复议 5 个、未经复议直接起诉 5 个、复议后起诉 5 个），读到 {got} 个。文件可能不完整或表格错位。"
T4_NOT_INTEGER = "表四的数字应为整数件数，这里是「{value}」。"

# --- flattened text: a row's digits ran together -------------------------------------------------
SPLIT_AMBIGUOUS = (
    "表{table}「{label}」的数字连在一起（{digits}），可以拆成不止一种 {cells} 个数字：{options}。"
    "这一行未导入，请在对话中确认或填写这一行。"
)
SPLIT_NONE = (
    "表{table}「{label}」的数字连在一起（{digits}），拆不出符合表内合计关系的 {cells} 个数字。"
    "这一行未导入，请在对话中填写这一行。"
)
SPLIT_CELL = "/"
SPLIT_OR = "，或 "
SPLIT_MORE = "，共 {count} 种"
SPLIT_SHOWN = 3
T4_LABEL = "行政复议、行政诉讼"

# --- staff importing an earlier report of their own agency ----------------------------------------
EARLIER_NO_YEAR = "无法从文件中识别报告年度。请重新发送文件，并在文件说明中写上年度，例如「{example}」。"
EARLIER_NOT_EARLIER = (
    "这是 {year} 年的报告。填报人员只能导入本单位 {before} 年以前已发布的年报；"
    "{before} 年的报告请在对话中逐项填写。"
)
EARLIER_OTHER_AGENCY = (
    "文件标题中的单位是「{printed}」，不是您的单位「{agency}」，未导入。"
    "填报人员只能导入本单位的年报；如需导入其他单位的年报，请联系政务公开办（协调员）。"
)

# --- what was read (issue 13 says it instead of a generic refusal) ----------------------------
READ_SECTIONS = "读到的部分：{sections}"
READ_NO_SECTIONS = "没有读到任何部分标题"
MISSING_SECTIONS = "缺少的部分：{sections}"
READ_TABLE = "表{table}读到 {read}/{expected} 个数字"
READ_SEPARATOR = "；"
READ_SUMMARY = "\n（{summary}。）"
LIST_SEPARATOR = "、"
HEADING_NUMBER_END = "、"
