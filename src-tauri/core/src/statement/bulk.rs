//! Statements for many customers at once, into a folder: one worker thread per core, each with
//! its own read-only connection, with progress and cancel.

use super::{data, statement_file_name, statement_pdf, StatementError, StatementOptions};
use crate::private_fs;
use crate::store::customers;
use crate::store::{Database, DbError};
use chrono::NaiveDate;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Which customers get a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every customer with an open balance in any currency (as recorded now), by name.
    WithBalance,
    /// These customers, in this order (an unknown id is an error).
    Customers(Vec<i64>),
}

#[derive(Debug, Clone)]
pub struct BulkOptions {
    pub statement: StatementOptions,
    pub selection: Selection,
    /// Worker threads; None uses every core.
    pub threads: Option<usize>,
}

/// A statement about to be made: for the preview list and the "no email" warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedStatement {
    pub customer_id: i64,
    pub customer_name: String,
    /// Where "send" would deliver it: the billing contact's (or first usable) email address.
    pub email: Option<String>,
    pub file_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenStatement {
    pub customer_id: i64,
    pub customer_name: String,
    pub path: PathBuf,
    pub bytes: u64,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedStatement {
    pub customer_id: i64,
    pub customer_name: String,
    pub error: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkProgress {
    pub done: usize,
    pub total: usize,
    pub customer_id: i64,
    pub customer_name: String,
}

#[derive(Debug, Clone)]
pub struct BulkSummary {
    /// In the planned order.
    pub written: Vec<WrittenStatement>,
    pub failed: Vec<FailedStatement>,
    /// Planned customers without an email address, written or not: they cannot be sent theirs.
    pub without_email: Vec<PlannedStatement>,
    pub planned: usize,
    /// The cancel flag was set before every statement was written.
    pub cancelled: bool,
    pub threads: usize,
    pub elapsed: Duration,
}

/// The statements [`write_all`] would write, with where each would be sent.
pub fn plan(
    conn: &Connection,
    options: &BulkOptions,
) -> Result<Vec<PlannedStatement>, StatementError> {
    let ids: Vec<(i64, String)> = match &options.selection {
        Selection::WithBalance => {
            let mut stmt = conn.prepare_cached(
                "SELECT c.id, c.name FROM customers c
                 WHERE EXISTS (SELECT 1 FROM customer_balances b
                               WHERE b.customer_id = c.id AND b.open_minor != 0)
                 ORDER BY c.name_key, c.id",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        }
        Selection::Customers(ids) => ids
            .iter()
            .map(|&id| Ok((id, customers::get(conn, id)?.name)))
            .collect::<Result<_, DbError>>()?,
    };
    ids.into_iter()
        .map(|(customer_id, customer_name)| {
            let email = crate::company::recipient(conn, customer_id)?.map(|(_, email)| email);
            Ok(PlannedStatement {
                file_name: statement_file_name(
                    customer_id,
                    &customer_name,
                    options.statement.as_of,
                ),
                customer_id,
                customer_name,
                email,
            })
        })
        .collect()
}

fn open_reader(path: &Path) -> Result<Connection, StatementError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| DbError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(conn)
}

/// Writes the selected customers' statements into `out_dir` (created if missing), each file
/// written whole or not at all. `progress` is called from the worker threads after each file;
/// setting `cancel` stops them after the statements in hand. Failures of single statements
/// are listed in the summary; an unreadable database or folder is an error.
pub fn write_all(
    db_path: &Path,
    out_dir: &Path,
    options: &BulkOptions,
    progress: &(dyn Fn(BulkProgress) + Sync),
    cancel: &AtomicBool,
) -> Result<BulkSummary, StatementError> {
    let started = Instant::now();
    let as_of = options.statement.as_of;
    let period_start = options.statement.period_start();
    if period_start > as_of {
        return Err(StatementError::Period {
            start: period_start,
            as_of,
        });
    }
    super::text::ensure_fonts()?;
    // Opening through Database checks the schema (and migrates) once, before the readers.
    let db = Database::open(db_path)?;
    let company = data::load_company(db.conn())?;
    let planned = plan(db.conn(), options)?;
    drop(db);
    private_fs::create_dir_all(out_dir).map_err(|source| StatementError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let threads = options
        .threads
        .unwrap_or(cores)
        .clamp(1, planned.len().max(1));

    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<WrittenStatement, FailedStatement>)>> =
        Mutex::new(Vec::with_capacity(planned.len()));
    let worker = || -> Result<(), StatementError> {
        let conn = open_reader(db_path)?;
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Ok(());
            }
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = planned.get(index) else {
                return Ok(());
            };
            let outcome = write_one(&conn, item, out_dir, as_of, period_start, &company);
            if let Ok(mut list) = results.lock() {
                list.push((index, outcome));
            }
            progress(BulkProgress {
                done: done.fetch_add(1, Ordering::Relaxed) + 1,
                total: planned.len(),
                customer_id: item.customer_id,
                customer_name: item.customer_name.clone(),
            });
        }
    };
    let outcomes: Vec<Result<(), StatementError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(worker)).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(StatementError::Pdf("a statement worker panicked".into()))
                })
            })
            .collect()
    });
    for outcome in outcomes {
        outcome?;
    }
    let mut results = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    results.sort_by_key(|(index, _)| *index);
    let mut written = Vec::new();
    let mut failed = Vec::new();
    for (_, result) in results {
        match result {
            Ok(w) => written.push(w),
            Err(f) => failed.push(f),
        }
    }
    Ok(BulkSummary {
        cancelled: written.len() + failed.len() < planned.len(),
        without_email: planned
            .iter()
            .filter(|p| p.email.is_none())
            .cloned()
            .collect(),
        planned: planned.len(),
        written,
        failed,
        threads,
        elapsed: started.elapsed(),
    })
}

