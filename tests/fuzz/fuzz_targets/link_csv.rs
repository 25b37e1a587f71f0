//! `simlontar link`: CSV files of people from other systems, one field of every kind.
#![no_main]
use libfuzzer_sys::fuzz_target;
use simlontar::linkage::{cli::read_records, spec::Spec, table::Table};

const SPEC: &str = r#"
id = "id"
[[field]]
column = "name"
kind = "full_name"
[[field]]
column = "born"
kind = "date"
[[field]]
column = "year"
kind = "birth_year"
[[field]]
column = "age"
kind = "age"
[[field]]
column = "sex"
kind = "sex"
[[field]]
column = "nik"
kind = "nik"
[[field]]
column = "ref"
kind = "identifier"
[[field]]
column = "region"
kind = "region_code"
[[field]]
column = "address"
kind = "address"
[[field]]
column = "post"
kind = "postcode"
[[field]]
column = "note"
kind = "text"
"#;

fuzz_target!(|bytes: &[u8]| {
    let spec = Spec::parse(SPEC).unwrap();
    let mut table = Table::new(spec.schema.clone());
    let _ = read_records(bytes, "in.csv", &spec, &mut table);
});
