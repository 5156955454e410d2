"""Writes Tests/KQLTests/Fixtures/h3-oracle.json: cells, centres, boundaries and disks from the `h3`
package (PyPI), the reference Vigil's H3 code is tested against.

Run: /tmp/h3env/bin/python make_fixture.py ../../Tests/KQLTests/Fixtures/h3-oracle.json
"""
import json
import random
import sys

import h3

rng = random.Random(11)
points = []
for n in range(600):
    lat = rng.uniform(-89.9, 89.9)
    lng = rng.uniform(-180, 180)
    points.append((lat, lng, n % 16))
# near the pentagons, where the grid bends most
for c in h3.get_res0_cells():
    if h3.is_pentagon(c):
        lat, lng = h3.cell_to_latlng(c)
        for n in range(12):
            points.append((lat + rng.uniform(-3, 3), lng + rng.uniform(-3, 3), n % 16))
        points.append((lat, lng, 5))

DIRECTIONS = [2, 3, 1, 5, 4, 6]


def neighbours(h):
    return {(int(e, 16) >> 56) & 7: h3.get_directed_edge_destination(e) for e in h3.origin_to_directed_edges(h)}


def hashed_disk(origin, k):
    """H3's fallback near pentagons: a depth-first walk into a linear-probing hash set; returns the slots."""
    size = 3 * k * (k + 1) + 1
    cells, dist = [0] * size, [0] * size

    def visit(h, d):
        v = int(h, 16)
        slot = v % size
        while cells[slot] != 0 and cells[slot] != v:
            slot = (slot + 1) % size
        if cells[slot] == v and dist[slot] <= d:
            return
        cells[slot], dist[slot] = v, d
        if d < k:
            m = neighbours(h)
            for direction in DIRECTIONS:
                if direction in m:
                    visit(m[direction], d + 1)
    visit(origin, 0)
    return [format(c, 'x') if c else None for c in cells]


def compacted(slots):
    """The h3 package's compaction of the hash set (the last cell fills the first hole), which
    reorders it: the reference order is the hash set's own, as H3's C library returns it."""
    a = list(slots)
    i, j = 0, len(a)
    while i < j:
        if a[j - 1] is None:
            j -= 1
            continue
        if a[i] is not None:
            i += 1
            continue
        a[i], a[j - 1] = a[j - 1], None
        i += 1
        j -= 1
    return a[:i]


def disk(cell, k):
    got = h3.grid_disk(cell, k)
    slots = hashed_disk(cell, k)
    if compacted(slots) == got:
        return [c for c in slots if c is not None]
    return got


cases = []
for lat, lng, res in points:
    cell = h3.latlng_to_cell(lat, lng, res)
    case = {'lat': lat, 'lng': lng, 'res': res, 'cell': cell,
            'center': list(h3.cell_to_latlng(cell)),
            'boundary': [list(p) for p in h3.cell_to_boundary(cell)]}
    if res <= 12:
        case['disk1'] = disk(cell, 1)
        case['disk2'] = disk(cell, 2)
    cases.append(case)

with open(sys.argv[1], 'w') as fh:
    json.dump(cases, fh, separators=(',', ':'))
