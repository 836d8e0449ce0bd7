//! Streaming import and export: passages as CSV (one row per segment) and
//! any [`Record`] as JSON Lines.
//!
//! # The passage CSV schema
//!
//! UTF-8, comma-separated, a header row naming the columns (any order; the
//! writer uses the order below). One row per toll segment; the rows of one
//! passage are consecutive and share its `passage_id` and every
//! passage-level column. Optional columns may be left out of the header or
//! left empty.
//!
//! | column | level | required | format |
//! | --- | --- | --- | --- |
//! | `passage_id` | passage | yes | [`TransactionId`] |
//! | `card_number` | passage | yes | 20 digits ([`CardNumber`]) |
//! | `card_type` | passage | yes | `21`, `22`, `23`, `51`–`53`, or the issuer codes `1` (debit) / `2` (stored-value) |
//! | `vehicle_id` | passage | yes | `京A12345_1` ([`VehicleId`]) |
//! | `vehicle_class` | passage | yes | JT/T 489-2019 code (`1`, `11`, …) |
//! | `medium` | passage | yes | `obu` or `cpc` |
//! | `entry_station` | passage | no | station name |
//! | `entry_time` | passage | no | date-time, +08:00 when no offset |
//! | `exit_station` | passage | yes | station name |
//! | `exit_time` | passage | yes | date-time |
//! | `settled_at` | passage | no | date-time; empty while unsettled |
//! | `operator_id` | segment | yes | [`OperatorId`](crate::OperatorId) |
//! | `operator_name` | segment | yes | seller name |
//! | `operator_taxpayer_id` | segment | yes | USCC or legacy taxpayer id |
//! | `province` | segment | yes | any form [`Province`](crate::Province) parses |
//! | `road_kind` | segment | yes | `expressway`, `firstClass`, `secondClass`, `bridge`, `sluice` |
//! | `funding` | segment | yes | `operating`, `governmentRepaid` |
//! | `tax_method` | segment | yes | `general`, `simplified` |
//! | `construction_start` | segment | no | `YYYY-MM-DD` |
//! | `receivable` | segment | yes | amount, at most 2 decimals |
//! | `discount` | segment | yes | amount |
//! | `charged` | segment | yes | amount = receivable − discount |
//!
//! Readers hold one passage at a time, never the file. Every bad row yields
//! an [`ImportError`] with its line, column and value; the passage it belongs
//! to is then dropped whole (never half-imported), and reading goes on with
//! the next passage, so a caller can stop at the first error or collect them.
//! A streaming reader cannot see that a passage id comes back after other
//! passages; [`check_unique_ids`] does that for callers who can afford the
//! memory.
//!
//! ```
//! use etc_invoice_order::import::PassageCsvReader;
//!
//! let csv = "\
//! passage_id,card_number,card_type,vehicle_id,vehicle_class,medium,exit_station,exit_time,operator_id,operator_name,operator_taxpayer_id,province,road_kind,funding,tax_method,receivable,discount,charged
//! P1,44011234567890123456,23,粤B12345_0,1,obu,广州北,2024-03-05 10:00:00,OP1,某高速公司,91110000600037341L,粤,expressway,operating,simplified,10.00,0.50,9.50
//! ";
//! let passages: Vec<_> = PassageCsvReader::new(csv.as_bytes()).collect::<Result<_, _>>()?;
//! assert_eq!(passages.len(), 1);
//! assert_eq!(passages[0].total_charged().to_string(), "9.50");
//! # Ok::<(), etc_invoice_order::import::ImportError>(())
//! ```

use std::fmt;
use std::io::{self, BufRead, Read, Write};

use csv::{ByteRecord, StringRecord};

use crate::passage::{PassageParts, SegmentParts, TransactionError, Visit};
use crate::{
    CardNumber, CardType, CstDateTime, Passage, Record, TollSegment, TransactionId, VehicleClass,
    VehicleId,
};

