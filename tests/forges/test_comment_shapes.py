"""Comment lists are forge answers like any other: a wrong shape is a typed error, never a crash."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from upstream_xblock.forges import ContributionRef, ForgeRegistry, ForgeUnavailable
from upstream_xblock.forges.comments import CommentReader

WRONG_SHAPES = {
    "github": [{"user": "mallory", "body": "1234"}],             # a string where a user belongs
    "gitlab": [{"author": {"id": "7", "username": "mallory"}}],  # an id that is not a number
    "gitea": {"comments": []},                                     # an object, not a list
    "gerrit": [{"author": {"_account_id": None}, "message": 5}],
}
PROJECTS = {"github": "o/r", "gitlab": "g/p", "gitea": "o/r", "gerrit": "nova"}


class WrongShapes(BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def do_GET(self):
        kind = self.path.split("/")[1]
        body = json.dumps(WRONG_SHAPES[kind]).encode()
        if kind == "gerrit":
            body = b")]}'\n" + body
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), WrongShapes)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.parametrize("kind", sorted(WRONG_SHAPES))
def test_a_wrongly_shaped_comment_list_is_bad_response(server, kind):
    api = {"gitlab": f"{server}/gitlab/api/v4", "gitea": f"{server}/gitea/api/v1"}.get(
        kind, f"{server}/{kind}")
    registry = ForgeRegistry.from_settings({"forges": [
        {"kind": kind, "host": f"{kind}.example.org", "api_url": api}]})
    forge = registry.get(f"{kind}.example.org")
    ref = ContributionRef(kind=kind, host=forge.host, project=PROJECTS[kind], number=3,
                          url=f"https://{forge.host}/x/3")
    with pytest.raises(ForgeUnavailable) as raised:
        CommentReader(forge).comments(ref)
    assert raised.value.reason == "bad_response"
