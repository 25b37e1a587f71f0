//! `simlontar geo load --dir`: the reference geography's CSV files, each row type.
#![no_main]
use libfuzzer_sys::fuzz_target;
use simlontar::places::load::parse_csv;
use simlontar::places::model::*;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let _ = match kind % 9 {
        0 => parse_csv::<ProvinceRow>(bytes).map(|r| r.len()),
        1 => parse_csv::<RelayRow>(bytes).map(|r| r.len()),
        2 => parse_csv::<RegionRow>(bytes).map(|r| r.len()),
        3 => parse_csv::<DistrictRow>(bytes).map(|r| r.len()),
        4 => parse_csv::<VillageRow>(bytes).map(|r| r.len()),
        5 => parse_csv::<UptRow>(bytes).map(|r| r.len()),
        6 => parse_csv::<WardRow>(bytes).map(|r| r.len()),
        7 => parse_csv::<HubRow>(bytes).map(|r| r.len()),
        _ => parse_csv::<LinkRow>(bytes).map(|r| r.len()),
    };
});
