"""Every Chinese sentence the dialog says, in one place (labels live in the form declaration)."""

from __future__ import annotations

# --- input reading ------------------------------------------------------------------
EMPTY_NUMBERS = "没有收到数字。这里需要 {count} 个数，请重新输入。"
NEGATIVE = "「{token}」是负数，数量和金额都不能为负。请重新输入，例如：{example}"
NOT_A_NUMBER = "「{token}」不是数字。请输入阿拉伯数字或中文数字，例如：{example}（没有可填 0 或「无」）。"
DECIMAL_IN_COUNT = "「{token}」带有小数，这里需要整数件数。请重新输入，例如：3"
TOO_LARGE = "「{token}」数值过大，请核对后重新输入。"
TOO_MANY_DECIMALS = "「{token}」小数位过多，最多保留 {places} 位小数。请重新输入，例如：12.35"
WRONG_COUNT = "这里需要 {expected} 个数（{labels}），您输入了 {got} 个。请按顺序用空格或逗号隔开重新输入；也可只输入一个数逐格填写。"
WRONG_COUNT_ONE = "这里只需要 1 个数，您输入了 {got} 个。请重新输入，例如：3"
EMPTY_NARRATIVE = "内容为空。请输入本项文字，或回复「跳过」稍后再填。"
AGENCY_EMPTY = "单位名称不能为空。请输入单位全称，例如：某某区行政审批局。"
AGENCY_BAD_CHARACTERS = (
    "单位名称只能是一行文字，不能含换行或控制字符。请重新输入单位全称，例如：某某区行政审批局。"
)
AGENCY_TOO_LONG = (
    "单位名称有 {length} 个字，超过了 {limit} 个字的上限。请只输入单位全称，例如：某某区行政审批局。"
)

# --- prompts ------------------------------------------------------------------------
PROGRESS = "【{section}】第 {index}/{total} 项"
ROW_ZERO_TIP = "本行全部为 0 可回复「无」；也可以只输入一个数逐格填写。"
EXAMPLE = "例如：{example}"
CELL_PROMPT = "请输入「{label}」（本行第 {index}/{count} 格）："
CURRENT_VALUE = "当前已填：{value}"
PROPOSAL_CARRIED_IN = "去年报告的「结转下年度继续办理」为：{values}。回复「确认」采用，或输入其他数值。"
PROPOSAL_CARRIED_IN_NONE = "系统中没有去年的报告，请按去年年报的「结转下年度继续办理」填写。"
PROPOSAL_BALANCE = "按勾稽关系（一 + 二 − （七））计算应为：{values}。回复「确认」采用。"
PROPOSAL_TEXT = "建议文字：\n{text}\n回复「采用」使用建议文字（之后仍可追加或修改），或直接输入您自己的文字。"
PROPOSAL_LAST_YEAR = (
    "去年此项内容：\n{text}\n回复「沿用去年」以此为底稿（请修改年份和数字），或直接输入新的文字。"
)
NARRATIVE_CURRENT = "当前内容：\n{text}\n发送新内容将替换原文；回复「完成」保留原文进入下一项。"
NARRATIVE_APPENDED = "已记录「{title}」第 {count} 段。继续发送下一段，或回复「完成」进入下一项。"
NARRATIVE_OPTIONAL = "本项可不填，回复「跳过」即可。"
GOV_NONE_OK = "没有相关情况可回复「无」。"
NONE_RECORDED = "已记录：{text}"
NARRATIVE_SUSPICIOUS = (
    "「{text}」只有数字或标点，不像一段文字，尚未保存。"
    "如确实要这样填写，请回复「确认保存」；否则请重新输入本项文字。"
)

