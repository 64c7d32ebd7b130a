"""Property-based: whatever the text, the parser returns a reference or raises its typed error."""

from hypothesis import given, settings
from hypothesis import strategies as st

from upstream_xblock.forges import (
    ContributionRef,
    ForgeRegistry,
    InvalidUrl,
    UnsupportedHost,
    parse_contribution_url,
)

REGISTRY = ForgeRegistry.from_settings({})
HOSTS = st.sampled_from(["github.com", "gitlab.com", "review.opendev.org", "codeberg.org",
                         "gerrit.wikimedia.org", "localhost", "127.0.0.1", "[::1]", "evil.example"])
SEGMENT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
# Lone surrogates and NUL too (a JSON body's "\ud800" decodes to one).
NOT_UNICODE = st.text(st.characters(categories=["Cs", "Cc"]), min_size=1, max_size=4)
PAGES = st.sampled_from(["pull", "pulls", "-", "merge_requests", "c", "+", "issues", "..", "%2e",
                         "%2F", "files", "#", "?", "@", ":", "\\"])


def _check(text):
    try:
        ref = parse_contribution_url(text, REGISTRY)
    except (InvalidUrl, UnsupportedHost) as error:
        assert error.message and error.code in ("invalid_url", "unsupported_host")
        return
    assert isinstance(ref, ContributionRef)
    assert ref.host in REGISTRY
    assert ref.number > 0
    assert ref.url.startswith(f"https://{ref.host}/")
    assert parse_contribution_url(ref.url, REGISTRY) == ref


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300) | st.tuples(st.text(max_size=100), NOT_UNICODE).map("".join))
def test_arbitrary_text(text):
    _check(text)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["http://", "https://", "", "//", "HTTPS://"]), HOSTS,
       st.lists(st.one_of(SEGMENT, PAGES, NOT_UNICODE, st.integers(-5, 10**12).map(str)),
                max_size=8),
       st.text(max_size=20))
def test_url_shaped_text(scheme, host, segments, tail):
    _check(scheme + host + "/" + "/".join(segments) + tail)
