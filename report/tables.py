"""Sortable HTML tables, shared by every table of the page: headings are buttons (reachable and pressed by
keyboard) with aria-sort and a visible arrow; the page's SORT_SCRIPT sorts on them."""

import html


def sortable_head(columns: list[tuple[str, bool]]) -> str:
    """The <thead> of (title, is_number) columns: numbers sort largest first, text A to Z."""
    cells = "".join(
        f'<th scope="col" data-col="{i}" aria-sort="none" '
        f'data-first="{"descending" if is_number else "ascending"}">'
        f'<button type="button">{html.escape(title)}'
        '<span class="arrow" aria-hidden="true">\u2195</span></button></th>'
        for i, (title, is_number) in enumerate(columns)
    )
    return f"<thead><tr>{cells}</tr></thead>"


def cell(value, text: str, color: str | None = None, title: str = "") -> str:
    """A cell that sorts by its value (numbers by size, text alphabetically), shows its text and, on hover,
    its title."""
    sort = value if isinstance(value, str) else f"{float(value):.6f}"
    style = f' style="color:{color};font-weight:600"' if color else ""
    hover = f' title="{html.escape(title)}"' if title else ""
    return f'<td data-sort="{html.escape(str(sort))}"{style}{hover}>{html.escape(text)}</td>'
