"""Chinese text of the Telegram assistant: people, invites, coordinators, notifications.

The dialog's own questions and answers are in `dialogs/messages.py`; this module holds only
what the Telegram adapter says around them (bot/ may not contain CJK text, a test checks it).
"""

from __future__ import annotations

from dialogs import messages as msg

# --- commands shown in the Telegram menu (setMyCommands) -------------------------------------
COMMANDS_STAFF: tuple[tuple[str, str], ...] = (
    ("start", "开始 / 打开邀请"),
    ("fill", "填报"),
    ("review", "预览"),
    ("submit", "提交"),
    ("status", "进度"),
    ("agencies", "切换填报单位"),
    ("help", "帮助"),
)
COMMANDS_COORDINATOR: tuple[tuple[str, str], ...] = (
    ("round", "开启填报年度：/round 2024 [2025-01-31]"),
    ("agency", "添加单位并生成邀请链接：/agency 单位名称 部门|人民政府"),
    ("invite", "为单位生成新的邀请链接：/invite 单位编号或名称"),
    ("revoke", "撤销单位未使用的邀请链接：/revoke 单位编号或名称"),
    ("coordinator", "生成协调员邀请链接"),
    ("district", "查看或切换所协调的地区：/district [地区名称]"),
    ("dashboard", "填报进度总览：/dashboard [年度] 或 /dashboard 单位（单位详情）"),
    ("history", "报告修改记录：/history 单位编号或名称 [年度]"),
    ("return", "退回已提交的报告：/return 单位编号或名称"),
    ("accept", "通过已提交的报告（之后不能再修改）：/accept 单位编号或名称"),
    ("reopen", "重新打开已通过的报告：/reopen 单位编号或名称"),
    ("totals", "全区汇总数字（已提交的报告之和）：/totals [年度]"),
    ("export", "导出某年度全部报告及全区汇总：/export [年度]"),
)

# --- people and invites ------------------------------------------------------------------------
NOT_INVITED = (
    "您好！这是政府信息公开工作年度报告填报助手，仅供受邀的单位填报人员使用。\n"
    "请联系本地区政务公开办（协调员），由其为您的单位生成邀请链接；打开链接即可开始填报。"
)
INVITE_INVALID = "这个邀请链接无效、已过期、已被撤销或已被使用。请联系政务公开办重新生成邀请链接。"
INVITE_TOO_MANY_TRIES = (
    "邀请链接尝试次数过多，请 {minutes} 分钟后再打开邀请链接。如果链接确实无效，请联系政务公开办重新生成。"
)
INVITE_NO_ROUND = "目前没有开启的填报年度，请联系政务公开办。"
JOINED = "欢迎！您已加入「{agency}」，开始填报 {year} 年政府信息公开工作年度报告。"
BECAME_COORDINATOR = "您已成为协调员（政务公开办）。发送 /help 查看协调员命令。"
WELCOME_BACK = "欢迎回来！继续填报「{agency}」{year} 年报告。"
CHOOSE_AGENCY = "您可以为以下单位填报，请选择："
AGENCY_BUTTON = "{agency}（{year} 年，{status}）"
NO_REPORT = "您目前没有需要填报的报告。如有疑问，请联系政务公开办。"
SWITCHED = "已切换到「{agency}」{year} 年报告。"
NOT_YOURS = "您没有填报该单位报告的权限。如需填报，请联系政务公开办获取该单位的邀请链接。"
STALE_BUTTON = "这个按钮已过期，请按当前问题回答。"
EDIT_NOT_APPLIED = (
    "您修改了之前发送的消息，修改不会被记录。"
    "如需更改已填内容，请回复「修改 编号」（例如「修改 12」），或点「目录」找到该项后重新输入。"
)
UNKNOWN_COMMAND = "没有 {command} 这个命令。发送 /help 查看可用的命令。"
NOT_TEXT = "请用文字回答当前问题；图片、文件和语音不会被记录。"
ERROR_APOLOGY = "抱歉，处理您的消息时出错了，已填写的内容不受影响。请稍后再试，或发送 /fill 继续。"
DB_UNAVAILABLE = "抱歉，服务暂时不可用，您刚才发送的内容没有保存。请稍后重新发送。"
STAFF_HELP = (
    "命令：/fill 继续填报　/review 预览　/submit 提交　/status 进度　/agencies 切换单位　/help 帮助\n"
    "回答问题时直接输入数字或文字，或点下方按钮。"
)
COORDINATOR_HELP = (
    "协调员命令：\n"
    "/round 2024 [2025-01-31] 开启填报年度（截止日期默认为次年 1 月 31 日）\n"
    "/agency 单位名称 部门|人民政府 添加单位并生成邀请链接\n"
    "/invite 单位 生成新的邀请链接　/revoke 单位 撤销未使用的邀请链接\n"
    "/coordinator 生成协调员邀请链接\n"
    "/dashboard [年度] 填报进度总览\n"
    "/return 单位 退回已提交的报告\n"
    "/accept 单位 通过已提交的报告（之后不能再修改）　/reopen 单位 重新打开已通过的报告"
)

