"""Generate a deterministic source tree for the benchmark: N files in the languages
igmigrate supports, 2% of them holding Basic Display (and Legacy) code of every kind.

    python bench/gen_tree.py --files 20000 --seed 7 --out /tmp/igm-bench/tree-20000

The same seed and N always give the same bytes. Filler files are plausible code that
never contains a prefilter word; planted files are fixed snippets (plus a neutral serial
line) whose finding counts were verified once with igmigrate and are kept in PLANTED, so
the benchmark can check that a scan finds exactly what was planted. Each planted file sits
in its own folder with a project manifest, so evidence from one planted file never changes
another's result. Prints a JSON summary (files, planted files, expected findings).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

PLANT_RATE = 0.02
FILES_PER_DIR = 40


@dataclass(frozen=True)
class Plant:
    name: str  # file name inside its own folder
    text: str
    findings: int  # what `igmigrate scan` reports for this file alone (verified, see --calibrate)


# Basic Display of every kind: scopes, authorize URL, code exchange, long-lived exchange,
# refresh, graph reads, token literals, client packages and imports, docs, config, markers,
# Legacy endpoints and scopes. "{n}" becomes a serial number (a neutral constant).
PLANTED: tuple[Plant, ...] = (
    Plant("auth.py", '''import requests

APP_ID = "{n}"
SCOPE = "user_profile,user_media"
AUTHORIZE = "https://api.instagram.com/oauth/authorize"


def login_url(redirect):
    return f"{{AUTHORIZE}}?client_id={{APP_ID}}&redirect_uri={{redirect}}&scope={{SCOPE}}&response_type=code"


def exchange(code, secret, redirect):
    return requests.post("https://api.instagram.com/oauth/access_token", data={{
        "client_id": APP_ID, "client_secret": secret, "grant_type": "authorization_code",
        "redirect_uri": redirect, "code": code}})


def long_lived(token, secret):
    return requests.get("https://graph.instagram.com/access_token",
                        params={{"grant_type": "ig_exchange_token", "client_secret": secret, "access_token": token}})


def refresh(token):
    return requests.get("https://graph.instagram.com/refresh_access_token",
                        params={{"grant_type": "ig_refresh_token", "access_token": token}})
''', 7),
    Plant("media.js", '''// serial {n}
const GRAPH = "https://graph.instagram.com";

export async function recentMedia(token) {{
  const res = await fetch(`${{GRAPH}}/me/media?fields=id,caption,media_url&access_token=${{token}}`);
  return res.json();
}}

export async function profile(token) {{
  return fetch(GRAPH + "/me?fields=id,username&access_token=" + token);
}}
''', 2),
    Plant("client.ts", '''// serial {n}
const AUTH_URL = "https://api.instagram.com/oauth/authorize";
const SCOPES: string[] = ["user_profile", "user_media"];

export function authorizeUrl(appId: string, redirect: string): string {{
  return `${{AUTH_URL}}?client_id=${{appId}}&redirect_uri=${{redirect}}&scope=${{SCOPES.join(",")}}&response_type=code`;
}}
''', 2),
    Plant("Instagram.php", '''<?php
// serial {n}
class InstagramFeed
{{
    const API = 'https://graph.instagram.com/me/media';

    public function fetch($token)
    {{
        $url = self::API . '?fields=id,media_type,media_url&access_token=' . $token;
        return file_get_contents($url);
    }}

    public function refresh($token)
    {{
        return file_get_contents('https://graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token&access_token=' . $token);
    }}
}}
''', 3),
    Plant("feed.rb", '''# serial {n}
require "net/http"

SCOPE = "user_profile,user_media"

def exchange_token(short_token, secret)
  uri = URI("https://graph.instagram.com/access_token?grant_type=ig_exchange_token&client_secret=#{{secret}}&access_token=#{{short_token}}")
  Net::HTTP.get(uri)
end
''', 2),
    Plant("feed.go", '''package feed

// serial {n}
import "net/http"

const mediaURL = "https://graph.instagram.com/me/media?fields=id,caption"
const legacyURL = "https://api.instagram.com/v1/users/self/media/recent"

func Fetch(token string) (*http.Response, error) {{
	return http.Get(mediaURL + "&access_token=" + token)
}}

func Legacy(token string) (*http.Response, error) {{
	return http.Get(legacyURL + "?access_token=" + token)
}}
''', 3),
    Plant("InstagramClient.java", '''package com.example.feed;

// serial {n}
public class InstagramClient {{
    private static final String SCOPE = "user_profile,user_media";
    private static final String AUTH = "https://api.instagram.com/oauth/authorize";
    private static final String TOKEN = "https://api.instagram.com/oauth/access_token";

    public String authorizeUrl(String appId, String redirect) {{
        return AUTH + "?client_id=" + appId + "&redirect_uri=" + redirect + "&scope=" + SCOPE + "&response_type=code";
    }}
}}
''', 3),
    Plant("InstagramService.cs", '''// serial {n}
using System.Net.Http;

public class InstagramService
{{
    private const string Media = "https://graph.instagram.com/me/media?fields=id,caption";
    private const string Scope = "user_profile,user_media";

    public HttpResponseMessage Recent(HttpClient http, string token) =>
        http.GetAsync(Media + "&access_token=" + token).Result;
}}
''', 2),  # Media read where it is defined (its use only adds a query parameter), and the scope
    Plant("settings.yaml", '''# serial {n}
instagram:
  authorize_url: https://api.instagram.com/oauth/authorize
  scope: user_profile,user_media
  media_url: https://graph.instagram.com/me/media
''', 3),
    Plant(".env", '''SERIAL={n}
INSTAGRAM_SCOPE=user_profile,user_media
INSTAGRAM_TOKEN=IGQVJWZAWFhZAmdsaW1pdGVkX3Rva2VuX2Zvcl90ZXN0aW5nX29ubHlfMTIzNDU2Nzg5MGFiY2RlZg
''', 2),
    Plant("INSTAGRAM.md", '''# Instagram feed (serial {n})

This service uses the Instagram Basic Display API. Users authorize at
`https://api.instagram.com/oauth/authorize` with the `user_profile,user_media` scopes, and
we read `https://graph.instagram.com/me/media`.
''', 3),
    Plant("legacy.py", '''# serial {n}
import requests

SCOPE = "basic public_content"


def recent(token):
    return requests.get("https://api.instagram.com/v1/users/self/media/recent/", params={{"access_token": token}})
''', 1),
    Plant("requirements.txt", '''python-instagram==1.3.2
requests==2.31.0
''', 1),
    Plant("business.py", '''# serial {n}
SCOPES = ["business_basic", "business_content_publish", "business_manage_messages"]
''', 1),
)
PROJECT_MANIFEST = '{{"name": "bench-project-{n}", "version": "1.0.0", "private": true}}\n'

# ----------------------------------------------------------------------------- filler
WORDS = ("alpha", "order", "item", "price", "total", "cart", "invoice", "node", "tree", "cache", "queue", "parse",
         "render", "value", "count", "index", "buffer", "stream", "record", "ledger", "report", "window", "shape",
         "vector", "matrix", "table", "column", "filter", "reduce", "merge", "split", "token_count", "session_id")
LANGS = ("py", "js", "ts", "php", "rb", "go", "java", "cs", "yaml", "env", "md")
WEIGHTS = (22, 16, 12, 8, 7, 8, 9, 6, 5, 2, 5)


def _ident(rng: random.Random) -> str:
    return f"{rng.choice(WORDS)}_{rng.choice(WORDS)}{rng.randrange(1000)}"


def _camel(rng: random.Random) -> str:
    return "".join(w.capitalize() for w in _ident(rng).split("_"))


def _functions(rng: random.Random, lang: str, count: int) -> str:
    out = []
    for _ in range(count):
        f, a, b = _ident(rng), _ident(rng), _ident(rng)
        n = rng.randrange(1, 10_000)
        text = {
            "py": f'def {f}({a}, {b}):\n    """Combine {a} and {b}."""\n    total = {a} * {n} + {b}\n'
                  f'    if total > {n * 3}:\n        return [{a}, {b}, "{rng.choice(WORDS)}"]\n    return total\n\n',
            "js": f"export function {f}({a}, {b}) {{\n  // combine the two\n  const total = {a} * {n} + {b};\n"
                  f"  return total > {n * 3} ? [{a}, {b}, '{rng.choice(WORDS)}'] : total;\n}}\n\n",
            "ts": f"export function {f}({a}: number, {b}: number): number | string[] {{\n  const total = {a} * {n} + {b};\n"
                  f"  return total > {n * 3} ? [String({a}), '{rng.choice(WORDS)}'] : total;\n}}\n\n",
            "php": f"function {f}(${a}, ${b})\n{{\n    $total = ${a} * {n} + ${b};\n"
                   f"    return $total > {n * 3} ? [${a}, '{rng.choice(WORDS)}'] : $total;\n}}\n\n",
            "rb": f"def {f}({a}, {b})\n  total = {a} * {n} + {b}\n  total > {n * 3} ? [{a}, \"{rng.choice(WORDS)}\"] : total\nend\n\n",
            "go": f"func {_camel(rng)}({a} int, {b} int) int {{\n\ttotal := {a}*{n} + {b}\n"
                  f"\tif total > {n * 3} {{\n\t\treturn {a}\n\t}}\n\treturn total\n}}\n\n",
            "java": f"    public static int {f}(int {a}, int {b}) {{\n        int total = {a} * {n} + {b};\n"
                    f"        return total > {n * 3} ? {a} : total;\n    }}\n\n",
            "cs": f"    public static int {_camel(rng)}(int {a}, int {b})\n    {{\n        var total = {a} * {n} + {b};\n"
                  f"        return total > {n * 3} ? {a} : total;\n    }}\n\n",
            "yaml": f"{f}:\n  {a}: {n}\n  {b}: \"{rng.choice(WORDS)}\"\n  enabled: {str(n % 2 == 0).lower()}\n",
            "env": f"{f.upper()}={n}\n{a.upper()}={rng.choice(WORDS)}\n",
            "md": f"## {f}\n\nThe {a} of each {b} is computed {n} times; see `{rng.choice(WORDS)}`.\n\n",
        }[lang]
        out.append(text)
    return "".join(out)


def filler(rng: random.Random, lang: str) -> str:
    body = _functions(rng, lang, rng.randrange(3, 26))
    if lang == "py":
        return "import json\nimport os\n\n\n" + body
    if lang == "go":
        return "package " + rng.choice(WORDS) + "\n\n" + body
    if lang == "java":
        return f"package com.example;\n\npublic class {_camel(rng)} {{\n{body}}}\n"
    if lang == "cs":
        return f"namespace Example\n{{\npublic static class {_camel(rng)}\n{{\n{body}}}\n}}\n"
    if lang == "php":
        return "<?php\n\n" + body
    return body


def file_name(rng: random.Random, lang: str, index: int) -> str:
    if lang == "env":
        return f".env.{rng.choice(WORDS)}{index}"
    if lang == "java":
        return f"{_camel(rng)}{index}.java"
    if lang == "cs":
        return f"{_camel(rng)}{index}.cs"
    return f"{_ident(rng)}{index}.{lang}"


# ----------------------------------------------------------------------------- tree
def generate(out: Path, files: int, seed: int) -> dict:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    planted = max(1, round(files * PLANT_RATE))
    plant_at = set(rng.sample(range(files), planted))
    expected = 0
    written = 0
    kinds: dict[str, int] = {}
    sown = 0
    for i in range(files):
        folder = out / f"pkg{i // FILES_PER_DIR:05d}"
        if i in plant_at:
            plant = PLANTED[sown % len(PLANTED)]
            sown += 1
            folder = out / "planted" / f"p{i:06d}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / plant.name).write_text(plant.text.format(n=i), encoding="utf-8")
            # Its own project: evidence from one planted file never reaches another.
            (folder / "package.json").write_text(PROJECT_MANIFEST.format(n=i), encoding="utf-8")
            written += 1
            expected += plant.findings
            kinds[plant.name] = kinds.get(plant.name, 0) + 1
        else:
            lang = rng.choices(LANGS, WEIGHTS)[0]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / file_name(rng, lang, i)).write_text(filler(rng, lang), encoding="utf-8")
        written += 1
    return {"files": written, "planted_files": planted, "expected_findings": expected, "kinds": kinds, "seed": seed}


def calibrate(out: Path) -> dict[str, int]:
    """Scan each snippet alone and print its finding count (to update PLANTED by hand)."""
    import subprocess
    import sys

    counts = {}
    for plant in PLANTED:
        folder = out / plant.name.replace(".", "_")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / plant.name).write_text(plant.text.format(n=7), encoding="utf-8")
        (folder / "package.json").write_text(PROJECT_MANIFEST.format(n=7), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "igmigrate", "scan", str(folder), "--format", "json", "--no-cache"],
                              capture_output=True, text=True)
        doc = json.loads(done.stdout)
        counts[plant.name] = len(doc["findings"])
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--calibrate", action="store_true", help="print each snippet's finding count")
    args = parser.parse_args()
    if args.calibrate:
        counts = calibrate(args.out)
        print(json.dumps(counts, indent=1))
        print(json.dumps({"mismatch": {p.name: (p.findings, counts[p.name]) for p in PLANTED
                                       if p.findings != counts[p.name]}}))
        return
    print(json.dumps(generate(args.out, args.files, args.seed)))


if __name__ == "__main__":
    main()
