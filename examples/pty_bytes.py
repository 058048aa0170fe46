#!/usr/bin/env python3
"""Where a terminal's bytes go: replays what dropday wrote to a terminal (`pty_measure --dump`,
`screen_churn --dump`) through a small screen model (cursor moves `ESC[row;colH`, SGR, text; what
ratatui's crossterm backend writes) and attributes every byte to the screen row and column the
cursor was at, and to its kind: cursor moves, SGR (colours, attributes), text, modes.

A frame starts at `ESC[?25l`, which ratatui writes once per draw. Per frame it also finds the
cells whose glyph or style changed.

    python3 examples/pty_bytes.py /tmp/x-120x40.bin --skip 6 --cells
    python3 examples/pty_bytes.py /tmp/x-120x40.bin --show 3          # changed rows, old and new
    python3 examples/pty_bytes.py /tmp/x-120x40.bin --regions FILE    # bytes per named region

`--skip N` leaves out the first N frames (the first whole screen and pty_measure's 5 s of
start-up), `--tail N` the last N (quitting). A regions file has lines `name top left bottom
right` (0-based, inclusive); the first that holds a cell names it. docs/PERFORMANCE.md says
what it found at 120x40.
"""
import argparse, re, sys, unicodedata
from collections import Counter, defaultdict