# --- coordinator commands -------------------------------------------------------------------------
COORDINATOR_ONLY = "该命令仅限协调员（政务公开办）使用。"
ROUND_USAGE = "用法：/round 2024 [2025-01-31]（截止日期默认为次年 1 月 31 日）。"
ROUND_OPENED_HEAD = (
    "{district}：已开启 {year} 年度填报，截止日期 {deadline}（本级政府年度报告截止 {government}）。"
)
ROUND_OPENED = (
    ROUND_OPENED_HEAD
    + "用 /agency 单位名称 部门|人民政府 添加单位，或发送单位名单（.xlsx 或 .csv：单位名称、类型、联系人）批量添加。"
)
ROUND_CHANGED = "{district}：{year} 年度填报截止日期已改为 {deadline}。"
AGENCY_USAGE = "用法：/agency 单位全称 部门|人民政府，例如：/agency 某某区行政审批局 部门"
AGENCY_NEED_ROUND = "请先用 /round 开启填报年度。"
AGENCY_CREATED = (
    "已将「{agency}」（编号 {agency_id}，{kind}）加入 {year} 年度填报。\n"
    "请把下面的邀请链接发给该单位的填报人员（{days} 天内有效，仅可使用一次）：\n{link}"
)
AGENCY_EXISTS = "「{agency}」已存在（编号 {agency_id}），已加入 {year} 年度填报。新的邀请链接（{days} 天内有效，仅可使用一次）：\n{link}"
AGENCY_UNKNOWN = "没有找到单位「{query}」。请用 /dashboard 中的单位编号或单位全称。"
INVITE_USAGE = "用法：/invite 单位编号或名称"
INVITE_CREATED = "「{agency}」的新邀请链接（{days} 天内有效，仅可使用一次）：\n{link}"
REVOKE_USAGE = "用法：/revoke 单位编号或名称"
REVOKED = "已撤销「{agency}」{count} 个未使用的邀请链接。"
COORDINATOR_INVITE = (
    "「{district}」协调员邀请链接（{days} 天内有效，仅可使用一次；打开者将成为该地区的协调员）：\n{link}"
)
RETURN_USAGE = "用法：/return 单位编号或名称 [退回意见]"
RETURNED = "已退回「{agency}」{year} 年报告，已通知 {count} 名填报人员。"
RETURNED_NOTICE = "「{agency}」{year} 年报告已被政务公开办退回修改。请点下方按钮继续填报，修改后重新提交。"
RETURNED_NOTICE_COMMENT = "退回意见：{comment}"
BTN_ACCEPT = "通过"
BTN_RETURN = "退回"
ACCEPT_USAGE = "用法：/accept 单位编号或名称"
ACCEPTED = "已通过「{agency}」{year} 年报告。报告已锁定，不能再修改；如需修改，请用 /reopen 重新打开。"
REOPEN_USAGE = "用法：/reopen 单位编号或名称"
REOPENED = "已重新打开「{agency}」{year} 年报告，已通知 {count} 名填报人员。"
REOPENED_NOTICE = "「{agency}」{year} 年报告已被政务公开办重新打开。请点下方按钮继续填报，修改后重新提交。"
BTN_CONTINUE = "继续填报"
DASHBOARD_NONE = "{year} 年度还没有单位。"
DASHBOARD_NO_ROUND = "还没有开启填报年度。用 /round 2024 开启。"
DASHBOARD_HEADER = "{district} {year} 年度填报进度（截止 {deadline}）：已提交 {submitted}/{total}"
DASHBOARD_COUNTS = "填写中 {draft}，已提交 {submitted}，已退回 {returned}，已通过 {accepted}；尚无人加入 {unopened}，有人无法联系 {blocked}"
DASHBOARD_LATE = "已过截止日期，仍有 {late} 个单位未提交。"
DASHBOARD_PAGE = "【{filter}】第 {page}/{pages} 页，共 {matching} 个单位："
DASHBOARD_EMPTY_FILTER = "【{filter}】没有单位。"
DASHBOARD_FILTERS = {
    "all": "全部",
    "open": "未提交",
    "submitted": "已提交",
    "accepted": "已通过",
    "returned": "已退回",
    "unopened": "尚无人加入",
    "blocked": "无法联系",
}
BTN_PREVIOUS_PAGE = "◀ 上一页"
BTN_NEXT_PAGE = "下一页 ▶"
DETAIL_HEADER = "{agency_id}. {agency}（{kind}）{year} 年报告：{status}，已填 {done}/{items} 项"
DETAIL_PEOPLE = "填报人员：{names}"
DETAIL_NO_PEOPLE = "填报人员：尚无人加入（邀请链接未被打开）"
DETAIL_CONTACT = "联系人：{contact}"
DETAIL_LAST_CHANGE = "最近状态变化：{at} {action}{by}{comment}"
DETAIL_WARNINGS = "提交时确认的提示："
DETAIL_NO_WARNINGS = "提交时没有需要确认的提示。"
HISTORY_USAGE = "用法：/history 单位编号或名称 [年度]"
HISTORY_HEADER = "「{agency}」{year} 年报告修改记录（共 {count} 条，最近的在最后）："
HISTORY_MORE = "（更早的 {count} 条未显示）"
HISTORY_NONE = "「{agency}」{year} 年报告还没有修改记录。"
HISTORY_ANSWER = "{at} {by}：{label} {old} → {new}"
HISTORY_STATUS = "{at} {by}：{action}（{old} → {new}）{comment}"
HISTORY_EMPTY_VALUE = "（空）"
HISTORY_NOBODY = "命令行"
DISTRICT_USAGE = "用法：/district 地区名称（切换到该地区；管理员可用新名称创建地区）"
DISTRICT_LIST = "您协调的地区（当前：{current}）：\n{names}\n用 /district 地区名称 切换。"
DISTRICT_NONE_PICKED = "未选择"
DISTRICT_PICKED = "已切换到「{district}」。之后的 /round、/agency、/dashboard、/export 等都针对该地区。"
DISTRICT_CREATED = "已创建并切换到地区「{district}」。"
DISTRICT_PICK_FIRST = "您协调多个地区，请先用 /district 地区名称 选择一个。"
DISTRICT_UNKNOWN = "没有找到您协调的地区「{district}」。用 /district 查看您协调的地区。"
RETURN_COMMENT_PROMPT_HEAD = "请直接回复本消息，写明退回"
RETURN_COMMENT_PROMPT = (
    RETURN_COMMENT_PROMPT_HEAD + "「{agency}」{year} 年报告的意见（填报人员会看到）；回复「取消」放弃退回。"
)
CANCEL_WORDS = frozenset({"取消", "算了", "不退回"})
COMMENT_SEP = "："
LABEL_SEP = "·"
DETAIL_EXPLANATION = "（说明：{text}）"
DETAIL_UNREACHABLE = "无法联系：{names}"
RETURN_CANCELLED = "已取消退回。"
RETURN_NO_PENDING = "没有等待填写意见的退回。"
BULK_DONE = "{district}：已从名单导入 {count} 个单位到 {year} 年度（新建 {created} 个，已有 {existing} 个），每个单位的邀请链接（{days} 天内有效，仅可使用一次）："
BULK_LINE = "{name}（{kind}）：{link}"
BULK_FILE_CAPTION = "邀请链接表：{count} 个单位"
BULK_REFUSED = "单位名单有 {count} 处错误，没有导入任何单位。请改正后重新发送："
BULK_TOO_MANY_ERRORS = "……另有 {count} 处错误未列出。"
BULK_FILE = "{district}{year}年度邀请链接.xlsx"
DASHBOARD_LINE = "{agency_id}. {agency}：{status}，已填 {done}/{items} 项"
DASHBOARD_SUBMITTED_AT = "，提交于 {at}"
DASHBOARD_NO_MEMBERS = "，尚无人加入"
DASHBOARD_UNREACHABLE = "，无法联系：{names}"
KIND_NAMES = msg.UNIT_NAMES
KIND_WORDS = msg.KIND_WORDS

