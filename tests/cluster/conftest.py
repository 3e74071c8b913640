"""One Celery cluster on loopback for the whole tier (tests.support.celery_cluster), with a real SMTP sink,
torn down by process group whatever happens. The tests run in file order and share the campaign database:
each lands new files and asserts on what its own runs did."""

from __future__ import annotations

import time

import pytest

from chunnuan.devtools import smtp_sink
from tests.support.celery_cluster import CeleryCluster

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("celery")
    sink = smtp_sink.start(root / "outbox")
    started = time.monotonic()
    server = CeleryCluster(root, sink.port)
    try:
        server.start()
        print(f"cluster ready in {time.monotonic() - started:.0f} s")
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("CHUNNUAN_HOME", str(server.data))  # the landing folders the test writes to
            yield server
    except BaseException:
        print(server.tail())
        raise
    finally:
        server.stop()
        sink.stop()
