"""ERA5-like global 2 m temperature as a multiscale, sharded Zarr v3 store.

Writes <out>/era5_t2m.zarr: a group whose `multiscales` attribute (zarr-conventions /
GeoZarr layout, CRS in `proj:code`) lists the levels "0".."3"; each level is a group with
`t2m` (time, latitude, longitude) float32 in kelvin (sharded, zstd inside the shards,
NaN fill), and the 1-D coordinate arrays `latitude` (descending, 90 .. -90), `longitude`
(0 .. 360, east) and `time` (hours since 2024-01-01).

The field is analytic and deterministic (no random numbers): a latitude gradient, smooth
"continents" from a sum of spherical bumps with larger diurnal swings and mountain cooling
on land, a diurnal cycle that follows local solar time and a small seasonal drift over the
48 three-hourly steps. Level k is level 0 sampled every 2**k points (resampling "nearest").
"""

import json
import sys

import numpy as np
import zarr
from zarr.codecs import ZstdCodec

RES0 = 0.5  # degrees
STEPS = 48  # three-hourly: 6 days
LEVELS = 4

# "Continents": (lat, lon, radius in degrees, height in km).
BUMPS = [
    (50, 20, 28, 0.4), (55, 90, 30, 0.6), (35, 100, 14, 3.0), (45, 260, 28, 0.5),
    (60, 270, 22, 0.3), (38, 250, 10, 1.8), (-10, 300, 22, 0.3), (-20, 292, 8, 2.5),
    (5, 20, 22, 0.5), (20, 10, 18, 0.4), (-25, 135, 18, 0.3), (72, 320, 10, 2.0),
    (-80, 0, 14, 2.5), (-80, 120, 14, 2.8), (-80, 240, 14, 2.2), (25, 45, 10, 0.6),
]


def land_and_height(lat, lon):
    """Land fraction (0..1) and surface height (km) on a lat/lon mesh in degrees."""
    la, lo = np.radians(lat), np.radians(lon)
    land = np.zeros(np.broadcast(lat, lon).shape)
    height = np.zeros_like(land)
    for blat, blon, r, h in BUMPS:
        b_la, b_lo = np.radians(blat), np.radians(blon)
        cosd = np.sin(la) * np.sin(b_la) + np.cos(la) * np.cos(b_la) * np.cos(lo - b_lo)
        d = np.degrees(np.arccos(np.clip(cosd, -1, 1)))
        # Ragged coasts: modulate the radius with the bearing.
        wobble = 1 + 0.18 * np.sin(3 * lo + 2 * la + blat) + 0.1 * np.cos(5 * la - lo)
        w = 1 / (1 + np.exp((d - r * wobble) / 2.5))
        land = np.maximum(land, w)
        height = np.maximum(height, h * w * np.exp(-((d / (0.6 * r)) ** 2)))
    return land, height


def t2m(lat, lon, hours):
    """Temperature (K) on a (lat, lon) mesh at one time (hours since 2024-01-01T00Z)."""
    land, height = land_and_height(lat, lon)
    la = np.radians(lat)
    day = hours / 24.0
    # Northern winter with a small drift over the days.
    decl = np.radians(-23.0 + 0.35 * day)
    base = 299 - 42 * np.sin(la) ** 2 + 12 * np.sin(la) * np.sin(decl) / 0.39
    north, south = np.clip(np.sin(la), 0, 1), np.clip(-np.sin(la), 0, 1)
    continental = land * (-22 * north**1.5 + 5 * south + 2 * np.cos(la) ** 8)
    lapse = -6.5 * height
    local_solar = (hours + lon / 15.0) % 24
    diurnal = (2 + 8 * land) * np.cos(2 * np.pi * (local_solar - 15) / 24) * np.cos(la - decl)
    return (base + continental + lapse + diurnal).astype(np.float32)


def main(out):
    root = zarr.open_group(f"{out}/era5_t2m.zarr", mode="w", zarr_format=3)
    layout = []
    hours = np.arange(STEPS, dtype=np.int64) * 3
    nlat0, nlon0 = int(180 / RES0) + 1, int(360 / RES0)
    lat0 = 90 - RES0 * np.arange(nlat0)
    lon0 = RES0 * np.arange(nlon0)
    for k in range(LEVELS):
        step = 2**k
        lat, lon = lat0[::step], lon0[::step]
        res = RES0 * step
        g = root.create_group(str(k))
        spec = dict(dtype="float32", fill_value=float("nan"), compressors=ZstdCodec(level=9))
        if k == 0:
            arr = g.create_array("t2m", shape=(STEPS, len(lat), len(lon)), chunks=(1, 128, 128),
                                 shards=(8, 256, 256), dimension_names=["time", "latitude", "longitude"], **spec)
        else:
            arr = g.create_array("t2m", shape=(STEPS, len(lat), len(lon)), chunks=(1, 128, 128),
                                 shards=(16, 256, 256), dimension_names=["time", "latitude", "longitude"], **spec)
        arr.attrs.update({"units": "K", "long_name": "2 metre temperature", "standard_name": "air_temperature"})
        mlat, mlon = np.meshgrid(lat, lon, indexing="ij")
        for t in range(STEPS):
            v = t2m(mlat, mlon, float(hours[t]))
            # Quantise to 1/64 K (exact in float32) so zstd finds repeats, like ERA5's packing.
            arr[t] = np.round(v * 64) / 64
        la = g.create_array("latitude", shape=(len(lat),), chunks=(len(lat),), dtype="float64",
                            dimension_names=["latitude"], compressors=None)
        la[:] = lat
        la.attrs.update({"units": "degrees_north", "standard_name": "latitude"})
        lo = g.create_array("longitude", shape=(len(lon),), chunks=(len(lon),), dtype="float64",
                            dimension_names=["longitude"], compressors=None)
        lo[:] = lon
        lo.attrs.update({"units": "degrees_east", "standard_name": "longitude"})
        ti = g.create_array("time", shape=(STEPS,), chunks=(STEPS,), dtype="int64",
                            dimension_names=["time"], compressors=None)
        ti[:] = hours
        ti.attrs.update({"units": "hours since 2024-01-01 00:00:00", "calendar": "proleptic_gregorian"})
        entry = {
            "asset": str(k),
            # Pixel centres: latitude = 90 - res * row, longitude = res * col.
            "transform": {"scale": [-res, res], "translation": [90.0, 0.0]},
        }
        if k > 0:
            entry["derived_from"] = str(k - 1)
            entry["resampling_method"] = "nearest"
        layout.append(entry)
    root.attrs.update({
        "multiscales": {"version": "0.1.0", "layout": layout, "resampling_method": "nearest"},
        "proj:code": "EPSG:4326",
        "proj:spatial_dimensions": ["latitude", "longitude"],
        "title": "ERA5-like 2 m temperature (synthetic, analytic)",
        "rangetile:variable": "t2m",
    })
    print(json.dumps({"levels": len(layout), "shape0": [STEPS, nlat0, nlon0]}))


if __name__ == "__main__":
    main(sys.argv[1])
