"""Publisher Markdown to safe HTML: markdown-it-py renders, nh3 keeps only an allow-list."""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

# Raw HTML in the source is shown as text (html=False), and whatever the renderer emits is
# cleaned again by nh3: two independent layers, so a renderer bug alone cannot open a hole.
_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "em", "h1", "h2",
        "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s",
        "strong", "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "ol": {"start"},
}
_URL_SCHEMES = frozenset({"http", "https", "mailto"})


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def render_markdown(source: str) -> str:
    """Sanitised HTML for untrusted Markdown: no script, no event handler, no `javascript:`."""
    html = _renderer().render(source)
    return nh3.clean(
        html,
        tags=set(_TAGS),
        attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        link_rel="nofollow noopener noreferrer",
    )


class CachedMarkdown:
    """`render_markdown` with a bounded LRU of its answers, one per app.

    A published version's instructions never change, so the same text is rendered again on every
    view of its page; rendering dominates a page's time (about 1 ms per kilobyte). Texts above
    `max_chars` are rendered every time, so the cache holds at most `entries * max_chars`.
    """

    def __init__(self, entries: int = 256, max_chars: int = 64 * 1024) -> None:
        self.entries = entries
        self.max_chars = max_chars
        self._cache: OrderedDict[str, str] = OrderedDict()

    def __call__(self, source: str) -> str:
        if len(source) > self.max_chars:
            return render_markdown(source)
        html = self._cache.get(source)
        if html is None:
            html = self._cache[source] = render_markdown(source)
            if len(self._cache) > self.entries:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(source)
        return html
