"""Card uuids and request ids: random version 4 UUIDs, unique across threads and across a
fork (gunicorn workers are forked from one master)."""

from __future__ import annotations

import os
import re
import threading
import uuid

from cds_service import ids

_UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_new_uuid_is_a_version_4_uuid_string() -> None:
    for _ in range(600):  # more than one 4 kB block of random bytes
        text = ids.new_uuid()
        assert _UUID4.match(text), text
        assert uuid.UUID(text).version == 4


def test_new_hex_id_is_32_hex_digits_of_a_version_4_uuid() -> None:
    text = ids.new_hex_id()
    assert re.fullmatch(r"[0-9a-f]{32}", text)
    assert uuid.UUID(hex=text).version == 4


def test_ids_are_unique_across_blocks_and_threads() -> None:
    seen: list[str] = []
    lock = threading.Lock()

    def draw() -> None:
        mine = [ids.new_uuid() for _ in range(1000)]
        with lock:
            seen.extend(mine)

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == len(set(seen)) == 4000


def test_a_forked_child_does_not_reuse_the_parents_random_bytes() -> None:
    ids.new_uuid()  # the parent now holds a partly used block
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write its next id and exit without running pytest's teardown
        try:
            os.write(write_fd, ids.new_uuid().encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    child_id = os.read(read_fd, 64).decode()
    os.close(read_fd)
    os.waitpid(pid, 0)
    parent_next = ids.new_uuid()
    assert _UUID4.match(child_id)
    assert child_id != parent_next
