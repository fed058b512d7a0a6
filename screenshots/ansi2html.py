#!/usr/bin/env python3
"""Convert a terminal capture with ANSI SGR colours (`tmux capture-pane -e -p`) to one HTML page.

Standard library only. The page draws the exact cell grid of the terminal: a dark background, a
monospace font, `white-space: pre`, no wrapping, one `<div>` per row. Supported SGR codes:
0 1 2 3 4 7 9 22 23 24 27 29, 30-37 90-97 39, 40-47 100-107 49, 38;5;n / 48;5;n (xterm 256
palette), 38;2;r;g;b / 48;2;r;g;b (also with `:` separators). Other escape sequences are dropped.

Usage: ansi2html.py CAPTURE.ans OUT.html [--cols 120] [--rows 36] [--font-size 16.61]
                                         [--title TEXT]
Prints the browser window size that shows the whole grid, as `WIDTH HEIGHT`, on stdout.
`ansi2html.py --reversed CAPTURE.ans -` prints the reverse-video text of each row instead (how
the screenshot script sees which row is selected).
"""

import argparse
import html
import math
import re
import sys
import unicodedata

# The page: a dark terminal (VS Code's dark terminal palette for the 16 base colours).
BACKGROUND = (0x1E, 0x1E, 0x1E)
FOREGROUND = (0xD4, 0xD4, 0xD4)
BASE16 = [
    (0x00, 0x00, 0x00), (0xCD, 0x31, 0x31), (0x0D, 0xBC, 0x79), (0xE5, 0xE5, 0x10),
    (0x24, 0x72, 0xC8), (0xBC, 0x3F, 0xBC), (0x11, 0xA8, 0xCD), (0xE5, 0xE5, 0xE5),
    (0x76, 0x76, 0x76), (0xF1, 0x4C, 0x4C), (0x23, 0xD1, 0x8B), (0xF5, 0xF5, 0x43),
    (0x3B, 0x8E, 0xEA), (0xD6, 0x70, 0xD6), (0x29, 0xB8, 0xDB), (0xF2, 0xF2, 0xF2),
]
FONT_FAMILY = "'DejaVu Sans Mono', 'Liberation Mono', 'Noto Sans Mono', monospace"
# DejaVu Sans Mono's advance width is 1233/2048 em.
ADVANCE_EM = 1233 / 2048
LINE_HEIGHT = 1.2
PADDING_PX = 10


def xterm256(n):
    """The xterm 256-colour palette (0-15 are the page's base colours)."""
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + 10 * (n - 232)
    return (v, v, v)


class Style:
    __slots__ = ("fg", "bg", "bold", "dim", "italic", "underline", "reverse", "strike")

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None  # None: the default foreground; else an (r, g, b) tuple
        self.bg = None
        self.bold = self.dim = self.italic = self.underline = self.reverse = self.strike = False

    def key(self):
        return (self.fg, self.bg, self.bold, self.dim, self.italic, self.underline,
                self.reverse, self.strike)

    def copy(self):
        s = Style()
        for k in Style.__slots__:
            setattr(s, k, getattr(self, k))
        return s


def _ext_colour(params, i):
    """Parses `5;n` or `2;r;g;b` at params[i:]; returns (colour or None, next index)."""
    if i < len(params) and params[i] == 5 and i + 1 < len(params):
        return xterm256(max(0, min(255, params[i + 1]))), i + 2
    if i < len(params) and params[i] == 2 and i + 3 < len(params):
        r, g, b = (max(0, min(255, v)) for v in params[i + 1:i + 4])
        return (r, g, b), i + 4
    return None, len(params)


