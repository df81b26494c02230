"""A take row's age reads the same whether the take was stamped here (local time, no offset) or recovered from
the queue file with the host's UTC stamp (``timestamps.now_iso``); an offset stamp once made the row's draw fail."""

from __future__ import annotations

import datetime


def test_a_utc_stamp_from_the_host_reads_as_local_time(md):
    takes_list = md.panels.takes_list
    now = datetime.datetime.now()
    assert takes_list.age_text(md.wangp_backend.timestamps.now_iso()) == "just now"
    ten_min = (now.astimezone(datetime.UTC) - datetime.timedelta(minutes=10)).isoformat(timespec="milliseconds")
    assert takes_list.age_text(ten_min, now) == "10 min ago"
    old = datetime.datetime(2026, 11, 21, 20, 19, 33, tzinfo=datetime.UTC)
    local = old.astimezone().strftime("%m-%d %H:%M")
    assert takes_list.age_text(old.isoformat(), now) == local == takes_list.short_time(old.isoformat())


def test_a_local_stamp_and_an_unreadable_one_keep_their_reading(md):
    takes_list = md.panels.takes_list
    assert takes_list.short_time("2026-11-21T20:19:33") == "11-21 20:19"
    assert takes_list.age_text("2026-11-21T20:19:33", datetime.datetime(2026, 11, 21, 20, 24, 40)) == "5 min ago"
    assert takes_list.age_text("yesterday") == ""
