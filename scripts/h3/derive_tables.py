"""Derives the H3 tables Vigil ships (Sources/KQL/Functions/Geo/H3Tables.swift).

Run: python3 -m venv /tmp/h3env && /tmp/h3env/bin/pip install h3 && /tmp/h3env/bin/python derive_tables.py
The `h3` package is only an oracle here: which base cell a point falls in, which face a cell lies on.
"""
import itertools
import json
import math
import random
import sys

import h3

from h3model import (Grid, UNIT, DIGIT_OF, CCW, CW, normalize, add, sub, scale, rot_ccw, rot_cw, up7, up7r,
                     down7, down7r, hex2d_to_ijk, ijk_to_hex2d, class3, to_vec, azimuth, pos_angle,
                     parse_index, make_index)


def unit(v):
    n = math.sqrt(sum(t * t for t in v))
    return tuple(t / n for t in v)


def geo(v):
    return (math.asin(max(-1, min(1, v[2]))), math.atan2(v[1], v[0]))


# 1. the icosahedron: its vertices are the 12 pentagon centres
pent_cells = sorted(c for c in h3.get_res0_cells() if h3.is_pentagon(c))
verts = [unit(to_vec(*map(math.radians, h3.cell_to_latlng(c)))) for c in pent_cells]
edge = min(math.acos(max(-1, min(1, sum(a * b for a, b in zip(verts[0], v))))) for v in verts[1:])


def adjacent(a, b):
    d = math.acos(max(-1, min(1, sum(x * y for x, y in zip(verts[a], verts[b])))))
    return abs(d - edge) < 1e-6


faces = {}
for a, b, c in itertools.combinations(range(12), 3):
    if adjacent(a, b) and adjacent(b, c) and adjacent(a, c):
        centre = unit(tuple(verts[a][t] + verts[b][t] + verts[c][t] for t in range(3)))
        lat, lng = geo(centre)
        cell = h3.latlng_to_cell(math.degrees(lat), math.degrees(lng), 15)
        fs = h3.get_icosahedron_faces(cell)
        assert len(fs) == 1, fs
        faces[fs[0]] = (centre, (a, b, c))
assert sorted(faces) == list(range(20))
centers = [geo(faces[f][0]) for f in range(20)]


def vertex_az(f, v):
    lat, lng = centers[f]
    vl, vg = geo(verts[v])
    return pos_angle(azimuth(lat, lng, vl, vg))


# 2. each face's i axis points at one of its vertices; j and k follow 120 and 240 degrees ccw.
#    The right vertex is the one that makes the face's centre base cell read its digits unrotated.
def digit_of_cell(cell):
    res, bc, digits = parse_index(cell)
    return bc, digits


axes = [0.0] * 20
axis_vertex = [None] * 20
for f in range(20):
    found = []
    for v in faces[f][1]:
        az = vertex_az(f, v)
        trial_axes = list(axes)
        trial_axes[f] = az
        grid = Grid(centers, trial_axes)
        ok = True
        for d in range(1, 7):
            x, y = ijk_to_hex2d(UNIT[d])
            lat, lng = grid.hex2d_to_geo(x, y, f, 1, False)
            bc, digits = digit_of_cell(h3.latlng_to_cell(math.degrees(lat), math.degrees(lng), 1))
            if digits[0] != d:
                ok = False
                break
        if ok:
            found.append((v, az))
    assert len(found) == 1, (f, found)
    axis_vertex[f], axes[f] = found[0]

grid = Grid(centers, axes)


def face_vertices(f):
    """The face's vertices in its own frame at resolution 0: i, j, k."""
    v0 = axis_vertex[f]
    others = [v for v in faces[f][1] if v != v0]
    out = {v0: (2, 0, 0)}
    # j is 120 degrees ccw of i: its azimuth is 120 degrees less
    for v in others:
        d = pos_angle(axes[f] - vertex_az(f, v))
        out[v] = (0, 2, 0) if abs(d - 2 * math.pi / 3) < 0.1 else (0, 0, 2)
    assert sorted(out.values()) == [(0, 0, 2), (0, 2, 0), (2, 0, 0)], (f, out)
    return out


