"""The client's address for the login lockout, behind as many reverse proxies as the host declares.

Without proxies (DJANGO_TRUSTED_PROXY_COUNT=0, the default) it is REMOTE_ADDR. Behind N proxies that
each append to X-Forwarded-For, REMOTE_ADDR is the last proxy and the client is the N-th entry from
the right: entries further left were written by the client and can be anything, so they are never
read. Declaring no proxy behind one would lock everyone out together (one address for all)."""

import ipaddress
import os

from django.http import HttpRequest

PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))


def client_ip(request: HttpRequest, proxy_count: int | None = None) -> str | None:
    proxies = PROXY_COUNT if proxy_count is None else proxy_count
    remote = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:  # did not come through every proxy: trust only the connection
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
