//! Synthetic data shared by the benchmarks and the import-memory example.

#![allow(dead_code, reason = "each bench or example uses a part of it")]
#![allow(
    clippy::indexing_slicing,
    reason = "indices are taken modulo the table length"
)]

use std::fmt::Write as _;

/// The passage CSV header, in the writer's column order.
pub const HEADER: &str = "passage_id,card_number,card_type,vehicle_id,vehicle_class,medium,entry_station,entry_time,exit_station,exit_time,settled_at,operator_id,operator_name,operator_taxpayer_id,province,road_kind,funding,tax_method,construction_start,receivable,discount,charged\n";

const OPERATORS: [(&str, &str, &str, &str, &str, &str); 4] = [
    (
        "GD-EXP-OLD",
        "广东示例高速公路有限公司",
        "91440100618400014K",
        "expressway",
        "operating",
        "simplified",
    ),
    (
        "GD-EXP-NEW",
        "广东示例新干线高速有限公司",
        "91440300MA5G00027H",
        "expressway",
        "operating",
        "general",
    ),
    (
        "GD-GOV-G1",
        "广东省示例公路事务中心",
        "91110000600037341L",
        "firstClass",
        "governmentRepaid",
        "general",
    ),
    (
        "HN-BRIDGE",
        "湖南示例湘江大桥有限公司",
        "91110000600037341L",
        "bridge",
        "operating",
        "simplified",
    ),
];

/// Appends the rows of synthetic passages to `out` until it holds at least
/// `rows` segment rows; returns the number of rows written. Deterministic.
pub fn passage_rows(out: &mut String, rows: usize) -> usize {
    passage_rows_from(out, rows, 0)
}

/// Like [`passage_rows`], numbering passages after `start` so that chunks
/// written one after another form one file.
pub fn passage_rows_from(out: &mut String, rows: usize, start: u64) -> usize {
    let mut written = 0;
    let mut n: u64 = start;
    while written < rows {
        n += 1;
        let segments = 1 + (n % 3) as usize;
        let day = 1 + n % 28;
        let minute = n % 60;
        let card = format!("4401990000000000{:04}", n % 5000);
        let plate = 10000 + n % 5000;
        for s in 0..segments {
            let (id, name, tid, road, funding, method) =
                OPERATORS[(n as usize + s) % OPERATORS.len()];
            let fen = 300 + (n * 7919 + s as u64 * 104729) % 20000;
            let discount = fen / 20;
            let _ = writeln!(
                out,
                "P{n:012},{card},23,粤B{plate}_0,1,obu,广州北,2024-03-{day:02}T08:{minute:02}:00+08:00,深圳机场,2024-03-{day:02}T09:{minute:02}:00+08:00,,{id},{name},{tid},粤,{road},{funding},{method},2009-06-18,{}.{:02},{}.{:02},{}.{:02}",
                fen / 100,
                fen % 100,
                discount / 100,
                discount % 100,
                (fen - discount) / 100,
                (fen - discount) % 100,
            );
            written += 1;
        }
    }
    written
}
