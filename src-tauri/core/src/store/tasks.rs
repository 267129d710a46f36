//! Follow-up tasks (call, email, other) with a due date, completed with an outcome.

use crate::model::text::clean_line;
use crate::model::validation::{optional_text, required_text, FieldError};
use crate::model::{Task, TaskKind};
use crate::store::derived;
use crate::store::{self, now_timestamp, DbResult};
use chrono::NaiveDate;
use rusqlite::{params, Connection, Row};

const MAX_TEXT: usize = 2_000;

pub struct NewTask<'a> {
    pub customer_id: i64,
    pub kind: TaskKind,
    pub title: &'a str,
    pub due_date: NaiveDate,
}

pub fn add(conn: &Connection, new: &NewTask) -> DbResult<i64> {
    let title = required_text("title", "The task", &clean_line(new.title), 200)?;
    conn.prepare_cached(
        "INSERT INTO tasks (customer_id, kind, title, due_date, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        new.customer_id,
        new.kind.as_str(),
        title,
        new.due_date.to_string(),
        now_timestamp()
    ])?;
    let id = conn.last_insert_rowid();
    derived::refresh_customers(conn, &[new.customer_id])?;
    Ok(id)
}

/// Marks a task done with what happened ("reached, promised Friday", "no answer" ...).
pub fn complete(conn: &Connection, id: i64, outcome: &str) -> DbResult<()> {
    let outcome = optional_text("outcome", "The outcome", Some(outcome), MAX_TEXT)?;
    let task = get(conn, id)?;
    if task.done_at.is_some() {
        return Err(FieldError::new("outcome", "This task is already done").into());
    }
    conn.prepare_cached("UPDATE tasks SET done_at = ?2, outcome = ?3 WHERE id = ?1")?
        .execute(params![id, now_timestamp(), outcome])?;
    derived::refresh_customers(conn, &[task.customer_id])?;
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> DbResult<Task> {
    store::get_by_id(
        conn,
        &format!("{SELECT} WHERE id = ?1"),
        id,
        "task",
        task_from_row,
    )
}

/// Open tasks (soonest first), then the 20 most recently done.
pub fn for_customer(conn: &Connection, customer_id: i64) -> DbResult<Vec<Task>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT * FROM ({SELECT} WHERE customer_id = ?1 AND done_at IS NULL ORDER BY due_date, id)
         UNION ALL
         SELECT * FROM ({SELECT} WHERE customer_id = ?1 AND done_at IS NOT NULL
                        ORDER BY done_at DESC LIMIT 20)"
    ))?;
    let rows = stmt.query_map([customer_id], task_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

const SELECT: &str = "SELECT id, customer_id, kind, title, due_date, done_at, outcome FROM tasks";

fn task_from_row(row: &Row) -> rusqlite::Result<Task> {
    let kind: String = row.get(2)?;
    Ok(Task {
        id: row.get(0)?,
        customer_id: row.get(1)?,
        kind: TaskKind::from_db(&kind),
        title: row.get(3)?,
        due_date: row.get(4)?,
        done_at: row.get(5)?,
        outcome: row.get(6)?,
    })
}
