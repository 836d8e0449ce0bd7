//! Rule-set TOML and holiday calendars from arbitrary text: no panic; a
//! book that loads answers for every province on every date it names, and
//! explains every key.
#![no_main]

use etc_invoice::order::Province;
use etc_invoice::province::{HolidayCalendar, RuleBook, RuleSet};
use libfuzzer_sys::fuzz_target;

fn exercise(book: &RuleBook) {
    for p in Province::ALL {
        let mut dates = book.effective_dates(p).to_vec();
        dates.extend(dates.first().and_then(|d| d.pred_opt()));
        for d in dates {
            if book.rules_for(p, d).is_ok() {
                for key in RuleSet::KEYS {
                    book.explain(p, d, key)
                        .unwrap_or_else(|e| panic!("{key} is not explained: {e}"));
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(book) = RuleBook::builtin_ref().overlay_toml_str("fuzz.toml", text) {
        exercise(&book);
    }
    if let Ok(book) = RuleBook::from_toml_str("fuzz.toml", text) {
        exercise(&book);
    }
    let _ = HolidayCalendar::from_toml_str("fuzz.toml", text);
});