# --- navigation -----------------------------------------------------------------------
SAVED_CELL = "已保存「{title}」{label}：{value}。"
SAVED_VALUES = "已保存「{title}」：{values}。"
SAVED_ROW = "已保存「{title}」：{values}（总计 {total}）。"
SKIPPED = "已跳过「{title}」，提交前会提醒您补填。"
BACK_AT_START = "已经是第一项，无法再后退。"
NOTHING_TO_ACCEPT = "本项没有可采用的建议值，请直接输入。"
TOC_HEADER = "目录（回复编号跳转）："
TOC_LINE = "{number}. {name}（已填 {done}/{total}）"
TOC_BAD_CHOICE = "请回复目录中的编号（1–{count}），或回复「返回」继续当前问题。"
EDIT_USAGE = "请说明要修改哪一项，例如：「修改 12」（按项目编号）或「修改 行政许可」。"
EDIT_NOT_FOUND = "没有找到「{query}」对应的项目。请用项目编号，例如：「修改 12」；回复「目录」查看全部项目。"
EDIT_AMBIGUOUS = "「{query}」对应多个项目：{matches}。请用项目编号修改，例如：「修改 {first}」。"
EDIT_START = "修改「{title}」，改完后回到您原来的位置。"
EDIT_RETURN = "已修改。回到您原来的位置。"
SUBMITTED_LOCKED = "报告已提交，不能再修改。如需修改，请联系政务公开办退回。"
UNKNOWN_BUTTON = "这个按钮已过期，请按当前问题回答。"
OUTDATED_ANSWER = "这条回复是在当前问题显示之前发出的，没有保存，以免记到别的项目里。请按当前问题回答："
STALE_ANSWER = (
    "报告已在别处（另一个窗口或设备）修改，当前问题已变化，刚才的回复没有保存。请按当前问题重新回答："
)
DONE_NOT_NARRATIVE = "「完成」用于结束一段文字。当前问题需要输入数字。"
SHORTCUT_NO_APPS = "已将本年新收申请和全部办理结果填为 0。请确认「上年结转」和「结转下年度」。"
SHORTCUT_NO_REVIEW = "已将行政复议、行政诉讼全部填为 0。"
SHORTCUT_NOT_HERE = "这个快捷回复只能在表三（或表四）中使用。"
SHORTCUT_OVERWRITE = (
    "「{shortcut}」会把以下已填的数字全部改为 0：\n{rows}\n"
    "确认全部改为 0，请回复「确认清零」；回复其他任何内容即取消，已填的数字保持不变。"
)
SHORTCUT_OVERWRITE_ROW = "· {title}：{values}"
SHORTCUT_CANCELLED = "已取消，已填的数字没有改动。"

# --- report title -------------------------------------------------------------------------
TITLE_PROMPT = (
    "报告标题：\n{title}\n回复「确认」保留此标题；如已发布的标题不同"
    "（例如「××局2025年度政府信息公开工作年度报告」），请直接输入完整标题。"
)
TITLE_SAVED = "报告标题已设为「{title}」。"
TITLE_KEPT = "报告标题保持为「{title}」。"
TITLE_EMPTY = "标题为空。请输入完整的报告标题，或回复「确认」保留原标题。"
TITLE_CONTROL = "标题中含有无法打印的控制字符，请重新输入。"
TITLE_TOO_SHORT = (
    "「{title}」太短，不像完整的报告标题。请输入完整标题，例如：××局2025年度政府信息公开工作年度报告。"
)
TITLE_TOO_LONG = "标题有 {length} 个字，超过 {limit} 个字。请只输入标题本身。"
REVIEW_TITLE = "报告标题：{title}（回复「标题」修改）"
BTN_TITLE = "标题"

# --- balance (勾稽关系) ------------------------------------------------------------------
BALANCE_BROKEN = (
    "「{column}」列不平衡：本年新收 {new} + 上年结转 {carried_in} = {left}，"
    "而办理结果总计 {processed} + 结转下年度 {carried_out} = {right}。"
    "按勾稽关系，结转下年度应为 {expected}。请重新输入，或修改前面的数字（「修改」+ 项目编号）。"
)
BALANCE_NEGATIVE = (
    "「{column}」列：本年新收 {new} + 上年结转 {carried_in} 小于办理结果总计 {processed}，"
    "结转下年度无法为非负数。请先修改前面的数字（例如「修改 {item_number}」）。"
)
BALANCE_RECHECK = "前面的数字有改动，表三的勾稽关系需要重新核对「结转下年度继续办理」。"

