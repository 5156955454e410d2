"""A small model of the H3 grid, used to derive the tables Vigil's Swift H3 code reads.

H3 lays an aperture-7 hexagonal grid on the faces of an icosahedron (gnomonic projection per face,
Class II grids at even resolutions, Class III grids rotated by asin(sqrt(3/28)) at odd ones). The
tables are the icosahedron's geometry and the 122 base cells' placement on it. Nothing here is
copied: the geometry follows from the 12 pentagon centres, and the base-cell placement is found by
asking the `h3` package (PyPI) which cell a point falls in. derive_tables.py writes the tables;
this module is shared with check_model.py, which compares the model with the package.
"""
import math

RES0_U_GNOMONIC = 0.38196601125010500003
AP7_ROT = math.asin(math.sqrt(3.0 / 28.0))
SQRT7 = math.sqrt(7.0)
SIN60 = math.sqrt(3.0) / 2.0
EPS = 1e-16

UNIT = {0: (0, 0, 0), 1: (0, 0, 1), 2: (0, 1, 0), 3: (0, 1, 1), 4: (1, 0, 0), 5: (1, 0, 1), 6: (1, 1, 0)}
DIGIT_OF = {v: k for k, v in UNIT.items()}
CCW = {0: 0, 1: 5, 5: 4, 4: 6, 6: 2, 2: 3, 3: 1}
CW = {v: k for k, v in CCW.items()}


def class3(res):
    return res % 2 == 1


def normalize(ijk):
    i, j, k = ijk
    if i < 0:
        j -= i; k -= i; i = 0
    if j < 0:
        i -= j; k -= j; j = 0
    if k < 0:
        i -= k; j -= k; k = 0
    m = min(i, j, k)
    return (i - m, j - m, k - m)


def add(a, b):
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def sub(a, b):
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def scale(a, s):
    return (a[0] * s, a[1] * s, a[2] * s)


def combine(ijk, iv, jv, kv):
    i, j, k = ijk
    return normalize(add(add(scale(iv, i), scale(jv, j)), scale(kv, k)))


def down7(ijk):
    return combine(ijk, (3, 0, 1), (1, 3, 0), (0, 1, 3))


def down7r(ijk):
    return combine(ijk, (3, 1, 0), (0, 3, 1), (1, 0, 3))


def down3(ijk):
    return combine(ijk, (2, 0, 1), (1, 2, 0), (0, 1, 2))


def down3r(ijk):
    return combine(ijk, (2, 1, 0), (0, 2, 1), (1, 0, 2))


def rot_ccw(ijk):
    return combine(ijk, (1, 1, 0), (0, 1, 1), (1, 0, 1))


def rot_cw(ijk):
    return combine(ijk, (1, 0, 1), (1, 1, 0), (0, 1, 1))


def kround(x):
    # C's lround: halves away from zero
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def up7(ijk):
    i = ijk[0] - ijk[2]; j = ijk[1] - ijk[2]
    return normalize((kround((3 * i - j) / 7.0), kround((i + 2 * j) / 7.0), 0))


def up7r(ijk):
    i = ijk[0] - ijk[2]; j = ijk[1] - ijk[2]
    return normalize((kround((2 * i + j) / 7.0), kround((3 * j - i) / 7.0), 0))


def ijk_to_hex2d(ijk):
    i = ijk[0] - ijk[2]; j = ijk[1] - ijk[2]
    return (i - 0.5 * j, j * SIN60)


def hex2d_to_ijk(x, y):
    """The hexagon whose centre is nearest (x, y): cube rounding in axial coordinates."""
    b = y / SIN60
    a = x + 0.5 * b
    # the nearest centre is among the lattice points around the cell of the axial floor
    best = None
    bi = math.floor(a); bj = math.floor(b)
    for di in (-1, 0, 1, 2):
        for dj in (-1, 0, 1, 2):
            ci, cj = bi + di, bj + dj
            hx, hy = ci - 0.5 * cj, cj * SIN60
            d = (hx - x) ** 2 + (hy - y) ** 2
            if best is None or d < best[0] - 1e-12:
                best = (d, ci, cj)
    return normalize((best[1], best[2], 0))


