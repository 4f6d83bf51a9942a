"""ingest.batch.in_order: results in order, and never more than `ahead` items handed out and
not yet taken, so an ingest whose writing is slower than its extraction (a large store) holds a
few documents' records in memory, not the whole folder's."""
from __future__ import annotations

import threading
import time
from multiprocessing.pool import ThreadPool

from plangraph.ingest.batch import in_order


def test_results_come_in_order_with_a_bounded_number_handed_out():
    started: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> int:
        with lock:
            started.append(n)
        time.sleep(0.001 * (n % 3))  # finishing out of order
        return n * n

    taken, most_ahead = [], 0
    with ThreadPool(3) as pool:
        for result in in_order(pool, work, range(60), ahead=5):
            time.sleep(0.005)  # a slow writer: the workers would run ahead of it
            with lock:
                most_ahead = max(most_ahead, len(started) - len(taken))
            taken.append(result)
    assert taken == [n * n for n in range(60)]
    assert sorted(started) == list(range(60))  # each once
    assert 1 <= most_ahead <= 5 + 1  # the result being taken, and at most `ahead` handed out after it


def test_a_failing_item_reaches_the_caller_in_its_place():
    def work(n: int) -> int:
        if n == 3:
            raise ValueError("bad file")
        return n

    got = []
    with ThreadPool(2) as pool:
        it = in_order(pool, work, range(6), ahead=2)
        for _ in range(3):
            got.append(next(it))
        try:
            next(it)
        except ValueError as err:
            got.append(str(err))
    assert got == [0, 1, 2, "bad file"]