/// What went wrong with one field, row or line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportErrorKind {
    /// The file could not be read or written.
    #[error("i/o error")]
    Io(#[source] io::Error),
    /// The CSV itself is broken (bad quoting, wrong number of fields, bad UTF-8).
    #[error("malformed csv")]
    Csv(#[source] csv::Error),
    /// A JSON line that is not a valid record.
    #[error("invalid record: {0}")]
    Json(#[source] serde_json::Error),
    /// A line longer than the reader's limit.
    #[error("line longer than {0} bytes")]
    LineTooLong(usize),
    /// A field that is not valid UTF-8.
    #[error("not valid utf-8")]
    Utf8,
    /// The header lacks a required column.
    #[error("the header has no `{0}` column")]
    MissingColumn(&'static str),
    /// The header names a column twice or names an unknown one.
    #[error("unknown or repeated column `{0}`")]
    UnknownColumn(String),
    /// A required value is empty.
    #[error("empty value")]
    Empty,
    /// A field that does not parse.
    #[error("{0}")]
    Field(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A passage-level column differs between rows of one passage.
    #[error("differs from the passage's first row (line {first_line}): `{expected}`")]
    Inconsistent {
        /// The value on the passage's first row.
        expected: String,
        /// The line of the passage's first row.
        first_line: u64,
    },
    /// The rows make no valid passage or segment.
    #[error(transparent)]
    Transaction(#[from] TransactionError),
    /// A JSON line that is not an object with a known `type` (`passage`,
    /// `topUp`, `refund`, `recovery`, `statement`).
    #[error(
        "not a record: expected an object whose `type` is passage, topUp, refund, recovery or statement"
    )]
    NotARecord,
    /// The same record id seen twice.
    #[error("id seen before, on line {0}")]
    DuplicateId(u64),
}

/// An import or export failure, with where it happened.
#[derive(Debug)]
pub struct ImportError {
    line: u64,
    column: Option<String>,
    value: Option<String>,
    kind: ImportErrorKind,
}

impl ImportError {
    fn new(line: u64, kind: ImportErrorKind) -> ImportError {
        ImportError {
            line,
            column: None,
            value: None,
            kind,
        }
    }

    fn at(line: u64, column: &str, value: &[u8], kind: ImportErrorKind) -> ImportError {
        let text = String::from_utf8_lossy(value);
        ImportError {
            line,
            column: Some(column.to_owned()),
            value: Some(text.chars().take(64).collect()),
            kind,
        }
    }

    /// The 1-based line of the file (0 when not tied to a line, e.g. a write).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The column (CSV) or field path (JSON), where known.
    pub fn column(&self) -> Option<&str> {
        self.column.as_deref()
    }

    /// The offending value, cut to 64 characters, where known.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// What went wrong.
    pub fn kind(&self) -> &ImportErrorKind {
        &self.kind
    }

    /// Whether the file itself could not be read (as opposed to bad content);
    /// reading on after such an error is pointless.
    pub fn is_io(&self) -> bool {
        matches!(self.kind, ImportErrorKind::Io(_))
            || matches!(&self.kind, ImportErrorKind::Csv(e) if e.is_io_error())
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(c) = &self.column {
            write!(f, ", column `{c}`")?;
        }
        if let Some(v) = &self.value {
            write!(f, ", value `{v}`")?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for ImportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}

macro_rules! columns {
    ($($variant:ident = $name:literal, $required:literal, $passage_level:literal;)*) => {
        /// The columns of the passage CSV, in the writer's order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Col { $($variant,)* }

        impl Col {
            const ALL: &'static [Col] = &[$(Col::$variant,)*];
            fn name(self) -> &'static str {
                match self { $(Col::$variant => $name,)* }
            }
            fn required(self) -> bool {
                match self { $(Col::$variant => $required,)* }
            }
            fn passage_level(self) -> bool {
                match self { $(Col::$variant => $passage_level,)* }
            }
            fn from_name(s: &str) -> Option<Col> {
                match s { $($name => Some(Col::$variant),)* _ => None }
            }
        }
    };
}

columns! {
    PassageId = "passage_id", true, true;
    CardNumber = "card_number", true, true;
    CardType = "card_type", true, true;
    VehicleId = "vehicle_id", true, true;
    VehicleClass = "vehicle_class", true, true;
    Medium = "medium", true, true;
    EntryStation = "entry_station", false, true;
    EntryTime = "entry_time", false, true;
    ExitStation = "exit_station", true, true;
    ExitTime = "exit_time", true, true;
    SettledAt = "settled_at", false, true;
    OperatorId = "operator_id", true, false;
    OperatorName = "operator_name", true, false;
    OperatorTaxpayerId = "operator_taxpayer_id", true, false;
    Province = "province", true, false;
    RoadKind = "road_kind", true, false;
    Funding = "funding", true, false;
    TaxMethod = "tax_method", true, false;
    ConstructionStart = "construction_start", false, false;
    Receivable = "receivable", true, false;
    Discount = "discount", true, false;
    Charged = "charged", true, false;
}

/// Where each column sits in the file.
#[derive(Debug, Clone)]
struct ColumnMap {
    index: Vec<Option<usize>>,
}

impl ColumnMap {
    fn from_header(header: &StringRecord) -> Result<ColumnMap, ImportError> {
        let mut index = vec![None; Col::ALL.len()];
        for (i, name) in header.iter().enumerate() {
            let name = name.trim_start_matches('\u{feff}').trim();
            let col = Col::from_name(name)
                .ok_or_else(|| ImportError::new(1, ImportErrorKind::UnknownColumn(name.into())))?;
            let slot = index
                .get_mut(col as usize)
                .ok_or_else(|| ImportError::new(1, ImportErrorKind::UnknownColumn(name.into())))?;
            if slot.replace(i).is_some() {
                return Err(ImportError::new(
                    1,
                    ImportErrorKind::UnknownColumn(name.into()),
                ));
            }
        }
        for col in Col::ALL {
            if col.required() && index.get(*col as usize).copied().flatten().is_none() {
                return Err(ImportError::new(
                    1,
                    ImportErrorKind::MissingColumn(col.name()),
                ));
            }
        }
        Ok(ColumnMap { index })
    }

    fn get<'r>(&self, record: &'r ByteRecord, col: Col) -> &'r [u8] {
        self.index
            .get(col as usize)
            .copied()
            .flatten()
            .and_then(|i| record.get(i))
            .unwrap_or_default()
    }
}

/// One row's view: parses its fields, attaching line and column to errors.
struct Row<'a> {
    record: &'a ByteRecord,
    map: &'a ColumnMap,
    line: u64,
}

impl Row<'_> {
    fn raw(&self, col: Col) -> &[u8] {
        self.map.get(self.record, col)
    }

    fn text(&self, col: Col) -> Result<&str, ImportError> {
        let raw = self.raw(col);
        std::str::from_utf8(raw)
            .map_err(|_| ImportError::at(self.line, col.name(), raw, ImportErrorKind::Utf8))
    }

    fn opt<T, E>(
        &self,
        col: Col,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ImportError>
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        let text = self.text(col)?;
        if text.is_empty() {
            return Ok(None);
        }
        parse(text).map(Some).map_err(|e| {
            ImportError::at(
                self.line,
                col.name(),
                text.as_bytes(),
                ImportErrorKind::Field(Box::new(e)),
            )
        })
    }

    fn req<T, E>(
        &self,
        col: Col,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, ImportError>
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        self.opt(col, parse)?
            .ok_or_else(|| ImportError::at(self.line, col.name(), b"", ImportErrorKind::Empty))
    }

    fn money(&self, col: Col) -> Result<crate::Money, ImportError> {
        let raw = self.raw(col);
        if raw.is_empty() {
            return Err(ImportError::at(
                self.line,
                col.name(),
                raw,
                ImportErrorKind::Empty,
            ));
        }
        crate::Money::parse_bytes(raw).map_err(|e| {
            ImportError::at(
                self.line,
                col.name(),
                raw,
                ImportErrorKind::Field(Box::new(e)),
            )
        })
    }

    fn passage_head(&self) -> Result<PassageParts, ImportError> {
        let entry_station = self.opt(Col::EntryStation, str::parse)?;
        let entry_time = self.opt(Col::EntryTime, str::parse::<CstDateTime>)?;
        let entry = match (entry_station, entry_time) {
            (Some(station), Some(time)) => Some(Visit { station, time }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(ImportError::at(
                    self.line,
                    Col::EntryTime.name(),
                    b"",
                    ImportErrorKind::Empty,
                ));
            }
            (None, Some(_)) => {
                return Err(ImportError::at(
                    self.line,
                    Col::EntryStation.name(),
                    b"",
                    ImportErrorKind::Empty,
                ));
            }
        };
        Ok(PassageParts {
            id: self.req(Col::PassageId, str::parse::<TransactionId>)?,
            card: self.req(Col::CardNumber, str::parse::<CardNumber>)?,
            card_type: self.req(Col::CardType, CardType::from_issuer_code)?,
            vehicle: self.req(Col::VehicleId, str::parse::<VehicleId>)?,
            vehicle_class: self.req(Col::VehicleClass, str::parse::<VehicleClass>)?,
            medium: self.req(Col::Medium, str::parse)?,
            entry,
            exit: Visit {
                station: self.req(Col::ExitStation, str::parse)?,
                time: self.req(Col::ExitTime, str::parse)?,
            },
            settled_at: self.opt(Col::SettledAt, str::parse)?,
            // Most passages cross one to four operators.
            segments: Vec::with_capacity(4),
        })
    }

    /// The columns that describe the operator and its road: the same few
    /// combinations recur row after row, so they are parsed once and cached.
    const ROAD_COLUMNS: [Col; 8] = [
        Col::OperatorId,
        Col::OperatorName,
        Col::OperatorTaxpayerId,
        Col::Province,
        Col::RoadKind,
        Col::Funding,
        Col::TaxMethod,
        Col::ConstructionStart,
    ];

    fn road(&self, cache: &mut RoadCache) -> Result<Road, ImportError> {
        let key = Self::ROAD_COLUMNS.map(|c| self.raw(c));
        if let Some(road) = cache.get(&key) {
            return Ok(road.clone());
        }
        let road = Road {
            operator: cache.share(crate::Operator {
                id: self.req(Col::OperatorId, str::parse)?,
                name: self.req(Col::OperatorName, str::parse)?,
                taxpayer_id: self.req(Col::OperatorTaxpayerId, str::parse)?,
            }),
            province: self.req(Col::Province, str::parse::<crate::Province>)?,
            road_kind: self.req(Col::RoadKind, str::parse)?,
            funding: self.req(Col::Funding, str::parse)?,
            tax_method: self.req(Col::TaxMethod, str::parse)?,
            construction_start: self.opt(Col::ConstructionStart, crate::parse_date)?,
        };
        cache.insert(&key, &road);
        Ok(road)
    }

    fn segment(&self, cache: &mut RoadCache) -> Result<TollSegment, ImportError> {
        let road = self.road(cache)?;
        let parts = SegmentParts {
            operator: road.operator,
            province: road.province,
            road_kind: road.road_kind,
            funding: road.funding,
            tax_method: road.tax_method,
            construction_start: road.construction_start,
            receivable: self.money(Col::Receivable)?,
            discount: self.money(Col::Discount)?,
            charged: self.money(Col::Charged)?,
        };
        TollSegment::new(parts).map_err(|e| {
            let raw = self.raw(Col::Charged);
            ImportError::at(
                self.line,
                Col::Charged.name(),
                raw,
                ImportErrorKind::Transaction(e),
            )
        })
    }
}

