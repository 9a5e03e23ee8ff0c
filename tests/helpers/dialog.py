"""A test driver for the pure dialog engine: sends inputs, applies writes like storage would."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dialogs.engine import DialogState, Press, ReportInfo, Resume, Step, Text, Write, step
from dialogs.form import Form, UnitKind, Value
from dialogs.report_2021 import form_2021
from dialogs.rules import CORE_RULES, Rule


def apply_writes(answers: dict[str, Value], writes: Iterable[Write]) -> None:
    """Apply a step's writes to `answers` as storage commits them: a None value deletes the key."""
    for write in writes:
        if write.value is None:
            answers.pop(write.key, None)
        else:
            answers[write.key] = write.value


class Driver:
    """Drives `step` turn by turn, keeping the answers and the state between turns.

    Writes are applied to `answers` exactly as storage commits them (a None value deletes
    the key), so a test sees what a person would see after a restart.
    """

    def __init__(
        self,
        form: Form | None = None,
        info: ReportInfo | None = None,
        *,
        answers: Mapping[str, Value] | None = None,
        state: DialogState | None = None,
        rules: tuple[Rule, ...] = CORE_RULES,
    ) -> None:
        self.form = form if form is not None else form_2021()
        self.info = info if info is not None else ReportInfo("某某区行政审批局", UnitKind.DEPARTMENT, 2024)
        self.answers: dict[str, Value] = dict(answers or {})
        self.state = state if state is not None else DialogState()
        self.rules = rules
        self.steps: list[Step] = []

    # --- inputs -------------------------------------------------------------------------
    def send(self, text: str, token: str | None = None) -> Step:
        """Type `text`; with `token`, as typed at that position (another window may have moved on)."""
        event = Text(text, token)
        return self._apply(step(self.form, self.info, self.answers, self.state, event, rules=self.rules))

    def press(self, value: str, token: str | None = None) -> Step:
        """Press a button made for the current state, or for `token` (a stale message)."""
        event = Press(value, self.state.token if token is None else token)
        return self._apply(step(self.form, self.info, self.answers, self.state, event, rules=self.rules))

    def resume(self) -> Step:
        return self._apply(step(self.form, self.info, self.answers, self.state, Resume(), rules=self.rules))

    def _apply(self, result: Step) -> Step:
        apply_writes(self.answers, result.writes)
        self.state = result.state
        self.steps.append(result)
        return result

    # --- what the person sees -----------------------------------------------------------------
    @property
    def last(self) -> Step:
        return self.steps[-1]

    @property
    def last_text(self) -> str:
        return "\n".join(r.text for r in self.last.replies)

    @property
    def last_choices(self) -> tuple[str, ...]:
        """The values of the buttons offered in the last reply."""
        return tuple(c.value for r in self.last.replies for c in r.choices)

    @property
    def item(self) -> str | None:
        return self.state.item

    # --- shortcuts for tests --------------------------------------------------------------
    def go_to(self, item_id: str) -> None:
        """Put the dialog on `item_id` directly (as a restart with a saved position would)."""
        self.state = DialogState(item=item_id, skipped=self.state.skipped)

    def values(self, *keys: str) -> list[Value | None]:
        return [self.answers.get(k) for k in keys]


# A whole department report typed the way a person would, from the first question to review.
# Table 三 balances: 新收 10/2/0/0/1/0 + 上年结转 1/0/0/0/0/0 − 办结 7/1/0/0/0/0 = 结转 4/1/0/0/1/0.
TABLES_FILL: tuple[str, ...] = (
    "0 0 0",  # 规章
    "2 1 15",  # 行政规范性文件
    "128",  # 行政许可
    "45",  # 行政处罚
    "3",  # 行政强制
    "12.35",  # 行政事业性收费（万元）
    "10 2 0 0 1 0",  # 一、本年新收
    "1 0 0 0 0 0",  # 二、上年结转
    "5 1 0 0 0 0",  # （一）予以公开
    "2 0 0 0 0 0",  # （二）部分公开
    *("无",) * 19,  # the other result rows
    "4 1 0 0 1 0",  # 四、结转下年度
    "1 0 0 1",  # 行政复议
    "无",  # 直接起诉
    "无",  # 复议后起诉
)
_PREAMBLE_S1_FILL: tuple[str, ...] = (
    "采用",  # 前言: the generated sentence
    "完成",
    "2024年，本局认真贯彻落实《条例》。",  # 开篇概述
    "完成",
    "全年主动公开政府信息120条。",  # （一）主动公开
    "完成",
    "采用",  # （二）依申请公开: the generated sentence
    "完成",
    "完善政府信息管理制度。",  # （三）
    "完成",
    "门户网站政府信息公开专栏运行平稳。",  # （四）
    "完成",
    "将政务公开纳入年度考核。",  # （五）监督保障
    "完成",
)
S5_S6_FILL: tuple[str, ...] = (
    "主动公开的及时性有待提高。",  # 五
    "完成",
    "0",  # 信息处理费（元）
    "采用",  # 六
    "完成",
)
DEPARTMENT_FILL = (*TABLES_FILL, *_PREAMBLE_S1_FILL, *S5_S6_FILL)
# A people's government also answers 工作考核、社会评议、责任追究 after （五）监督保障 (无 moves on).
GOVERNMENT_FILL = (*TABLES_FILL, *_PREAMBLE_S1_FILL, "无", "无", "无", *S5_S6_FILL)


def fill(driver: Driver, inputs: tuple[str, ...] = DEPARTMENT_FILL) -> None:
    """Send `inputs` one by one from wherever the driver is."""
    driver.resume()
    for text in inputs:
        driver.send(text)
