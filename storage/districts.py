"""Districts and who coordinates them.

A coordinator sees, changes and exports only the districts they coordinate; the configured admins
(`Person.is_admin`) coordinate every district and may create new ones. A database without any
district gets the default one (`dialogs.messages.DEFAULT_DISTRICT`) the first time something needs
it: the terminal's agencies, the command line, the first round.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from dialogs.messages import DEFAULT_DISTRICT
from storage.tables import District, DistrictCoordinator, Person

__all__ = [
    "add_coordinator",
    "all_districts",
    "coordinated",
    "create_district",
    "default_district",
    "find_district",
    "get_district",
    "may_coordinate",
]


async def get_district(*, session: AsyncSession, district_id: int) -> District | None:
    return await session.get(District, district_id)


async def find_district(*, session: AsyncSession, name: str) -> District | None:
    result = await session.exec(select(District).where(District.name == name.strip()))
    return result.first()


async def create_district(*, session: AsyncSession, name: str) -> District:
    """The district named `name`, created unless it exists (two processes creating it get one)."""
    found = await find_district(session=session, name=name)
    if found is not None:
        return found
    try:
        async with session.begin_nested():
            district = District(name=name.strip())
            session.add(district)
            await session.flush()
    except IntegrityError:
        found = await find_district(session=session, name=name)
        if found is None:
            raise
        return found
    return district


async def default_district(*, session: AsyncSession) -> District:
    """The only district if there is one; else the default district (created on first use)."""
    result = await session.exec(select(District).order_by(col(District.id)).limit(2))
    found = list(result.all())
    if len(found) == 1:
        return found[0]
    return await create_district(session=session, name=DEFAULT_DISTRICT)


async def all_districts(*, session: AsyncSession) -> Sequence[District]:
    result = await session.exec(select(District).order_by(col(District.name)))
    return result.all()


async def coordinated(*, session: AsyncSession, person: Person) -> Sequence[District]:
    """The districts the person coordinates, by name (every district for an admin)."""
    query = select(District)
    if not person.is_admin:
        query = query.join(
            DistrictCoordinator, col(DistrictCoordinator.district_id) == col(District.id)
        ).where(DistrictCoordinator.person_id == person.id)
    result = await session.exec(query.order_by(col(District.name)))
    return result.all()


async def may_coordinate(*, session: AsyncSession, person: Person, district_id: int) -> bool:
    if person.is_admin:
        return True
    found = await session.get(DistrictCoordinator, (person.id, district_id))
    return found is not None


async def add_coordinator(*, session: AsyncSession, person_id: int, district_id: int) -> None:
    if await session.get(DistrictCoordinator, (person_id, district_id)) is None:
        session.add(DistrictCoordinator(person_id=person_id, district_id=district_id))
        await session.flush()