/// The segment columns that describe the operator and its road.
#[derive(Clone)]
struct Road {
    operator: std::sync::Arc<crate::Operator>,
    province: crate::Province,
    road_kind: crate::RoadKind,
    funding: crate::Funding,
    tax_method: crate::TaxMethod,
    construction_start: Option<chrono::NaiveDate>,
}

/// The roads met lately, by their raw column bytes: the same few operators
/// and roads recur on row after row, and their names, taxpayer ids and codes
/// need checking only once.
#[derive(Default)]
struct RoadCache {
    entries: Vec<(Vec<u8>, Road)>,
}

impl RoadCache {
    const CAPACITY: usize = 64;

    fn matches(key: &[u8], raw: &[&[u8]]) -> bool {
        let mut rest = key;
        for part in raw {
            let Some(tail) = rest.strip_prefix(*part) else {
                return false;
            };
            // 0xFF never occurs in UTF-8, so it separates the parts.
            let Some(tail) = tail.strip_prefix(&[0xFF]) else {
                return false;
            };
            rest = tail;
        }
        rest.is_empty()
    }

    fn get(&self, raw: &[&[u8]]) -> Option<&Road> {
        self.entries
            .iter()
            .find(|(key, _)| Self::matches(key, raw))
            .map(|(_, road)| road)
    }

