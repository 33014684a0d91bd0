"""The Basic Display getting-started flow as data: which request each step sends and what it needs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import quote, urlencode

DEFAULT_API = "https://api.instagram.com"
DEFAULT_GRAPH = "https://graph.instagram.com"
BD_SCOPE = "user_profile,user_media"

# Secrets come only from the environment, so they never sit in shell history or `ps` output.
SECRET_ENV = {
    "app_secret": "IGMIGRATE_APP_SECRET",
    "auth_code": "IGMIGRATE_AUTH_CODE",
    "access_token": "IGMIGRATE_ACCESS_TOKEN",
}
OPTION_NAMES = {"app_id": "--app-id", "redirect_uri": "--redirect-uri", "user_id": "--user-id"}


@dataclass(frozen=True)
class Inputs:
    app_id: str | None = None
    redirect_uri: str | None = None
    user_id: str | None = None
    app_secret: str | None = None
    auth_code: str | None = None
    access_token: str | None = None

    @classmethod
    def from_env(cls, app_id: str | None, redirect_uri: str | None, user_id: str | None) -> Inputs:
        secrets = {name: os.environ.get(var) or None for name, var in SECRET_ENV.items()}
        return cls(app_id=app_id or None, redirect_uri=redirect_uri or None, user_id=user_id or None, **secrets)

    def secrets(self) -> list[str]:
        return [v for v in (self.app_secret, self.auth_code, self.access_token) if v]


@dataclass(frozen=True)
class Request:
    step: str
    method: str
    url: str  # unmasked: only the transport sees it
    form: dict[str, str] | None
    carries_secret: bool


@dataclass(frozen=True)
class Planned:
    step: str
    method: str
    request: Request | None
    missing: tuple[str, ...] = ()

    def skip_reason(self) -> str:
        names = [OPTION_NAMES.get(n) or SECRET_ENV[n] for n in self.missing]
        return "missing " + ", ".join(names)


@dataclass(frozen=True)
class StepSpec:
    name: str
    method: str
    host: str  # "api" or "graph"
    path: str  # may name inputs as {user_id}
    needs: tuple[str, ...]
    query: tuple[tuple[str, str], ...] = ()  # (param, input name or "=literal")
    form: tuple[tuple[str, str], ...] = ()


def _q(*pairs: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return pairs


STEPS: tuple[StepSpec, ...] = (
    StepSpec("authorize", "GET", "api", "/oauth/authorize", ("app_id", "redirect_uri"),
             query=_q(("client_id", "app_id"), ("redirect_uri", "redirect_uri"),
                      ("scope", "=" + BD_SCOPE), ("response_type", "=code"))),
    StepSpec("token", "POST", "api", "/oauth/access_token", ("app_id", "app_secret", "redirect_uri", "auth_code"),
             form=_q(("client_id", "app_id"), ("client_secret", "app_secret"),
                     ("grant_type", "=authorization_code"), ("redirect_uri", "redirect_uri"), ("code", "auth_code"))),
    StepSpec("user", "GET", "graph", "/{user_id}", ("user_id", "access_token"),
             query=_q(("fields", "=id,username"), ("access_token", "access_token"))),
    StepSpec("me", "GET", "graph", "/me", ("access_token",),
             query=_q(("fields", "=id,username"), ("access_token", "access_token"))),
    StepSpec("media", "GET", "graph", "/me/media", ("access_token",),
             query=_q(("fields", "=id,media_type,media_url,timestamp"), ("access_token", "access_token"))),
    StepSpec("exchange", "GET", "graph", "/access_token", ("app_secret", "access_token"),
             query=_q(("grant_type", "=ig_exchange_token"), ("client_secret", "app_secret"),
                      ("access_token", "access_token"))),
    StepSpec("refresh", "GET", "graph", "/refresh_access_token", ("access_token",),
             query=_q(("grant_type", "=ig_refresh_token"), ("access_token", "access_token"))),
)
STEP_NAMES = tuple(s.name for s in STEPS)
_SECRET_INPUTS = frozenset(SECRET_ENV)


def _values(pairs: tuple[tuple[str, str], ...], inputs: Inputs) -> dict[str, str]:
    return {param: src[1:] if src.startswith("=") else getattr(inputs, src) for param, src in pairs}


def plan(inputs: Inputs, api_base: str, graph_base: str) -> list[Planned]:
    """Build every step's request, or note which inputs it lacks (then it is skipped)."""
    bases = {"api": api_base.rstrip("/"), "graph": graph_base.rstrip("/")}
    planned = []
    for spec in STEPS:
        missing = tuple(n for n in spec.needs if not getattr(inputs, n))
        if missing:
            planned.append(Planned(spec.name, spec.method, None, missing))
            continue
        # Quoted so a user id can never change the path or add a query.
        path = spec.path.format(user_id=quote(inputs.user_id or "", safe=""))
        url = bases[spec.host] + path
        if spec.query:
            # Keep ',', ':' and '/' readable: they are legal in a query and match the tutorial's URLs.
            url += "?" + urlencode(_values(spec.query, inputs), safe=",:/")
        form = _values(spec.form, inputs) if spec.form else None
        secret = bool(_SECRET_INPUTS & set(spec.needs))
        planned.append(Planned(spec.name, spec.method, Request(spec.name, spec.method, url, form, secret)))
    return planned