def wcwidth(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ('W', 'F') else 1

class Screen:
    def __init__(self, cols, rows):
        self.cols, self.rows = cols, rows
        self.cells = [[(' ', '') for _ in range(cols)] for _ in range(rows)]
        self.r = self.c = 0
        self.sgr = ''  # current SGR state as a string of the sequences since the last reset

    def put(self, ch):
        if 0 <= self.r < self.rows and 0 <= self.c < self.cols:
            self.cells[self.r][self.c] = (ch, self.sgr)
        self.c += wcwidth(ch)

    def text(self, r):
        return ''.join(ch for ch, _ in self.cells[r])

CSI = re.compile(rb'\x1b\[([0-9;?<>=]*)([ -/]*)([@-~])')

def frames_of(data):
    """Splits the stream at each ESC[?25l (ratatui's draw start)."""
    marker = b'\x1b[?25l'
    parts = data.split(marker)
    out = [parts[0]] if parts[0] else []
    out += [marker + p for p in parts[1:]]
    return out

REGIONS = None
def region(args, r, c):
    """Named screen regions, from --regions FILE: lines `name top left bottom right` (inclusive)."""
    global REGIONS
    if REGIONS is None:
        REGIONS = []
        if args.regions:
            for line in open(args.regions):
                p = line.split()
                if len(p) == 5 and not line.startswith('#'):
                    REGIONS.append((p[0], *map(int, p[1:])))
    for name, t, l, b, rr in REGIONS:
        if t <= r <= b and l <= c <= rr:
            return name
    return f'other (row {r})' if args.regions else 'all'

def run(args):
    data = open(args.dump, 'rb').read()
    frames = frames_of(data)
    scr = Screen(args.cols, args.rows)
    total = Counter()          # kind -> bytes
    per_row = Counter()        # row -> bytes (attributed at the cursor's row)
    per_row_kind = defaultdict(Counter)
    per_span = Counter()       # (row, col-bucket) -> bytes
    per_region = Counter()
    cell_changes = Counter()   # (r, c) -> number of frames in which the visible cell changed
    frame_bytes = []
    sgr_seqs = Counter()
    moves = 0
    measured = frames[args.skip:len(frames) - args.tail] if args.tail else frames[args.skip:]
    first_measured = args.skip
    for fi, frame in enumerate(frames):
        counting = first_measured <= fi < first_measured + len(measured)
        before = [row[:] for row in scr.cells]
        i = 0
        fb = 0
        while i < len(frame):
            b = frame[i]
            if b == 0x1b:
                m = CSI.match(frame, i)
                if m:
                    params, final = m.group(1).decode(), m.group(3).decode()
                    n = m.end() - i
                    kind = 'other-esc'
                    if final == 'H':
                        p = [int(x) if x else 1 for x in params.split(';')] if params else [1, 1]
                        scr.r, scr.c = p[0] - 1, (p[1] - 1 if len(p) > 1 else 0)
                        kind = 'move'
                        if counting: moves += 1
                    elif final == 'm':
                        kind = 'sgr'
                        if params in ('', '0'):
                            scr.sgr = ''
                        else:
                            scr.sgr += '[' + params + ']'
                        if counting: sgr_seqs[params] += 1
                    elif final == 'J' or final == 'K':
                        kind = 'clear'
                        if final == 'J' and params in ('2', '3'):
                            for r in range(scr.rows):
                                for c in range(scr.cols):
                                    scr.cells[r][c] = (' ', '')
                    elif final in 'hl':
                        kind = 'mode'
                    if counting:
                        total[kind] += n
                        row = scr.r
                        per_row[row] += n
                        per_row_kind[row][kind] += n
                        per_span[(row, scr.c // 10)] += n
                        per_region[region(args, row, scr.c)] += n
                        fb += n
                    i = m.end()
                    continue
                # other escape: ESC x
                n = 2
                if counting:
                    total['other-esc'] += n; fb += n
                i += n
                continue
            if b < 0x20:
                if counting:
                    total['control'] += 1; fb += 1
                if b == 0x0d: scr.c = 0
                elif b == 0x0a: scr.r += 1
                i += 1
                continue
            # UTF-8 character
            ln = 1 if b < 0x80 else 2 if b < 0xe0 else 3 if b < 0xf0 else 4
            ch = frame[i:i + ln].decode('utf-8', errors='replace')
            if counting:
                total['text'] += ln; fb += ln
                per_row[scr.r] += ln
                per_row_kind[scr.r]['text'] += ln
                per_span[(scr.r, scr.c // 10)] += ln
                per_region[region(args, scr.r, scr.c)] += ln
            scr.put(ch)
            i += ln
        if counting:
            frame_bytes.append(fb)
            for r in range(scr.rows):
                for c in range(scr.cols):
                    if scr.cells[r][c] != before[r][c]:
                        cell_changes[(r, c)] += 1
        if args.show and counting and (fi - first_measured) < args.show:
            changed = [(r, c) for r in range(scr.rows) for c in range(scr.cols) if scr.cells[r][c] != before[r][c]]
            print(f'--- frame {fi} ({fb} bytes, {len(changed)} cells changed)')
            rows_changed = sorted(set(r for r, _ in changed))
            for r in rows_changed:
                cs = [c for rr, c in changed if rr == r]
                old = ''.join(ch for ch, _ in before[r])
                new = scr.text(r)
                print(f'  row {r:2d} cols {min(cs)}-{max(cs)} ({len(cs)} cells)')
                print(f'    old |{old}|')
                print(f'    new |{new}|')
                style_only = [c for c in cs if before[r][c][0] == scr.cells[r][c][0]]
                if style_only:
                    print(f'    style-only cells: {style_only[:20]}')
    n = len(measured)
    allb = sum(total.values())
    print(f'frames total {len(frames)}, measured {n} (skip {args.skip}, tail {args.tail}); bytes measured {allb}, '
          f'{allb / max(n,1):.0f} per frame')
    print('by kind: ' + ', '.join(f'{k} {v} ({v*100/allb:.0f}%)' for k, v in total.most_common()))
    print(f'cursor moves: {moves} ({moves/max(n,1):.1f} per frame)')
    print('frame sizes: ' + ' '.join(str(x) for x in frame_bytes))
    print('\nper row (bytes per frame: total = text + moves + sgr), screen text at the end:')
    for r in range(args.rows):
        if per_row[r]:
            k = per_row_kind[r]
            print(f'  {r:2d} {per_row[r]/n:7.1f} = {k["text"]/n:6.1f} + {k["move"]/n:5.1f} + {k["sgr"]/n:5.1f}  |{scr.text(r)[:args.cols]}|')
    print('\ntop column spans (row, cols) bytes per frame:')
    for (r, b), v in per_span.most_common(25):
        print(f'  row {r:2d} cols {b*10:3d}-{b*10+9:3d}: {v/n:6.1f}')
    print('\nSGR parameter strings, most common:')
    for p, v in sgr_seqs.most_common(15):
        print(f'  {p!r}: {v} ({v/n:.1f}/frame)')
    print('\nby region (bytes per frame):')
    for k, v in per_region.most_common():
        print(f'  {k:28s} {v/n:7.1f}  ({v*100/allb:.0f}%)')
    if args.cells:
        print('\ncells changed in most frames (row: cols with count):')
        byrow = defaultdict(list)
        for (r, c), v in cell_changes.items():
            byrow[r].append((c, v))
        for r in sorted(byrow):
            cs = sorted(byrow[r])
            tot = sum(v for _, v in cs)
            spans = []
            start = prev = None
            for c, v in cs:
                if start is None: start = prev = c
                elif c == prev + 1: prev = c
                else: spans.append((start, prev)); start = prev = c
            spans.append((start, prev))
            print(f'  row {r:2d}: {tot/n:6.1f} cell changes/frame, spans {spans}')

ap = argparse.ArgumentParser()
ap.add_argument('dump'); ap.add_argument('--cols', type=int, default=120); ap.add_argument('--rows', type=int, default=40)
ap.add_argument('--skip', type=int, default=1, help='frames to skip at the start (the first full screen)')
ap.add_argument('--tail', type=int, default=1, help='frames to leave out at the end (quit)')
ap.add_argument('--cells', action='store_true'); ap.add_argument('--regions'); ap.add_argument('--show', type=int, default=0)
run(ap.parse_args())
