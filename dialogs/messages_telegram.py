"""Chinese text of the Telegram assistant: people, invites, coordinators, notifications.

The dialog's own questions and answers are in `dialogs/messages.py`; this module holds only
what the Telegram adapter says around them (bot/ may not contain CJK text, a test checks it).
"""

from __future__ import annotations

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
    ("dashboard", "填报进度总览：/dashboard [年度]"),
    ("return", "退回已提交的报告：/return 单位编号或名称"),
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
    "/return 单位 退回已提交的报告"
)

# --- coordinator commands -------------------------------------------------------------------------
COORDINATOR_ONLY = "该命令仅限协调员（政务公开办）使用。"
ROUND_USAGE = "用法：/round 2024 [2025-01-31]（截止日期默认为次年 1 月 31 日）。"
ROUND_OPENED = "已开启 {year} 年度填报，截止日期 {deadline}。用 /agency 单位名称 部门|人民政府 添加单位。"
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
COORDINATOR_INVITE = "协调员邀请链接（{days} 天内有效，仅可使用一次；打开者将成为协调员）：\n{link}"
RETURN_USAGE = "用法：/return 单位编号或名称"
RETURN_NOT_SUBMITTED = "「{agency}」{year} 年报告当前状态为「{status}」，只有已提交的报告可以退回。"
RETURNED = "已退回「{agency}」{year} 年报告，已通知 {count} 名填报人员。"
RETURNED_NOTICE = "「{agency}」{year} 年报告已被政务公开办退回修改。请点下方按钮继续填报，修改后重新提交。"
BTN_CONTINUE = "继续填报"
DASHBOARD_NONE = "{year} 年度还没有单位。"
DASHBOARD_NO_ROUND = "还没有开启填报年度。用 /round 2024 开启。"
DASHBOARD_HEADER = "{year} 年度填报进度（截止 {deadline}）：已提交 {submitted}/{total}"
DASHBOARD_LINE = "{agency_id}. {agency}：{status}，已填 {done}/{items} 项"
DASHBOARD_SUBMITTED_AT = "，提交于 {at}"
DASHBOARD_NO_MEMBERS = "，尚无人加入"
DASHBOARD_UNREACHABLE = "，无法联系：{names}"
KIND_NAMES = {"department": "部门", "government": "人民政府"}
KIND_WORDS = {
    "部门": "department",
    "人民政府": "government",
    "政府": "government",
    "乡镇": "government",
    "街道": "government",
}

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
EXPORT_USAGE = "用法：/export [年度]，例如 /export 2024。"
EXPORT_NONE = "{year} 年度还没有报告。"
EXPORT_CAPTION = "{year} 年度全部报告（{count} 份）及全区汇总"
DASHBOARD_NAME_SEP = "、"
SENTENCE_ENDS = "。！？；.!?;"
