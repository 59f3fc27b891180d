"""The XSS corpus every test of shown-back text uses, and helpers to fit it into fields.

The vectors come from the OWASP XSS Filter Evasion Cheat Sheet and PortSwigger's XSS cheat sheet,
grouped by family. Nearly every one calls ``alert``, ``confirm``, ``prompt``, ``print`` or the
browser tests' sentinel ``__xss`` when it runs, so a vector that survives escaping or sanitising
opens a dialog (or is recorded) in Chromium; the rest (``vbscript:``, ``<embed>``, CSS
``expression``) are caught by the browser tests' structural check of the page.
"""

from __future__ import annotations

import re

SCRIPT_TAGS = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<SCRIPT SRC=data:,alert(1)></SCRIPT>",
    '<script type="module">alert(1)</script>',
    "<script>window.__xss('script')</script>",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>alert(1);//<</script>",
    '<IMG """><SCRIPT>alert(1)</SCRIPT>">',
    "<!--<script>alert(1)</script>-->",
    "<svg><script>alert(1)</script></svg>",
    '<svg><script xlink:href="data:,alert(1)"></script></svg>',
]

EVENT_HANDLERS = [
    "<img src=x onerror=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "<img src=`x` onerror=alert(1)>",
    "<img src=x onerror=confirm(1)>",
    "<img src=x onerror=prompt(1)>",
    "<img src=x onerror=print()>",
    "<img src=x onerror=__xss('img')>",
    "<img src=1 onerror=alert&#40;1&#41;>",
    '<img src=x onerror="&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;">',
    "<img src=x:alert(alt) onerror=eval(src) alt=1>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    "<body onpageshow=alert(1)>",
    "<frameset onload=alert(1)>",
    '<div onclick="alert(1)">click</div>',
    "<p onmouseover=alert(1)>hover</p>",
    "<details open ontoggle=alert(1)>x</details>",
    '<a href="https://ok.example" target=_blank onfocus=alert(1) autofocus>x</a>',
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)></select>",
    "<textarea autofocus onfocus=alert(1)>x</textarea>",
    "<input type=image src=x onerror=alert(1)>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<audio src=x onerror=alert(1)></audio>",
    "<video><source onerror=alert(1)></video>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s />",
]

URL_SCHEMES = [
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112'
    '&#0000116&#0000058alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<IMG SRC="jav&#x09;ascript:alert(1);">',
    '<IMG SRC=" &#14;  javascript:alert(1);">',
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    '<img src="javascript:alert(1)">',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="data:text/html;charset=utf-8,%3Cscript%3Ealert(1)%3C/script%3E">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    "<video poster=javascript:alert(1)//></video>",
    '<form><button formaction="javascript:alert(1)">x</button></form>',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe srcdoc="&lt;img src=x onerror=alert(1)&gt;"></iframe>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    "javascript:alert(1)",
]

MARKDOWN_LINKS = [
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+PC9zdmc+)",
    '![x"onerror="alert(1)](x.png)',
    '[x](https://ok.example "a\\" onmouseover=\\"alert(1)")',
    "<javascript:alert(1)>",
    "[x]: javascript:alert(1)\n\n[link][x]",
]

NAMESPACE_AND_MUTATION = [
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<svg><a xlink:href="javascript:alert(1)"><text x=20 y=20>x</text></a></svg>',
    "<svg><a><animate attributeName=href values=javascript:alert(1) /><text x=20 y=20>x</text>"
    "</a></svg>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<xmp><p title="</xmp><img src=x onerror=alert(1)>">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "<textarea><script>alert(1)</script></textarea>",
]

BREAKOUTS = [
    '"><img src=x onerror=alert(1)>',
    "'><img src=x onerror=alert(1)>",
    "'-alert(1)-'",
    '";alert(1);//',
    '" autofocus onfocus="alert(1)',
    "' autofocus onfocus='alert(1)",
    "'/autofocus/onfocus='alert`1`'",
    '"/autofocus/onfocus="alert`1`"',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    '<a href="https://ok.example/" title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">x</a>',
    "{{constructor.constructor('alert(1)')()}}",
    "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
]

CSS = [
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<style>@import 'javascript:alert(1)';</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width:expression(alert(1))">x</div>',
]

XSS_VECTORS: list[str] = [
    *SCRIPT_TAGS,
    *EVENT_HANDLERS,
    *URL_SCHEMES,
    *MARKDOWN_LINKS,
    *NAMESPACE_AND_MUTATION,
    *BREAKOUTS,
    *CSS,
]


def email_shaped(vectors: list[str] = XSS_VECTORS) -> list[str]:
    """Vectors that make a valid email address (no spaces, no "@") with ``@example.com`` after
    them, in lower case as the site keeps addresses, each once."""
    out: list[str] = []
    for vector in vectors:
        address = f"{vector}@example.com".lower()
        if not re.search(r"[\s@]", vector) and address not in out:
            out.append(address)
    return out


def one_line(vector: str) -> str:
    """The vector on one line, for fields that end at a line break (quiz lines, titles)."""
    return " ".join(vector.split())


def packs(limit: int, label: str, vectors: list[str] = XSS_VECTORS) -> list[str]:
    """The corpus packed into as few values of at most ``limit`` characters as it fits in.

    Each value starts with ``<label><n>:`` so a test can tell the page shows that value. Vectors
    too long for the field on their own are left out (the field could not hold them anyway).
    """
    out: list[str] = []
    current: list[str] = []

    def head(n: int) -> str:
        return f"{label}{n}:"

    for vector in map(one_line, vectors):
        if len(head(len(out) + 1)) + 1 + len(vector) > limit:
            continue
        candidate = " ".join([head(len(out) + 1), *current, vector])
        if len(candidate) > limit:
            out.append(" ".join([head(len(out) + 1), *current]))
            current = []
        current.append(vector)
    if current:
        out.append(" ".join([head(len(out) + 1), *current]))
    return out
