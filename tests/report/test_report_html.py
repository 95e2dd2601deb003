"""report.html: self-contained, escaped, complete."""

import re
from html.parser import HTMLParser

import pytest

from grader.report.html import render_html
from tests.report.report_sample import EVIL


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.imgs, self.ids, self.stack, self.text = [], [], set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "img":
            self.imgs.append(attrs)

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture
def page(result, drawn):
    return render_html(result, drawn[1])


def _parse(page):
    parser = _Collector()
    parser.feed(page)
    return parser


def test_score_and_every_item(page, result):
    p = _parse(page)
    assert "score" in p.ids
    score = re.search(r'<p id="score"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert "20" in re.sub("<[^>]+>", "", score) and "60" in score
    text = "".join(p.text)
    for item in result.items:
        assert item.title in text
        assert f"{int(item.score)} / {int(item.max_score)}" in text
    assert "not attempted" in text
    assert "sum delta over the batch axis" in text  # hint
    assert "Traceback (most recent call last)" in text  # the student's traceback
    assert "rubric lab1 (sha256 abc123)" in text and "content sha256 def456" in text  # run metadata, in words


def test_student_text_is_escaped(page):
    assert "<script" not in page.lower()  # no script at all: the page needs none
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in page
    assert EVIL in "".join(_parse(page).text)  # and it reads back as the student wrote it


def test_self_contained(page, drawn):
    p = _parse(page)
    assert len(p.imgs) == len(drawn[1])
    for img in p.imgs:
        assert img["src"].startswith("data:image/png;base64,")
        assert int(img["width"]) > 0 and int(img["height"]) > 0 and img["alt"]
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert "<style>" in page


def test_phone_and_print(page):
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "max-width" in page and "@media print" in page and "@media (max-width" in page


def test_without_figures_or_items():
    from grader.results import GradeResult

    page = render_html(GradeResult(score=0, max_score=0, items=[]), {})
    assert 'id="score"' in page and "<img" not in page


def test_missing_figure_file_is_left_out(result, tmp_path):
    page = render_html(result, {"gradcheck": tmp_path / "gone.png"})
    assert "<img" not in page


def test_run_section_is_tables_naming_the_submission(result):
    import dataclasses

    from grader.report.html import render_html

    meta = {
        **result.meta,
        "submission": "alice-lab1",
        "sandbox": "strict",
        "confinement": ["namespaces", "seccomp"],
        "timings": {"test_slow": 2.5, "test_fast": 0.01},
        "security": ["tried to import grader (the grader)"],
        "budget": {"cpu_seconds": 3.5},
    }
    page = render_html(dataclasses.replace(result, meta=meta))
    run = page[page.index('<section id="meta">') :]
    run = run[: run.index("</section>")]
    assert "<table" in run and "{" not in run and "[" not in run  # words and tables, never raw JSON
    text = re.sub("<[^>]+>", " ", run)
    assert "alice-lab1" in text and "strict tier; kernel layers: namespaces, seccomp" in text
    assert text.index("test_slow") < text.index("test_fast")  # slowest check first
    assert "tried to import grader" in text and "cpu_seconds: 3.5" in text