fn write_one(
    conn: &Connection,
    item: &PlannedStatement,
    out_dir: &Path,
    as_of: NaiveDate,
    period_start: NaiveDate,
    company: &crate::company::CompanyProfile,
) -> Result<WrittenStatement, FailedStatement> {
    let fail = |error: String| FailedStatement {
        customer_id: item.customer_id,
        customer_name: item.customer_name.clone(),
        error,
    };
    let data = data::load(conn, item.customer_id, as_of, period_start, company)
        .map_err(|e| fail(e.to_string()))?;
    let pdf = statement_pdf(&data).map_err(|e| fail(e.to_string()))?;
    let path = out_dir.join(&item.file_name);
    write_file(&path, &pdf).map_err(|e| fail(e.to_string()))?;
    Ok(WrittenStatement {
        customer_id: item.customer_id,
        customer_name: item.customer_name.clone(),
        bytes: pdf.len() as u64,
        path,
        email: item.email.clone(),
    })
}

/// Writes the PDF privately beside the target and renames it, so a reader never sees half a
/// PDF (see [`private_fs::write_atomically`]).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), StatementError> {
    private_fs::write_atomically(path, |out| out.write_all(bytes)).map_err(|source| {
        StatementError::Io {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// `make bench`'s statement figure.
#[derive(Debug, Clone)]
pub struct BenchFigures {
    pub statements: usize,
    pub threads: usize,
    pub elapsed: Duration,
    pub median_bytes: u64,
    pub max_bytes: u64,
}

impl std::fmt::Display for BenchFigures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} statement PDFs: {:.2} s on {} threads = {:.1} ms each (goal < 10 s); typical size {:.0} KB (median), largest {:.0} KB",
            self.statements,
            self.elapsed.as_secs_f64(),
            self.threads,
            self.elapsed.as_secs_f64() * 1e3 / self.statements.max(1) as f64,
            self.median_bytes as f64 / 1024.0,
            self.max_bytes as f64 / 1024.0,
        )
    }
}

/// Writes `count` statements (the first customers with a balance, by id) into `out_dir` with
/// [`write_all`] on every core, and reports the time and sizes.
pub fn benchmark(
    db_path: &Path,
    out_dir: &Path,
    as_of: NaiveDate,
    count: usize,
) -> Result<BenchFigures, StatementError> {
    let ids: Vec<i64> = {
        let db = Database::open(db_path)?;
        let mut stmt = db.conn().prepare(
            "SELECT DISTINCT customer_id FROM customer_balances WHERE open_minor != 0
             ORDER BY customer_id LIMIT ?1",
        )?;
        let rows = stmt.query_map([count as i64], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let options = BulkOptions {
        statement: StatementOptions::new(as_of),
        selection: Selection::Customers(ids),
        threads: None,
    };
    let summary = write_all(db_path, out_dir, &options, &|_| {}, &AtomicBool::new(false))?;
    if let Some(failed) = summary.failed.first() {
        return Err(StatementError::Pdf(format!(
            "statement for customer {} failed: {}",
            failed.customer_id, failed.error
        )));
    }
    let mut sizes: Vec<u64> = summary.written.iter().map(|w| w.bytes).collect();
    sizes.sort_unstable();
    Ok(BenchFigures {
        statements: sizes.len(),
        threads: summary.threads,
        elapsed: summary.elapsed,
        median_bytes: sizes.get(sizes.len() / 2).copied().unwrap_or(0),
        max_bytes: sizes.last().copied().unwrap_or(0),
    })
}