# --- review and submission -----------------------------------------------------------
REVIEW_HEADER = "全部项目已过一遍：已填 {done}/{total} 项。"
REVIEW_MISSING = "尚未填写（不填无法提交）："
REVIEW_MISSING_LINE = "· {ref} —— 回复「修改 {number}」补填"
REVIEW_ERRORS = "需要改正（不改正无法提交）："
REVIEW_ERROR_LINE = "✗ {message} —— 回复「修改 {number}」改正"
REVIEW_WARNINGS = "需要确认的提示："
REVIEW_INFOS = "供参考（不影响提交）："
REVIEW_OK = "所有检查均已通过。"
REVIEW_NEXT = "回复「提交」提交报告，「预览」查看全文，「修改 编号」修改某项。"
REVIEW_NEXT_BLOCKED = "按上面的「修改 编号」逐项补填、改正，每项改完会回到这里；「预览」查看全文。"
REVIEW_WAITING = "（待第 {numbers} 项填写后检查）"
REVIEW_WAITING_MANY = "（待第 {numbers} 等 {count} 项填写后检查）"
SUBMIT_BLOCKED = "还不能提交，请先处理以下各项："
SUBMIT_CONFIRM = (
    "以下提示需要您确认。回复「确认提交」确认无误并提交；"
    "或回复以「说明：」开头的一句说明（例如「说明：数据已核实。」），说明会随报告一起报送协调员。"
)
CONFIRM_HOW = (
    "尚未提交。请回复「确认提交」确认以下提示无误并提交，"
    "或回复以「说明：」开头的一句说明（例如「说明：数据已核实。」）。"
)
SUBMIT_DONE = "报告已提交。感谢！"
SUBMIT_RENDER_FAILED = (
    "报告文件未能生成，报告尚未提交；已填写的内容都已保存。请稍后再回复「提交」，或联系政务公开办。"
)
CONFIRM_NOTHING = "现在没有需要确认的内容。"
EXPLANATION_SAVED = "说明已记录。"

PREVIEW_HEADER = "预览（已填 {done}/{total} 项）："
PREVIEW_UNANSWERED = "（未填）"
PREVIEW_SKIPPED = "（已跳过）"

HELP = (
    "随时可以回复：上一步｜跳过｜目录｜预览｜修改 编号｜提交｜帮助。\n"
    "表三每行可一次输入 6 个数（总计自动计算），也可逐格输入；没有的填 0 或「无」。\n"
    "表三可回复「本年未收到政府信息公开申请」，表四可回复「无行政复议、行政诉讼」，一次填好全部 0。\n"
    "回复「标题」查看或修改报告标题（例如改为已发布的「××局2025年度政府信息公开工作年度报告」）。"
)

# --- button labels (terminal shows them as words to type) -----------------------------
BTN_BACK = "上一步"
BTN_SKIP = "跳过"
BTN_TOC = "目录"
BTN_PREVIEW = "预览"
BTN_SUBMIT = "提交"
BTN_CONFIRM_SUBMIT = "确认提交"
BTN_ACCEPT = "确认"
BTN_ADOPT = "采用"
BTN_LAST_YEAR = "沿用去年"
BTN_DONE = "完成"
BTN_NONE = "无"
BTN_RETURN = "返回"
BTN_NO_APPS = "本年未收到政府信息公开申请"
BTN_NO_REVIEW = "无行政复议、行政诉讼"
BTN_CONFIRM_ZERO = "确认清零"
BTN_CONFIRM_TEXT = "确认保存"
BTN_CANCEL = "取消"

