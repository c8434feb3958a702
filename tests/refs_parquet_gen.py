"""Write kerchunk Parquet references for the corpus's kerchunk JSON reference sets.

Used by tests/refs_parquet.rs at test time (needs the PyPI packages `kerchunk` and
`fastparquet`); the output goes to a scratch directory, never into the repository.

    python refs_parquet_gen.py TESTDATA OUT TARGET_BASE [EXTRA.json RECORD_SIZE]...

For every `refs/<dir>/<name>.refs.json` (or `<n>.json`) under TESTDATA that has an
`*.expected.json` beside it (the GRIB sets, whose targets are not in the corpus, are left
out), writes with `kerchunk.df.refs_to_dataframe` (fastparquet engine, ZSTD, as kerchunk
does by default):

- OUT/http/<dir>/<name>.parq: relative targets rewritten to TARGET_BASE/<path in TESTDATA>
  (the range server's URL), with record_size 3 so that arrays span several Parquet files;
- OUT/relative/<dir>/<name>.parq: targets relative to the folder holding the .parq
  directory (local files), default record_size.

- OUT/extra/<name>.parq for each EXTRA.json given (targets kept as they are), with its
  RECORD_SIZE.

Prints one JSON line per reference set: {"parq": ..., "expected": ..., "variant": ...}.
"""

import json
import os
import sys

import kerchunk.df


def rewrite(refs, fn):
    out = {}
    for k, v in refs.items():
        if isinstance(v, list) and v and isinstance(v[0], str):
            v = [fn(v[0])] + v[1:]
        out[k] = v
    return out


def main():
    testdata, out, base = sys.argv[1], sys.argv[2], sys.argv[3].rstrip("/")
    refs_root = os.path.join(testdata, "refs")
    for d in sorted(os.listdir(refs_root)):
        if d.startswith("xarray-data-grib"):
            continue
        folder = os.path.join(refs_root, d)
        for f in sorted(os.listdir(folder)):
            if not f.endswith(".json") or f.endswith(".expected.json"):
                continue
            stem = f[: -len(".json")]
            expected = os.path.join(folder, stem + ".expected.json")
            if not os.path.exists(expected):
                continue
            with open(os.path.join(folder, f)) as fh:
                doc = json.load(fh)
            refs = doc.get("refs", doc)

            def absolute(p):
                if "://" in p or p.startswith("/"):
                    return p
                full = os.path.normpath(os.path.join(folder, p))
                return base + "/" + os.path.relpath(full, testdata).replace(os.sep, "/")

            target = os.path.join(out, "http", d, stem + ".parq")
            kerchunk.df.refs_to_dataframe(rewrite(refs, absolute), target, record_size=3)
            print(json.dumps({"parq": target, "expected": expected, "variant": "http"}))

            target = os.path.join(out, "relative", d, stem + ".parq")
            parent = os.path.dirname(target)
            os.makedirs(parent, exist_ok=True)

            def relative(p):
                if "://" in p or p.startswith("/"):
                    return p
                full = os.path.normpath(os.path.join(folder, p))
                return os.path.relpath(full, parent).replace(os.sep, "/")

            kerchunk.df.refs_to_dataframe(rewrite(refs, relative), target)
            print(json.dumps({"parq": target, "expected": expected, "variant": "relative"}))

    extra = sys.argv[4:]
    for src, record_size in zip(extra[0::2], extra[1::2]):
        name = os.path.basename(src)[: -len(".json")] + ".parq"
        target = os.path.join(out, "extra", name)
        kerchunk.df.refs_to_dataframe(src, target, record_size=int(record_size))
        print(json.dumps({"parq": target, "source": src, "variant": "extra"}))


if __name__ == "__main__":
    main()
