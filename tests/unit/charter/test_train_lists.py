"""Who is told that the railway's group-ticket lists are ready: the department answering for 集中购票 when the
campaign file gives it a mailbox, else the campaign's office."""

from __future__ import annotations

from chunnuan.charter import train_lists
from chunnuan.config import campaign
from chunnuan.config.campaign import Contact

GX = campaign.load("guangxi-2024")


def test_the_office_is_told_when_the_railway_has_no_mailbox():
    railway = next(d for d in GX.departments if train_lists.GROUP_TICKETS in d.items)
    assert railway.email is None  # as the campaign file stands
    assert train_lists.railway_mailbox(GX) == str(GX.lead_contact.email)


def test_the_railway_is_told_directly_when_it_has_a_mailbox():
    departments = [d.model_copy(update={"contact": Contact(name="客运部", email="kyb@railway.example.cn")})
                   if train_lists.GROUP_TICKETS in d.items else d for d in GX.departments]
    assert train_lists.railway_mailbox(GX.model_copy(update={"departments": departments})) == "kyb@railway.example.cn"
    no_office = GX.model_copy(update={"lead_contact": Contact(name="办公室")})
    assert train_lists.railway_mailbox(no_office) is None
    assert train_lists.carriage_sheet(3) == "第3车厢"