# --- terminal adapter ----------------------------------------------------------------------
TERM_WELCOME = "年报助手：政府信息公开工作年度报告填报（终端模式）。随时输入「帮助」查看可用的回复。"
TERM_ASK_AGENCY = "请输入单位全称（例如：某某区行政审批局）："
TERM_ASK_KIND = "单位类型：1. 部门　2. 人民政府（县、区、乡镇、街道）。请输入 1 或 2："
TERM_BAD_KIND = "请输入 1（部门）或 2（人民政府）。"
TERM_ASK_YEAR = "报告年度（直接回车为 {default} 年）："
BAD_YEAR = "年度应为 {first} 至 {latest} 之间的四位数字，例如：{default}。"
CURRENT_YEAR_WARNING = (
    "{year} 年还没有结束：年度报告报告的是已经结束的年度（今年填报的是 {previous} 年）。"
    "确实要填写 {year} 年，请再输入一次 {year}；否则请输入正确的年度。"
)
TERM_AGENCY_IS_COMMAND = "「{name}」是回复指令，不是单位名称。请输入单位全称（例如：某某区行政审批局）。"
TERM_KEEP = "直接回车保留：{current}"
TERM_SETUP_HELP = "正在填写报告的基本信息（单位名称、单位类型、报告年度）。可回复：上一步｜退出｜帮助。"
TERM_REPORTS_HEADER = "您的报告："
TERM_REPORT_LINE = "{number}. {agency} {year} 年（{status}）"
TERM_MENU_HELP = (
    "输入编号打开报告；「新建」开始一份新报告；「改名 编号 新名称」修改单位名称；"
    "「修改单位 编号」重新填写单位名称、类型和年度；「退出」结束。"
)
TERM_MENU_BAD = "没有看懂「{text}」。"
TERM_MENU_NUMBER = "没有第 {number} 份报告，请输入列表中的编号（1–{count}）。"
TERM_RESUMING = "继续填写：{agency} {year} 年政府信息公开工作年度报告。"
TERM_MENU_HINT = "（输入「报告」可查看全部报告、新建报告，或修改单位名称、类型和年度。）"
TERM_DIALOG_HELP = (
    "终端中还可以回复：报告（查看、切换、新建报告，修改单位信息）｜"
    "重新生成（重新生成已提交报告的文件）｜退出（已填内容都已保存）。"
)
TERM_CHANGED = "已修改：{agency} {year} 年（{kind}）。"
TERM_CHANGE_LOCKED = (
    "{agency} {year} 年的报告已提交，不能修改单位信息。如需修改，请协调员先退回（./nianbao return）。"
)
TERM_YEAR_TAKEN = "{agency} 已有 {year} 年的报告，不能改为这个年度。"
TERM_RETURN_COMMENT = "协调员退回意见：{comment}"
TERM_NOT_SUBMITTED_YET = "报告提交后才生成文件。回复「预览」可查看目前的内容。"
TERM_QUIT_WORDS = ("退出", "结束", "quit", "exit")
TERM_MENU_WORDS = ("报告", "报告列表", "切换报告")
TERM_NEW_WORDS = ("新建", "新建报告", "0")
TERM_RENDER_WORDS = ("重新生成", "生成文件")
TERM_RENAME_WORD = "改名"
TERM_CHANGE_WORD = "修改单位"
TERM_WORDS = (*TERM_QUIT_WORDS, *TERM_MENU_WORDS, *TERM_NEW_WORDS, *TERM_RENDER_WORDS)
TERM_CHOICES = "〔可回复：{choices}〕"
TERM_BLANK = "没有收到内容，请按上面的提示输入。"
TERM_EOF = "已保存。再次运行 ./nianbao 将从当前问题继续。"
TERM_FILES = "报告文件已写入 {directory}："
TERM_ALREADY_SUBMITTED = "{agency} {year} 年的报告已提交。"
TERM_NOT_SAVED = "刚才的输入没有保存。问题解决后请重新运行 ./nianbao，从当前问题继续并重新输入。"
REPORT_UNKNOWN = "找不到 {agency} {year} 年的报告（单位名称须与年报助手中的完全一致）。"
CLI_RETURNED = "已退回：{agency} {year} 年的报告。单位可以在终端（./nianbao）或 Telegram 中修改后重新提交。"
CLI_ACCEPTED = (
    "已通过：{agency} {year} 年的报告。报告已锁定，不能再修改；如需修改，请用 ./nianbao reopen 重新打开。"
)
CLI_REOPENED = "已重新打开：{agency} {year} 年的报告。单位可以修改后重新提交。"
# A status change the lifecycle refuses (Telegram and the command line alike).
REVIEW_DENIED = "「{agency}」{year} 年报告当前状态为「{status}」，只有{allowed}的报告可以{verb}。"
ACTION_VERBS = {
    "submit": "提交",
    "return": "退回",
    "accept": "通过",
    "reopen": "重新打开",
    "record_published": "导入已发布报告",
}
STATUS_OR = "或"
DEFAULT_DISTRICT = "本地区"
"""The district of a database without any (and of the agencies the terminal creates).
Migration 0007 names the district of an existing database the same way."""

STATUS_NAMES = {"draft": "填写中", "submitted": "已提交", "returned": "已退回", "accepted": "已通过"}

