"""Sentinel-2-like band (B04 at 20 m, L2A digital numbers) as a tiled, georeferenced JP2.

Writes <out>/s2_b04_20m.pgm (16-bit) for opj_compress, then, after encoding, inserts a
GMLJP2 georeference (an `asoc` box holding a `gml:RectifiedGrid` in an `xml` box, OGC
08-085r4) before the codestream box. The grid is 5490 x 5490 pixels of 20 m in
EPSG:32629 (UTM 29N), origin (399960, 4900020): the extent of tile 29TNG.

The image is deterministic (fixed seeds): smooth multi-octave terrain, agricultural
fields (Voronoi cells with their own reflectance and a within-field gradient), a river
and lakes (dark water), a town (bright), and a little sensor noise.

  python sentinel2.py pgm OUT_DIR      write the PGM
  python sentinel2.py georef JP2       insert the GMLJP2 boxes into JP2 (in place)
"""

import struct
import sys

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree

SIZE = 5490
PIXEL = 20.0
ORIGIN = (399960.0, 4900020.0)  # upper-left corner, metres
EPSG = 32629


def octave_noise(rng, size, octaves):
    out = np.zeros((size, size), np.float32)
    amp = 1.0
    for cells in octaves:
        coarse = rng.standard_normal((cells, cells)).astype(np.float32)
        out += amp * ndimage.zoom(coarse, size / cells, order=3)[:size, :size]
        amp *= 0.5
    return out / np.abs(out).max()


def image():
    rng = np.random.default_rng(29)
    n = SIZE
    terrain = octave_noise(rng, n, [6, 12, 24, 48, 96])
    # Fields: Voronoi cells computed at quarter resolution, then enlarged.
    q = n // 4 + 1
    seeds = rng.uniform(0, q, (2500, 2))
    yy, xx = np.mgrid[0:q, 0:q]
    _, cell = cKDTree(seeds).query(np.stack([yy.ravel(), xx.ravel()], 1))
    cell = cell.reshape(q, q)
    cell = np.repeat(np.repeat(cell, 4, 0), 4, 1)[:n, :n]
    field_value = rng.choice([420, 520, 650, 900, 1500, 1900, 2300], size=len(seeds),
                             p=[0.2, 0.2, 0.15, 0.1, 0.15, 0.12, 0.08]).astype(np.float32)
    field_tilt = rng.uniform(-1, 1, (len(seeds), 2)).astype(np.float32)
    yf, xf = np.mgrid[0:n, 0:n].astype(np.float32)
    tilt = (field_tilt[cell, 0] * np.sin(yf / 37) + field_tilt[cell, 1] * np.cos(xf / 41)) * 60
    fields = field_value[cell] + tilt
    # Forest and hills where the terrain is high; fields in the lowlands.
    forest = 380 + 120 * octave_noise(rng, n, [200, 400])
    hilly = np.clip((terrain - 0.15) * 4, 0, 1)
    dn = fields * (1 - hilly) + forest * hilly
    # Cell edges (roads, hedges) slightly brighter.
    edges = (ndimage.grey_dilation(cell, size=3) != ndimage.grey_erosion(cell, size=3)) & (hilly < 0.5)
    dn = np.where(edges, dn * 0.7 + 1600 * 0.3, dn)
    # A meandering river from north to south, and lakes in low ground.
    xs = n * (0.45 + 0.12 * np.sin(yf[:, 0] / 500) + 0.05 * np.sin(yf[:, 0] / 130))
    width = 10 + 6 * np.sin(yf[:, 0] / 800) ** 2
    river = np.abs(xf - xs[:, None]) < width[:, None]
    lakes = terrain < -0.55
    water = river | lakes
    dn = np.where(water, 180 + 40 * terrain, dn)
    # A town: a bright, blocky patch.
    ty, tx = int(n * 0.62), int(n * 0.3)
    town = (np.hypot(yf - ty, xf - tx) < 180) & ~water
    blocks = ((yf // 12 + xf // 12) % 3 != 0)
    dn = np.where(town, np.where(blocks, 2600, 1400), dn)
    dn = dn + rng.normal(0, 25, dn.shape).astype(np.float32) + 1000  # L2A BOA_ADD_OFFSET
    return np.clip(dn, 1, 65535).astype(np.uint16)


def write_pgm(out_dir):
    img = image()
    with open(f"{out_dir}/s2_b04_20m.pgm", "wb") as f:
        f.write(f"P5\n{SIZE} {SIZE}\n65535\n".encode())
        f.write(img.astype(">u2").tobytes())
    print("min/max/mean", int(img.min()), int(img.max()), float(img.mean()))


def box(kind, payload):
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def gml():
    ox = ORIGIN[0] + PIXEL / 2  # centre of the first pixel
    oy = ORIGIN[1] - PIXEL / 2
    srs = f"urn:ogc:def:crs:EPSG::{EPSG}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <gml:featureMember>
    <gml:FeatureCollection>
      <gml:featureMember>
        <gml:RectifiedGridCoverage dimension="2" gml:id="RGC0001">
          <gml:rectifiedGridDomain>
            <gml:RectifiedGrid dimension="2">
              <gml:limits><gml:GridEnvelope><gml:low>0 0</gml:low><gml:high>{SIZE - 1} {SIZE - 1}</gml:high></gml:GridEnvelope></gml:limits>
              <gml:axisName>x</gml:axisName><gml:axisName>y</gml:axisName>
              <gml:origin><gml:Point gml:id="P0001" srsName="{srs}"><gml:pos>{ox} {oy}</gml:pos></gml:Point></gml:origin>
              <gml:offsetVector srsName="{srs}">{PIXEL} 0</gml:offsetVector>
              <gml:offsetVector srsName="{srs}">0 {-PIXEL}</gml:offsetVector>
            </gml:RectifiedGrid>
          </gml:rectifiedGridDomain>
          <gml:rangeSet><gml:File><gml:fileName>gmljp2://codestream/0</gml:fileName><gml:fileStructure>Record Interleaved</gml:fileStructure></gml:File></gml:rangeSet>
        </gml:RectifiedGridCoverage>
      </gml:featureMember>
    </gml:FeatureCollection>
  </gml:featureMember>
</gml:FeatureCollection>
""".encode()


def add_georef(path):
    data = open(path, "rb").read()
    if b"RectifiedGrid" in data[:65536]:
        return
    pos = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"jp2c":
            break
        if length == 1:
            length = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
        pos += length
    else:
        raise SystemExit("no jp2c box")
    inner = box(b"asoc", box(b"lbl ", b"gml.root-instance") + box(b"xml ", gml()))
    asoc = box(b"asoc", box(b"lbl ", b"gml.data") + inner)
    with open(path, "wb") as f:
        f.write(data[:pos] + asoc + data[pos:])


if __name__ == "__main__":
    if sys.argv[1] == "pgm":
        write_pgm(sys.argv[2])
    else:
        add_georef(sys.argv[2])