    /// The operator, shared with a cached road of the same operator (one
    /// operator runs several roads), or in an `Arc` of its own.
    fn share(&self, operator: crate::Operator) -> std::sync::Arc<crate::Operator> {
        self.entries
            .iter()
            .find(|(_, road)| *road.operator == operator)
            .map_or_else(
                || std::sync::Arc::new(operator),
                |(_, road)| std::sync::Arc::clone(&road.operator),
            )
    }

    fn insert(&mut self, raw: &[&[u8]], road: &Road) {
        if self.entries.len() >= Self::CAPACITY {
            self.entries.clear();
        }
        let mut key = Vec::with_capacity(raw.iter().map(|r| r.len() + 1).sum());
        for part in raw {
            key.extend_from_slice(part);
            key.push(0xFF);
        }
        self.entries.push((key, road.clone()));
    }
}

/// The passage being gathered from consecutive rows.
struct Group {
    first: ByteRecord,
    first_line: u64,
    head: Option<PassageParts>,
}

/// Reads passages from a CSV of segment rows, one passage at a time.
///
/// An iterator of `Result<Passage, ImportError>`; see the [module
/// docs](self) for the schema and the error policy.
pub struct PassageCsvReader<R> {
    reader: csv::Reader<R>,
    map: Option<ColumnMap>,
    record: ByteRecord,
    group: Option<Group>,
    header_done: bool,
    finished: bool,
    pending_error: Option<ImportError>,
    roads: RoadCache,
    spare: Option<ByteRecord>,
}

