"""Fetching report pages and files over HTTP(S): polite, bounded, streamed into the raw archive.

One `Fetcher` (an httpx async client) serves a batch:

* concurrency: at most `concurrency` requests at once, `per_host` at once on one host, and a
  polite `host_delay` between two request starts on one host;
* patience: connect and read timeouts, a deadline per request, and retries with exponential
  backoff and jitter on connect errors, timeouts, cut-off bodies, 429 and 5xx. A Retry-After
  header is honoured (a wait longer than `max_retry_after` gives up instead) and holds back
  the other requests to that host too;
* safety: only http and https, on every redirect hop too; a host that resolves to a loopback,
  private, link-local or reserved address is refused unless OGI_ALLOW_PRIVATE_HOSTS=1, and a
  connection goes only to an address that was checked (a name that answers a public address
  first and a private one next, DNS rebinding, reaches nothing; proxies set in the environment
  resolve names themselves and are used as configured); at most
  `max_redirects` hops, and a loop is an error; a body over `max_bytes` is refused (by its
  Content-Length, or when the stream passes the limit). Decompression is done here, chunk by
  chunk with a bounded output, so a small compressed body cannot expand past the limit; only
  gzip and deflate are accepted. Credentials in URLs are masked in every record
  (`ingest.urls.redact`); no request header carries any;
* archive: the body streams into the raw archive (`ingest.archive.RawWriter`) and is never
  held in memory whole;
* conditional requests: given what the archive holds for a URL (`Known`: the sha256 of the
  last body and the ETag / Last-Modified it came with), the request carries If-None-Match /
  If-Modified-Since, and a 304 answer keeps the archived copy (outcome not_modified).

`Fetcher.fetch` never raises for a network or server fault: it returns an
`ingest.archive.Retrieval` with outcome error, an error class and a message.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import os
import random
import socket
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import httpcore
import httpx

from ingest.archive import NOT_MODIFIED, RawWriter, Retrieval, failed, now_utc, raw_path_for
from ingest.urls import FETCHED_SCHEMES, redact

USER_AGENT = (
    "ogi-warehouse/0.1 (archive of government information disclosure annual reports; "
    "one request at a time per site, honours Retry-After)"
)
ALLOW_PRIVATE_ENV = "OGI_ALLOW_PRIVATE_HOSTS"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MiB = 1024 * 1024


def private_hosts_allowed() -> bool:
    return os.environ.get(ALLOW_PRIVATE_ENV, "").strip() == "1"


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of a batch of fetches. `from_env` reads overrides from OGI_FETCH_* variables."""

    concurrency: int = 8  # requests in flight, all hosts together
    per_host: int = 2  # requests in flight to one host
    host_delay: float = 0.5  # seconds between two request starts on one host
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # between two bytes of the answer
    deadline: float = 300.0  # one request, its whole body included (not the wait for a slot)
    retries: int = 3  # attempts after the first
    backoff: float = 1.0  # first backoff in seconds; doubles on each retry, with jitter
    max_backoff: float = 60.0
    max_retry_after: float = 120.0
    max_redirects: int = 5
    max_bytes: int = 50 * MiB
    user_agent: str = USER_AGENT
    allow_private: bool = field(default_factory=private_hosts_allowed)

    ENV = {
        "OGI_FETCH_CONCURRENCY": "concurrency",
        "OGI_FETCH_PER_HOST": "per_host",
        "OGI_FETCH_DELAY": "host_delay",
        "OGI_FETCH_TIMEOUT": "read_timeout",
        "OGI_FETCH_RETRIES": "retries",
        "OGI_FETCH_BACKOFF": "backoff",
        "OGI_FETCH_MAX_BYTES": "max_bytes",
    }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FetchPolicy:
        """The defaults with the OGI_FETCH_* overrides of the environment; a malformed value
        raises ValueError naming the variable."""
        environ = os.environ if environ is None else environ
        types = {f.name: f.type for f in fields(cls)}
        values: dict[str, object] = {}
        for var, name in cls.ENV.items():
            text = environ.get(var, "").strip()
            if not text:
                continue
            kind = int if types[name] in (int, "int") else float
            try:
                value = kind(text)
            except ValueError:
                raise ValueError(f"{var} must be a number: {text!r}") from None
            if value < 0:
                raise ValueError(f"{var} must not be negative: {text!r}")
            values[name] = value
        policy = cls(**values)  # type: ignore[arg-type]
        if "read_timeout" in values:
            policy = replace(
                policy, connect_timeout=min(policy.connect_timeout, policy.read_timeout)
            )
        return policy

    def lifted(self) -> FetchPolicy:
        """The same policy without the per-host limits (one's own server, a benchmark)."""
        return replace(self, per_host=self.concurrency, host_delay=0.0)


