//! Field rules shared by every domain body: text lengths, list sizes,
//! quantities and time order. Bodies call these so that one rule reads the
//! same, and fails with the same message, everywhere.

use crate::body_rules::BodyError;
use crate::limits::Limits;

use crate::body_rules::DomainError;

/// Most items any list in a body may hold (assignees, member units, area
/// regions, attachments, capabilities, participants). Lists are short in
/// practice; the bound keeps one entry from carrying a directory.
pub const MAX_LIST_ITEMS: usize = 64;

/// Most vertices of a warning polygon.
pub const MAX_POLYGON_POINTS: usize = 256;

/// Largest quantity of a resource (a count of items or people). Far above
/// any stockpile, low enough that sums of many never overflow a `u64`.
pub const MAX_QUANTITY: u64 = 1_000_000_000_000;

/// A short required text: a name, a title, an item.
pub fn name(field: &'static str, text: &str, limits: &Limits) -> Result<(), BodyError> {
    text_rule(field, text, limits.max_name_chars, true)
}

/// A short optional text: a contact line, a unit of measure.
pub fn short(field: &'static str, text: &str, limits: &Limits) -> Result<(), BodyError> {
    text_rule(field, text, limits.max_name_chars, false)
}

/// A long required text: an objective, a description.
pub fn long_required(field: &'static str, text: &str, limits: &Limits) -> Result<(), BodyError> {
    text_rule(field, text, limits.max_text_chars, true)
}

/// A long optional text: cause, trend, notes.
pub fn long(field: &'static str, text: &str, limits: &Limits) -> Result<(), BodyError> {
    text_rule(field, text, limits.max_text_chars, false)
}

fn text_rule(field: &'static str, text: &str, max: usize, required: bool) -> Result<(), BodyError> {
    if required && text.trim().is_empty() {
        return Err(BodyError::Empty { field });
    }
    let chars = text.chars().count();
    if chars > max {
        return Err(BodyError::TooLong { field, chars, max });
    }
    Ok(())
}

/// A list no longer than [`MAX_LIST_ITEMS`].
pub fn list<T>(field: &'static str, items: &[T]) -> Result<(), BodyError> {
    if items.len() > MAX_LIST_ITEMS {
        return Err(DomainError::TooMany {
            field,
            count: items.len(),
            max: MAX_LIST_ITEMS,
        }
        .into());
    }
    Ok(())
}

/// A list of short names: bounded, each non-empty and short, no repeats.
pub fn names(field: &'static str, items: &[String], limits: &Limits) -> Result<(), BodyError> {
    list(field, items)?;
    for (i, item) in items.iter().enumerate() {
        name(field, item, limits)?;
        if items[..i]
            .iter()
            .any(|earlier| earlier.trim() == item.trim())
        {
            return Err(DomainError::Duplicate {
                field,
                value: item.clone(),
            }
            .into());
        }
    }
    Ok(())
}

/// No value appears twice in a list.
pub fn distinct<T: PartialEq + std::fmt::Display>(
    field: &'static str,
    items: &[T],
) -> Result<(), BodyError> {
    for (i, item) in items.iter().enumerate() {
        if items[..i].contains(item) {
            return Err(DomainError::Duplicate {
                field,
                value: item.to_string(),
            }
            .into());
        }
    }
    Ok(())
}

/// A quantity in `1..=MAX_QUANTITY`.
pub fn quantity(field: &'static str, value: u64) -> Result<(), BodyError> {
    if value == 0 {
        return Err(DomainError::Zero { field }.into());
    }
    if value > MAX_QUANTITY {
        return Err(DomainError::TooLarge {
            field,
            value,
            max: MAX_QUANTITY,
        }
        .into());
    }
    Ok(())
}

/// `later` is strictly after `earlier` when both are given.
pub fn after(
    earlier: (&'static str, Option<u64>),
    later: (&'static str, Option<u64>),
) -> Result<(), BodyError> {
    if let (Some(a), Some(b)) = (earlier.1, later.1)
        && b <= a
    {
        return Err(DomainError::TimeOrder {
            earlier: earlier.0,
            later: later.0,
        }
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_distinct_and_short() {
        let limits = Limits::default();
        let ok = vec!["消防".to_string(), "卫生".to_string()];
        assert_eq!(names("member_units", &ok, &limits), Ok(()));
        let dup = vec!["消防".to_string(), " 消防".to_string()];
        assert!(matches!(
            names("member_units", &dup, &limits),
            Err(BodyError::Domain(DomainError::Duplicate { .. }))
        ));
        let empty = vec![" ".to_string()];
        assert_eq!(
            names("member_units", &empty, &limits),
            Err(BodyError::Empty {
                field: "member_units"
            })
        );
        let many: Vec<String> = (0..=MAX_LIST_ITEMS).map(|i| i.to_string()).collect();
        assert!(matches!(
            names("member_units", &many, &limits),
            Err(BodyError::Domain(DomainError::TooMany { .. }))
        ));
    }

    #[test]
    fn quantities_and_times() {
        assert!(quantity("quantity", 0).is_err());
        assert_eq!(quantity("quantity", 1), Ok(()));
        assert!(quantity("quantity", MAX_QUANTITY + 1).is_err());
        assert_eq!(after(("a", Some(1)), ("b", Some(2))), Ok(()));
        assert_eq!(after(("a", None), ("b", Some(2))), Ok(()));
        assert!(after(("a", Some(2)), ("b", Some(2))).is_err());
    }
}
