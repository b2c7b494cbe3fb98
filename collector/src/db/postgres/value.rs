//! [`Value`] to PostgreSQL parameters and result columns to [`Value`].
//!
//! A prepared statement tells the type PostgreSQL inferred for each parameter; a value is
//! written as that type when it fits (an integer as INT2/INT4/INT8 within range, as BOOL when
//! 0 or 1; text as TEXT/VARCHAR/NAME/BPCHAR; NULL as anything), else the call fails naming the
//! parameter and both types.

use crate::db::tx::replace_parameters;
use crate::db::{Row, StoreError, Value};
use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use std::error::Error;

/// One parameter, written as whatever type the statement expects.
#[derive(Debug)]
pub(super) struct Param<'a>(&'a Value);

pub(super) fn params(args: &[Value]) -> Vec<Param<'_>> {
    args.iter().map(Param).collect()
}

pub(super) fn refs<'p>(params: &'p [Param<'_>]) -> Vec<&'p (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// The type a statement is prepared with when PostgreSQL cannot infer one from the SQL.
pub(super) fn natural_type(value: &Value) -> Type {
    match value {
        Value::Int(_) => Type::INT8,
        // NULL's type is moot; text is what an untyped literal would be.
        Value::Text(_) | Value::Null => Type::TEXT,
    }
}

/// Whether every value can be written as the type the statement expects for it (integers'
/// ranges and booleans' 0/1 are checked when writing, with a message that names the value).
pub(super) fn fit(args: &[Value], types: &[Type]) -> bool {
    args.len() == types.len()
        && args.iter().zip(types).all(|(value, ty)| match value {
            Value::Null => true,
            Value::Int(_) => matches!(*ty, Type::INT8 | Type::INT4 | Type::INT2 | Type::BOOL),
            Value::Text(_) => is_text(ty),
        })
}

fn is_text(ty: &Type) -> bool {
    matches!(
        *ty,
        Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR | Type::UNKNOWN
    )
}

/// `sql` with its parameters `?1`, `?2`, … written in as quoted literals (an untyped literal
/// takes the type its place asks for, as a parameter does; `escape_literal` is libpq's
/// quoting, right whatever `standard_conforming_strings` says). `None` if a parameter is
/// missing or a text holds a NUL, which would cut the command string short.
pub(super) fn with_literals(sql: &str, args: &[Value]) -> Option<String> {
    replace_parameters(sql, |n| literal(args.get(n.checked_sub(1)?)?))
}

/// `args` as the arguments of `EXECUTE name(…)`, in parentheses (nothing for none, as `EXECUTE`
/// wants it); `None` as for [`with_literals`].
pub(super) fn argument_list(args: &[Value]) -> Option<String> {
    if args.is_empty() {
        return Some(String::new());
    }
    let literals: Option<Vec<String>> = args.iter().map(literal).collect();
    Some(format!("({})", literals?.join(", ")))
}

/// A value as an SQL literal (an integer quoted too: PostgreSQL gives it the type the
/// statement needs); `None` for text with a NUL, which no literal can hold.
fn literal(value: &Value) -> Option<String> {
    Some(match value {
        Value::Null => "NULL".to_owned(),
        Value::Int(v) => format!("'{v}'"),
        Value::Text(t) if t.contains('\0') => return None,
        Value::Text(t) => postgres_protocol::escape::escape_literal(t),
    })
}

type BoxError = Box<dyn Error + Sync + Send>;

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)
                    .map_err(|_| out_of_range(*v, ty))?
                    .to_sql(ty, out),
                Type::INT2 => i16::try_from(*v)
                    .map_err(|_| out_of_range(*v, ty))?
                    .to_sql(ty, out),
                Type::BOOL => match v {
                    0 => false.to_sql(ty, out),
                    1 => true.to_sql(ty, out),
                    _ => Err(format!("{v} is no boolean (0 or 1) for a BOOL parameter").into()),
                },
                _ => Err(mismatch("an integer", ty)),
            },
            Value::Text(t) if is_text(ty) => t.as_str().to_sql(ty, out),
            Value::Text(_) => Err(mismatch("text", ty)),
        }
    }

    /// Any type: NULL fits every one, and `to_sql` says which other combinations do not.
    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn out_of_range(v: i64, ty: &Type) -> BoxError {
    format!(
        "{v} does not fit the {} parameter",
        ty.name().to_uppercase()
    )
    .into()
}

fn mismatch(passed: &str, ty: &Type) -> BoxError {
    format!(
        "the query passes {passed} where PostgreSQL expects {}",
        ty.name().to_uppercase()
    )
    .into()
}

/// A result row as [`Value`]s: INT2/INT4/INT8 and BOOL (0/1) as integers, TEXT/VARCHAR/NAME/
/// BPCHAR as text, NULL as NULL; any other column type is an error that names the column.
pub(super) fn row(row: &postgres::Row) -> Result<Row, StoreError> {
    let mut values = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let ty = column.type_();
        let value = match *ty {
            Type::INT8 => row.try_get::<_, Option<i64>>(i).map(|v| v.map(Value::Int)),
            Type::INT4 => row
                .try_get::<_, Option<i32>>(i)
                .map(|v| v.map(|v| Value::Int(v.into()))),
            Type::INT2 => row
                .try_get::<_, Option<i16>>(i)
                .map(|v| v.map(|v| Value::Int(v.into()))),
            Type::BOOL => row
                .try_get::<_, Option<bool>>(i)
                .map(|v| v.map(|v| Value::Int(v.into()))),
            Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR | Type::UNKNOWN => row
                .try_get::<_, Option<String>>(i)
                .map(|v| v.map(Value::Text)),
            Type::NUMERIC => {
                return Err(StoreError(format!(
                    "PostgreSQL: column {i} ({}) is NUMERIC, which the collector does not read; sum() of integers is NUMERIC there: write CAST(sum(...) AS BIGINT)",
                    column.name()
                )));
            }
            _ => {
                return Err(StoreError(format!(
                    "PostgreSQL: column {i} ({}) has type {}, which the collector does not read (integers, booleans and text only)",
                    column.name(),
                    ty.name().to_uppercase()
                )));
            }
        };
        let value = value.map_err(|e| {
            StoreError(format!(
                "PostgreSQL: cannot read column {i} ({}): {e}",
                column.name()
            ))
        })?;
        values.push(value.unwrap_or(Value::Null));
    }
    Ok(Row(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_quoted_outside_strings_and_refuse_a_nul() {
        let args = [
            Value::Text("it's \\ here".into()),
            Value::Int(-3),
            Value::Null,
        ];
        assert_eq!(
            with_literals("SELECT '?1', ?1, ?2, ?3 WHERE x = '?'", &args).as_deref(),
            Some("SELECT '?1',  E'it''s \\\\ here', '-3', NULL WHERE x = '?'")
        );
        assert_eq!(with_literals("SELECT ?4", &args), None);
        assert_eq!(with_literals("SELECT ?0", &args), None);
        assert_eq!(
            with_literals("SELECT ?1", &[Value::Text("a\0b".into())]),
            None
        );
    }
}
