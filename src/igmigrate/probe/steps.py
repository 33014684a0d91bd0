"""The probed flows as data: which request each step sends and what it needs.

Two flows share the step names: `basic-display` (Meta's Basic Display getting-started tutorial,
the default) and `instagram-login` (its successor, the Instagram API with Instagram Login). The
Instagram Login flow chains its tokens as an app does: the code exchange's token goes to the
long-lived exchange, and the long-lived token to the reads; a step whose chained token is
missing falls back to IGMIGRATE_ACCESS_TOKEN.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

DEFAULT_API = "https://api.instagram.com"
DEFAULT_WWW = "https://www.instagram.com"
DEFAULT_GRAPH = "https://graph.instagram.com"
BD_SCOPE = "user_profile,user_media"
IGL_SCOPE = "instagram_business_basic"

BASIC_DISPLAY = "basic-display"
INSTAGRAM_LOGIN = "instagram-login"
FLOWS = (BASIC_DISPLAY, INSTAGRAM_LOGIN)

# Secrets come only from the environment, so they never sit in shell history or `ps` output.
SECRET_ENV = {
    "app_secret": "IGMIGRATE_APP_SECRET",
    "auth_code": "IGMIGRATE_AUTH_CODE",
    "access_token": "IGMIGRATE_ACCESS_TOKEN",
}
OPTION_NAMES = {"app_id": "--app-id", "redirect_uri": "--redirect-uri", "user_id": "--user-id"}
# Where a step's access token may come from: the environment, or a token an earlier step got.
ENV, FROM_TOKEN, FROM_EXCHANGE = "env", "token", "exchange"


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
    flow: str = BASIC_DISPLAY
    token_source: str | None = None  # where the access token came from (shown as evidence)
    call: str | None = None  # --from-scan: the app's own call this step stands for
    findings: tuple[dict, ...] | None = None  # --from-scan: the call sites ({path, line, rule_id})

    def skip_reason(self) -> str:
        names = [OPTION_NAMES.get(n) or SECRET_ENV[n] for n in self.missing]
        return "missing " + ", ".join(names)


@dataclass(frozen=True)
class StepSpec:
    name: str
    method: str
    host: str  # "api", "www" (both replaced by --api-base) or "graph"
    path: str  # may name inputs as {user_id}
    needs: tuple[str, ...]
    query: tuple[tuple[str, str], ...] = ()  # (param, input name or "=literal")
    form: tuple[tuple[str, str], ...] = ()
    token_from: tuple[str, ...] = (ENV,)  # for needs "access_token": the sources in order of preference


def _q(*pairs: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return pairs


_CODE_FORM = _q(("client_id", "app_id"), ("client_secret", "app_secret"), ("grant_type", "=authorization_code"),
                ("redirect_uri", "redirect_uri"), ("code", "auth_code"))
_TOKEN_NEEDS = ("app_id", "app_secret", "redirect_uri", "auth_code")

BASIC_DISPLAY_STEPS: tuple[StepSpec, ...] = (
    StepSpec("authorize", "GET", "api", "/oauth/authorize", ("app_id", "redirect_uri"),
             query=_q(("client_id", "app_id"), ("redirect_uri", "redirect_uri"),
                      ("scope", "=" + BD_SCOPE), ("response_type", "=code"))),
    StepSpec("token", "POST", "api", "/oauth/access_token", _TOKEN_NEEDS, form=_CODE_FORM),
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

# The Business Login guide's flow: authorize on www.instagram.com with instagram_business_basic,
# the same code exchange, the long-lived exchange right after it, then the reads. A refresh
# needs a token at least 24 hours old, so it prefers IGMIGRATE_ACCESS_TOKEN over one just issued.
_READ = (FROM_EXCHANGE, ENV, FROM_TOKEN)
INSTAGRAM_LOGIN_STEPS: tuple[StepSpec, ...] = (
    StepSpec("authorize", "GET", "www", "/oauth/authorize", ("app_id", "redirect_uri"),
             query=_q(("client_id", "app_id"), ("redirect_uri", "redirect_uri"),
                      ("scope", "=" + IGL_SCOPE), ("response_type", "=code"))),
    StepSpec("token", "POST", "api", "/oauth/access_token", _TOKEN_NEEDS, form=_CODE_FORM),
    StepSpec("exchange", "GET", "graph", "/access_token", ("app_secret", "access_token"),
             query=_q(("grant_type", "=ig_exchange_token"), ("client_secret", "app_secret"),
                      ("access_token", "access_token")), token_from=(FROM_TOKEN, ENV)),
    StepSpec("user", "GET", "graph", "/{user_id}", ("user_id", "access_token"),
             query=_q(("fields", "=user_id,username"), ("access_token", "access_token")), token_from=_READ),
    StepSpec("me", "GET", "graph", "/me", ("access_token",),
             query=_q(("fields", "=user_id,username"), ("access_token", "access_token")), token_from=_READ),
    StepSpec("media", "GET", "graph", "/me/media", ("access_token",),
             query=_q(("fields", "=id,media_type,media_url,timestamp"), ("access_token", "access_token")),
             token_from=_READ),
    StepSpec("refresh", "GET", "graph", "/refresh_access_token", ("access_token",),
             query=_q(("grant_type", "=ig_refresh_token"), ("access_token", "access_token")),
             token_from=(ENV, FROM_EXCHANGE)),
)
FLOW_STEPS = {BASIC_DISPLAY: BASIC_DISPLAY_STEPS, INSTAGRAM_LOGIN: INSTAGRAM_LOGIN_STEPS}
STEPS = BASIC_DISPLAY_STEPS
STEP_NAMES = tuple(s.name for s in STEPS)
_SECRET_INPUTS = frozenset(SECRET_ENV)
TOKEN_SOURCE_TEXT = {ENV: SECRET_ENV["access_token"], FROM_TOKEN: "the token step's token",
                     FROM_EXCHANGE: "the exchange step's long-lived token"}


def spec_of(flow: str, step: str) -> StepSpec:
    return next(s for s in FLOW_STEPS[flow] if s.name == step)


@dataclass
class Bases:
    api: str = DEFAULT_API
    www: str = DEFAULT_WWW
    graph: str = DEFAULT_GRAPH

    @classmethod
    def of(cls, api_base: str | None, graph_base: str | None) -> Bases:
        """--api-base replaces both OAuth hosts (api. and www.instagram.com), --graph-base the Graph host."""
        return cls(api=(api_base or DEFAULT_API).rstrip("/"), www=(api_base or DEFAULT_WWW).rstrip("/"),
                   graph=(graph_base or DEFAULT_GRAPH).rstrip("/"))

    def get(self, host: str) -> str:
        return getattr(self, host)


@dataclass
class Tokens:
    """Tokens issued during the run (by the token and exchange steps), by the step that got them."""

    issued: dict[str, str] = field(default_factory=dict)

    def pick(self, spec: StepSpec, inputs: Inputs) -> tuple[str | None, str | None]:
        for source in spec.token_from:
            value = inputs.access_token if source == ENV else self.issued.get(source)
            if value:
                return value, source
        return None, None


def _values(pairs: tuple[tuple[str, str], ...], inputs: Inputs, token: str | None) -> dict[str, str]:
    out = {}
    for param, src in pairs:
        if src.startswith("="):
            out[param] = src[1:]
        else:
            out[param] = token if src == "access_token" else getattr(inputs, src)
    return out


def build(spec: StepSpec, inputs: Inputs, bases: Bases, tokens: Tokens | None = None, *, flow: str = BASIC_DISPLAY,
          path: str | None = None, extra_query: tuple[tuple[str, str], ...] = ()) -> Planned:
    """One step's request, or the inputs it lacks. `path` and `extra_query` carry an app's own
    call (--from-scan): its path and version, and its literal query parameters."""
    token, source = (tokens or Tokens()).pick(spec, inputs) if "access_token" in spec.needs else (None, None)
    missing = tuple(n for n in spec.needs if not (token if n == "access_token" else getattr(inputs, n)))
    if missing:
        return Planned(spec.name, spec.method, None, missing, flow=flow)
    # Quoted so a user id can never change the path or add a query.
    url = bases.get(spec.host) + (path or spec.path).format(user_id=quote(inputs.user_id or "", safe=""))
    if spec.query:
        values = _values(spec.query, inputs, token)
        for key, value in extra_query:  # the app's own fields replace the flow's default ones
            if key not in values or key == "fields":
                values[key] = value
        # Keep ',', ':' and '/' readable: they are legal in a query and match the tutorial's URLs.
        url += "?" + urlencode(values, safe=",:/")
    form = _values(spec.form, inputs, token) if spec.form else None
    secret = bool(_SECRET_INPUTS & set(spec.needs))
    return Planned(spec.name, spec.method, Request(spec.name, spec.method, url, form, secret), flow=flow,
                   token_source=source)


def plan(inputs: Inputs, api_base: str | None = None, graph_base: str | None = None, flow: str = BASIC_DISPLAY,
         tokens: Tokens | None = None) -> list[Planned]:
    """Build every step's request, or note which inputs it lacks (then it is skipped)."""
    bases = Bases.of(api_base, graph_base)
    return [build(spec, inputs, bases, tokens, flow=flow) for spec in FLOW_STEPS[flow]]
