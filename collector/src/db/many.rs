//! Statements over many rows at once, in the dialect both databases share: a multi-row insert
//! and a lookup of many values. Each costs one statement (one round trip on PostgreSQL) per
//! chunk of rows instead of one per row, and their texts come in few sizes, so that the
//! prepared statements of both databases are reused.

use super::{Row, StoreError, Tx, Value};

/// Most rows or list values in one statement: the writer's batches are no larger, and 256 rows
/// stay far below PostgreSQL's 65,535 parameters.
pub const MOST: usize = 256;

/// [`insert_skipping_copies`] pads to a multiple of this: at most 32 texts of it.
const PAD: usize = 8;

/// Inserts `rows` (values in the order `head` names the columns: `INSERT INTO t (a, b)`) in
/// statements of power-of-two sizes (50 rows: 32, 16 and 2), so that an insert has at most nine
/// texts, held back (`Tx::execute_later`): for rows that nothing can refuse (a mail to queue, a
/// random token) or an optimistic batch's rows, so that they ride with the commit.
pub fn insert_later(tx: &mut dyn Tx, head: &str, rows: &[Vec<Value>]) -> Result<(), StoreError> {
    let mut rest = rows;
    while !rest.is_empty() {
        let n = largest_power_of_two(rest.len().min(MOST));
        let (chunk, after) = rest.split_at(n);
        if let Some((sql, args)) = values(head, chunk, n)? {
            tx.execute_later(&sql, &args)?;
        }
        rest = after;
    }
    Ok(())
}

/// Inserts `rows`, unique under the conflict of `tail` (`ON CONFLICT … DO NOTHING RETURNING
/// …`), and returns the rows `RETURNING` gives: one statement per [`MOST`], padded to a
/// multiple of [`PAD`] with copies of its last row, which the conflict then skips.
/// Not to a power of two: this is the group-commit writer's insert, whose batches of about 30
/// straddle 32, and a copy costs PostgreSQL about half a row (measured: 48 rows padded to 64
/// took a tenth longer than 48).
pub fn insert_skipping_copies(
    tx: &mut dyn Tx,
    head: &str,
    rows: &[Vec<Value>],
    tail: &str,
) -> Result<Vec<Row>, StoreError> {
    let mut returned = Vec::new();
    for chunk in rows.chunks(MOST) {
        returned.extend(run_insert(
            tx,
            head,
            chunk,
            chunk.len().next_multiple_of(PAD),
            tail,
        )?);
    }
    Ok(returned)
}

/// Runs `sql` once per value of `values`, where `{value}` in it stands for that value (the
/// parameters `?1`… are `args`, the same for each), as one statement: the lookups joined by
/// `UNION ALL`, at most [`MOST`] of them, padded to a power of two with copies of the last (its
/// rows then come twice). Every row, in no particular order.
///
/// Why not `IN (…)`: PostgreSQL plans a prepared statement once, and with the statistics of a
/// young table (a new event, a fresh database) it planned `widget = ?1 AND key IN (…)` to read
/// every row of the widget, 4 to 7 ms per batch after a few thousand registrations; an
/// equality on every column of a unique index is a lookup whatever the statistics say.
pub fn query_each(
    tx: &mut dyn Tx,
    sql: &str,
    args: &[Value],
    values: &[Value],
) -> Result<Vec<Row>, StoreError> {
    let mut rows = Vec::new();
    for chunk in values.chunks(MOST) {
        let n = chunk.len().next_power_of_two();
        let lookups: Vec<String> = (1..=n)
            .map(|i| sql.replace("{value}", &format!("?{}", args.len() + i)))
            .collect();
        rows.extend(tx.query(&lookups.join("\n UNION ALL "), &padded(args, chunk, n))?);
    }
    Ok(rows)
}