def apply_sgr(style, raw):
    """Applies one SGR parameter string (`1;38;5;6`, `38:2::10:20:30`, ``) to style."""
    if raw == "":
        style.reset()
        return
    groups = raw.split(";")
    params = []
    for g in groups:
        if ":" in g:
            # ITU form 38:2:[colourspace]:r:g:b or 38:5:n: rewrite as the `;` form.
            parts = [p for p in g.split(":")]
            if len(parts) >= 2 and parts[0] in ("38", "48") and parts[1] == "2" and len(parts) == 6:
                parts = parts[:2] + parts[3:]
            params.extend(int(p) if p.isdigit() else 0 for p in parts)
        else:
            params.append(int(g) if g.isdigit() else 0)
    i = 0
    while i < len(params):
        p = params[i]
        i += 1
        if p == 0:
            style.reset()
        elif p == 1:
            style.bold = True
        elif p == 2:
            style.dim = True
        elif p == 3:
            style.italic = True
        elif p == 4:
            style.underline = True
        elif p == 7:
            style.reverse = True
        elif p == 9:
            style.strike = True
        elif p == 22:
            style.bold = style.dim = False
        elif p == 23:
            style.italic = False
        elif p == 24:
            style.underline = False
        elif p == 27:
            style.reverse = False
        elif p == 29:
            style.strike = False
        elif 30 <= p <= 37:
            style.fg = BASE16[p - 30]
        elif 90 <= p <= 97:
            style.fg = BASE16[p - 90 + 8]
        elif p == 39:
            style.fg = None
        elif 40 <= p <= 47:
            style.bg = BASE16[p - 40]
        elif 100 <= p <= 107:
            style.bg = BASE16[p - 100 + 8]
        elif p == 49:
            style.bg = None
        elif p in (38, 48):
            colour, i = _ext_colour(params, i)
            if colour is not None:
                if p == 38:
                    style.fg = colour
                else:
                    style.bg = colour
        # Anything else (blink, overline, …) is ignored.


ESCAPE = re.compile(
    r"\x1b\[([0-9;:]*)m"  # SGR
    r"|\x1b\[[0-9;:?<=>]*[ -/]*[@-~]"  # any other CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC (hyperlinks, titles)
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
)


def parse(text):
    """Splits the capture into rows of (character, Style) cells, the style carried across rows
    as a terminal would."""
    rows = []
    style = Style()
    for line in text.split("\n"):
        cells = []
        pos = 0
        for m in ESCAPE.finditer(line):
            for ch in line[pos:m.start()]:
                cells.append((ch, style.copy()))
            if m.group(0).endswith("m") and m.group(0).startswith("\x1b["):
                apply_sgr(style, m.group(1) or "")
            pos = m.end()
        for ch in line[pos:]:
            cells.append((ch, style.copy()))
        rows.append(cells)
    # `capture-pane -p` ends with a newline: drop the empty row after it.
    while rows and not rows[-1]:
        rows.pop()
    return rows