@dataclass(frozen=True, slots=True)
class Known:
    """What the archive holds for a URL: the last body's digest and the validators it came with."""

    sha256: str
    bytes: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None


class _Failure(Exception):
    def __init__(
        self,
        error_class: str,
        message: str,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
        final_url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
        self.final_url = final_url


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BoundedDecoder:
    """Undoes a Content-Encoding chunk by chunk; the output never exceeds `limit` bytes in
    total (the decompressor is asked for at most the remaining budget plus one byte)."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.encoding = encoding.strip().lower()
        self.limit = limit
        self.size = 0
        self._fallback = False
        if self.encoding in ("", "identity"):
            self._z = None
        elif self.encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "deflate":
            self._z = zlib.decompressobj()
            self._fallback = True  # servers send raw deflate as often as zlib-wrapped
        else:
            raise _Failure(
                "bad_encoding", f"Content-Encoding {encoding!r} not accepted (gzip, deflate are)"
            )

    def _too_large(self) -> _Failure:
        return _Failure("too_large", f"body over the limit of {self.limit} bytes (decoded)")

    def decode(self, chunk: bytes) -> bytes:
        if self._z is None:
            out = chunk
        else:
            out = self._inflate(chunk)
        self.size += len(out)
        if self.size > self.limit:
            raise self._too_large()
        return out

    def _inflate(self, chunk: bytes) -> bytes:
        assert self._z is not None
        budget = self.limit - self.size + 1
        try:
            out = self._z.decompress(chunk, budget)
        except zlib.error:
            if not self._fallback:
                raise _Failure("bad_encoding", f"corrupt {self.encoding} body") from None
            self._fallback = False
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._inflate(chunk)
        self._fallback = False
        if self._z.unconsumed_tail:
            raise self._too_large()
        while self._z.eof and self._z.unused_data and len(out) < budget:  # gzip members
            rest = self._z.unused_data
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out += self._inflate_tail(rest, budget - len(out))
        return out

    def _inflate_tail(self, data: bytes, budget: int) -> bytes:
        assert self._z is not None
        try:
            out = self._z.decompress(data, budget)
        except zlib.error:
            raise _Failure("bad_encoding", f"corrupt {self.encoding} body") from None
        if self._z.unconsumed_tail:
            raise self._too_large()
        return out

    def flush(self) -> bytes:
        if self._z is None:
            return b""
        out = self._z.flush()
        self.size += len(out)
        if self.size > self.limit:
            raise self._too_large()
        return out


@dataclass
class _Host:
    slots: asyncio.Semaphore
    next_start: float = 0.0


# Connections per httpx client. The pool of a client scans all its connections (a poll of
# each idle socket) on every request; with many connections in one pool that scan costs more
# than the request. A batch holds several small clients instead.
POOL = 4


class _Clients:
    """httpx clients of at most `POOL` connections each, lent one request slot at a time;
    `slots` requests in flight in all. A host goes back to the client it used last when that
    has a free slot (its connection to the host may still be open)."""

    def __init__(self, slots: int, make: Callable[[int], httpx.AsyncClient]) -> None:
        sizes = [POOL] * (slots // POOL) + ([slots % POOL] if slots % POOL else [])
        self.clients = [make(size) for size in sizes]
        self.free = list(sizes)
        self.available = asyncio.Semaphore(slots)
        self.affinity: dict[str, int] = {}

    @asynccontextmanager
    async def lend(self, host: str) -> AsyncIterator[httpx.AsyncClient]:
        async with self.available:
            i = self.affinity.get(host)
            if i is None or self.free[i] == 0:
                i = max(range(len(self.free)), key=self.free.__getitem__)
            self.free[i] -= 1
            self.affinity[host] = i
            try:
                yield self.clients[i]
            finally:
                self.free[i] += 1

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()


def _non_public(address: str) -> str | None:
    """The address if it is not a public unicast address, else None."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return None if ip.is_global and not ip.is_multicast else str(ip)


def _first_non_public(addresses: list[str]) -> str | None:
    return next((a for a in map(_non_public, addresses) if a is not None), None)


class NonPublicAddress(Exception):
    """A connection refused before it was opened: the host answers a non-public address."""


class _PublicOnly(httpcore.AsyncNetworkBackend):
    """Opens TCP connections to public addresses only. It resolves the name itself, refuses it
    if any answer is not public, and connects to the addresses it checked, so the address
    checked is the address used (TLS still verifies the certificate against the name)."""

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options=None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        bad = _first_non_public(addresses)
        if bad is not None:
            raise NonPublicAddress(_non_public_message(host, bad))
        error: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in addresses:
            try:
                return await self._backend.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error

    async def connect_unix_socket(self, path: str, timeout=None, socket_options=None):
        raise NonPublicAddress(f"a Unix socket ({path}) is not a public address")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def _non_public_message(host: str, address: str) -> str:
    return f"{host} is at a non-public address ({address}); set {ALLOW_PRIVATE_ENV}=1 to allow"


def _public_only_transport(
    ssl_context: ssl.SSLContext, limits: httpx.Limits
) -> httpx.AsyncHTTPTransport:
    """httpx's transport with its connection pool opening connections through `_PublicOnly`
    (httpx has no argument for a pool's network backend, so the pool is replaced whole)."""
    transport = httpx.AsyncHTTPTransport(verify=ssl_context, limits=limits)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_PublicOnly(),
    )
    return transport