/// Runs `sql` once for all of `values`, where `{values}` in it stands for the list of them
/// (`WHERE id IN ({values})`; the parameters `?1`… are `args`), held back
/// (`Tx::execute_later`): for writes nothing refuses. At most [`MOST`] values a statement,
/// padded to a power of two with copies of the last, which match what it matches already.
/// (`IN` is fine here, unlike in [`query_each`]: held back, PostgreSQL gets the statement as
/// text and plans it each time, and it is meant for a primary key.)
pub fn execute_in(
    tx: &mut dyn Tx,
    sql: &str,
    args: &[Value],
    values: &[Value],
) -> Result<(), StoreError> {
    for chunk in values.chunks(MOST) {
        let n = chunk.len().next_power_of_two();
        let list: Vec<String> = (1..=n).map(|i| format!("?{}", args.len() + i)).collect();
        let sql = sql.replace("{values}", &list.join(", "));
        tx.execute_later(&sql, &padded(args, chunk, n))?;
    }
    Ok(())
}

/// `args`, then `chunk` padded to `n` values with copies of its last.
fn padded(args: &[Value], chunk: &[Value], n: usize) -> Vec<Value> {
    let mut all = args.to_vec();
    all.extend(chunk.iter().cloned());
    if let Some(last) = chunk.last() {
        all.extend(std::iter::repeat_n(
            last.clone(),
            n.saturating_sub(chunk.len()),
        ));
    }
    all
}

/// `head` and `rows` as `n` tuples of parameters (the last row repeated up to `n`), then
/// `tail`; the rows `RETURNING` gives, if it is there.
fn run_insert(
    tx: &mut dyn Tx,
    head: &str,
    rows: &[Vec<Value>],
    n: usize,
    tail: &str,
) -> Result<Vec<Row>, StoreError> {
    let Some((sql, args)) = values(head, rows, n)? else {
        return Ok(Vec::new());
    };
    let sql = format!("{sql}\n {tail}");
    if tail.contains("RETURNING") {
        tx.query(&sql, &args)
    } else {
        tx.execute(&sql, &args).map(|_| Vec::new())
    }
}

