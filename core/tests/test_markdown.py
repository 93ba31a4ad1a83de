from hypothesis import given
from hypothesis import strategies as st

from core.markdown import render_markdown


def test_markdown_renders_the_safe_subset():
    html = render_markdown("# Title\n\nSome **bold** and [a link](https://example.org).")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer"' in html


def test_script_styles_handlers_and_js_urls_are_stripped():
    html = render_markdown(
        "<script>alert(1)</script>\n\n<style>body{}</style>"
        '<a href="javascript:alert(2)" onclick="x()">x</a><iframe src="https://e.org"></iframe>'
        "\n\n[link](javascript:alert(3))"
    )
    for bad in ("<script", "<style", "javascript:", "onclick", "<iframe"):
        assert bad not in html


@given(
    st.text(alphabet=st.sampled_from(list("<>\"'=/ abcscriptonerrorimg&;:[]()*#\n")), max_size=200)
)
def test_no_input_yields_a_script_tag_or_event_handler(text):
    html = render_markdown(text).lower()
    assert "<script" not in html
    assert " onerror=" not in html
    assert "<img" not in html