# --- coordinator export ----------------------------------------------------------------------
EXPORT_AGGREGATE_AGENCY = "{district}汇总（{count}个单位）"
EXPORT_WORKBOOK_FILE = "{district}{year}年度统计表.xlsx"
EXPORT_UNITS_FILE = "汇总单位名单.txt"
EXPORT_UNITS_HEADER = "{district}{year}年度汇总稿：已汇总 {count} 个单位（已提交或已通过）"
EXPORT_UNITS_MISSING = "未汇总 {count} 个单位（尚未提交）："
CLI_UNKNOWN_DISTRICT = "没有名为「{district}」的地区。用 ./nianbao district 查看全部地区。"
CLI_ROUND_HINT = "用 ./nianbao agencies 名单.xlsx 批量添加单位（单位名称、类型、联系人）。"
CLI_TOTALS_EXPORT_HINT = "完整的汇总稿（Word、HTML）和各单位报告：./nianbao export --year {year}"
CLI_NO_ROUND = "该地区还没有开启填报年度。用 ./nianbao round --year 2025 开启。"
CLI_DISTRICT_READY = "地区「{district}」已就绪。之后的命令用 --district {district} 指定它。"
CLI_NO_DISTRICTS = "还没有地区（第一次开启填报年度或添加单位时会创建「本地区」）。"
CLI_FILE_UNREADABLE = "无法读取文件：{path}"
CLI_WRITTEN = "已写入：{path}"
EXPORT_SUMMARY_HEADER = (
    "单位",
    "类型",
    "状态",
    "提交时间",
    "本年新收",
    "上年结转",
    "办结",
    "结转下年度",
    "行政复议",
    "行政诉讼",
)
UNIT_NAMES = {"department": "部门", "government": "人民政府"}
EXPORT_DONE = "已导出 {year} 年度 {count} 份报告及全区汇总：{path}"
EXPORT_NONE = "{year} 年度还没有报告。"
EXPORT_OUT_NOT_DIR = "导出位置不是目录：{path}。请用 --out 指定一个目录。"
EXPORT_FAILED = "{agency} 的报告未能生成文件，未包含在导出中；其余报告已导出。"
EXPORT_OUT_UNWRITABLE = "无法在此位置创建或写入导出文件：{path}。请用 --out 指定一个可写的目录。"

# --- database failures the process stops on (their exit codes are in CLI_EXIT_CODES) -------------
DB_FAULTS = {
    "damaged": "数据库文件已损坏，无法读取：{where}。请用备份替换该文件，或将其移走后重新运行（将新建空数据库）。",
    "not_a_database": (
        "该位置的文件不是年报助手的数据库：{where}。请检查 NIANBAO_DATABASE_URL 或 NIANBAO_DATA_DIR 是否指向了其他文件。"
    ),
    "cannot_create": "无法打开或创建数据库文件：{where}。请检查所在目录是否存在、当前用户是否有写入权限。",
    "read_only": "数据库文件只读，无法保存填写内容：{where}。请为当前用户开放写入权限后重新运行。",
    "file_gone": (
        "数据库文件在运行中被删除或替换：{where}。为避免填写内容丢失，年报助手已停止；请恢复该文件后重新运行。"
    ),
    "server_gone": "无法连接数据库服务器（数据库 {where}）：服务器可能已停止或网络中断。请稍后重试，或联系管理员。",
}

# --- backup and restore (nianbao backup / restore) ------------------------------------------------
BACKUP_DONE = "已备份数据库：{path}（{size}）"
BACKUP_EXISTS = "备份文件已存在，不会覆盖：{path}。请指定新的文件名或一个目录。"
BACKUP_NO_DATABASE = "没有可备份的数据库：{path} 不存在。"
BACKUP_UNWRITABLE = "无法写入备份文件：{path}（{error}）。请指定一个可写的位置。"
BACKUP_DAMAGED = "数据库文件已损坏，备份未完成：{path}。请使用更早的备份。"
RESTORE_NO_FILE = "找不到要恢复的文件：{path}"
RESTORE_REFUSED = {
    "not_sqlite": "未恢复：{path} 不是 SQLite 数据库文件。现有数据库没有改动。",
    "damaged": "未恢复：{path} 已损坏（完整性检查未通过）。现有数据库没有改动，请换一个备份。",
    "not_nianbao": "未恢复：{path} 是 SQLite 数据库，但不是年报助手的数据库（没有 alembic_version 版本表）。现有数据库没有改动。",
    "newer": "未恢复：{path} 由更新版本的年报助手创建（数据库版本 {detail}），当前版本无法使用。现有数据库没有改动，请先升级年报助手。",
    "in_use": (
        "未恢复：数据库正被其他进程使用（正在运行的机器人或终端）：{database}。"
        "请先停止这些进程（例如 systemctl stop nianbao）再恢复。现有数据库没有改动。"
    ),
}
RESTORE_DONE = "已恢复数据库：{database}\n来自备份：{source}（数据库版本 {revision}，已升级到当前版本）"
RESTORE_KEPT = "被替换的数据库已保留为：{kept}"
PG_CREDENTIALS_HINT = "命令中不含密码：请用环境变量 PGPASSWORD 或 ~/.pgpass 文件提供数据库密码。"
PG_BACKUP = (
    "数据库是 PostgreSQL，年报助手不直接备份。请用 PostgreSQL 的 pg_dump 备份：\n  {command}\n"
    + PG_CREDENTIALS_HINT
)
PG_RESTORE = (
    "数据库是 PostgreSQL，年报助手不直接恢复。请先停止所有年报助手进程，再用 pg_restore 恢复：\n  {command}\n"
    + PG_CREDENTIALS_HINT
    + "\n恢复后运行 ./nianbao db upgrade，将数据库结构升级到当前版本。"
)

