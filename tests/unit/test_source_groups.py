"""How a run's sources are handed to Prefect: groups, groups open at once, and the run's slots."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from newsflow.report import SourceReport
from newsflow.runtime.stop import request_stop, reset_stop
from newsflow.source_groups import failure_message, group_label, group_size, groups_in_flight, source_groups
from newsflow.tasks.ingest_group import SourceSlots, _group_state


@pytest.fixture
def stop_reset() -> Iterator[None]:
    reset_stop()
    yield
    reset_stop()


def test_a_few_sources_keep_a_task_run_each() -> None:
    assert source_groups(["a", "b", "c"], 32) == [["a"], ["b"], ["c"]]
    assert group_size(32, 32) == 1 and groups_in_flight(1, 32) == 32


def test_many_sources_share_task_runs_in_their_order() -> None:
    names = [f"s{n}" for n in range(500)]
    groups = source_groups(names, 32)
    assert [len(g) for g in groups] == [16] * 31 + [4]
    assert [name for group in groups for name in group] == names
    assert groups_in_flight(16, 32) == 3  # 48 sources handed out for 32 slots
    assert group_size(5000, 32) == 32  # never more sources in a group than run at once
    assert source_groups(list(range(7)), 2) == [[0, 1], [2, 3], [4, 5], [6]]
    assert source_groups([], 8) == []


def test_labels_and_messages_name_the_sources() -> None:
    assert group_label(["daily"]) == "daily"
    assert group_label(["a", "b", "c"]) == "a-to-c"
    assert failure_message([("broken", "every feed failed")]) == "broken: every feed failed"
    many = [(f"s{n}", "down") for n in range(25)]
    message = failure_message(many, limit=20)
    assert message.startswith("s0: down; s1: down") and "s19: down" in message and "s20" not in message
    assert message.endswith("and 5 more sources failed")


def test_slots_bound_the_sources_in_flight_across_threads(stop_reset: None) -> None:
    slots = SourceSlots(2)
    lock = threading.Lock()
    inside, most = 0, 0

    def work() -> None:
        nonlocal inside, most
        with slots.slot() as granted:
            assert granted
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.02)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 2


@pytest.mark.parametrize("how", ["stop", "close"])
def test_no_slot_is_granted_after_a_stop_or_an_outage(how: str, stop_reset: None) -> None:
    slots = SourceSlots(1)
    waited: list[bool] = []
    with slots.slot() as first:
        assert first
        waiter = threading.Thread(target=lambda: waited.append(_try(slots)))
        waiter.start()
        request_stop() if how == "stop" else slots.close()
        waiter.join(timeout=5)
    assert waited == [False]
    assert not _try(slots)  # free slots too: a source not yet started is not started


def _try(slots: SourceSlots) -> bool:
    with slots.slot() as granted:
        return granted


def test_a_failed_groups_state_shows_its_reports_as_a_count_in_the_log_line_prefect_writes() -> None:
    # Prefect logs "Task run failed with state: {state!r}": 16 reports made one very long line.
    reports = [SourceReport("dead", error="every feed failed"), *(SourceReport(f"s{n}") for n in range(15))]
    state = _group_state(reports)
    assert not isinstance(state, list)
    assert state.is_failed() and (state.message or "").startswith("dead: every feed failed")
    assert "SourceReport(" not in repr(state) and "result=[16 source reports]" in repr(state)
    assert state.data == reports  # the flow still reads every source's report
