"""The terminal process end to end: shortcuts over typed numbers, the government items, the
review's checklist, a blocked submission and the warning step (issues 16 and 17)."""

from __future__ import annotations

import io
from pathlib import Path

from bot.check import run_check
from dialogs.form import UnitKind
from dialogs.report_2021 import form_2021
from tests.helpers.dialog import GOVERNMENT_FILL, S5_S6_FILL, TABLES_FILL
from tests.helpers.terminal import run_terminal

_TABLE_TWO = TABLES_FILL[:6]


def test_no_applications_over_typed_numbers_waits_for_confirmation_across_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    typed = ["3 1 0 0 0 0", "0 0 0 0 0 0", "2 0 0 0 0 0"]  # 一, 二, （一）
    shortcut = "本年未收到政府信息公开申请"
    first = run_terminal(
        ["某区审批局", "1", "2024", *_TABLE_TWO, *typed, shortcut, "5 0 0 0 0 0", shortcut], url, tmp_path
    )
    assert first.returncode == 0, first.stderr[-2000:]
    assert "一、本年新收政府信息公开申请数量：自然人 3、商业企业 1" in first.stdout
    assert "（一）予以公开：自然人 2" in first.stdout
    assert "已取消，已填的数字没有改动" in first.stdout
    assert "已将本年新收申请和全部办理结果填为 0" not in first.stdout

    second = run_terminal(["确认清零", "预览"], url, tmp_path)
    assert second.returncode == 0, second.stderr[-2000:]
    before_confirm = second.stdout.split("已将本年新收申请和全部办理结果填为 0")[0]
    assert "（一）予以公开：自然人 2" in before_confirm  # the question waited through the restart
    assert "一、本年新收政府信息公开申请数量\t\t\t" + "\t".join("0" * 7) + "\n" in second.stdout
    assert "（一）予以公开\t\t" + "\t".join("0" * 7) + "\n" in second.stdout


def test_a_government_report_with_none_a_bare_number_a_skip_and_the_warning_step(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    items = [i.id for i in form_2021().items_for(UnitKind.GOVERNMENT)]
    s5 = items.index("text.s5") + 1
    up_to_extras = GOVERNMENT_FILL[: -len(S5_S6_FILL) - 3]
    extras = ["无", "12", "本年度开展社会评议1次。", "完成", "跳过"]
    after_s5 = S5_S6_FILL[2:]
    lines = [
        *("某某镇人民政府", "2", "2024"),
        *up_to_extras,
        *extras,
        "跳过",  # 五
        *after_s5,
        "提交",  # blocked: 五 is missing
        f"修改 {s5}",
        *S5_S6_FILL[:2],
        "提交",  # the warnings
        "２ ０ ０ ０ ０ ０ ２",
        "确认提交",
    ]
    done = run_terminal(lines, url, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "已记录：本年度无工作考核结果。" in out
    assert "「12」只有数字或标点" in out
    assert f"○ 五写明问题和改进措施（待第 {s5} 项填写后检查）" in out
    blocked = out.split("还不能提交")[1].split("〔可回复")[0]
    assert f"回复「修改 {s5}」补填" in blocked
    assert "回复「提交」" not in blocked
    assert "! 人民政府报告考核、评议和责任追究情况" in out
    asked_again = out.split("以下提示需要您确认")[1]
    assert "「责任追究结果情况」" in asked_again
    assert "尚未提交。请回复「确认提交」" in asked_again.split("报告已提交")[0]
    assert "报告已提交" in out

    (written,) = (tmp_path / "out").glob("*.txt")
    text = written.read_text(encoding="utf-8")
    assert "工作考核结果情况：本年度无工作考核结果。" in text
    assert "社会评议结果情况：本年度开展社会评议1次。" in text
    assert "：无" not in text
    assert "12" not in text.split("社会评议结果情况")[1].split("\n")[0]

    # `nianbao check` on the published text: the same rule with the same severity.
    shown = io.StringIO()
    run_check([str(written)], previous=None, kind="人民政府", as_json=False, out=shown)
    assert "[提示] FMT-GOV-EXTRA" in shown.getvalue()