impl<R: Read> PassageCsvReader<R> {
    /// A reader over any byte source; wrap files in nothing, the CSV reader
    /// buffers.
    pub fn new(source: R) -> PassageCsvReader<R> {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(false)
            .buffer_capacity(1 << 16)
            .from_reader(source);
        PassageCsvReader {
            reader,
            map: None,
            record: ByteRecord::new(),
            group: None,
            header_done: false,
            finished: false,
            pending_error: None,
            roads: RoadCache::default(),
            spare: None,
        }
    }

    fn read_header(&mut self) -> Result<(), ImportError> {
        self.header_done = true;
        let mut header = StringRecord::new();
        match self.reader.read_record(&mut header) {
            Ok(true) => {}
            Ok(false) => {
                return Err(ImportError::new(
                    1,
                    ImportErrorKind::MissingColumn("passage_id"),
                ));
            }
            Err(e) => return Err(ImportError::new(1, ImportErrorKind::Csv(e))),
        }
        self.map = Some(ColumnMap::from_header(&header)?);
        Ok(())
    }

    /// Finishes the current group into a passage, if it is whole.
    fn finish(&mut self, group: Group) -> Option<Result<Passage, ImportError>> {
        self.spare = Some(group.first);
        let head = group.head?;
        Some(Passage::new(head).map_err(|e| {
            let col = match e {
                TransactionError::ExitBeforeEntry { .. } => Col::ExitTime,
                TransactionError::SettledBeforeExit { .. } => Col::SettledAt,
                _ => Col::Charged,
            };
            let mut err = ImportError::at(
                group.first_line,
                col.name(),
                b"",
                ImportErrorKind::Transaction(e),
            );
            err.value = None;
            err
        }))
    }

    /// Takes the row in `self.record` into the current group, or starts a
    /// new one; returns the finished previous group, if any, and this row's
    /// error, if any.
    fn take_row(&mut self, map: &ColumnMap, line: u64) -> (Option<Group>, Option<ImportError>) {
        let row = Row {
            record: &self.record,
            map,
            line,
        };
        let same = self
            .group
            .as_ref()
            .is_some_and(|g| map.get(&g.first, Col::PassageId) == row.raw(Col::PassageId));
        if !same {
            let previous = self.group.take();
            let (head, error) = match row.passage_head() {
                Ok(head) => (Some(head), None),
                Err(e) => (None, Some(e)),
            };
            let mut head = head;
            let error = error.or_else(|| Self::add_segment(&mut head, &row, &mut self.roads));
            self.group = Some(Group {
                // The row's buffer becomes the group's; a spare one (from
                // the last finished group) takes its place, so no row is copied.
                first: std::mem::replace(&mut self.record, self.spare.take().unwrap_or_default()),
                first_line: line,
                head,
            });
            return (previous, error);
        }
        let Some(group) = self.group.as_mut() else {
            return (None, None);
        };
        for col in Col::ALL.iter().filter(|c| c.passage_level()) {
            let expected = map.get(&group.first, *col);
            let got = row.raw(*col);
            if expected != got {
                group.head = None;
                return (
                    None,
                    Some(ImportError::at(
                        line,
                        col.name(),
                        got,
                        ImportErrorKind::Inconsistent {
                            expected: String::from_utf8_lossy(expected).chars().take(64).collect(),
                            first_line: group.first_line,
                        },
                    )),
                );
            }
        }
        (
            None,
            Self::add_segment(&mut group.head, &row, &mut self.roads),
        )
    }

