def test_pages_speak_chinese_even_to_an_english_browser_until_english_is_chosen(client, db):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get("/")["Content-Language"] == "en"


def test_api_errors_are_bilingual_whatever_the_language(client, db):
    response = client.post("/api/v1/organisations/", {"credit_code": "123"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    message = response.json()["credit_code"][0]
    assert "统一社会信用代码" in message and "unified social credit code" in message


# -- every Chinese text of the interface has its English ------------------------------------------------
import re  # noqa: E402
from pathlib import Path  # noqa: E402

from django.utils import translation  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "finance", "frontend", "market", "matching", "notifications", "search", "stats", "valuation")
CJK = re.compile(r"[\u4e00-\u9fff]")
TEMPLATE_TEXT = re.compile(r"""{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')""")
BLOCK_TEXT = re.compile(r"{%\s*blocktranslate(?![^%]*\bcount\b)[^%]*%}(.*?){%\s*endblocktranslate\s*%}", re.S)
CODE_TEXT = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*"((?:[^"\\]|\\.)*)"\s*\)""")


def interface_texts() -> set[str]:
    """The Chinese msgids the templates and the code ask to translate (literal ones)."""
    texts = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.html"):
            source = path.read_text(encoding="utf-8")
            texts |= {a or b for a, b in TEMPLATE_TEXT.findall(source)}
            texts |= {re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", block) for block in BLOCK_TEXT.findall(source)}
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                texts |= set(CODE_TEXT.findall(path.read_text(encoding="utf-8")))
    return {text for text in texts if CJK.search(text)}


def test_every_chinese_text_of_the_interface_has_its_english():
    texts = interface_texts()
    assert len(texts) > 1000
    with translation.override("en"):
        missing = sorted(text for text in texts if CJK.search(translation.gettext(text).split(" / ")[-1]))
    assert missing == []