fverts = [face_vertices(f) for f in range(20)]

# 3. neighbouring faces: across the ij, ki and jk edges, with the frame change (rotate ccw, translate)
QUAD = {'IJ': ((2, 0, 0), (0, 2, 0)), 'KI': ((0, 0, 2), (2, 0, 0)), 'JK': ((0, 2, 0), (0, 0, 2))}
neighbors = []
adjacent_dir = [[-1] * 20 for _ in range(20)]
for f in range(20):
    row = {'center': (f, (0, 0, 0), 0)}
    inv = {p: v for v, p in fverts[f].items()}
    for name, (p1, p2) in QUAD.items():
        v1, v2 = inv[p1], inv[p2]
        g = [h for h in range(20) if h != f and v1 in fverts[h] and v2 in fverts[h]]
        assert len(g) == 1
        g = g[0]
        sol = None
        for r in range(6):
            a, b = p1, p2
            for _ in range(r):
                a, b = rot_ccw(a), rot_ccw(b)
            t = sub(fverts[g][v1], a)
            if normalize(add(b, t)) == fverts[g][v2]:
                sol = (r, normalize(t))
                break
        assert sol is not None, (f, name)
        row[name] = (g, sol[1], sol[0])
        adjacent_dir[f][g] = name
    adjacent_dir[f][f] = 'center'
    neighbors.append(row)

# 4. base cells by (face, res-0 ijk), with the ccw rotation from the face's frame to the cell's own
MAXDIM = {0: 2}


def apply_rot(digits, n, ccw=True):
    table = CCW if ccw else CW
    out = list(digits)
    for _ in range(n):
        out = [table[d] for d in out]
    return out


def leading(digits):
    for d in digits:
        if d != 0:
            return d
    return 0


def rotate_pent_ccw(digits):
    out = list(digits)
    found = False
    for r in range(len(out)):
        out[r] = CCW[out[r]]
        if not found and out[r] != 0:
            found = True
            if leading(out) == 1:
                out = apply_rot(out, 1)
    return out


def encode(face, ijk, res, table_entry, pentagon, cw_offset):
    """geoToH3 from a face and an ijk at `res`, given the table entry for the res-0 ijk."""
    digits = [0] * res
    cur = ijk
    for r in range(res - 1, -1, -1):
        last = cur
        if class3(r + 1):
            cur = up7(cur); centre = down7(cur)
        else:
            cur = up7r(cur); centre = down7r(cur)
        digits[r] = DIGIT_OF[normalize(sub(last, centre))]
    return cur, digits


def finish(bc, rot, digits, pentagon, cw_offset):
    if pentagon:
        if leading(digits) == 1:
            digits = apply_rot(digits, 1, ccw=not cw_offset)
        for _ in range(rot):
            digits = rotate_pent_ccw(digits)
    else:
        digits = apply_rot(digits, rot)
    return digits