def cell_width(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def hexc(c):
    return "#%02x%02x%02x" % c


def mix(a, b, t):
    return tuple(round(x * (1 - t) + y * t) for x, y in zip(a, b))


def css(style):
    fg = style.fg or FOREGROUND
    bg = style.bg  # None: the page's background shows through
    if style.reverse:
        fg, bg = (style.bg or BACKGROUND), (style.fg or FOREGROUND)
    if style.dim:
        fg = mix(fg, bg or BACKGROUND, 0.45)
    out = []
    if fg != FOREGROUND:
        out.append("color:" + hexc(fg))
    if bg is not None and bg != BACKGROUND:
        out.append("background:" + hexc(bg))
    if style.bold:
        out.append("font-weight:bold")
    if style.italic:
        out.append("font-style:italic")
    deco = [d for d, on in (("underline", style.underline), ("line-through", style.strike)) if on]
    if deco:
        out.append("text-decoration:" + " ".join(deco))
    return ";".join(out)


# Light and heavy box-drawing characters, drawn as line segments instead of glyphs so that borders
# join up exactly whatever the font: (left, right, up, down, heavy).
BOX = {
    "─": "LR", "━": "LRH", "│": "UD", "┃": "UDH",
    "┌": "RD", "┐": "LD", "└": "RU", "┘": "LU",
    "┏": "RDH", "┓": "LDH", "┗": "RUH", "┛": "LUH",
    "╭": "RD", "╮": "LD", "╰": "RU", "╯": "LU",
    "├": "UDR", "┤": "UDL", "┬": "LRD", "┴": "LRU", "┼": "LRUD",
    "┣": "UDRH", "┫": "UDLH", "┳": "LRDH", "┻": "LRUH", "╋": "LRUDH",
    "╴": "L", "╵": "U", "╶": "R", "╷": "D", "╸": "LH", "╹": "UH", "╺": "RH", "╻": "DH",
}


class Grid:
    """Pixel geometry of one cell."""

    def __init__(self, font_size):
        self.font_size = font_size
        self.cell_w = ADVANCE_EM * font_size
        self.row_h = round(LINE_HEIGHT * font_size)


def box_css(segments, grid):
    t = 2 if "H" in segments else 1
    cx = int((grid.cell_w - t) // 2)
    cy = int((grid.row_h - t) // 2)
    g = "linear-gradient(currentColor,currentColor)"
    layers = []
    if "L" in segments:
        layers.append("%s 0 %dpx/%dpx %dpx no-repeat" % (g, cy, cx + t, t))
    if "R" in segments:
        layers.append("%s %dpx %dpx/calc(100%% - %dpx) %dpx no-repeat" % (g, cx, cy, cx, t))
    if "U" in segments:
        layers.append("%s %dpx 0/%dpx %dpx no-repeat" % (g, cx, t, cy + t))
    if "D" in segments:
        layers.append("%s %dpx %dpx/%dpx calc(100%% - %dpx) no-repeat" % (g, cx, cy, t, cy))
    return "background:" + ",".join(layers)


def render_cells(cells, grid, box_classes):
    """HTML of one row: runs of one style, each character in its own box one or two cells wide
    (`<c>`), so that neither rounding nor a glyph from a fallback font can shift the grid; box
    drawing as line segments."""
    out = []
    run_key = None
    run = []
    run_style = None

    def flush():
        if not run:
            return
        body = "".join(run)
        style_css = css(run_style)
        out.append('<span class="r" style="%s">%s</span>' % (style_css, body) if style_css else body)

    for ch, st in cells:
        k = st.key()
        if k != run_key:
            flush()
            run = []
            run_key = k
            run_style = st
        if ord(ch) < 0x20 or ord(ch) == 0x7F:
            ch = " "
        w = cell_width(ch)
        if w == 0:
            # A combining mark: drawn over the previous cell.
            if run:
                run[-1] = run[-1][:-4] + html.escape(ch) + "</c>"
        elif ch in BOX:
            cls = "x" + BOX[ch]
            box_classes[cls] = box_css(BOX[ch], grid)
            run.append('<c class="%s"> </c>' % cls)
        elif w == 2:
            run.append('<c class="w2">%s</c>' % html.escape(ch))
        else:
            run.append("<c>%s</c>" % html.escape(ch))
    flush()
    return "".join(out)


def page(rows, cols, nrows, grid, title):
    lines = []
    box_classes = {}
    for r in range(nrows):
        cells = rows[r] if r < len(rows) else []
        used = sum(cell_width(ch) for ch, _ in cells)
        # capture-pane leaves out trailing default cells: pad them back, default style.
        if used < cols:
            cells = cells + [(" ", Style())] * (cols - used)
        lines.append("<div>%s</div>" % render_cells(cells, grid, box_classes))
    boxes = "\n".join(".%s { %s; }" % kv for kv in sorted(box_classes.items()))
    return """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title>
<style>
html, body {{ margin: 0; padding: 0; background: {bg}; overflow: hidden; }}
#term {{
  padding: {pad}px;
  width: {cols}ch; height: {height}px;
  overflow: hidden;
  background: {bg}; color: {fg};
  font-family: {font}; font-size: {size}px; line-height: {rh}px;
  white-space: pre; font-variant-ligatures: none; font-kerning: none;
}}
#term div {{ height: {rh}px; overflow: hidden; white-space: pre; }}
.r, c {{ display: inline-block; vertical-align: top; height: {rh}px; }}
c {{ width: 1ch; overflow: hidden; text-align: center; }}
c.w2 {{ width: 2ch; }}
{boxes}
</style></head>
<body><div id="term">{body}</div></body></html>
""".format(
        title=html.escape(title), bg=hexc(BACKGROUND), fg=hexc(FOREGROUND), pad=PADDING_PX,
        cols=cols, height=nrows * grid.row_h, font=FONT_FAMILY, size=grid.font_size,
        rh=grid.row_h, boxes=boxes, body="".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("capture")
    ap.add_argument("out")
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=36)
    ap.add_argument("--font-size", type=float, default=16.61)
    ap.add_argument("--title", default="paperboy")
    ap.add_argument("--reversed", action="store_true",
                    help="print the reverse-video text of each row instead (a row's selection)")
    a = ap.parse_args()
    with open(a.capture, encoding="utf-8", errors="replace") as f:
        rows = parse(f.read())
    if a.reversed:
        for cells in rows:
            text = "".join(ch for ch, st in cells if st.reverse).strip()
            if text:
                print(text)
        return 0
    with open(a.out, "w", encoding="utf-8") as f:
        grid = Grid(a.font_size)
        f.write(page(rows, a.cols, a.rows, grid, a.title))
    width = math.ceil(a.cols * grid.cell_w) + 2 * PADDING_PX
    height = a.rows * grid.row_h + 2 * PADDING_PX
    print(width, height)


if __name__ == "__main__":
    sys.exit(main())