    fn add_segment(
        head: &mut Option<PassageParts>,
        row: &Row<'_>,
        roads: &mut RoadCache,
    ) -> Option<ImportError> {
        match row.segment(roads) {
            Ok(segment) => {
                if let Some(head) = head.as_mut() {
                    head.segments.push(segment);
                }
                None
            }
            Err(e) => {
                *head = None;
                Some(e)
            }
        }
    }
}

impl<R: Read> Iterator for PassageCsvReader<R> {
    type Item = Result<Passage, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(err) = self.pending_error.take() {
            return Some(Err(err));
        }
        if self.finished {
            return None;
        }
        if !self.header_done
            && let Err(e) = self.read_header()
        {
            self.finished = true;
            return Some(Err(e));
        }
        let map = self.map.take()?;
        let item = loop {
            let line = self.reader.position().line();
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {
                    if self.record.iter().all(<[u8]>::is_empty) && self.record.len() <= 1 {
                        continue;
                    }
                    let line = self.record.position().map_or(line, csv::Position::line);
                    let (previous, error) = self.take_row(&map, line);
                    // A row error is reported at once; a finished passage
                    // before it must not be lost, so report it first and the
                    // error with the next call.
                    match (previous.and_then(|g| self.finish(g)), error) {
                        (Some(done), Some(err)) => {
                            self.pending_error = Some(err);
                            break Some(done);
                        }
                        (Some(done), None) => break Some(done),
                        (None, Some(err)) => break Some(Err(err)),
                        (None, None) => {}
                    }
                }
                Ok(false) => {
                    self.finished = true;
                    break self.group.take().and_then(|g| self.finish(g));
                }
                Err(e) => {
                    let line = e.position().map_or(line, csv::Position::line);
                    let fatal = e.is_io_error();
                    if fatal {
                        self.finished = true;
                    }
                    // The broken row cannot be attributed to a passage with
                    // certainty: drop the group it might belong to.
                    if let Some(g) = self.group.as_mut() {
                        g.head = None;
                    }
                    break Some(Err(ImportError::new(line, ImportErrorKind::Csv(e))));
                }
            }
        };
        self.map = Some(map);
        item
    }
}

/// Writes passages as the CSV that [`PassageCsvReader`] reads: the header,
/// then one row per segment, every column of the schema in order.
///
/// `read(write(passages)) == passages`, exactly.
pub struct PassageCsvWriter<W: Write> {
    writer: csv::Writer<W>,
    header_written: bool,
}

impl<W: Write> PassageCsvWriter<W> {
    /// A writer into any byte sink.
    pub fn new(sink: W) -> PassageCsvWriter<W> {
        PassageCsvWriter {
            writer: csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(sink),
            header_written: false,
        }
    }

    fn io(e: csv::Error) -> ImportError {
        ImportError::new(0, ImportErrorKind::Csv(e))
    }