pent_bcs = {parse_index(c)[1] for c in pent_cells}
rng = random.Random(7)
base_cells = {}
cw_offset = {}
for f in range(20):
    for ijk in itertools.product(range(3), repeat=3):
        x, y = ijk_to_hex2d(ijk)
        lat, lng = grid.hex2d_to_geo(x, y, f, 0, False)
        bc = parse_index(h3.latlng_to_cell(math.degrees(lat), math.degrees(lng), 0))[1]
        # samples: points near this res-0 position that project to this face
        samples = []
        tries = 0
        while len(samples) < 300 and tries < 60000:
            tries += 1
            sx, sy = x + rng.uniform(-0.6, 0.6), y + rng.uniform(-0.6, 0.6)
            plat, plng = grid.hex2d_to_geo(sx, sy, f, 0, False)
            if grid.closest_face(plat, plng)[0] != f:
                continue
            res = rng.randint(1, 9)
            fc, (hx, hy) = grid.geo_to_hex2d(plat, plng, res)
            top, digits = encode(f, hex2d_to_ijk(hx, hy), res, None, None, None)
            if top != normalize(ijk):
                continue
            truth = h3.latlng_to_cell(math.degrees(plat), math.degrees(plng), res)
            tres, tbc, tdigits = parse_index(truth)
            if tbc != bc:
                continue
            samples.append((digits, tdigits))
        if not samples:
            base_cells[(f, ijk)] = (bc, 0)
            continue
        options = []
        for rot in range(6):
            for cw in ((False, True) if bc in pent_bcs else (False,)):
                if all(finish(bc, rot, d, bc in pent_bcs, cw) == t for d, t in samples):
                    options.append((rot, cw))
        assert options, (f, ijk, bc)
        rots = sorted({o[0] for o in options})
        if len(rots) > 1:
            print('ambiguous rotation', f, ijk, bc, options, file=sys.stderr)
        options = [o for o in options if o[0] == rots[0]]
        base_cells[(f, ijk)] = (bc, rots[0])
        if bc in pent_bcs:
            cws = {o[1] for o in options}
            if len(cws) == 1:
                cw_offset[(bc, f)] = options[0][1]

# 5. each base cell's home: the face and ijk where its rotation is 0
homes = {}
for (f, ijk), (bc, rot) in sorted(base_cells.items()):
    if rot == 0 and normalize(ijk) == ijk:
        homes.setdefault(bc, []).append((f, ijk))
home = {}
for bc in range(122):
    cands = homes.get(bc, [])
    if bc in pent_bcs:
        cands = [c for c in cands if c[1] == (2, 0, 0)] or cands
    # prefer the centre of a face, then the candidate whose face is closest to the cell's centre
    lat, lng = map(math.radians, h3.cell_to_latlng(make_index(0, bc, [])))
    cands.sort(key=lambda c: (c[1] != (0, 0, 0), -sum(a * b for a, b in zip(grid.vecs[c[0]], to_vec(lat, lng)))))
    assert cands, bc
    home[bc] = cands[0]

out = {
    'faceCenters': [[c[0], c[1]] for c in centers],
    'faceAxes': axes,
    'faceNeighbors': [[list((row[q][0], *row[q][1], row[q][2])) for q in ('center', 'IJ', 'KI', 'JK')] for row in neighbors],
    'adjacentFaceDir': [[{'center': 0, 'IJ': 1, 'KI': 2, 'JK': 3, -1: -1}[d] for d in r] for r in adjacent_dir],
    'faceIjkBaseCells': [[list(base_cells[(f, ijk)]) for ijk in itertools.product(range(3), repeat=3)] for f in range(20)],
    'baseCellHomes': [[home[bc][0], *home[bc][1], 1 if bc in pent_bcs else 0] for bc in range(122)],
    'pentagonCwOffsetFaces': {str(bc): sorted(f for (b, f), cw in cw_offset.items() if b == bc and cw) for bc in sorted(pent_bcs)},
}
import derive_neighbors  # noqa: E402
out.update(derive_neighbors.derive([row[0] for row in out['baseCellHomes']],
                                   {int(k): v for k, v in out['pentagonCwOffsetFaces'].items()}))
if len(sys.argv) == 1:
    json.dump(out, sys.stdout)