def pos_angle(a):
    t = math.fmod(a, 2 * math.pi)
    return t + 2 * math.pi if t < 0 else t


def to_vec(lat, lng):
    return (math.cos(lat) * math.cos(lng), math.cos(lat) * math.sin(lng), math.sin(lat))


def azimuth(lat1, lng1, lat2, lng2):
    return math.atan2(math.cos(lat2) * math.sin(lng2 - lng1),
                      math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lng2 - lng1))


def az_distance(lat1, lng1, az, dist):
    if dist < 1e-16:
        return (lat1, lng1)
    az = pos_angle(az)
    sinlat = math.sin(lat1) * math.cos(dist) + math.cos(lat1) * math.sin(dist) * math.cos(az)
    sinlat = max(-1.0, min(1.0, sinlat))
    lat2 = math.asin(sinlat)
    if abs(lat2 - math.pi / 2) < 1e-16:
        return (math.pi / 2, 0.0)
    if abs(lat2 + math.pi / 2) < 1e-16:
        return (-math.pi / 2, 0.0)
    sinlng = math.sin(az) * math.sin(dist) / math.cos(lat2)
    coslng = (math.cos(dist) - math.sin(lat1) * math.sin(lat2)) / math.cos(lat1) / math.cos(lat2)
    sinlng = max(-1.0, min(1.0, sinlng)); coslng = max(-1.0, min(1.0, coslng))
    lng2 = lng1 + math.atan2(sinlng, coslng)
    while lng2 > math.pi:
        lng2 -= 2 * math.pi
    while lng2 < -math.pi:
        lng2 += 2 * math.pi
    return (lat2, lng2)


class Grid:
    """The projection part of H3, given face centres and i-axis azimuths."""

    def __init__(self, centers, axes):
        self.centers = centers  # [(lat, lng)] radians
        self.axes = axes        # [azimuth of the i axis] radians
        self.vecs = [to_vec(*c) for c in centers]

    def closest_face(self, lat, lng):
        v = to_vec(lat, lng)
        best = None
        for f, c in enumerate(self.vecs):
            sqd = (c[0] - v[0]) ** 2 + (c[1] - v[1]) ** 2 + (c[2] - v[2]) ** 2
            if best is None or sqd < best[1]:
                best = (f, sqd)
        return best

    def geo_to_hex2d(self, lat, lng, res, face=None):
        if face is None:
            face, sqd = self.closest_face(lat, lng)
        else:
            v = to_vec(lat, lng); c = self.vecs[face]
            sqd = sum((c[t] - v[t]) ** 2 for t in range(3))
        r = math.acos(max(-1.0, min(1.0, 1 - sqd / 2)))
        if r < 1e-16:
            return face, (0.0, 0.0)
        theta = pos_angle(self.axes[face] - pos_angle(azimuth(*self.centers[face], lat, lng)))
        if class3(res):
            theta = pos_angle(theta - AP7_ROT)
        r = math.tan(r) / RES0_U_GNOMONIC
        r *= SQRT7 ** res
        return face, (r * math.cos(theta), r * math.sin(theta))

    def hex2d_to_geo(self, x, y, face, res, substrate):
        r = math.hypot(x, y)
        if r < 1e-16:
            return self.centers[face]
        theta = math.atan2(y, x)
        r /= SQRT7 ** res
        r *= RES0_U_GNOMONIC
        if substrate:
            r /= 3.0
            if class3(res):
                r /= SQRT7
        r = math.atan(r)
        if not substrate and class3(res):
            theta = pos_angle(theta + AP7_ROT)
        theta = pos_angle(self.axes[face] - theta)
        return az_distance(*self.centers[face], theta, r)


def parse_index(h):
    v = int(h, 16)
    res = (v >> 52) & 15
    bc = (v >> 45) & 127
    digits = [(v >> ((15 - r) * 3)) & 7 for r in range(1, res + 1)]
    return res, bc, digits


def make_index(res, bc, digits):
    v = (1 << 59) | (res << 52) | (bc << 45)
    for r in range(1, 16):
        d = digits[r - 1] if r <= res else 7
        v |= d << ((15 - r) * 3)
    return format(v, 'x')
