"""Memory the servers give back or never take (bot/heap.py, bot/rasa_server.py, bot/stack.py)."""

import subprocess
import sys

from bot import heap, stack


def test_freed_memory_is_returned_where_the_c_library_can() -> None:
    blocks = [bytearray(4096) for _ in range(20_000)]  # 80 MB in small blocks, then freed
    del blocks
    assert heap.release() in (True, False)  # never raises, glibc or not
    if sys.platform.startswith("linux"):
        assert heap.release() is True


def test_every_server_hotline_run_starts_has_bounded_heaps(monkeypatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert stack.child_env()["MALLOC_ARENA_MAX"] == heap.MALLOC_ARENA_MAX
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")  # an operator's choice wins
    assert stack.child_env()["MALLOC_ARENA_MAX"] == "4"


def test_the_rasa_entry_point_keeps_jax_out() -> None:
    code = ("from bot.rasa_server import skip_unused_imports; skip_unused_imports()\n"
            "try:\n    import jax\nexcept ImportError:\n    print('absent')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "absent", out.stderr