    /// Writes one passage (its header first, on the first call).
    ///
    /// # Errors
    /// [`ImportError`] when the sink fails.
    pub fn write(&mut self, passage: &Passage) -> Result<(), ImportError> {
        self.write_header()?;
        let p = passage.parts();
        let opt = |v: Option<String>| v.unwrap_or_default();
        for seg in &p.segments {
            let s = seg.parts();
            let fields: [String; 22] = [
                p.id.to_string(),
                p.card.to_string(),
                p.card_type.to_string(),
                p.vehicle.to_string(),
                p.vehicle_class.to_string(),
                p.medium.to_string(),
                opt(p.entry.as_ref().map(|e| e.station.to_string())),
                opt(p.entry.as_ref().map(|e| e.time.to_string())),
                p.exit.station.to_string(),
                p.exit.time.to_string(),
                opt(p.settled_at.map(|t| t.to_string())),
                s.operator.id.to_string(),
                s.operator.name.to_string(),
                s.operator.taxpayer_id.to_string(),
                s.province.to_string(),
                s.road_kind.to_string(),
                s.funding.to_string(),
                s.tax_method.to_string(),
                opt(s.construction_start.map(|d| d.to_string())),
                s.receivable.to_string(),
                s.discount.to_string(),
                s.charged.to_string(),
            ];
            self.writer.write_record(&fields).map_err(Self::io)?;
        }
        Ok(())
    }

    fn write_header(&mut self) -> Result<(), ImportError> {
        if !self.header_written {
            self.writer
                .write_record(Col::ALL.iter().map(|c| c.name()))
                .map_err(Self::io)?;
            self.header_written = true;
        }
        Ok(())
    }

    /// Writes the header if no passage was written (so that an empty export
    /// still reads back as zero passages), flushes, and returns the sink.
    ///
    /// # Errors
    /// [`ImportError`] when the final write or flush fails.
    pub fn into_inner(mut self) -> Result<W, ImportError> {
        self.write_header()?;
        self.writer
            .into_inner()
            .map_err(|e| ImportError::new(0, ImportErrorKind::Io(e.into_error())))
    }
}

/// The default longest line a [`JsonLinesReader`] accepts: 16 MiB.
pub const DEFAULT_MAX_LINE: usize = 16 << 20;

/// Reads [`Record`]s from JSON Lines, one per line (`{"type": "passage", …}`).
///
/// Blank lines are skipped. A bad line yields an [`ImportError`] with its
/// line number and the JSON path of the bad field (`segments[1].charged`),
/// and reading goes on with the next line. A line longer than the limit is
/// an error, and is skipped without being held in memory.
pub struct JsonLinesReader<R> {
    source: R,
    line: u64,
    buf: Vec<u8>,
    max_line: usize,
    finished: bool,
}

impl<R: BufRead> JsonLinesReader<R> {
    /// A reader with the default line limit ([`DEFAULT_MAX_LINE`]).
    pub fn new(source: R) -> JsonLinesReader<R> {
        JsonLinesReader::with_max_line(source, DEFAULT_MAX_LINE)
    }

    /// A reader with its own line limit, in bytes.
    pub fn with_max_line(source: R, max_line: usize) -> JsonLinesReader<R> {
        JsonLinesReader {
            source,
            line: 0,
            buf: Vec::new(),
            max_line,
            finished: false,
        }
    }

    /// Reads one line into `buf`, up to the limit; returns false at the end.
    fn read_line(&mut self) -> Result<bool, ImportErrorKind> {
        self.buf.clear();
        let limit = u64::try_from(self.max_line)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let n = (&mut self.source)
            .take(limit)
            .read_until(b'\n', &mut self.buf)
            .map_err(ImportErrorKind::Io)?;
        if n == 0 {
            return Ok(false);
        }
        if self.buf.last() != Some(&b'\n') && self.buf.len() > self.max_line {
            // Skip the rest of the over-long line without keeping it.
            loop {
                let available = self.source.fill_buf().map_err(ImportErrorKind::Io)?;
                if available.is_empty() {
                    break;
                }
                match available.iter().position(|&b| b == b'\n') {
                    Some(i) => {
                        self.source.consume(i + 1);
                        break;
                    }
                    None => {
                        let len = available.len();
                        self.source.consume(len);
                    }
                }
            }
            self.buf.clear();
            return Err(ImportErrorKind::LineTooLong(self.max_line));
        }
        Ok(true)
    }
}

impl<R: BufRead> Iterator for JsonLinesReader<R> {
    type Item = Result<Record, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.finished {
                return None;
            }
            self.line += 1;
            match self.read_line() {
                Ok(false) => {
                    self.finished = true;
                    return None;
                }
                Ok(true) => {}
                Err(kind) => {
                    if matches!(kind, ImportErrorKind::Io(_)) {
                        self.finished = true;
                    }
                    return Some(Err(ImportError::new(self.line, kind)));
                }
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(parse_record(&self.buf, self.line));
        }
    }
}

