//! The transaction interface every feature's storage calls are written against, once for both
//! databases: plain SQL in the dialect SQLite (3.35+) and PostgreSQL (13+) share, with numbered
//! parameters `?1`, `?2`, … (the PostgreSQL backend writes them as `$1`, `$2`, …), typed values
//! and rows.
//!
//! What the shared dialect means in practice: `coalesce` (not `ifnull`), `ON CONFLICT … DO
//! UPDATE/NOTHING` (not `INSERT OR …`), `RETURNING id` (not `last_insert_rowid()`), integers
//! for flags and times in milliseconds, text for everything else, no `GLOB`/`json_*`. The store
//! contract suite runs every query on both databases, so a query that only one accepts fails.

use super::StoreError;

/// A parameter or a column value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

impl<T: ToValue + ?Sized> From<&T> for Value {
    fn from(v: &T) -> Self {
        v.to_value()
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

/// What can be a parameter; by reference, so that `args!` never moves a caller's value.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::Int(*self)
    }
}

impl ToValue for u32 {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl ToValue for usize {
    fn to_value(&self) -> Value {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

/// The parameters of one statement: `args![widget, key, 1_i64]`; each is borrowed.
#[macro_export]
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        &[$($crate::db::ToValue::to_value(&$value)),*]
    };
}

/// One result row; columns by position, as the query names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn at(&self, i: usize) -> Result<&Value, StoreError> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError(format!("a row has no column {i}")))
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            Value::Int(v) => Ok(Some(*v)),
            Value::Text(t) => Err(StoreError(format!(
                "column {i} is text ('{t}'), not a number"
            ))),
        }
    }

    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        self.opt_int(i)?
            .ok_or_else(|| StoreError(format!("column {i} is NULL, not a number")))
    }

    /// A count or a size: never negative.
    pub fn count(&self, i: usize) -> Result<u64, StoreError> {
        let n = self.int(i)?;
        u64::try_from(n).map_err(|_| StoreError(format!("negative count {n} in the database")))
    }

    /// A small count (persons, attempts, versions): saturates instead of failing.
    pub fn u32(&self, i: usize) -> Result<u32, StoreError> {
        Ok(u32::try_from(self.int(i)?.max(0)).unwrap_or(u32::MAX))
    }

    pub fn bool(&self, i: usize) -> Result<bool, StoreError> {
        Ok(self.int(i)? != 0)
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            Value::Text(t) => Ok(Some(t.clone())),
            Value::Int(v) => Err(StoreError(format!(
                "column {i} is a number ({v}), not text"
            ))),
        }
    }

    pub fn text(&self, i: usize) -> Result<String, StoreError> {
        self.opt_text(i)?
            .ok_or_else(|| StoreError(format!("column {i} is NULL, not text")))
    }
}

/// A transaction (or, for reads, a connection) of either database.
pub trait Tx {
    /// Runs one statement; how many rows it changed.
    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, StoreError>;

    /// Runs one query; all its rows.
    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, StoreError>;

    /// Runs a write whose outcome nobody reads and that only a broken transaction can make
    /// fail (adding to a running total), or one whose refusal the writer expects (an optimistic
    /// batch's rows, `db::writer`): a backend may send it with its next round trip, still
    /// before anything later in the transaction. Its error may then come from that later call
    /// (at the latest the commit), failing the whole transaction.
    fn execute_later(&mut self, sql: &str, args: &[Value]) -> Result<(), StoreError> {
        self.execute(sql, args).map(drop)
    }

    /// The first row, if there is one.
    fn query_opt(&mut self, sql: &str, args: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, args)?.into_iter().next())
    }

    /// Exactly the first row; none is an error (for `count(*)`, `RETURNING` and the like).
    fn query_one(&mut self, sql: &str, args: &[Value]) -> Result<Row, StoreError> {
        self.query_opt(sql, args)?
            .ok_or_else(|| StoreError(format!("no row from: {}", first_line(sql))))
    }
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or_default()
}

/// `?1`, `?2`, … as PostgreSQL numbers its parameters (`$1`, `$2`, …). A `?` inside a quoted
/// string stays as it is.
pub fn numbered_as_dollar(sql: &str) -> String {
    // The replacement never refuses, so there is always a string.
    replace_parameters(sql, |n| Some(format!("${n}"))).unwrap_or_default()
}

/// `sql` with each parameter `?N` outside quoted strings replaced by `with(N)`; `None` as soon
/// as `with` gives none. The one reading of the dialect's parameters.
pub fn replace_parameters(
    sql: &str,
    mut with: impl FnMut(usize) -> Option<String>,
) -> Option<String> {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c != '?' || quoted || !chars.peek().is_some_and(char::is_ascii_digit) {
            out.push(c);
            continue;
        }
        let mut n = 0usize;
        while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
            n = n.saturating_mul(10).saturating_add(d as usize);
            chars.next();
        }
        out.push_str(&with(n)?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_dollars_outside_strings() {
        assert_eq!(
            numbered_as_dollar("SELECT '?1', x FROM t WHERE a = ?1 AND b = ?12 OR c = '?'"),
            "SELECT '?1', x FROM t WHERE a = $1 AND b = $12 OR c = '?'"
        );
    }

    #[test]
    fn rows_read_typed_or_say_why_not() {
        let row = Row(vec![Value::Int(3), Value::Null, Value::Text("a".into())]);
        assert_eq!(row.int(0).ok(), Some(3));
        assert_eq!(row.opt_int(1).ok(), Some(None));
        assert!(row.int(1).is_err());
        assert_eq!(row.text(2).ok().as_deref(), Some("a"));
        assert!(row.int(2).is_err());
        assert!(row.text(3).is_err());
        assert!(row.bool(0).is_ok_and(|b| b));
        let args: &[Value] = args![1_i64, "x", None::<String>, true];
        assert_eq!(
            args,
            &[
                Value::Int(1),
                Value::Text("x".into()),
                Value::Null,
                Value::Int(1)
            ]
        );
    }
}
