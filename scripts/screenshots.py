"""Capture every page on the demo data in Debian's Chromium into docs/img/ (`make screenshots`)."""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS, AppServer, wait_for_app  # noqa: E402

# image name -> URL path (the Overview is the default page, served at the root)
PAGES = {"overview": "", "revenue": "revenue", "cohorts": "cohorts", "health": "health",
         "reality": "reality", "account": "account", "data": "data", "renewals": "renewals",
         "onboarding": "onboarding", "my_work": "my_work"}
OUT = ROOT / "docs" / "img"


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "demo.duckdb"
        subprocess.run([sys.executable, "-m", "cs_analytics", "demo", "--workspace", str(workspace)],
                       cwd=ROOT, check=True)
        server = AppServer(workspace).start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1440, "height": 1100})
                page.set_default_timeout(60_000)
                for name, url_path in PAGES.items():
                    page.goto(f"{server.url}/{url_path}")
                    wait_for_app(page, timeout_ms=60_000)
                    page.wait_for_timeout(1500)  # let plotly finish drawing
                    path = OUT / f"{name}.png"
                    page.screenshot(path=str(path), full_page=False)
                    print(f"wrote {path.relative_to(ROOT)}")
                browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