/// Parses one JSON line into a record, naming the path of a bad field.
///
/// The line is read into a JSON value first, so the `type` tag can pick
/// the record type and the field errors keep their path (serde's buffered
/// internally-tagged enums would lose it).
fn parse_record(bytes: &[u8], line: u64) -> Result<Record, ImportError> {
    fn typed<T: serde::de::DeserializeOwned>(
        value: serde_json::Value,
        line: u64,
    ) -> Result<T, ImportError> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let mut err = ImportError::new(line, ImportErrorKind::Json(e.into_inner()));
            if path != "." {
                err.column = Some(path);
            }
            err
        })
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ImportError::new(line, ImportErrorKind::Json(e)))?;
    let serde_json::Value::Object(mut map) = value else {
        return Err(ImportError::new(line, ImportErrorKind::NotARecord));
    };
    let Some(serde_json::Value::String(kind)) = map.remove("type") else {
        let mut err = ImportError::new(line, ImportErrorKind::NotARecord);
        err.column = Some("type".to_owned());
        return Err(err);
    };
    let rest = serde_json::Value::Object(map);
    match kind.as_str() {
        "passage" => typed(rest, line).map(Record::Passage),
        "topUp" => typed(rest, line).map(Record::TopUp),
        "refund" => typed(rest, line).map(Record::Refund),
        "recovery" => typed(rest, line).map(Record::Recovery),
        "statement" => typed(rest, line).map(Record::Statement),
        _ => Err(ImportError::at(
            line,
            "type",
            kind.as_bytes(),
            ImportErrorKind::NotARecord,
        )),
    }
}

/// Writes [`Record`]s as JSON Lines, one per line.
pub struct JsonLinesWriter<W: Write> {
    sink: W,
}

impl<W: Write> JsonLinesWriter<W> {
    /// A writer into any byte sink (buffer it yourself for files).
    pub fn new(sink: W) -> JsonLinesWriter<W> {
        JsonLinesWriter { sink }
    }

    /// Writes one record and a newline.
    ///
    /// # Errors
    /// [`ImportError`] when the sink fails.
    pub fn write(&mut self, record: &Record) -> Result<(), ImportError> {
        serde_json::to_writer(&mut self.sink, record)
            .map_err(|e| ImportError::new(0, ImportErrorKind::Json(e)))?;
        self.sink
            .write_all(b"\n")
            .map_err(|e| ImportError::new(0, ImportErrorKind::Io(e)))
    }

    /// Flushes and returns the sink.
    ///
    /// # Errors
    /// [`ImportError`] when the flush fails.
    pub fn into_inner(mut self) -> Result<W, ImportError> {
        self.sink
            .flush()
            .map_err(|e| ImportError::new(0, ImportErrorKind::Io(e)))?;
        Ok(self.sink)
    }
}

/// Passes records through, turning a repeated id into an error (the repeat
/// is dropped). Holds every id seen, so memory grows with the number of
/// records; the line reported is the index of the item in the stream when
/// the source gives no lines.
pub fn check_unique_ids<T, I>(items: I) -> impl Iterator<Item = Result<T, ImportError>>
where
    I: IntoIterator<Item = Result<T, ImportError>>,
    T: HasId,
{
    let mut seen = std::collections::BTreeMap::new();
    let mut n: u64 = 0;
    items.into_iter().map(move |item| {
        n += 1;
        let value = item?;
        let id = value.record_id().clone();
        if let Some(first) = seen.get(&id) {
            return Err(ImportError {
                line: n,
                column: Some("id".to_owned()),
                value: Some(id.to_string()),
                kind: ImportErrorKind::DuplicateId(*first),
            });
        }
        seen.insert(id, n);
        Ok(value)
    })
}

/// Something with a transaction id.
pub trait HasId {
    /// The id.
    fn record_id(&self) -> &TransactionId;
}

impl HasId for Passage {
    fn record_id(&self) -> &TransactionId {
        self.id()
    }
}

impl HasId for Record {
    fn record_id(&self) -> &TransactionId {
        self.id()
    }
}
