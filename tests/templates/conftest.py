"""Fixtures for the renderer tests: the form, the real reports, their contexts."""

from __future__ import annotations

import pytest

from dialogs.form import Form, UnitKind
from dialogs.report_2021 import form_2021
from templates import ReportContext, build_context
from tests.helpers.fixtures import REAL_REPORTS
from tests.templates.builders import RealReport, real_report

REPORTS = [real_report(path) for path in REAL_REPORTS]


@pytest.fixture
def form() -> Form:
    return form_2021()


@pytest.fixture(params=REPORTS, ids=[r.name for r in REPORTS])
def report(request: pytest.FixtureRequest) -> RealReport:
    value: RealReport = request.param
    return value


@pytest.fixture
def ctx(form: Form, report: RealReport) -> ReportContext:
    return build_context(
        form, agency=report.agency, unit=UnitKind.GOVERNMENT, year=report.year, answers=report.answers
    )


@pytest.fixture
def huaian() -> RealReport:
    return next(r for r in REPORTS if r.name.startswith("01_huaian"))
