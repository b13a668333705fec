"""URL helpers shared by the catalog, the fetcher and discovery: schemes and credential masking.

Only http and https are fetched; local files are read when a catalog names them (a path or a
file:// URL). `redact` masks what must never reach a log, a table or an error message: the
password of a URL's user info and the values of query parameters that carry secrets.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

FETCHED_SCHEMES = frozenset({"http", "https"})
# "name:" at the start, two letters or more (a one-letter "C:" is a Windows drive)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]+):")
_SECRET_PARAM = re.compile(
    r"(?:^|[_\-])(?:token|key|apikey|api_key|password|passwd|pwd|secret|sig|signature|auth"
    r"|session|sessionid|sid|ticket|credential|access_token)$",
    re.I,
)
MASK = "***"


def scheme_of(text: str) -> str | None:
    """The URL scheme of `text` in lower case, or None for a plain path."""
    m = _SCHEME.match(text.strip())
    return m.group(1).lower() if m else None


def is_fetched(url: str) -> bool:
    return scheme_of(url) in FETCHED_SCHEMES


def redact(url: str) -> str:
    """`url` with the password of its user info and the values of secret-looking query
    parameters replaced by ***; anything that does not parse as a URL is returned as it is."""
    if scheme_of(url) is None:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{hostport}" if ":" in userinfo else f"{MASK}@{hostport}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_PARAM.search(k) for k, _ in pairs):
            query = urlencode(
                [(k, MASK if _SECRET_PARAM.search(k) else v) for k, v in pairs], safe="*/:"
            )
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