/// `head` with `VALUES` of `n` tuples of parameters and their values (the last row repeated up
/// to `n`); `None` for no rows.
fn values(
    head: &str,
    rows: &[Vec<Value>],
    n: usize,
) -> Result<Option<(String, Vec<Value>)>, StoreError> {
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(None);
    };
    let columns = first.len();
    if rows.iter().any(|row| row.len() != columns) {
        return Err(StoreError(format!("rows of different lengths for: {head}")));
    }
    let tuples: Vec<String> = (0..n)
        .map(|r| {
            let params: Vec<String> = (1..=columns)
                .map(|c| format!("?{}", r * columns + c))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let args: Vec<Value> = rows
        .iter()
        .chain(std::iter::repeat_n(last, n - rows.len()))
        .flat_map(|row| row.iter().cloned())
        .collect();
    Ok(Some((
        format!("{head}\n VALUES {}", tuples.join(", ")),
        args,
    )))
}

fn largest_power_of_two(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        1 << (usize::BITS - 1 - n.leading_zeros())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::sqlite::SqliteTx;
    use rusqlite::Connection;

    struct Counting {
        db: Connection,
        statements: Vec<String>,
    }

    impl Tx for Counting {
        fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, StoreError> {
            self.statements.push(sql.to_owned());
            SqliteTx(&self.db).execute(sql, args)
        }
        fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, StoreError> {
            self.statements.push(sql.to_owned());
            SqliteTx(&self.db).query(sql, args)
        }
    }

    fn table() -> Counting {
        let db = Connection::open_in_memory().expect("db");
        db.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL); CREATE TABLE log (v INTEGER NOT NULL);")
            .expect("schema");
        Counting {
            db,
            statements: Vec::new(),
        }
    }

    fn rows(n: i64) -> Vec<Vec<Value>> {
        (0..n)
            .map(|i| vec![Value::Text(format!("k{i}")), Value::Int(i)])
            .collect()
    }

    #[test]
    fn inserts_in_powers_of_two_or_pads_what_conflicts_skip() {
        let mut tx = table();
        insert_later(
            &mut tx,
            "INSERT INTO log (v)",
            &(0..50).map(|i| vec![Value::Int(i)]).collect::<Vec<_>>(),
        )
        .expect("insert");
        assert_eq!(tx.statements.len(), 3, "32 + 16 + 2");
        let n = tx
            .query("SELECT count(*), sum(v) FROM log", &[])
            .expect("count");
        assert_eq!(n[0].0, vec![Value::Int(50), Value::Int(49 * 50 / 2)]);

        tx.statements.clear();
        let returned = insert_skipping_copies(
            &mut tx,
            "INSERT INTO t (k, v)",
            &rows(50),
            "ON CONFLICT DO NOTHING RETURNING k",
        )
        .expect("insert");
        assert_eq!(returned.len(), 50, "the copies were skipped");
        assert_eq!(tx.statements.len(), 1);
        assert_eq!(
            tx.statements[0].matches('(').count(),
            1 + 56,
            "padded to 56 rows"
        );
        // Taken keys are skipped, and only the new ones come back.
        let mut more = rows(52);
        more.drain(..49);
        let returned = insert_skipping_copies(
            &mut tx,
            "INSERT INTO t (k, v)",
            &more,
            "ON CONFLICT DO NOTHING RETURNING k",
        )
        .expect("insert");
        let keys: Vec<&Value> = returned.iter().map(|r| &r.0[0]).collect();
        assert_eq!(keys.len(), 2);
        assert!(
            keys.contains(&&Value::Text("k50".into()))
                && keys.contains(&&Value::Text("k51".into()))
        );
    }

    #[test]
    fn looks_up_each_value_in_one_padded_statement() {
        let mut tx = table();
        insert_later(&mut tx, "INSERT INTO t (k, v)", &rows(10)).expect("insert");
        tx.statements.clear();
        let wanted: Vec<Value> = ["k1", "k3", "k9", "nope", "k3"]
            .map(|k| Value::Text(k.into()))
            .into();
        let found = query_each(
            &mut tx,
            "SELECT k FROM t WHERE v >= ?1 AND k = {value}",
            &[Value::Int(2)],
            &wanted,
        )
        .expect("query");
        let mut found: Vec<String> = found.iter().map(|r| r.text(0).expect("k")).collect();
        found.sort();
        // k3 asked for twice, and three times more as the padding's copies of the last value.
        assert_eq!(found, ["k3", "k3", "k3", "k3", "k3", "k9"]);
        assert_eq!(tx.statements.len(), 1);
        assert_eq!(
            tx.statements[0].matches("UNION ALL").count(),
            7,
            "padded to 8 lookups"
        );
        assert!(tx.statements[0].contains("k = ?9"), "{}", tx.statements[0]);
        assert!(
            query_each(&mut tx, "SELECT k FROM t WHERE k = {value}", &[], &[])
                .expect("none")
                .is_empty()
        );
    }

    #[test]
    fn updates_a_list_of_values_in_padded_statements() {
        let mut tx = table();
        insert_later(&mut tx, "INSERT INTO t (k, v)", &rows(300)).expect("insert");
        tx.statements.clear();
        let keys: Vec<Value> = (0..300).map(|i| Value::Text(format!("k{i}"))).collect();
        execute_in(
            &mut tx,
            "UPDATE t SET v = v + ?1 WHERE k IN ({values})",
            &[Value::Int(1000)],
            &keys[..261],
        )
        .expect("update");
        // 256, then 5 padded to 8 with copies of the last, which change nothing more.
        assert_eq!(tx.statements.len(), 2);
        assert!(tx.statements[1].contains("?9)"), "{}", tx.statements[1]);
        let n = tx
            .query("SELECT count(*), sum(v) FROM t WHERE v >= 1000", &[])
            .expect("count");
        assert_eq!(
            n[0].0,
            vec![Value::Int(261), Value::Int(261 * 1000 + 260 * 261 / 2)]
        );
        tx.statements.clear();
        execute_in(
            &mut tx,
            "UPDATE t SET v = 0 WHERE k IN ({values})",
            &[],
            &[],
        )
        .expect("nothing");
        assert!(tx.statements.is_empty(), "no statement for no values");
    }

    #[test]
    fn powers_of_two() {
        assert_eq!(
            [0, 1, 2, 3, 50, 256].map(largest_power_of_two),
            [0, 1, 2, 2, 32, 256]
        );
    }
}
