//! Shared output helpers: JSON, and tables that line up with Chinese text.

use liandong_protocol::Status;
use serde::Serialize;

use crate::service::rows::EntryRow;

pub fn print_json<T: Serialize + ?Sized>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("cannot print JSON: {e}"),
    }
}

/// Text from entries, as a terminal may show it: any certified author can
/// write a note, a title or a name, and an escape sequence in it would
/// otherwise clear the operator's screen, hide lines or fake them. Line
/// breaks and tabs become spaces; other control characters (C0, DEL, C1)
/// and the bidirectional overrides that reorder what is shown become
/// visible escapes such as `\u{1b}`.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Display width of text in a terminal: CJK and full-width characters take
/// two columns.
pub fn display_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let cp = c as u32;
    let wide = matches!(cp,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

/// Cuts text to at most `max` display columns, marking the cut with "…".
pub fn truncate(text: &str, max: usize) -> String {
    if display_width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut width = 0;
    for c in text.chars() {
        let w = char_width(c);
        if width + w + 1 > max {
            break;
        }
        out.push(c);
        width += w;
    }
    out.push('…');
    out
}

/// Prints rows as a table with a header, padding by display width.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| terminal_safe(cell).into_owned())
                .collect()
        })
        .collect();
    let rows = &rows;
    let cols = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| display_width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(display_width(cell));
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < cells.len() {
                out.push_str(&" ".repeat(widths[i] - display_width(cell) + 2));
            }
        }
        println!("{}", out.trim_end());
    };
    line(header.to_vec());
    line(
        widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect(),
    );
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// The columns of an entry in `liandong log`'s table.
pub const ENTRY_HEADER: [&str; 8] = [
    "时间 time",
    "单位 post",
    "录入 entered by",
    "序号 seq",
    "类型 kind",
    "区划 scope",
    "状态 status",
    "内容 content",
];

/// An entry's cells under [`ENTRY_HEADER`].
pub fn entry_cells(row: &EntryRow) -> Vec<String> {
    let who = match &row.author_name {
        Some(name) => truncate(name, 18),
        None => row.author[..8].to_string(),
    };
    vec![
        row.time.clone(),
        who,
        entered_by(row),
        format!("#{}", row.seq),
        row.kind.clone(),
        row.scope.clone(),
        status_label(row.status).to_string(),
        match &row.invalid {
            Some(_) => truncate(&format!("⚠失效 invalid · {}", row.summary), 48),
            None => truncate(&row.summary, 48),
        },
    ]
}

/// The operator who entered an entry, by the name people know (`张三`);
/// `—` when the entry does not say (written before operators existed, or
/// by a post without accounts).
pub fn entered_by(row: &EntryRow) -> String {
    match &row.entered_by {
        Some(op) => truncate(op.display(), 12),
        None => "—".to_string(),
    }
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Actual => "实战",
        Status::Exercise => "演练",
        Status::Test => "测试",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_line_breaks_cannot_reach_the_terminal() {
        assert_eq!(terminal_safe("西戈壁村 ok"), "西戈壁村 ok");
        let hostile = "a\x1b[2J\x1b]0;title\x07b\nc\r\u{9b}d\u{202e}e\x7f";
        let shown = terminal_safe(hostile);
        assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
        assert_eq!(
            shown,
            "a\\u{1b}[2J\\u{1b}]0;title\\u{7}b c \\u{9b}d\\u{202e}e\\u{7f}"
        );
    }

    #[test]
    fn chinese_counts_double() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("西戈壁村"), 8);
        assert_eq!(truncate("西戈壁村应急", 7), "西戈壁…");
        assert_eq!(truncate("abc", 7), "abc");
    }
}