# --- import and check commands ------------------------------------------------------------------
IMPORT_NO_FILE = "找不到文件：{path}"
IMPORT_NEED_AGENCY = "无法从报告标题中识别单位名称，请用 --agency 指定。"
IMPORT_NEED_YEAR = "无法从报告标题中识别年度，请用 --year 指定。"
IMPORT_EXISTS = "{agency} {year} 年的报告已在年报助手中填写，不能用导入覆盖。"
IMPORT_NOTES = "导入时的提示："
IMPORT_LOCKED = "{agency} {year} 年的报告当前状态为「{status}」，不能用导入覆盖。"
IMPORT_DONE = "已导入：{agency} {year} 年政府信息公开工作年度报告（{numbers} 个数值，{texts} 段文字）。"
UNIT_WORDS = {name: kind for kind, name in UNIT_NAMES.items()}  # --kind takes the names only
CHECK_HEADER = "== {file}：{agency} {year} 年"
CHECK_NONE = "未发现问题。"
CHECK_COUNTS = "错误 {errors} 项，提示 {warnings} 项，信息 {infos} 项。"
CHECK_UNREADABLE = "== {file}：无法读取。{error}"
CHECK_EMPTY_DIRECTORY = "目录 {path} 中没有报告文件（{suffixes}）。请指定报告文件，或存有报告文件的目录。"

