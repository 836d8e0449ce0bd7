//! The passage CSV and JSON Lines readers on arbitrary bytes: no panic, the
//! reader ends, and every passage or record read survives the matching
//! writer and a second read unchanged.
#![no_main]

use std::collections::HashSet;

use etc_invoice::order::import::{
    JsonLinesReader, JsonLinesWriter, PassageCsvReader, PassageCsvWriter,
};
use libfuzzer_sys::fuzz_target;

/// What a reader gives, errors skipped; it must end within `bound` items.
fn read_all<T, E>(reader: impl Iterator<Item = Result<T, E>>, bound: usize) -> Vec<T> {
    let mut read = Vec::new();
    for (i, item) in reader.enumerate() {
        assert!(i < bound, "the reader does not end");
        read.extend(item.ok());
    }
    read
}

fuzz_target!(|data: &[u8]| {
    let Some((mode, input)) = data.split_first() else {
        return;
    };
    // Each item of a reader consumes at least one byte (or ends it): more
    // items than bytes means it does not end.
    let bound = input.len() + 2;
    if mode % 2 == 0 {
        let read = read_all(PassageCsvReader::new(input), bound);
        let mut writer = PassageCsvWriter::new(Vec::new());
        for p in &read {
            writer.write(p).expect("a passage read is written");
        }
        let out = writer.into_inner().expect("the writer finishes");
        // A passage whose id comes back after other rows is read twice (the
        // streaming reader's documented limit; `check_unique_ids` catches
        // it), and the two, written one after the other, read as one
        // passage or as an error: the round trip holds for unique ids.
        let ids: HashSet<_> = read.iter().map(|p| p.id()).collect();
        if ids.len() == read.len() {
            let again: Vec<_> = PassageCsvReader::new(out.as_slice())
                .collect::<Result<_, _>>()
                .unwrap_or_else(|e| panic!("written CSV does not read back: {e}"));
            assert_eq!(again, read, "CSV round trip");
        } else {
            PassageCsvReader::new(out.as_slice()).for_each(drop);
        }
    } else {
        let read = read_all(JsonLinesReader::new(input), bound);
        let mut writer = JsonLinesWriter::new(Vec::new());
        for r in &read {
            writer.write(r).expect("a record read is written");
        }
        let out = writer.into_inner().expect("the writer finishes");
        let again: Vec<_> = JsonLinesReader::new(out.as_slice())
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("written JSON Lines do not read back: {e}"));
        assert_eq!(again, read, "JSON Lines round trip");
    }
});