# --- submission ----------------------------------------------------------------------------------
FILES_CAPTION = "{agency} {year} 年政府信息公开工作年度报告"
FILES_FOLLOW = "完整的报告文件随后发送给您。"
SUBMITTED_SUMMARY = (
    "报告已提交：{agency}（{year} 年）\n"
    "提交人：{by}\n"
    "依申请公开：本年新收 {new} 件，办结 {processed} 件，结转下年度 {carried} 件\n"
    "行政复议 {review} 件，行政诉讼 {litigation} 件"
)
SUMMARY_NO_WARNINGS = "确认的提示：无"
SUMMARY_WARNINGS = "确认的提示：\n{warnings}"
SUMMARY_EXPLANATION = "填报人说明：{text}"

# --- coordinator: import a published report, export a year -----------------------------------
IMPORT_USAGE = (
    "请发送已发布年报的 Word 文档（.docx）、PDF、网页（.html）或纯文本（.txt）文件；如标题中没有单位或年度，"
    "请在文件说明中写「单位全称 年度」，例如「某某区教育局 2024」。"
)
IMPORT_TOO_LARGE = "文件过大（超过 {limit} MB），请只发送年报正文。"
IMPORT_NOTES_HEADER = "导入时的提示："
IMPORT_PROPOSED = "填写 {year} 年报告时，上年结转、现行有效件数等将按这份年报建议。"
TOTALS_USAGE = "用法：/totals [年度]，例如 /totals 2024。"
TOTALS_NONE = "{district} {year} 年度还没有单位提交报告（共 {agencies} 个单位）。"
TOTALS_HEADER = "{district} {year} 年度汇总：已提交 {included}/{agencies} 个单位的报告之和"
TOTALS_FIGURES = (
    "收到申请：新收 {new} 件，上年结转 {carried_in} 件\n"
    "办理结果：办结 {processed} 件，结转下年 {carried_out} 件\n"
    "行政复议 {review} 件，行政诉讼 {litigation} 件"
)
TOTALS_BALANCED = "汇总表格核对：通过。"
TOTALS_UNBALANCED = "汇总表格核对：有 {count} 处不符（某个已提交单位的表格有误）：\n{problems}"
TOTALS_MISSING = "尚未提交（{count} 个）：{names}"
TOTALS_MISSING_MORE = "等"
TOTALS_NAME_SEPARATOR = "、"
TOTALS_EXPORT_HINT = "完整的汇总稿（Word、HTML）和各单位报告：/export {year}"
EXPORT_USAGE = "用法：/export [年度]，例如 /export 2024。"
EXPORT_NONE = "{year} 年度还没有报告。"
EXPORT_CAPTION = "{year} 年度全部报告（{count} 份）及全区汇总"
DASHBOARD_NAME_SEP = "、"
SENTENCE_ENDS = "。！？；.!?;"