def swift(tables):
    """The tables as Swift source (H3Tables.swift)."""
    def num(x):
        return repr(float(x))
    lines = ['// Generated by scripts/h3/derive_tables.py: do not edit.',
             '// The icosahedron and base-cell placement of the H3 grid (the H3 format is Apache-2.0, by Uber),',
             '// derived from the grid\'s pentagon centres and the cells points fall in.',
             '',
             'extension H3 {',
             '    /// Face centres, latitude and longitude in radians.',
             '    static let faceCenters: [(lat: Double, lng: Double)] = [']
    lines += [f'        ({num(a)}, {num(b)}),' for a, b in tables['faceCenters']]
    lines += ['    ]', '', '    /// Azimuth (radians, clockwise from north) of each face\'s Class II i axis.',
              '    static let faceAxes: [Double] = [']
    lines += [f'        {num(a)},' for a in tables['faceAxes']]
    lines += ['    ]', '',
              '    /// For each face: itself, then its neighbours across the ij, ki and jk edges, with the ccw',
              '    /// rotations and the translation (in resolution-0 units) from this face\'s frame to theirs.',
              '    static let faceNeighbors: [[FaceOrientation]] = [']
    for row in tables['faceNeighbors']:
        cells = ', '.join(f'.init(face: {f}, translate: .init({i}, {j}, {k}), ccwRot60: {r})' for f, i, j, k, r in row)
        lines.append(f'        [{cells}],')
    lines += ['    ]', '', '    /// Which edge of face a (0 itself, 1 ij, 2 ki, 3 jk) face b lies across; -1 when not adjacent.',
              '    static let adjacentFaceDir: [[Int8]] = [']
    lines += ['        [' + ', '.join(str(x) for x in row) + '],' for row in tables['adjacentFaceDir']]
    lines += ['    ]', '',
              '    /// Base cell and ccw rotation by face and resolution-0 ijk (index 9i + 3j + k).',
              '    static let faceIjkBaseCells: [[(baseCell: Int8, ccwRot60: Int8)]] = [']
    for row in tables['faceIjkBaseCells']:
        lines.append('        [' + ', '.join(f'({b}, {r})' for b, r in row) + '],')
    lines += ['    ]', '', '    /// Each base cell\'s home face and ijk, and whether it is a pentagon.',
              '    static let baseCells: [BaseCell] = [']
    for f, i, j, k, p in tables['baseCellHomes']:
        lines.append(f'        .init(face: {f}, ijk: .init({i}, {j}, {k}), isPentagon: {"true" if p else "false"}),')
    lines += ['    ]', '', '    /// The faces on which a pentagon base cell leaves its deleted k subsequence clockwise.',
              '    static let pentagonCwOffsetFaces: [Int: [Int]] = [']
    lines += [f'        {bc}: [{", ".join(str(f) for f in fs)}],' for bc, fs in tables['pentagonCwOffsetFaces'].items()]
    lines += ['    ]', '', '    /// Each base cell\'s neighbour by direction digit (127: none, a pentagon\'s deleted k direction).',
              '    static let baseCellNeighbors: [[Int8]] = [']
    lines += ['        [' + ', '.join(str(x) for x in row) + '],' for row in tables['baseCellNeighbors']]
    lines += ['    ]', '', '    /// The ccw rotations from a base cell\'s frame to its neighbour\'s, by direction.',
              '    static let baseCellNeighborRotations: [[Int8]] = [']
    lines += ['        [' + ', '.join(str(x) for x in row) + '],' for row in tables['baseCellNeighborRotations']]
    lines += ['    ]', '']
    for name, key in (('carryDigitClassIII', 'carryDigitClassIII'), ('carryAdjustClassIII', 'carryAdjustClassIII'),
                      ('carryDigitClassII', 'carryDigitClassII'), ('carryAdjustClassII', 'carryAdjustClassII')):
        what = 'digit' if 'Digit' in name else 'carry to the parent'
        cls = 'III' if name.endswith('III') else 'II'
        lines += [f'    /// Stepping from child digit d in direction dir, at a Class {cls} resolution: the new {what}.',
                  f'    static let {name}: [[Int]] = [']
        lines += ['        [' + ', '.join(str(x) for x in row) + '],' for row in tables[key]]
        lines += ['    ]', '']
    lines[-1:] = ['}', '']
    return '\n'.join(lines)


if len(sys.argv) > 1:
    with open(sys.argv[1], 'w') as fh:
        fh.write(swift(out))