# --- command line (help texts are bilingual) --------------------------------------------------
CLI_DESCRIPTION = """年报助手 nianbao — 政府信息公开工作年度报告填报助手
The assistant for the annual government information disclosure report.

不带参数运行：有 NIANBAO_TELEGRAM_TOKEN 时启动 Telegram 机器人，否则在终端中逐项填报。
Without arguments: the Telegram bot when NIANBAO_TELEGRAM_TOKEN is set, else the terminal dialog."""
CLI_HELP = {
    "run": "运行助手（默认）/ run the assistant (default)",
    "db": "数据库 / database",
    "db.action": "upgrade: 应用全部迁移 / apply every migration",
    "import-report": "导入已发布的年报（文本或网页）/ import a published report (text or HTML)",
    "file": "报告文件 / the report file (.txt, .html)",
    "files": "报告文件 / report files (.txt, .html)",
    "agency": "单位全称（默认取报告标题中的单位）/ agency name (default: from the title)",
    "year": "报告年度（默认取标题中的年度）/ report year (default: from the title)",
    "kind": "单位类型（新单位必填）/ unit kind (required for a new agency)",
    "check": "检查已发布的年报 / check published reports",
    "previous": "上一年度的报告，用于跨年检查 / last year's report, for the cross-year rules",
    "json": "以 JSON 输出 / print JSON",
    "export": "导出某年度全部报告及汇总 / export a year's reports and the district totals",
    "export.year": "报告年度 / report year",
    "out": "输出目录 / output directory",
    "return": "把已提交的报告退回单位修改 / return a submitted report to its agency for edits",
    "accept": "通过已提交的报告（之后不能再修改）/ accept a submitted report (it is then locked)",
    "reopen": "重新打开已通过的报告，单位可再修改 / reopen an accepted report for edits",
    "render": "按已保存的内容重新生成报告文件 / render a report's documents again from what is stored",
    "report.agency": "单位全称 / agency name, exactly as stored",
    "report.year": "报告年度 / report year",
    "comment": "退回意见，单位打开报告时看到 / a comment the agency sees when it opens the report",
    "reopen.comment": "重新打开的原因，单位打开报告时看到 / why, shown to the agency when it opens the report",
    "district": "地区名称（默认：唯一的地区或「本地区」）/ the district (default: the only one, or 本地区)",
    "round": "开启填报年度或修改截止日期 / open a reporting year or change its deadline",
    "deadline": "截止日期 YYYY-MM-DD（默认次年 1 月 31 日）/ deadline (default 31 January of the next year)",
    "district.command": "列出地区，或用名称创建地区 / list the districts, or create one by name",
    "district.name": "要创建的地区名称 / the district to create",
    "agencies": "从 .xlsx 或 .csv 名单批量添加单位并生成邀请链接 / add agencies in bulk from a list",
    "agencies.file": "单位名单（单位名称、类型、联系人）/ the list (name, kind, contact)",
    "dashboard": "填报进度：各状态数量和单位列表 / progress: counts per state and the agencies",
    "dashboard.agency": "只看一个单位的详情 / one agency's detail",
    "status": "按状态筛选 / filter by state",
    "page": "页码（每页 20 个单位）/ page (20 agencies a page)",
    "history": "报告的修改记录 / a report's history of changes",
    "totals": "全区汇总数字：已提交报告之和、核对结果、未提交的单位 / the district's totals of the handed-in reports",
    "backup": "备份 SQLite 数据库（运行中也可以）/ back up the SQLite database (also while the bot runs)",
    "backup.file": (
        "备份文件或目录（默认：数据库所在目录下的 backups/nianbao-时间.sqlite3）"
        " / the backup file or a directory (default: backups/ beside the database)"
    ),
    "restore": "用备份替换 SQLite 数据库（先检查备份）/ replace the SQLite database by a checked backup",
    "restore.file": "要恢复的备份文件 / the backup to restore",
}
CLI_EXIT_CODES = """退出码 / exit codes:
  0   成功 / success
  1   没有可导出的报告，或检查发现错误 / nothing to export, or the check found errors
  2   参数或输入文件有误 / bad arguments or an unreadable input file
  10  数据库文件已损坏 / the database file is damaged
  11  数据库路径上的文件不是数据库 / the file at the database path is not a database
  12  无法打开或创建数据库文件（目录不存在或不可写）/ the database file cannot be opened or created
  13  数据库文件只读 / the database file is read-only
  14  数据库文件在运行中被删除或替换 / the database file was deleted or replaced while running
  15  无法连接数据库服务器 / the database server cannot be reached
  16  导出位置不是目录 / the export destination is not a directory
  17  导出位置无法创建或写入 / the export destination cannot be created or written
  18  restore：数据库正被其他进程使用 / restore: another process has the database open
  19  backup/restore：PostgreSQL 请用 pg_dump/pg_restore / PostgreSQL: use pg_dump/pg_restore"""
UNIT_CHOICES = ("部门", "人民政府")
# The words a person may type for a unit kind (Telegram's /agency and the terminal's setup).
KIND_WORDS = {
    "部门": "department",
    "政府": "government",
    "人民政府": "government",
    "乡镇": "government",
    "街道": "government",
}
TERM_KIND_WORDS = {"1": "department", "2": "government", **KIND_WORDS}  # the terminal numbers its menu
TERM_DEFAULT_WORDS = ("", "回车", "默认")
YEAR_SUFFIXES = ("年度", "年")
CHECK_LINE = "  [{label}] {rule}：{message}"
DOCUMENT_STEM = "{agency}{year}年政府信息公开工作年度报告"
EXPORT_SUMMARY_FILE = "{year}年度报告汇总表.csv"
EXPORT_AGGREGATE_DIR = "全区汇总"
CHOICE_SEPARATOR = "｜"
REVIEW_CHECKLIST = "检查清单（✓ 通过，✗ 需改正，! 需确认，i 供参考，○ 待填写后才能检查）："

# --- punctuation the dialog writes between values and items ---------------------------------
LIST_SEP = "、"
ITEM_SEP = "；"
LABEL_SEP = "："
EXPLANATION_PREFIXES = ("说明：", "说明:")
PROGRESS_DONE = "已填 {done}/{total} 项。"
PREVIEW_SECTION = "【{section}】"
PREVIEW_TOTAL = "（总计 {total}）"
PREVIEW_LINE = "{number}. {title}：{value}"
