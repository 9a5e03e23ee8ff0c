"""The Chinese of the agency-list upload: header labels and kind words as people type them, and
the messages for a file that cannot be read and for each bad row.

Row messages name the row as the spreadsheet shows it and the column as the file labels it, in
the form 第 7 行「类型」：…, so the coordinator can go straight to the cell.
"""

# --- header labels (compared after full-width → half-width, without spaces, parentheses, "*") ---
NAME = "单位名称"
KIND = "类型"
CONTACT = "联系人"
PHONE = "联系电话"
NAME_LABELS = (
    "单位名称",
    "单位全称",
    "单位",
    "名称",
    "机关名称",
    "部门名称",
    "name",
    "agency",
    "agencyname",
    "unitname",
)
KIND_LABELS = ("类型", "单位类型", "类别", "单位类别", "kind", "type", "unitkind")
CONTACT_LABELS = ("联系人", "联系人姓名", "contact", "contactperson", "contactname")
PHONE_LABELS = (
    "联系电话",
    "电话",
    "手机",
    "手机号",
    "手机号码",
    "联系方式",
    "phone",
    "tel",
    "telephone",
    "mobile",
)

# --- the two kinds of unit (dialogs.form.UnitKind), as people write them --------------------------
DEPARTMENT_WORDS = (
    "部门",
    "政府部门",
    "工作部门",
    "政府工作部门",
    "直属部门",
    "区直部门",
    "县直部门",
    "市直部门",
    "department",
)
GOVERNMENT_WORDS = (
    "人民政府",
    "政府",
    "乡镇",
    "街道",
    "镇",
    "乡",
    "乡镇人民政府",
    "镇人民政府",
    "乡人民政府",
    "街道办事处",
    "街道办",
    "乡镇街道",
    "government",
)

# --- the whole file --------------------------------------------------------------------------------
_WHAT_TO_SEND = "请上传 Excel 表格（.xlsx）或 CSV 文件：表头为「单位名称」「类型」（部门或人民政府），可选「联系人」「联系电话」，每行一个单位。"
SHEET_EMPTY = "文件是空的（{name}），没有可导入的单位。" + _WHAT_TO_SEND
NOT_A_SPREADSHEET = "这不是表格文件（{name}）。" + _WHAT_TO_SEND
OLD_EXCEL = (
    "这是旧版 Excel 文件（{name}），无法直接读取。请在 Excel 或 WPS 中“另存为” .xlsx 或 CSV 后再上传。"
)
XLSX_DAMAGED = (
    "无法打开这个 Excel 文件（{name}），文件可能已损坏。请在 Excel 或 WPS 中重新保存为 .xlsx 后再上传。"
)
SHEET_UNDECODABLE = "无法识别文件的文字编码（{name}，不是 UTF-8 或 GB18030/GBK）。请在 Excel 中“另存为” .xlsx 或 CSV 后再上传。"
_EXPECTED = "需要「单位名称」和「类型」两列，可选「联系人」「联系电话」；表头上方可以有标题行，列的顺序不限。"
NO_HEADER = "找不到表头。" + _EXPECTED + "{found}"
FOUND_ROW = "表中第 {row} 行是：{cells}。"
FOUND_NOTHING = "表中没有任何内容。"
HEADER_INCOMPLETE = "第 {row} 行像是表头，但缺少{missing}列。" + _EXPECTED + "这一行是：{cells}。"
HEADER_DUPLICATE = "表头（第 {row} 行）中「{column}」出现了不止一次，无法判断用哪一列，请只保留一列。"
NO_ROWS = "表头（第 {row} 行）下面没有单位。请在表头下面每行填写一个单位。"
TOO_MANY_ROWS = "表格超过 {limit} 行，没有导入。请检查是否有多余内容，或分成几个文件上传。"
QUOTED = "“{text}”"
COLUMN = "「{label}」"
CELLS_MORE = "……"
CELLS_SHOWN = 8

# --- one problem per row ---------------------------------------------------------------------------
NAME_EMPTY = "第 {row} 行「{column}」：未填写单位名称"
NAME_TOO_LONG = "第 {row} 行「{column}」：“{name}”有 {length} 个字，单位名称最多 {limit} 个字"
NAME_BAD_CHARACTERS = "第 {row} 行「{column}」：单位名称中有换行或控制字符，请写在一行内"
NAME_DUPLICATE = "第 {rows} 行「{column}」：“{name}”重复出现，每个单位只能填一行"
ROWS_SEPARATOR = "、"
KIND_EMPTY = "第 {row} 行「{column}」：未填写，应为“部门”或“人民政府”"
KIND_UNKNOWN = "第 {row} 行「{column}」：“{value}”不是“部门”或“人民政府”"
FIELD_TOO_LONG = "第 {row} 行「{column}」：内容有 {length} 个字，最多 {limit} 个字"
NAME_SHOWN = 30
"""Characters of an over-long name quoted in its message."""