class Fetcher:
    """An async client for one batch: `async with Fetcher(raw_dir) as f: await f.fetch(url)`."""

    def __init__(
        self,
        raw_dir: Path,
        policy: FetchPolicy | None = None,
        known: Mapping[str, Known] | None = None,
    ) -> None:
        self.raw_dir = raw_dir
        self.policy = policy or FetchPolicy.from_env()
        self.known = known or {}
        self._hosts: dict[str, _Host] = {}
        self._host_checks: dict[str, str | None] = {}
        self._clients: _Clients | None = None

    def _client(self, connections: int) -> httpx.AsyncClient:
        p = self.policy
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        return httpx.AsyncClient(
            headers={
                "User-Agent": p.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/pdf,*/*;q=0.8",
                "Accept-Language": "zh-CN,zh;q=0.9",
                "Accept-Encoding": "gzip, deflate",
            },
            timeout=httpx.Timeout(p.read_timeout, connect=p.connect_timeout),
            limits=limits,
            follow_redirects=False,
            verify=self._ssl,
            transport=None if p.allow_private else _public_only_transport(self._ssl, limits),
        )

    async def __aenter__(self) -> Fetcher:
        self._ssl = httpx.create_ssl_context()  # one for all clients: it is costly to make
        self._clients = _Clients(self.policy.concurrency, self._client)
        return self

    async def __aexit__(self, *exc) -> None:
        if self._clients is not None:
            await self._clients.aclose()
            self._clients = None

    # --- one URL -----------------------------------------------------------------------------

    async def fetch(self, url: str) -> Retrieval:
        """Fetch `url` into the archive, retrying what may heal; never raises for a fault."""
        shown = redact(url)
        fetched_at, t0 = now_utc(), time.monotonic()
        known = self._usable_known(shown)
        headers: dict[str, str] = {}
        if known is not None:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        conditional = bool(headers)
        attempts = 0
        while True:
            attempts += 1
            try:
                result = await self._attempt(url, headers, known if conditional else None)
            except _Failure as f:
                failure = f
            except TimeoutError:
                failure = _Failure(
                    "timeout",
                    f"no complete answer within the {self.policy.deadline:g} s deadline",
                    retryable=True,
                )
            else:
                return replace(
                    result,
                    elapsed=time.monotonic() - t0,
                    attempts=attempts,
                    conditional=conditional,
                    fetched_at=fetched_at,
                )
            wait = self._retry_wait(failure, attempts)
            if wait is None:
                return failed(
                    shown,
                    failure.error_class,
                    failure.message,
                    http_status=failure.status,
                    final_url=failure.final_url,
                    elapsed=time.monotonic() - t0,
                    attempts=attempts,
                    conditional=conditional,
                    fetched_at=fetched_at,
                )
            await asyncio.sleep(wait)

    def _usable_known(self, shown: str) -> Known | None:
        known = self.known.get(shown)
        if known is None or not raw_path_for(known.sha256, self.raw_dir).exists():
            return None  # no validators, or the archived copy is gone: fetch in full
        return known

    def _retry_wait(self, failure: _Failure, attempts: int) -> float | None:
        """Seconds to wait before the next attempt, or None to give up."""
        p = self.policy
        if not failure.retryable or attempts > p.retries:
            return None
        if failure.retry_after is not None:
            if failure.retry_after > p.max_retry_after:
                failure.message += (
                    f" (Retry-After {failure.retry_after:g} s is over the {p.max_retry_after:g} s"
                    " this batch waits)"
                )
                return None
            return failure.retry_after
        ceiling = min(p.max_backoff, p.backoff * 2 ** (attempts - 1))
        return ceiling * random.uniform(0.5, 1.0)

    async def _attempt(self, url: str, headers: dict[str, str], known: Known | None) -> Retrieval:
        """One attempt: follow redirects by hand (each hop checked) to a stored body or a 304."""
        current = url
        seen = {current}
        for _hop in range(self.policy.max_redirects + 1):
            target = self._target(current)
            await self._check_host(target)
            async with self._slot(target.host) as client, asyncio.timeout(self.policy.deadline):
                answer = await self._request(client, target, headers, known)
            if isinstance(answer, Retrieval):
                return replace(answer, url=redact(url))
            following = urljoin(str(target), answer)
            if following in seen:
                raise _Failure(
                    "redirect_loop",
                    f"redirect loop: {redact(following)} again after {len(seen)} hop(s)",
                    final_url=redact(following),
                )
            seen.add(following)
            current = following
        raise _Failure(
            "too_many_redirects",
            f"more than {self.policy.max_redirects} redirects",
            final_url=redact(current),
        )

    def _target(self, url: str) -> httpx.URL:
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise _Failure("bad_url", f"not a URL: {redact(url)}: {exc}") from None
        if target.scheme not in FETCHED_SCHEMES:
            raise _Failure(
                "refused_scheme",
                f"scheme {target.scheme!r} refused (only http and https): {redact(url)}",
            )
        if not target.host:
            raise _Failure("bad_url", f"no host in {redact(url)}")
        return target

    async def _check_host(self, target: httpx.URL) -> None:
        """Refuse hosts resolving to non-public addresses (unless allowed by the policy), once
        per host and before a request slot is taken; the connection itself is checked again
        as it opens (`_PublicOnly`)."""
        if self.policy.allow_private:
            return
        host = target.host
        if host not in self._host_checks:
            if ipaddress_literal(host):
                addresses = [host]
            else:
                loop = asyncio.get_running_loop()
                try:
                    infos = await loop.getaddrinfo(
                        host, target.port or 443, type=socket.SOCK_STREAM
                    )
                except (socket.gaierror, UnicodeError) as exc:
                    raise _Failure(
                        "dns", f"cannot resolve {host}: {exc}", retryable=_dns_may_heal(exc)
                    ) from None
                addresses = [str(info[4][0]) for info in infos]
            bad = _first_non_public(addresses)
            self._host_checks[host] = None if bad is None else _non_public_message(host, bad)
        refusal = self._host_checks[host]
        if refusal is not None:
            raise _Failure("refused_host", refusal)

    @asynccontextmanager
    async def _slot(self, host: str) -> AsyncIterator[httpx.AsyncClient]:
        """A request slot: the host's own limit and delay first, then a client's free slot."""
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(asyncio.Semaphore(self.policy.per_host))
        assert self._clients is not None
        async with state.slots:
            now = time.monotonic()
            start = max(now, state.next_start)
            state.next_start = start + self.policy.host_delay
            if start > now:
                await asyncio.sleep(start - now)
            async with self._clients.lend(host) as client:
                yield client

    def _hold_host(self, host: str, seconds: float) -> None:
        state = self._hosts.get(host)
        if state is not None:
            state.next_start = max(state.next_start, time.monotonic() + seconds)

    async def _request(
        self,
        client: httpx.AsyncClient,
        target: httpx.URL,
        headers: dict[str, str],
        known: Known | None,
    ) -> Retrieval | str:
        """One GET: a Retrieval (body stored, or 304), or the Location of a redirect."""
        in_body = False
        try:
            async with client.stream("GET", target, headers=headers) as resp:
                status = resp.status_code
                shown = redact(str(resp.url))
                if status in REDIRECTS:
                    location = resp.headers.get("location", "").strip()
                    if location:
                        return location
                    raise _Failure(
                        f"http_{status}", "redirect without a Location header", status=status
                    )
                if status == 304 and known is not None:
                    return Retrieval(
                        shown,
                        NOT_MODIFIED,
                        sha256=known.sha256,
                        raw_path=str(raw_path_for(known.sha256, self.raw_dir)),
                        bytes=known.bytes,
                        final_url=shown,
                        http_status=status,
                        content_type=known.content_type,
                        etag=resp.headers.get("etag") or known.etag,
                        last_modified=resp.headers.get("last-modified") or known.last_modified,
                    )
                if status == 429 or status >= 500:
                    wait = retry_after_seconds(resp.headers.get("retry-after"))
                    if wait is not None:
                        self._hold_host(target.host, wait)
                    raise _Failure(
                        f"http_{status}",
                        f"HTTP {status} {resp.reason_phrase}".strip(),
                        retryable=True,
                        retry_after=wait,
                        status=status,
                        final_url=shown,
                    )
                if not 200 <= status < 300:
                    raise _Failure(
                        f"http_{status}",
                        f"HTTP {status} {resp.reason_phrase}".strip(),
                        status=status,
                        final_url=shown,
                    )
                in_body = True
                return await self._store_body(resp, shown)
        except _Failure:
            raise
        except httpx.TimeoutException as exc:
            raise _Failure(
                "timeout", f"{type(exc).__name__}: {_say(exc) or 'timed out'}", retryable=True
            ) from None
        except NonPublicAddress as exc:  # the name answered otherwise at connection time
            raise _Failure("refused_host", str(exc)) from None
        except httpx.ConnectError as exc:
            dns = _cause(exc, socket.gaierror)
            if dns is not None:
                raise _Failure(
                    "dns", f"cannot resolve {target.host}: {dns}", retryable=_dns_may_heal(dns)
                ) from None
            raise _Failure("connect", f"cannot connect: {_say(exc)}", retryable=True) from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            kind = "truncated" if in_body else "protocol"
            what = "body cut off" if in_body else "no valid answer"
            raise _Failure(kind, f"{what}: {_say(exc)}", retryable=True) from None
        except httpx.HTTPError as exc:
            raise _Failure("protocol", f"{type(exc).__name__}: {_say(exc)}") from None
        except OSError as exc:
            raise _Failure("archive", f"cannot archive: {exc}") from None

    async def _store_body(self, resp: httpx.Response, shown: str) -> Retrieval:
        limit = self.policy.max_bytes
        declared = _int(resp.headers.get("content-length"))
        encoding = resp.headers.get("content-encoding", "")
        if declared is not None and declared > limit:
            raise _Failure(
                "too_large",
                f"body of {declared} bytes over the limit of {limit} bytes (Content-Length)",
                status=resp.status_code,
                final_url=shown,
            )
        decoder = BoundedDecoder(encoding, limit)
        received = 0
        with RawWriter(self.raw_dir) as writer:
            try:
                async for chunk in resp.aiter_raw():
                    received += len(chunk)
                    writer.write(decoder.decode(chunk))
                writer.write(decoder.flush())
            except _Failure as f:
                f.status, f.final_url = resp.status_code, shown
                raise
            if declared is not None and received < declared:
                raise _Failure(
                    "truncated",
                    f"body cut off: {received} of {declared} bytes",
                    retryable=True,
                    status=resp.status_code,
                    final_url=shown,
                )
            if writer.size == 0:
                raise _Failure("empty", "empty body", status=resp.status_code, final_url=shown)
            size = writer.size
            sha, path = writer.commit()
        return Retrieval(
            shown,
            sha256=sha,
            raw_path=str(path),
            bytes=size,
            final_url=shown,
            http_status=resp.status_code,
            content_type=resp.headers.get("content-type"),
            etag=resp.headers.get("etag"),
            last_modified=resp.headers.get("last-modified"),
        )


def ipaddress_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """The first exception of `kind` in the chain of causes of `exc`."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _dns_may_heal(exc: BaseException) -> bool:
    """A temporary resolver failure is retried; an unknown name is not."""
    return isinstance(exc, socket.gaierror) and exc.errno == socket.EAI_AGAIN


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _say(exc: Exception) -> str:
    """An exception's message with any URL credentials masked."""
    text = str(exc)
    request = getattr(exc, "_request", None)
    if request is not None:
        raw = str(request.url)
        text = text.replace(raw, redact(raw))
    return text
