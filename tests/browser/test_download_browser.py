"""A CSV download works even when the server reads the browser's request late.

Downloads are deferred: the CSV is written when the button is clicked. The browser asks the
server for the file over the websocket, and the server looks up the function that writes it. A
click that also started a rerun used to replace that function before a slow server read the
request, so under load the click ended in an error instead of a file (seen twice in CI). This
test makes the server late on purpose: it holds the browser's file request until any rerun of
the click has finished, then lets it through.
"""
from __future__ import annotations

import re

import pytest

from conftest import wait_for_app

STEP_MS = 120_000
DOWNLOAD_MS = 60_000  # after the release; the list's CSV is written in well under a second
BACKEND_OPERATION = "backend_operation_request"


class HeldFileRequests:
    """Routes the app's websocket and holds the browser's backend operations (the file
    requests of deferred downloads) while `holding` is on."""

    def __init__(self) -> None:
        self.holding = False
        self.held: list[bytes | str] = []
        self._server = None

    def route(self, ws) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        self._server = ws.connect_to_server()

        def to_server(message) -> None:
            if self.holding and isinstance(message, bytes):
                if BackMsg.FromString(message).WhichOneof("type") == BACKEND_OPERATION:
                    self.held.append(message)
                    return
            self._server.send(message)

        ws.on_message(to_server)

    def release(self) -> None:
        self.holding = False
        for message in self.held:
            self._server.send(message)
        self.held.clear()


@pytest.mark.browser
def test_a_download_arrives_when_the_server_reads_the_request_after_a_rerun(shared_demo_server, browser_page):
    page = browser_page
    requests = HeldFileRequests()
    page.route_web_socket(re.compile(r"/_stcore/stream"), requests.route)
    page.goto(f"{shared_demo_server.url}/renewals")
    wait_for_app(page, STEP_MS)
    button = page.get_by_role("button", name="Download the list (CSV)")
    button.wait_for(timeout=STEP_MS)

    requests.holding = True
    with page.expect_download(timeout=DOWNLOAD_MS) as download_info:
        button.click()
        for _ in range(100):  # the file request reaches the route a moment after the click
            if requests.held:
                break
            page.wait_for_timeout(100)
        assert requests.held, "the click sent no file request"
        wait_for_app(page, STEP_MS)  # any rerun the click started has finished
        page.wait_for_timeout(1_000)
        requests.release()
    csv_text = open(download_info.value.path(), encoding="utf-8").read()
    assert csv_text.splitlines()[0].count(",") >= 3
    assert len(csv_text.splitlines()) > 1
    assert page.locator("[data-testid='stDownloadButtonError']").count() == 0
