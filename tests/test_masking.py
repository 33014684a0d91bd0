"""igmigrate.masking: what is masked, what stays readable, hostile encodings, known values."""

import html
import json
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from igmigrate.masking import Masker, mask, register_environment

SECRET = "5f1e2d3c4b5a69788796a5b4c3d2e1f0"
TOKEN = "IGAA" + "Jx9kLmN0pQ2rS4tU6vW8xY1zA3bC5dE7fG9hI2jK4lM6nO8pQ0rS2tU4vW6xY8zA1bC3dE5"
FB_TOKEN = "EAA" + "Bw3kZx9Lm2Np4Rs6Tu8Vw0Xy1Za3Bc5De7Fg9Hi2Jk4Lm6No8"


@pytest.mark.parametrize("text, expected", [
    (f'TOKEN = "{TOKEN}"', 'TOKEN = "IGAA****"'),
    (f"t = '{FB_TOKEN}'", "t = 'EAAB****'"),
    (f'client_secret = "{SECRET}"', 'client_secret = "****"'),
    (f"CLIENT_SECRET={SECRET}", "CLIENT_SECRET=****"),
    ("export IG_APP_SECRET=plainwordsecret", "export IG_APP_SECRET=****"),
    (f'igAppSecret: "{SECRET}"', 'igAppSecret: "****"'),
    (f'client_secret: str = "{SECRET}"', 'client_secret: str = "****"'),
    (f'{{"client_secret": "{SECRET}", "code": 400, "access_token": "abc123xyz"}}',
     '{"client_secret": "****", "code": 400, "access_token": "****"}'),
    (f"/oauth/access_token?client_id=1&client_secret={SECRET}&code=AQDx9_ab12&grant_type=authorization_code",
     "/oauth/access_token?client_id=1&client_secret=****&code=****&grant_type=authorization_code"),
    (f'<app client_secret="{SECRET}"/>', '<app client_secret="****"/>'),
    (f"<client_secret>{SECRET}</client_secret>", "<client_secret>****</client_secret>"),
    (f"define('IG_APP_SECRET', '{SECRET}');", "define('IG_APP_SECRET', '****');"),
    (f"params['client_secret'] = '{SECRET}'", "params['client_secret'] = '****'"),
    ("Authorization: Bearer abcdef123456789", "Authorization: Bearer ****"),
    (f'"{{\\"client_secret\\": \\"{SECRET}\\"}}"', '"{\\"client_secret\\": \\"****\\"}"'),
])
def test_secrets_are_masked_and_names_kept(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize("text", [
    "client_secret = os.environ['IG_SECRET']",
    'client_secret = "${IG_SECRET}"',
    "clientSecret: process.env.IG_CLIENT_SECRET",
    "client_secret = getenv('X')",
    'client_secret = ""',
    "client_secret = settings.IG_CLIENT_SECRET",
    'client_secret = "<your-app-secret>"',
    "url = base + '&client_secret=' . $secret;",
    "response_type=code&scope=user_profile",
    'status_code = 200; zipcode = "12345"; "code": 400',
    "<code>client_id</code> and <td class=\"code\">x</td>",
    "IG_MEDIA_FIELDS_ID_CAPTION_MEDIA_TYPE_MEDIA_URL_PERMALINK_THUMBNAIL_URL_TIMESTAMP_USERNAME",
])
def test_references_and_placeholders_stay_readable(text):
    assert mask(text) == text


@pytest.mark.parametrize("encode", [
    lambda s: "".join(f"\\u{ord(c):04x}" for c in s),
    lambda s: quote(s, safe=""),
    lambda s: "".join(f"%{ord(c):02X}" for c in s),
    lambda s: "".join(f"&#{ord(c)};" for c in s),
    lambda s: "".join(f"&#x{ord(c):x};" for c in s),
    lambda s: "".join(f"%25{ord(c):02X}" for c in s),  # encoded twice
])
def test_encoded_echoes_are_masked(encode):
    for text in (encode(TOKEN), "client_secret" + encode("=" + SECRET), encode(f'{{"client_secret": "{SECRET}"}}')):
        masked = mask(f"echo: {text} end")
        assert SECRET not in html.unescape(masked) and TOKEN[4:20] not in masked
        assert SECRET[:8] not in masked and "echo: " in masked and masked.endswith(" end")


def test_known_secrets_are_masked_raw_and_encoded():
    masker = Masker(["s3cr3t-v@lue/with+chars"])
    secret = "s3cr3t-v@lue/with+chars"
    text = f"a {secret} b {quote(secret, safe='')} c {json.dumps(secret)} d {html.escape(secret)} e " \
           + "".join(f"\\u{ord(c):04x}" for c in secret)
    masked = masker.text(text)
    assert "s3cr3t" not in masked and "v@lue" not in masked and "%40lue" not in masked
    assert masked.startswith("a **** b **** c")


def test_register_environment_masks_everywhere():
    register_environment(["IGM_TEST_SECRET"], {"IGM_TEST_SECRET": "zz-probe-secret-zz"})
    assert mask("value zz-probe-secret-zz here") == "value **** here"


def test_mapping_masks_secret_keys_whole():
    assert Masker(mask="***").mapping({"client_id": "1", "client_secret": "s", "IG_ACCESS_TOKEN": "t1", "x": "y"}) \
        == {"client_id": "1", "client_secret": "***", "IG_ACCESS_TOKEN": "***", "x": "y"}


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_masking_is_idempotent_and_never_crashes(text):
    once = mask(text)
    assert mask(once) == once


@settings(max_examples=100, deadline=None)
@given(prefix=st.text(alphabet="xyzéß ;,(\n\t{[", max_size=40), name=st.sampled_from(["client_secret", "IG_APP_SECRET", "igAppSecret",
                                                           "access_token", "Refresh-Token", "code"]),
       syntax=st.sampled_from(['{n}={v}', '{n} = "{v}"', '"{n}": "{v}"', "'{n}' => '{v}'", '?{n}={v}&x',
                               '{n}: {v}', '<x {n}="{v}">']),
       value=st.text(alphabet="abcdefABCDEF0123456789_-", min_size=12, max_size=40).filter(
           # all capitals with underscores reads as an environment variable's name (kept)
           lambda v: any(c.isdigit() for c in v) and any(c.islower() for c in v)))
def test_secret_values_are_masked_in_any_syntax(prefix, name, syntax, value):
    text = prefix + " " + syntax.format(n=name, v=value) + "\n"
    masked = mask(text)
    assert value not in masked and name in masked


def test_long_lines_are_masked_in_linear_time():
    line = ("x" * 50 + " code " + "client_secret_" * 20) * 2000  # many keywords, no values
    assert mask(line) == line
