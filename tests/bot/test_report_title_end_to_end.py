"""The published report title, set in the dialog, on the documents a clerk receives.

Telegram: the real PTB Application against the Bot API stand-in; terminal: the real process.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx

from dialogs.form import UnitKind
from dialogs.report_2021 import form_2021
from storage.db import Database
from tests.helpers.botapi import StandIn
from tests.helpers.fixtures import REAL_REPORTS, answers_from_json, load_json, narratives_from_json
from tests.helpers.rule_reports import AGENCY, YEAR, clean_answers
from tests.helpers.scripts import full_script
from tests.helpers.seeded_reports import seed_report, telegram_clerk
from tests.helpers.telegram_bot import dialog_buttons, next_prompt, running_bot
from tests.helpers.terminal import run_terminal

STAFF = 4242
PUBLISHED = f"{AGENCY}{YEAR}年度政府信息公开工作年度报告"


async def test_a_title_set_in_telegram_heads_every_document_sent(api: StandIn, db: Database) -> None:
    clerk = await telegram_clerk(db, STAFF)
    await seed_report(db, agency=AGENCY, year=YEAR, answers=clean_answers(), person_id=clerk)
    async with running_bot(api, db):
        await api.send_text(STAFF, "/fill")
        review, _ = await next_prompt(api, STAFF)
        assert f"报告标题：{AGENCY}{YEAR}年政府信息公开工作年度报告" in review["text"]

        await api.press(STAFF, review, dialog_buttons(review)["title"])
        asked, _ = await next_prompt(api, STAFF)
        assert "回复「确认」保留此标题" in asked["text"]
        await api.send_text(STAFF, f"{AGENCY}\n{YEAR}年度政府信息公开工作年度报告")  # pasted over two lines
        review, _ = await next_prompt(api, STAFF)
        assert f"报告标题已设为「{PUBLISHED}」。" in review["text"]

        await api.press(STAFF, review, dialog_buttons(review)["submit"])
        documents = [await api.wait_for_call("sendDocument", chat_id=STAFF)]
        while len(documents) < 4:
            since = api.sent.index(documents[-1]) + 1
            documents.append(await api.wait_for_call("sendDocument", chat_id=STAFF, since=since))

    by_suffix = {(d.document_name or "").rsplit(".", 1)[-1]: d.document_bytes or b"" for d in documents}
    assert by_suffix["txt"].decode().splitlines()[0] == PUBLISHED
    assert by_suffix["md"].decode().splitlines()[0] == f"# {PUBLISHED}"
    assert f"<title>{PUBLISHED}</title>" in by_suffix["html"].decode()
    word = docx.Document(io.BytesIO(by_suffix["docx"]))
    assert (word.paragraphs[0].text, word.core_properties.title) == (PUBLISHED, PUBLISHED)


def test_a_title_set_in_the_terminal_heads_the_files_written(tmp_path: Path) -> None:
    # 平潭 published its report on 2024 as 「平潭综合实验区2024年度政府信息公开工作年度报告」.
    path = next(p for p in REAL_REPORTS if "pingtan" in p.name)
    meta = load_json(path)["report"]
    agency, year = meta["agency"], int(meta["year"])
    published = f"{agency}{year}年度政府信息公开工作年度报告"
    answers = {**answers_from_json(path), **narratives_from_json(path)}
    script = full_script(form_2021(), agency, UnitKind.GOVERNMENT, year, answers)
    submit = script.index("提交")
    script[submit:submit] = ["标题", "确认", "标题", published]

    done = run_terminal(script, f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path)

    assert done.returncode == 0, done.stderr[-2000:]
    assert f"报告标题保持为「{agency}{year}年政府信息公开工作年度报告」。" in done.stdout
    assert f"报告标题已设为「{published}」。" in done.stdout
    assert "报告已提交" in done.stdout
    (text,) = (tmp_path / "out").glob("*.txt")
    assert text.read_text(encoding="utf-8").splitlines()[0] == published
    (word,) = (tmp_path / "out").glob("*.docx")
    document = docx.Document(str(word))
    assert (document.paragraphs[0].text, document.core_properties.title) == (published, published)
