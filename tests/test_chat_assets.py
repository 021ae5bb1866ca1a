"""Nothing served under /chat/ loads from another host: no CDN, web fonts or analytics."""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "bot" / "web" / "static"
URL = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)
# The vendored socket.io build mentions its documentation in an error message; it loads nothing.
ALLOWED = {"//socket.io"}


def test_no_external_hosts_in_served_files() -> None:
    files = [p for p in STATIC.rglob("*") if p.suffix in (".html", ".css", ".js")]
    assert len(files) >= 4
    for path in files:
        found = {m.group().split(":", 1)[-1] for m in URL.finditer(path.read_text(encoding="utf-8"))}
        assert found <= ALLOWED, f"{path.name} refers to {found - ALLOWED}"


def test_the_page_loads_only_local_scripts_and_styles() -> None:
    html = (STATIC / "chat" / "index.html").read_text(encoding="utf-8")
    for ref in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert ref.startswith(("/", "tel:")) or ref == "data:,", ref
